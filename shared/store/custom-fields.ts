import type { CustomFieldDefinition, CustomFieldEntity } from '../domain/custom-fields.ts';
import { readSettings, type SettingsStamp, writeSettings } from './settings.ts';

/**
 * An entity's custom field definitions: one settings item per entity
 * (`T#<tenant>#SETTINGS`, `fields#<entity>`), replaced whole by an admin.
 */

const kind = (entity: CustomFieldEntity) => `fields#${entity}`;

export interface CustomFieldSettings extends SettingsStamp {
  readonly entity: CustomFieldEntity;
  readonly fields: CustomFieldDefinition[];
}

/** The definitions as stored, in the order the admin gave them; only the known attributes. */
function definitionsOf(item: Record<string, unknown> | undefined): CustomFieldDefinition[] {
  const stored = item?.fields;
  if (!Array.isArray(stored)) return [];
  return stored.map((field: CustomFieldDefinition) => ({
    key: field.key,
    label: field.label,
    type: field.type,
    ...(field.options ? { options: [...field.options] } : {}),
    ...(field.required ? { required: true } : {}),
  }));
}

/**
 * The custom field definitions of `entity` in the tenant: one consistent
 * GetItem, so a definition an admin just saved applies to the very next
 * write. Empty while the entity has none (its `customFields` stay free-form).
 */
export async function readCustomFieldDefinitions(
  tenantId: string,
  entity: CustomFieldEntity,
): Promise<CustomFieldDefinition[]> {
  const { item } = await readSettings(tenantId, kind(entity));
  return definitionsOf(item);
}

/** GET /settings/fields/{entity}: the definitions and who saved them last. */
export async function readCustomFieldSettings(
  tenantId: string,
  entity: CustomFieldEntity,
): Promise<CustomFieldSettings> {
  const { item, stamp } = await readSettings(tenantId, kind(entity));
  return { entity, fields: definitionsOf(item), ...stamp };
}

/**
 * Replaces the whole list of `entity`'s definitions (validated by the caller:
 * shared/schemas/custom-fields.ts). Stored values are not touched: a removed
 * definition leaves its values readable, a changed type leaves old values as
 * they were (only the next write of such a value is checked against the new type).
 */
export async function writeCustomFieldDefinitions(
  tenantId: string,
  entity: CustomFieldEntity,
  fields: readonly CustomFieldDefinition[],
  updatedBy: string,
): Promise<CustomFieldSettings> {
  const stored = definitionsOf({ fields });
  const stamp = await writeSettings(tenantId, kind(entity), { fields: stored }, updatedBy);
  return { entity, fields: stored, ...stamp };
}
