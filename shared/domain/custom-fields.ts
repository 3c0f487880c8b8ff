import { isCalendarDate } from './calendar.ts';
import { isStorableNumber, STORABLE_NUMBER_RULE } from './numbers.ts';
import { ownValue } from './own-keys.ts';

/**
 * Custom fields: per tenant and entity, an admin defines the extra fields its
 * records carry (`PUT /settings/fields/{entity}`); every write and every import
 * checks `customFields` against those definitions. Keys without a definition
 * (one removed later) stay stored and readable, but a write may not add new
 * values under them.
 */
export const customFieldEntities = ['contacts', 'companies', 'deals', 'leads'] as const;
export type CustomFieldEntity = (typeof customFieldEntities)[number];

/** The key of a custom field: a letter, then up to 63 letters, digits or `_`. */
export const CUSTOM_FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** A field path naming a custom field (list query parameter, report group): `customFields.<key>`. */
export const CUSTOM_FIELD_PATH = /^customFields\.([A-Za-z][A-Za-z0-9_]{0,63})$/;

export const customFieldTypes = ['text', 'number', 'date', 'boolean', 'select', 'multiselect'] as const;
export type CustomFieldType = (typeof customFieldTypes)[number];

export interface CustomFieldDefinition {
  /** `^[A-Za-z][A-Za-z0-9_]{0,63}$`, unique per entity. */
  readonly key: string;
  readonly label: string;
  readonly type: CustomFieldType;
  /** The allowed values of `select` and `multiselect` (exact strings). */
  readonly options?: readonly string[];
  /** A record must carry a non-empty value (checked on create and when a write would remove it). */
  readonly required?: boolean;
}

/** A stored value: text and select as strings, dates as `YYYY-MM-DD`, multiselect as a list. */
export type CustomFieldValue = string | number | boolean | readonly string[] | null;

export interface CustomFieldIssue {
  /** `customFields.<key>`: the path a problem+json error names. */
  readonly path: string;
  readonly message: string;
}

const isEmpty = (value: unknown): boolean =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** Why `value` does not fit `definition`; undefined when it does (null, absent and empty pass: required is checked apart). */
export function customFieldValueIssue(definition: CustomFieldDefinition, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (definition.type) {
    case 'text':
      return typeof value === 'string' ? undefined : 'must be text';
    case 'number':
      if (typeof value !== 'number') return 'must be a number';
      return isStorableNumber(value) ? undefined : STORABLE_NUMBER_RULE;
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? undefined : 'must be a date (YYYY-MM-DD)';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'select':
      if (typeof value !== 'string') return 'must be one of the options';
      return value === '' || (definition.options ?? []).includes(value)
        ? undefined
        : `must be one of: ${(definition.options ?? []).join(', ')}`;
    case 'multiselect': {
      if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string'))
        return 'must be a list of options';
      const unknown = value.filter((entry) => !(definition.options ?? []).includes(entry as string));
      return unknown.length === 0
        ? undefined
        : `has values that are not options (${unknown.join(', ')}); allowed: ${(definition.options ?? []).join(', ')}`;
    }
  }
}

/**
 * Checks the `customFields` of a write against the entity's definitions.
 * While the entity has no definitions at all, `customFields` stay free-form
 * (tenants that never defined a field keep writing what they wrote before):
 * no issues. `next` is the record's custom fields after the write (create: the body's; patch:
 * stored merged with the patch), `written` the keys this write sets. Only written
 * keys are type-checked (stored values of a removed or changed definition stay
 * readable and are not re-judged by an unrelated write); a key without a definition
 * may not be written; a required field must be non-empty in `next` on create, and on
 * a patch that writes it. Returns every issue, empty when the write is valid.
 */
export function customFieldIssues(
  definitions: readonly CustomFieldDefinition[],
  next: Readonly<Record<string, unknown>>,
  written: readonly string[],
  mode: 'create' | 'patch',
): CustomFieldIssue[] {
  if (definitions.length === 0) return [];
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  const issues: CustomFieldIssue[] = [];
  for (const key of written) {
    const definition = byKey.get(key);
    if (!definition) {
      if (next[key] !== null && next[key] !== undefined)
        issues.push({ path: `customFields.${key}`, message: 'is not a custom field of this entity' });
      continue;
    }
    const issue = customFieldValueIssue(definition, next[key]);
    if (issue) issues.push({ path: `customFields.${key}`, message: issue });
  }
  for (const definition of definitions) {
    if (!definition.required) continue;
    const judged = mode === 'create' || written.includes(definition.key);
    if (judged && isEmpty(next[definition.key]))
      issues.push({ path: `customFields.${definition.key}`, message: 'is required' });
  }
  return issues;
}

const sameValue = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && a.every((entry, index) => entry === b[index])
    : a === b;

/**
 * The keys a patch writes: those whose value in `next` differs from `stored`
 * (added, changed or removed). A value sent back unchanged is not a write, so
 * a client that returns a record's whole `customFields` (values of a removed
 * definition included) is not refused for what it did not change.
 */
export function changedCustomFieldKeys(
  stored: Readonly<Record<string, unknown>>,
  next: Readonly<Record<string, unknown>>,
): string[] {
  const keys = new Set([...Object.keys(stored), ...Object.keys(next)]);
  return [...keys].filter((key) => !sameValue(ownValue(stored, key) ?? null, ownValue(next, key) ?? null));
}

/**
 * A list filter's text (`?customFields.<key>=<text>`) as the value stored
 * under `definition`: a number for number fields (exactly as written, e.g.
 * `12.5`), `true`/`false` for booleans, a calendar date for dates, one of the
 * options for select and multiselect (a multiselect matches records whose
 * list holds it), any text for text fields. Otherwise why not.
 */
export function customFieldFilterValue(
  definition: CustomFieldDefinition,
  text: string,
): { value: string | number | boolean } | { problem: string } {
  switch (definition.type) {
    case 'number': {
      const value = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
      return isStorableNumber(value) ? { value } : { problem: 'must be a number' };
    }
    case 'boolean':
      return text === 'true' || text === 'false'
        ? { value: text === 'true' }
        : { problem: 'must be true or false' };
    case 'date':
      return isCalendarDate(text) ? { value: text } : { problem: 'must be a date (YYYY-MM-DD)' };
    case 'select':
    case 'multiselect':
      return (definition.options ?? []).includes(text)
        ? { value: text }
        : { problem: `must be one of: ${(definition.options ?? []).join(', ')}` };
    case 'text':
      return { value: text };
  }
}

/** The types whose values make bounded report groups: one per option, or true and false. */
export const groupableCustomFieldTypes: readonly CustomFieldType[] = ['select', 'multiselect', 'boolean'];

/**
 * A record's report groups (`customGroups`): for each select, boolean and
 * multiselect definition, the groups the record's value puts it in (the
 * option; `true` or `false`; each option a multiselect holds, so a record may
 * count in several groups of one field). Values that do not fit their
 * definition, and fields of other types, make no group. Undefined when there
 * is none. The write path stores this beside `customFields`, so report
 * aggregates, computed from a record's image alone, need no settings.
 */
export function customFieldGroups(
  definitions: readonly CustomFieldDefinition[],
  values: Readonly<Record<string, unknown>> | undefined,
): Record<string, string[]> | undefined {
  const groups: Record<string, string[]> = {};
  for (const definition of definitions) {
    if (!groupableCustomFieldTypes.includes(definition.type)) continue;
    const value = ownValue(values, definition.key);
    if (isEmpty(value) || customFieldValueIssue(definition, value) !== undefined) continue;
    groups[definition.key] = Array.isArray(value) ? [...new Set(value as string[])] : [String(value)];
  }
  return Object.keys(groups).length > 0 ? groups : undefined;
}

/**
 * What a converted lead's custom values give a record it becomes (contact,
 * company, deal): each value whose key the target entity defines and which
 * fits that definition. Keys the target does not define (or defines with
 * another type the value does not fit) stay on the lead only; so does every
 * value while the target entity has no definitions.
 */
export function carriedCustomFields(
  definitions: readonly CustomFieldDefinition[],
  values: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const carried: Record<string, unknown> = {};
  for (const definition of definitions) {
    const value = ownValue(values, definition.key);
    if (isEmpty(value) || customFieldValueIssue(definition, value) !== undefined) continue;
    carried[definition.key] = Array.isArray(value) ? [...value] : value;
  }
  return carried;
}
