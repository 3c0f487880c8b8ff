import {
  CUSTOM_FIELD_PATH,
  type CustomFieldEntity,
  carriedCustomFields,
  changedCustomFieldKeys,
  customFieldFilterValue,
  customFieldIssues,
  groupableCustomFieldTypes,
  withCustomGroups,
} from '../domain/custom-fields.ts';
import { ownValue } from '../domain/own-keys.ts';
import {
  customFieldEntitiesOf,
  customFieldFilterErrors,
  type FilterError,
  type SegmentFilter,
} from '../domain/segment-filter.ts';
import { readCustomFieldDefinitions } from '../store/custom-fields.ts';
import type { NestedCondition } from '../store/records.ts';
import type { Caller } from './auth.ts';
import { type FieldError, invalidFields } from './problem.ts';

/**
 * The check of a write's `customFields` against the entity's definitions
 * (shared/domain/custom-fields.ts), as a 400 problem+json whose errors name
 * `customFields.<key>`. Costs one consistent GetItem of the definitions.
 */

type Values = Readonly<Record<string, unknown>>;

/** What a record carries of its custom fields: the values and, where reports group by them, the groups. */
interface WithCustomFields {
  readonly customFields?: Values;
  readonly customGroups?: Record<string, string[]>;
}

/**
 * Create: always read, since a required field must be present even when the
 * body has no `customFields`. Throws 400 listing every issue; otherwise
 * answers the attributes to spread into the new record: `customFields` (`{}`
 * without any) and, where reports group by them, `customGroups`.
 */
export async function newCustomFields(
  caller: Caller,
  entity: CustomFieldEntity,
  values: Values | undefined,
): Promise<{ customFields: Record<string, unknown>; customGroups?: Record<string, string[]> }> {
  const definitions = await readCustomFieldDefinitions(caller.tenantId, entity);
  const customFields = { ...values };
  const issues = customFieldIssues(definitions, customFields, Object.keys(customFields), 'create');
  if (issues.length > 0) throw invalidFields(issues);
  return withCustomGroups(entity, definitions, { customFields });
}

/**
 * A merge patch: reads the definitions only when the patch names
 * `customFields`, and answers what to apply on each attempt of the write:
 * the check of the patched record against its state before (only the keys
 * whose value changes are judged, so values of a removed definition survive
 * writes that leave them alone), answering it with its report groups redone.
 * A patch that leaves `customFields` alone leaves the groups as they were.
 */
export async function customFieldsPatchCheck(
  caller: Caller,
  entity: CustomFieldEntity,
  patch: { readonly customFields?: unknown },
): Promise<<T extends WithCustomFields>(before: T, after: T) => T> {
  if (patch.customFields === undefined) return (_before, after) => after;
  const definitions = await readCustomFieldDefinitions(caller.tenantId, entity);
  return (before, after) => {
    const stored = before.customFields ?? {};
    const next = after.customFields ?? {};
    const issues = customFieldIssues(definitions, next, changedCustomFieldKeys(stored, next), 'patch');
    if (issues.length > 0) throw invalidFields(issues);
    return withCustomGroups(entity, definitions, after);
  };
}

/** At most this many `customFields.<key>` parameters per list request, each value at most this long. */
const MAX_LIST_FILTERS = 10;
const MAX_FILTER_TEXT = 2000;

/**
 * The `customFields.<key>=<value>` parameters of a list query as conditions
 * on the records (exact value; a multiselect holds it; a boolean is `true` or
 * `false`; a number or a date is its exact value). Reads the definitions only
 * when there is such a parameter; a key without a definition, or a value its
 * type cannot hold, answers 400 at the parameter. `matches` applies the same
 * conditions to records read otherwise (an exact-email lookup).
 */
export async function customFieldListFilter(
  caller: Caller,
  entity: CustomFieldEntity,
  query: Readonly<Record<string, unknown>>,
): Promise<{ nested: NestedCondition[]; matches: (record: { customFields?: Values }) => boolean }> {
  const wanted = Object.entries(query).flatMap(([name, value]) => {
    const key = CUSTOM_FIELD_PATH.exec(name)?.[1];
    return key !== undefined && typeof value === 'string' ? [{ name, key, value }] : [];
  });
  if (wanted.length === 0) return { nested: [], matches: () => true };
  if (wanted.length > MAX_LIST_FILTERS)
    throw invalidFields([
      { path: '(root)', message: `has more than ${MAX_LIST_FILTERS} custom field filters` },
    ]);
  const definitions = new Map(
    (await readCustomFieldDefinitions(caller.tenantId, entity)).map((field) => [field.key, field]),
  );
  const errors: FieldError[] = [];
  const nested: NestedCondition[] = [];
  for (const { name, key, value } of wanted) {
    const definition = definitions.get(key);
    if (!definition) {
      errors.push({ path: name, message: `is not a custom field of ${entity}` });
      continue;
    }
    const parsed =
      value.length > MAX_FILTER_TEXT
        ? { problem: `must be at most ${MAX_FILTER_TEXT} characters` }
        : customFieldFilterValue(definition, value);
    if ('problem' in parsed) errors.push({ path: name, message: parsed.problem });
    else
      nested.push({
        map: 'customFields',
        key,
        value: parsed.value,
        ...(definition.type === 'multiselect' ? { contains: true } : {}),
      });
  }
  if (errors.length > 0) throw invalidFields(errors);
  const matches = (record: { customFields?: Values }) =>
    nested.every(({ key, value, contains }) => {
      const stored = ownValue(record.customFields, key);
      return contains ? Array.isArray(stored) && stored.includes(value) : stored === value;
    });
  return { nested, matches };
}

/**
 * A segment filter's custom field conditions checked against the contacts'
 * and companies' definitions (segment-filter.ts customFieldFilterErrors):
 * 400 at `filter.<path>` otherwise. Reads only the definitions the filter names.
 */
export async function checkSegmentCustomFields(caller: Caller, filter: SegmentFilter): Promise<void> {
  const errors = await segmentCustomFieldErrors(caller, filter);
  if (errors.length > 0)
    throw invalidFields(errors.map((error) => ({ path: `filter.${error.path}`, message: error.message })));
}

/** The problems checkSegmentCustomFields reports, as a list (empty: none), for a caller that must not throw. */
export async function segmentCustomFieldErrors(
  caller: Caller,
  filter: SegmentFilter,
): Promise<FilterError[]> {
  const named = customFieldEntitiesOf(filter);
  if (!named.contacts && !named.companies) return [];
  const [contacts, companies] = await Promise.all([
    named.contacts ? readCustomFieldDefinitions(caller.tenantId, 'contacts') : [],
    named.companies ? readCustomFieldDefinitions(caller.tenantId, 'companies') : [],
  ]);
  return customFieldFilterErrors(filter, { contacts, companies });
}

/**
 * A report's `groupBy=customFields.<key>`: the entity must define `key` as a
 * select, boolean or multiselect field (the types with bounded groups), or
 * the report answers 400 at `groupBy`; a groupable field no record has a
 * value of yet answers an empty report. Other dimensions pass unread.
 */
export async function requireGroupableField(
  caller: Caller,
  entity: CustomFieldEntity,
  groupBy: string,
): Promise<void> {
  const key = CUSTOM_FIELD_PATH.exec(groupBy)?.[1];
  if (key === undefined) return;
  const definition = (await readCustomFieldDefinitions(caller.tenantId, entity)).find(
    (field) => field.key === key,
  );
  if (definition && groupableCustomFieldTypes.includes(definition.type)) return;
  throw invalidFields([
    {
      path: 'groupBy',
      message: definition
        ? `${groupBy} is a ${definition.type} field; reports group by select, boolean and multiselect fields`
        : `${groupBy} is not a custom field of ${entity}`,
    },
  ]);
}

/**
 * A lead's conversion: the custom attributes of a record it creates in
 * `entity` (custom-fields.ts carriedCustomFields, with report groups where
 * kept). No read while the lead has no custom values. A required field of
 * the target that the lead cannot fill is not enforced here: the records are
 * made from the lead, and the body of a conversion carries no custom values.
 */
export async function customFieldsFromLead(
  caller: Caller,
  entity: CustomFieldEntity,
  values: Values | undefined,
): Promise<{ customFields: Record<string, unknown>; customGroups?: Record<string, string[]> }> {
  if (!values || Object.keys(values).length === 0) return { customFields: {} };
  const definitions = await readCustomFieldDefinitions(caller.tenantId, entity);
  return withCustomGroups(entity, definitions, { customFields: carriedCustomFields(definitions, values) });
}
