import type { CustomFieldDefinition, CustomFieldEntity } from '../domain/custom-fields.ts';
import { readSettings } from './settings.ts';

/**
 * The custom field definitions an export writes as `customFields.<key>`
 * columns: the entity's settings item (`fields#<entity>`, written by
 * `PUT /settings/fields/{entity}`), in the order the admin gave them; none
 * while the entity has no definitions. One consistent GetItem per export.
 */
export async function exportedCustomFields(
  tenantId: string,
  entity: CustomFieldEntity,
): Promise<CustomFieldDefinition[]> {
  const { item } = await readSettings(tenantId, `fields#${entity}`);
  const stored = item?.fields;
  if (!Array.isArray(stored)) return [];
  return stored.filter(
    (field): field is CustomFieldDefinition =>
      typeof field === 'object' && field !== null && typeof (field as { key?: unknown }).key === 'string',
  );
}
