import type { CustomFieldDefinition } from '../domain/custom-fields.ts';
import { type ExportEntity, exportColumns } from '../domain/exports/index.ts';
import { canonicalColumns } from '../domain/imports/columns.ts';
import { readCustomFieldDefinitions } from '../store/custom-fields.ts';

/** Reads an entity's custom field definitions (the store's, unless a caller passes its own). */
export type DefinitionsReader = (
  tenantId: string,
  entity: ExportEntity,
) => Promise<readonly CustomFieldDefinition[]>;

/**
 * The CSV header of an entity's export: the import's canonical columns
 * (shared/domain/imports canonicalColumns, custom fields as
 * `customFields.<key>` in their definitions' order), then id, createdAt and
 * updatedAt, which the importer ignores. Values of a removed definition are
 * not columns (the JSON export carries every stored value).
 */
export async function exportHeader(
  tenantId: string,
  entity: ExportEntity,
  definitions: DefinitionsReader = readCustomFieldDefinitions,
): Promise<string[]> {
  return exportColumns(canonicalColumns(entity, await definitions(tenantId, entity)));
}
