/**
 * The segment filter language of the API (SPEC "Segments"): groups of `all` (and) / `any` (or)
 * whose items are conditions `{field, op, value}` or nested groups. The builder edits a tree of
 * {@link Group}s; these pure functions convert between that tree and the API's JSON.
 */
export type Op =
  | 'eq'
  | 'neq'
  | 'in'
  | 'nin'
  | 'contains'
  | 'startsWith'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'exists'
  | 'notExists'
  | 'withinDays';

export type FieldType = 'text' | 'id' | 'enum' | 'date' | 'number' | 'tags' | 'engagement' | 'dealStage';

export interface FieldDef {
  readonly type: FieldType;
  readonly values?: readonly string[];
}

const presence: readonly Op[] = ['exists', 'notExists'];
export const opsByType: Record<FieldType, readonly Op[]> = {
  text: ['eq', 'neq', 'in', 'nin', 'contains', 'startsWith', ...presence],
  id: ['eq', 'neq', 'in', 'nin', ...presence],
  enum: ['eq', 'neq', 'in', 'nin', ...presence],
  date: ['gt', 'gte', 'lt', 'lte', 'withinDays', ...presence],
  number: ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', ...presence],
  tags: ['eq', 'neq', 'contains', 'in', 'nin', ...presence],
  engagement: ['eq', 'neq', 'in', 'nin'],
  dealStage: ['eq', 'neq', 'in', 'nin'],
};

/** Operators of a custom field, whose type the builder does not know: everything but dates' own. */
const customOps: readonly Op[] = [
  'eq',
  'neq',
  'in',
  'nin',
  'contains',
  'startsWith',
  'gt',
  'gte',
  'lt',
  'lte',
  ...presence,
];

export const lifecycleStages = ['subscriber', 'lead', 'opportunity', 'customer', 'evangelist', 'other'];
export const marketingStatuses = ['subscribed', 'unsubscribed', 'bounced', 'complained'];

/** The fields a condition may name, in the order the builder lists them. */
export const fields: Readonly<Record<string, FieldDef>> = {
  firstName: { type: 'text' },
  lastName: { type: 'text' },
  email: { type: 'text' },
  phone: { type: 'text' },
  title: { type: 'text' },
  city: { type: 'text' },
  country: { type: 'text' },
  tags: { type: 'tags' },
  lifecycleStage: { type: 'enum', values: lifecycleStages },
  marketingStatus: { type: 'enum', values: marketingStatuses },
  engagementScore: { type: 'number' },
  createdAt: { type: 'date' },
  updatedAt: { type: 'date' },
  lastActivityAt: { type: 'date' },
  ownerId: { type: 'id' },
  teamId: { type: 'id' },
  companyId: { type: 'id' },
  'company.name': { type: 'text' },
  'company.domain': { type: 'text' },
  'company.industry': { type: 'text' },
  'company.size': { type: 'number' },
  'company.city': { type: 'text' },
  'company.country': { type: 'text' },
  'company.tags': { type: 'tags' },
  'engagement.opened': { type: 'engagement' },
  'engagement.clicked': { type: 'engagement' },
  'deals.stage': { type: 'dealStage' },
};

/** `customFields.<key>` and `company.customFields.<key>` name fields defined per tenant. */
export const isCustomField = (field: string) =>
  /^(company\.)?customFields\.[A-Za-z][A-Za-z0-9_]*$/.test(field);

export function opsFor(field: string): readonly Op[] {
  const def = fields[field];
  if (def) return opsByType[def.type];
  return isCustomField(field) ? customOps : opsByType.text;
}

export const takesNoValue = (op: Op) => op === 'exists' || op === 'notExists';
export const takesList = (op: Op) => op === 'in' || op === 'nin';

export interface Condition {
  readonly kind: 'condition';
  readonly key: number;
  readonly field: string;
  readonly op: Op;
  /** As typed: lists are comma-separated, numbers are text until sent. */
  readonly value: string;
}

export interface Group {
  readonly kind: 'group';
  readonly key: number;
  readonly match: 'all' | 'any';
  readonly items: readonly (Condition | Group)[];
}

let nextKey = 1;
export const newKey = () => nextKey++;

export const newCondition = (field = 'city'): Condition => ({
  kind: 'condition',
  key: newKey(),
  field,
  op: opsFor(field)[0] ?? 'eq',
  value: '',
});

export const emptyGroup = (match: 'all' | 'any' = 'all'): Group => ({
  kind: 'group',
  key: newKey(),
  match,
  items: [],
});

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => String(item)).join(', ');
  if (value === undefined || value === null) return '';
  return String(value);
}

/**
 * The builder's tree for an API filter. A filter with both `all` and `any` means "all of these
 * and any of those": it becomes an `all` group holding the `any` group as its last item.
 */
export function fromFilter(filter: unknown): Group {
  if (!isObject(filter)) return emptyGroup();
  const item = (entry: unknown): Condition | Group | undefined => {
    if (!isObject(entry)) return undefined;
    if (typeof entry.field === 'string' && typeof entry.op === 'string')
      return {
        kind: 'condition',
        key: newKey(),
        field: entry.field,
        op: entry.op as Op,
        value: valueText(entry.value),
      };
    return fromFilter(entry);
  };
  const items = (list: unknown) =>
    (Array.isArray(list) ? list : []).map(item).filter((entry) => entry !== undefined);
  const all = items(filter.all);
  const any = items(filter.any);
  if (filter.all !== undefined && filter.any !== undefined)
    return {
      kind: 'group',
      key: newKey(),
      match: 'all',
      items: [...all, { ...emptyGroup('any'), items: any }],
    };
  if (filter.any !== undefined) return { kind: 'group', key: newKey(), match: 'any', items: any };
  return { kind: 'group', key: newKey(), match: 'all', items: all };
}

/** A typed value for the API: numbers for number fields and withinDays, lists for in/nin. */
function apiValue(field: string, op: Op, text: string): unknown {
  const numeric = op === 'withinDays' || fields[field]?.type === 'number';
  const one = (part: string): unknown => {
    const trimmed = part.trim();
    if (numeric && trimmed !== '' && !Number.isNaN(Number(trimmed))) return Number(trimmed);
    if (isCustomField(field) && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
    return trimmed;
  };
  if (takesList(op))
    return text
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map(one);
  return one(text);
}

/** The API's JSON for the builder's tree (what POST/PATCH /segments take as `filter`). */
export function toFilter(group: Group): Json {
  const items = group.items.map((item): Json => {
    if (item.kind === 'group') return toFilter(item);
    return takesNoValue(item.op)
      ? { field: item.field, op: item.op }
      : { field: item.field, op: item.op, value: apiValue(item.field, item.op, item.value) };
  });
  return { [group.match]: items };
}

/** The group with `key` replaced by what `change` makes of it, anywhere in the tree. */
export function updateItem(
  group: Group,
  key: number,
  change: (item: Condition | Group) => Condition | Group | undefined,
): Group {
  const items: (Condition | Group)[] = [];
  for (const item of group.items) {
    if (item.key === key) {
      const next = change(item);
      if (next) items.push(next);
    } else items.push(item.kind === 'group' ? updateItem(item, key, change) : item);
  }
  return { ...group, items };
}

/** How many conditions the tree holds (an empty filter matches every contact). */
export function conditionCount(group: Group): number {
  return group.items.reduce((sum, item) => sum + (item.kind === 'group' ? conditionCount(item) : 1), 0);
}
