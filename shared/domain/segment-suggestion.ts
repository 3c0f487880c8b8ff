import { lifecycleStages, marketingStatuses } from './contacts.ts';
import { type Condition, type Op, opsByType, type SegmentFilter } from './segment-filter.ts';
import type { SegmentVocabulary } from './segment-language/vocabulary.ts';
import { searchable } from './text.ts';

/**
 * What a language model may suggest for a sentence the rules did not fully
 * read (`POST /segments/interpret`, `suggestion`): the fields of the
 * plain-language contract (SPEC "Natural-language segments";
 * /segments/interpret), described as a JSON schema for the model's tool, and
 * the check its answer must pass besides validateFilter: every value comes
 * from the tenant's vocabulary, the caller, or the sentence itself (the same
 * "never invented" rule as the interpreter).
 */

/** Where a field's values must come from. */
type ValueSource =
  | 'cities'
  | 'countries'
  | 'tags'
  | 'industries'
  | 'stages'
  | 'campaigns'
  | 'owners'
  | 'enum'
  | 'number'
  | 'date'
  | 'sentence'
  | 'none';

interface SuggestionField {
  readonly field: string;
  readonly ops: readonly Op[];
  readonly source: ValueSource;
  readonly values?: readonly string[];
}

const presence: readonly Op[] = ['exists', 'notExists'];
const equality: readonly Op[] = ['eq', 'neq', 'in', 'nin'];

/** The fields a suggestion may use, with the ops the plain-language contract gives them. */
export const suggestionFields: readonly SuggestionField[] = [
  { field: 'lifecycleStage', ops: equality, source: 'enum', values: lifecycleStages },
  { field: 'marketingStatus', ops: equality, source: 'enum', values: marketingStatuses },
  { field: 'city', ops: equality, source: 'cities' },
  { field: 'country', ops: equality, source: 'countries' },
  { field: 'company.city', ops: equality, source: 'cities' },
  { field: 'company.country', ops: equality, source: 'countries' },
  { field: 'company.industry', ops: equality, source: 'industries' },
  { field: 'tags', ops: equality, source: 'tags' },
  { field: 'company.size', ops: ['eq', 'gt', 'gte', 'lt', 'lte'], source: 'number' },
  { field: 'engagementScore', ops: ['gt', 'gte', 'lt', 'lte'], source: 'number' },
  { field: 'createdAt', ops: opsByType.date, source: 'date' },
  { field: 'updatedAt', ops: opsByType.date, source: 'date' },
  { field: 'lastActivityAt', ops: opsByType.date, source: 'date' },
  { field: 'engagement.opened', ops: equality, source: 'campaigns' },
  { field: 'engagement.clicked', ops: equality, source: 'campaigns' },
  { field: 'deals.stage', ops: equality, source: 'stages' },
  { field: 'ownerId', ops: ['eq'], source: 'owners' },
  { field: 'title', ops: ['contains'], source: 'sentence' },
  ...['email', 'phone', 'companyId', 'title'].map(
    (field): SuggestionField => ({ field, ops: presence, source: 'none' }),
  ),
];

/** A JSON value, as a tool's input schema is sent. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonSchema = { [key: string]: Json };

const stringOrList: JsonSchema = {
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
};

function valueSchema(field: SuggestionField): JsonSchema | undefined {
  switch (field.source) {
    case 'none':
      return undefined;
    case 'number':
      return { type: 'number' };
    case 'date':
      return {
        anyOf: [
          { type: 'string', description: 'ISO date YYYY-MM-DD (gt, gte, lt, lte)' },
          { type: 'integer', minimum: 1, description: 'days (withinDays)' },
        ],
      };
    case 'enum':
      return {
        anyOf: [
          { type: 'string', enum: [...(field.values ?? [])] },
          { type: 'array', items: { type: 'string', enum: [...(field.values ?? [])] }, minItems: 1 },
        ],
      };
    default:
      return stringOrList;
  }
}

/** One field's conditions as a JSON schema: the field, its ops and its value's shape. */
function conditionSchema(field: SuggestionField): JsonSchema {
  const value = valueSchema(field);
  return {
    type: 'object',
    properties: {
      field: { type: 'string', enum: [field.field] },
      op: { type: 'string', enum: [...field.ops] },
      ...(value ? { value } : {}),
    },
    required: value ? ['field', 'op', 'value'] : ['field', 'op'],
    additionalProperties: false,
  };
}

/**
 * The JSON schema of a suggested filter: `{all: [condition | {any: [condition, ...]}]}`,
 * one condition shape per field (segment-filter.ts names and ops). One level
 * of `any` is all the plain-language contract uses.
 */
export function suggestionFilterSchema(): JsonSchema {
  const condition = { anyOf: suggestionFields.map(conditionSchema) };
  return {
    type: 'object',
    properties: {
      all: {
        type: 'array',
        minItems: 1,
        items: {
          anyOf: [
            ...condition.anyOf,
            {
              type: 'object',
              properties: { any: { type: 'array', minItems: 2, items: condition } },
              required: ['any'],
              additionalProperties: false,
            },
          ],
        },
      },
    },
    required: ['all'],
    additionalProperties: false,
  };
}

const conditionsOf = (filter: SegmentFilter): Condition[] =>
  [...(filter.all ?? []), ...(filter.any ?? [])].flatMap((node) =>
    'field' in node ? [node as Condition] : conditionsOf(node as SegmentFilter),
  );

const valuesOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** What the caller gave besides the vocabulary: their sentence and who they are. */
export interface SuggestionContext {
  readonly text: string;
  readonly userId?: string;
}

/**
 * Every value of a (validateFilter-valid) suggested filter that does not come
 * from where its field's values must: vocabulary values compared in
 * searchable form, ids exactly (an owner may also be the caller), a `title`
 * text only as words of the sentence. A field outside suggestionFields, or an
 * op it does not take, is a problem too. Empty: the suggestion invents nothing.
 */
export function suggestionProblems(
  filter: SegmentFilter,
  vocabulary: SegmentVocabulary,
  context: SuggestionContext,
): string[] {
  const folded = (list: readonly string[]) => new Set(list.map(searchable));
  const allowed: Record<Exclude<ValueSource, 'enum' | 'number' | 'date' | 'none'>, (v: string) => boolean> = {
    // Contacts' and companies' places alike: the suggested field says whose it is.
    cities: (value) =>
      folded([...vocabulary.cities, ...(vocabulary.companyCities ?? [])]).has(searchable(value)),
    countries: (value) =>
      folded([...vocabulary.countries, ...(vocabulary.companyCountries ?? [])]).has(searchable(value)),
    tags: (value) => folded(vocabulary.tags).has(searchable(value)),
    industries: (value) => folded(vocabulary.industries).has(searchable(value)),
    stages: (value) => vocabulary.stages.some((stage) => stage.id === value),
    campaigns: (value) => vocabulary.campaigns.some((campaign) => campaign.id === value),
    owners: (value) => value === context.userId || vocabulary.owners.some((owner) => owner.id === value),
    sentence: (value) => searchable(value) !== '' && searchable(context.text).includes(searchable(value)),
  };
  const problems: string[] = [];
  for (const condition of conditionsOf(filter)) {
    const field = suggestionFields.find(
      (candidate) => candidate.field === condition.field && candidate.ops.includes(condition.op),
    );
    if (!field) {
      problems.push(`${condition.field} ${condition.op} is not a condition a suggestion may use`);
      continue;
    }
    const source = field.source;
    if (source === 'enum' || source === 'number' || source === 'date' || source === 'none') continue;
    for (const value of valuesOf(condition.value))
      if (typeof value !== 'string' || !allowed[source](value))
        problems.push(`${condition.field}: ${JSON.stringify(value)} is not one of the tenant's values`);
  }
  return problems;
}
