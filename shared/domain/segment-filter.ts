import { isCalendarDate, isCalendarDateOrDateTime } from './calendar.ts';
import { lifecycleStages, marketingStatuses } from './contacts.ts';
import type { CustomFieldDefinition, CustomFieldType } from './custom-fields.ts';
import { canonicalEmail } from './email.ts';
import { isStorableNumber, STORABLE_NUMBER_RULE } from './numbers.ts';
import { isPrototypeKey, ownValue } from './own-keys.ts';
import { searchable } from './text.ts';

/**
 * The segment filter language: a tree of `all` (and) / `any` (or) groups whose
 * leaves are conditions `{field, op, value}`. Pure: validation lists every
 * problem with its path, compilation turns a valid filter into a predicate over
 * a contact and what was read about it (company, engagement, deals).
 */
export interface Condition {
  readonly field: string;
  readonly op: Op;
  readonly value?: unknown;
}

export interface SegmentFilter {
  readonly all?: readonly (Condition | SegmentFilter)[];
  readonly any?: readonly (Condition | SegmentFilter)[];
}

export const ops = [
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
  'exists',
  'notExists',
  'withinDays',
] as const;
export type Op = (typeof ops)[number];

/**
 * - text: compared case- and accent-insensitively.
 * - id: an exact identifier (owner, team, company).
 * - enum: one of a fixed list of values.
 * - date: an ISO timestamp; values are ISO dates or date-times.
 * - number, tags (a list of labels), custom (a custom field of any scalar type).
 * - engagement: campaign ids the contact opened/clicked; dealStage: stage ids of the contact's deals.
 */
export type FieldType =
  | 'text'
  | 'id'
  | 'enum'
  | 'date'
  | 'number'
  | 'tags'
  | 'custom'
  | 'engagement'
  | 'dealStage';

const presence = ['exists', 'notExists'] as const;
export const opsByType: Record<FieldType, readonly Op[]> = {
  text: ['eq', 'neq', 'in', 'nin', 'contains', 'startsWith', ...presence],
  id: ['eq', 'neq', 'in', 'nin', ...presence],
  enum: ['eq', 'neq', 'in', 'nin', ...presence],
  date: ['gt', 'gte', 'lt', 'lte', 'withinDays', ...presence],
  number: ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', ...presence],
  // On a list: eq/contains = has the tag, neq = lacks it, in = has any, nin = has none.
  tags: ['eq', 'neq', 'contains', 'in', 'nin', ...presence],
  custom: ['eq', 'neq', 'in', 'nin', 'contains', 'startsWith', 'gt', 'gte', 'lt', 'lte', ...presence],
  // eq/in: opened (clicked) that campaign / any of them; neq/nin: did not.
  engagement: ['eq', 'neq', 'in', 'nin'],
  dealStage: ['eq', 'neq', 'in', 'nin'],
};

interface FieldDef {
  readonly type: FieldType;
  readonly values?: readonly string[];
}

const contactFields: Record<string, FieldDef> = {
  firstName: { type: 'text' },
  lastName: { type: 'text' },
  email: { type: 'text' },
  phone: { type: 'text' },
  title: { type: 'text' },
  country: { type: 'text' },
  city: { type: 'text' },
  companyId: { type: 'id' },
  ownerId: { type: 'id' },
  teamId: { type: 'id' },
  lifecycleStage: { type: 'enum', values: lifecycleStages },
  marketingStatus: { type: 'enum', values: marketingStatuses },
  createdAt: { type: 'date' },
  updatedAt: { type: 'date' },
  lastActivityAt: { type: 'date' },
  tags: { type: 'tags' },
};

const companyFields: Record<string, FieldDef> = {
  name: { type: 'text' },
  domain: { type: 'text' },
  industry: { type: 'text' },
  size: { type: 'number' },
  country: { type: 'text' },
  city: { type: 'text' },
  phone: { type: 'text' },
  website: { type: 'text' },
  tags: { type: 'tags' },
  ownerId: { type: 'id' },
  teamId: { type: 'id' },
  createdAt: { type: 'date' },
};

const CUSTOM_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const isCustomKey = (key: string) => CUSTOM_KEY.test(key) && !isPrototypeKey(key);
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const MAX_DEPTH = 5;
export const MAX_CONDITIONS = 100;
export const MAX_LIST_VALUES = 100;
const MAX_TEXT = 500;
const MAX_DAYS = 36_500;

/** Where a field's value is read from, and its type. */
type Source =
  | { readonly kind: 'contact'; readonly key: string }
  | { readonly kind: 'contactCustom'; readonly key: string }
  | { readonly kind: 'company'; readonly key: string }
  | { readonly kind: 'companyCustom'; readonly key: string }
  | { readonly kind: 'opened' | 'clicked' | 'dealStages' | 'engagementScore' };

interface ResolvedField {
  readonly source: Source;
  readonly def: FieldDef;
}

function resolveField(field: string): ResolvedField | undefined {
  const contact = Object.hasOwn(contactFields, field) ? contactFields[field] : undefined;
  if (contact) return { source: { kind: 'contact', key: field }, def: contact };
  if (field === 'engagement.opened') return { source: { kind: 'opened' }, def: { type: 'engagement' } };
  if (field === 'engagement.clicked') return { source: { kind: 'clicked' }, def: { type: 'engagement' } };
  if (field === 'deals.stage') return { source: { kind: 'dealStages' }, def: { type: 'dealStage' } };
  // 0-100, computed when the segment is resolved (shared/domain/engagement-score.ts); no engagement is 0.
  if (field === 'engagementScore') return { source: { kind: 'engagementScore' }, def: { type: 'number' } };
  const custom = /^customFields\.(.+)$/.exec(field)?.[1];
  if (custom !== undefined && isCustomKey(custom))
    return { source: { kind: 'contactCustom', key: custom }, def: { type: 'custom' } };
  const companyCustom = /^company\.customFields\.(.+)$/.exec(field)?.[1];
  if (companyCustom !== undefined && isCustomKey(companyCustom))
    return { source: { kind: 'companyCustom', key: companyCustom }, def: { type: 'custom' } };
  const company = /^company\.(\w+)$/.exec(field)?.[1];
  const companyDef = company && Object.hasOwn(companyFields, company) ? companyFields[company] : undefined;
  if (company && companyDef) return { source: { kind: 'company', key: company }, def: companyDef };
  return undefined;
}

/** The field names a filter may use, for error messages and documentation. */
export const knownFields = (): string[] => [
  ...Object.keys(contactFields),
  'customFields.<key>',
  ...Object.keys(companyFields).map((name) => `company.${name}`),
  'company.customFields.<key>',
  'engagement.opened',
  'engagement.clicked',
  'deals.stage',
  'engagementScore',
];

export interface FilterError {
  /** Relative to the filter, e.g. `all[1].field`; empty for the filter itself. */
  readonly path: string;
  readonly message: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isIsoDate = (value: unknown): boolean => typeof value === 'string' && isCalendarDateOrDateTime(value);

/** Why `value` is not a valid single value for a field of this type, or undefined. */
function scalarProblem(def: FieldDef, value: unknown): string | undefined {
  switch (def.type) {
    case 'text':
    case 'tags':
      // Compared in searchable form: a value that folds to nothing (only accents) would match everything.
      return typeof value === 'string' && searchable(value) !== '' && value.length <= MAX_TEXT
        ? undefined
        : `must be a non-empty string of at most ${MAX_TEXT} characters`;
    case 'id':
      return typeof value === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(value) ? undefined : 'must be an id';
    case 'enum':
      return typeof value === 'string' && def.values?.includes(value)
        ? undefined
        : `must be one of: ${def.values?.join(', ')}`;
    case 'date':
      return isIsoDate(value) ? undefined : 'must be an ISO 8601 date or date-time, e.g. 2030-01-31';
    case 'number':
      return typeof value === 'number' && isStorableNumber(value)
        ? undefined
        : `must be a number that ${STORABLE_NUMBER_RULE.replace('must be ', 'is ')}`;
    case 'custom':
      return (typeof value === 'string' && value.length <= MAX_TEXT) ||
        (typeof value === 'number' && isStorableNumber(value)) ||
        typeof value === 'boolean'
        ? undefined
        : 'must be a string, a number or true/false';
    case 'engagement':
      return typeof value === 'string' && ULID.test(value) ? undefined : 'must be a campaign id';
    case 'dealStage':
      return typeof value === 'string' && ULID.test(value) ? undefined : 'must be a stage id';
  }
}

/** A problem with a condition's value; `at` is the offending element of an in/nin list. */
interface ValueProblem {
  readonly at?: number;
  readonly message: string;
}

function valueProblem(def: FieldDef, op: Op, value: unknown): ValueProblem | undefined {
  const problem = listProblem(def, op, value);
  return typeof problem === 'string' ? { message: problem } : problem;
}

function listProblem(def: FieldDef, op: Op, value: unknown): ValueProblem | string | undefined {
  switch (op) {
    case 'exists':
    case 'notExists':
      return value === undefined ? undefined : `takes no value with ${op}`;
    case 'withinDays':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_DAYS
        ? undefined
        : `must be a whole number of days from 1 to ${MAX_DAYS}`;
    case 'in':
    case 'nin': {
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST_VALUES)
        return `must be an array of 1 to ${MAX_LIST_VALUES} values with ${op}`;
      const problems = value.map((item) => scalarProblem(def, item));
      const at = problems.findIndex((problem) => problem !== undefined);
      return at === -1 ? undefined : { at, message: problems[at] as string };
    }
    case 'contains':
    case 'startsWith':
      if (def.type === 'custom' && typeof value !== 'string') return `must be a string with ${op}`;
      return scalarProblem(def, value);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (def.type === 'custom' && typeof value === 'boolean')
        return `must be a string or a number with ${op}`;
      return scalarProblem(def, value);
    default:
      return scalarProblem(def, value);
  }
}

/**
 * Every problem of a filter, each with its path (`all[1].field`) and a message
 * that names the unknown field or op; empty when the filter is valid.
 */
export function validateFilter(filter: unknown): FilterError[] {
  const errors: FilterError[] = [];
  let conditions = 0;
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

  const visitGroup = (node: Record<string, unknown>, path: string, depth: number) => {
    if (depth > MAX_DEPTH) {
      errors.push({ path, message: `nests groups deeper than ${MAX_DEPTH} levels` });
      return;
    }
    for (const key of Object.keys(node)) {
      if (key !== 'all' && key !== 'any')
        errors.push({ path: join(path, key), message: `is not a known key of a group (use all or any)` });
    }
    // An empty group would match everyone (`all`) or, read literally, no one (`any`): neither is what was meant.
    if (node.all === undefined && node.any === undefined)
      errors.push({ path, message: 'must have all or any, with at least one condition' });
    for (const key of ['all', 'any'] as const) {
      const list = node[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        errors.push({ path: join(path, key), message: 'must be an array of conditions or groups' });
        continue;
      }
      if (list.length === 0) {
        errors.push({ path: join(path, key), message: 'must not be empty: name at least one condition' });
        continue;
      }
      for (const [index, child] of list.entries()) visitNode(child, `${join(path, key)}[${index}]`, depth);
    }
  };

  const visitNode = (node: unknown, path: string, depth: number) => {
    if (!isObject(node)) {
      errors.push({ path, message: 'must be a condition {field, op, value} or a group {all, any}' });
      return;
    }
    if ('field' in node || 'op' in node) visitCondition(node, path);
    else if ('all' in node || 'any' in node) visitGroup(node, path, depth + 1);
    else errors.push({ path, message: 'must be a condition {field, op, value} or a group {all, any}' });
  };

  const visitCondition = (node: Record<string, unknown>, path: string) => {
    conditions++;
    for (const key of Object.keys(node)) {
      if (key !== 'field' && key !== 'op' && key !== 'value')
        errors.push({ path: `${path}.${key}`, message: 'is not a known key of a condition' });
    }
    const { field, op, value } = node;
    const resolved = typeof field === 'string' ? resolveField(field) : undefined;
    if (typeof field !== 'string')
      errors.push({ path: `${path}.field`, message: 'is required (a field name)' });
    else if (!resolved) errors.push({ path: `${path}.field`, message: `unknown field "${field}"` });
    const knownOp = typeof op === 'string' && (ops as readonly string[]).includes(op);
    if (typeof op !== 'string')
      errors.push({ path: `${path}.op`, message: `is required (one of ${ops.join(', ')})` });
    else if (!knownOp) errors.push({ path: `${path}.op`, message: `unknown op "${op}"` });
    if (!resolved || !knownOp) return;
    const allowed = opsByType[resolved.def.type];
    if (!allowed.includes(op as Op)) {
      errors.push({
        path: `${path}.op`,
        message: `op "${op}" does not apply to ${field} (${resolved.def.type}); use one of ${allowed.join(', ')}`,
      });
      return;
    }
    const problem = valueProblem(resolved.def, op as Op, value);
    if (problem)
      errors.push({
        path: `${path}.value${problem.at === undefined ? '' : `[${problem.at}]`}`,
        message: problem.message,
      });
  };

  if (!isObject(filter)) return [{ path: '', message: 'must be an object {all?, any?}' }];
  visitGroup(filter, '', 1);
  if (conditions > MAX_CONDITIONS)
    errors.push({ path: '', message: `has ${conditions} conditions; at most ${MAX_CONDITIONS} are allowed` });
  return errors;
}

/** What a contact is evaluated against: the record and what resolution read about it. */
export interface ContactView {
  readonly contact: Readonly<Record<string, unknown>>;
  readonly company?: Readonly<Record<string, unknown>> | undefined;
  readonly openedCampaigns: ReadonlySet<string>;
  readonly clickedCampaigns: ReadonlySet<string>;
  readonly dealStages: ReadonlySet<string>;
  /** The contact's engagement score at resolution time; absent reads as 0 (no engagement). */
  readonly engagementScore?: number | undefined;
}

/** What must be read for a filter: the contacts' companies, engagement of which campaigns, deals in which stages. */
export interface FilterRequirements {
  readonly company: boolean;
  readonly opened: ReadonlySet<string>;
  readonly clicked: ReadonlySet<string>;
  readonly dealStages: ReadonlySet<string>;
  /** Whether contacts' engagement scores are needed (`engagementScore` conditions). */
  readonly engagementScore: boolean;
  /**
   * The contact attributes the filter reads, as document paths: `country`,
   * `customFields.<key>` (a custom key has no dot, see CUSTOM_KEY).
   */
  readonly contactFields: ReadonlySet<string>;
  /** The company attributes the filter reads (`company.<name>` → `<name>`, `company.customFields.<key>` → `customFields.<key>`). */
  readonly companyFields: ReadonlySet<string>;
}

const conditionsOf = (filter: SegmentFilter): Condition[] =>
  [...(filter.all ?? []), ...(filter.any ?? [])].flatMap((node) =>
    'field' in node ? [node as Condition] : conditionsOf(node as SegmentFilter),
  );

const valuesOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');

export function requirements(filter: SegmentFilter): FilterRequirements {
  const opened = new Set<string>();
  const clicked = new Set<string>();
  const dealStages = new Set<string>();
  const contactFields = new Set<string>();
  const companyFields = new Set<string>();
  let company = false;
  let engagementScore = false;
  for (const condition of conditionsOf(filter)) {
    const source = resolveField(condition.field)?.source;
    if (source?.kind === 'contact') contactFields.add(source.key);
    else if (source?.kind === 'contactCustom') contactFields.add(`customFields.${source.key}`);
    else if (source?.kind === 'company') companyFields.add(source.key);
    else if (source?.kind === 'companyCustom') companyFields.add(`customFields.${source.key}`);
    if (condition.field === 'engagementScore') engagementScore = true;
    if (condition.field === 'engagement.opened') for (const id of valuesOf(condition.value)) opened.add(id);
    else if (condition.field === 'engagement.clicked')
      for (const id of valuesOf(condition.value)) clicked.add(id);
    else if (condition.field === 'deals.stage')
      for (const id of valuesOf(condition.value)) dealStages.add(id);
    else if (condition.field.startsWith('company.')) company = true;
  }
  return { company, opened, clicked, dealStages, engagementScore, contactFields, companyFields };
}

type Predicate = (view: ContactView) => boolean;

function read(source: Source, view: ContactView): unknown {
  switch (source.kind) {
    case 'contact':
      return view.contact[source.key];
    case 'contactCustom':
      return ownValue(view.contact.customFields as object | undefined, source.key);
    case 'company':
      return view.company?.[source.key];
    case 'companyCustom':
      return ownValue(view.company?.customFields as object | undefined, source.key);
    case 'opened':
      return view.openedCampaigns;
    case 'clicked':
      return view.clickedCampaigns;
    case 'dealStages':
      return view.dealStages;
    case 'engagementScore':
      return view.engagementScore ?? 0;
  }
}

const isPresent = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

/** Text values meet in searchable form: "ÁNGELA" equals "angela". */
const norm = (value: unknown): unknown => (typeof value === 'string' ? searchable(value) : value);

/** Orders two values of one kind: numbers, or strings in searchable form; undefined when not comparable. */
function order(left: unknown, right: unknown): number | undefined {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') {
    const a = searchable(left);
    const b = searchable(right);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return undefined;
}

const DAY_MS = 86_400_000;

const canonicalEmails = (value: Condition['value']): Condition['value'] =>
  typeof value === 'string'
    ? canonicalEmail(value)
    : Array.isArray(value)
      ? value.map((item) => (typeof item === 'string' ? canonicalEmail(item) : item))
      : value;

function compileCondition(condition: Condition, now: Date): Predicate {
  const resolved = resolveField(condition.field);
  if (!resolved) throw new Error(`unknown field ${condition.field}`);
  const { source, def } = resolved;
  const { op } = condition;
  // Emails are stored in one form (shared/domain/email.ts): `müller.example` finds `xn--mller-kva.example`.
  const emailEquality =
    source.kind === 'contact' && source.key === 'email' && ['eq', 'neq', 'in', 'nin'].includes(op);
  const value = emailEquality ? canonicalEmails(condition.value) : condition.value;
  const get = (view: ContactView) => read(source, view);

  if (op === 'exists') return (view) => isPresent(get(view));
  if (op === 'notExists') return (view) => !isPresent(get(view));

  if (def.type === 'engagement' || def.type === 'dealStage') {
    const wanted = valuesOf(value);
    const has = (view: ContactView) => {
      const set = get(view) as ReadonlySet<string>;
      return wanted.some((id) => set.has(id));
    };
    return op === 'eq' || op === 'in' ? has : (view) => !has(view);
  }

  if (def.type === 'date') {
    const time = (view: ContactView) => {
      const stored = get(view);
      return typeof stored === 'string' ? Date.parse(stored) : Number.NaN;
    };
    if (op === 'withinDays') {
      const since = now.getTime() - (value as number) * DAY_MS;
      return (view) => {
        const at = time(view);
        return at >= since && at <= now.getTime();
      };
    }
    const bound = Date.parse(value as string);
    const test: Record<string, (at: number) => boolean> = {
      gt: (at) => at > bound,
      gte: (at) => at >= bound,
      lt: (at) => at < bound,
      lte: (at) => at <= bound,
    };
    const check = test[op];
    if (!check) throw new Error(`op ${op} on a date`);
    return (view) => {
      const at = time(view);
      return !Number.isNaN(at) && check(at);
    };
  }

  // Scalars and lists (tags, list-valued custom fields): a list matches when any element does.
  const elements = (view: ContactView): unknown[] => {
    const stored = get(view);
    if (stored === undefined || stored === null) return [];
    return Array.isArray(stored) ? stored : [stored];
  };
  const exact = def.type === 'id';
  const same = (a: unknown, b: unknown) => (exact ? a === b : norm(a) === norm(b));
  const any = (view: ContactView, test: (element: unknown) => boolean) => elements(view).some(test);
  const list = Array.isArray(value) ? value : [value];

  switch (op) {
    case 'eq':
      return (view) => any(view, (element) => same(element, value));
    case 'neq':
      return (view) => !any(view, (element) => same(element, value));
    case 'in':
      return (view) => any(view, (element) => list.some((wanted) => same(element, wanted)));
    case 'nin':
      return (view) => !any(view, (element) => list.some((wanted) => same(element, wanted)));
    case 'contains': {
      const part = searchable(String(value));
      return (view) =>
        any(view, (element) => typeof element === 'string' && searchable(element).includes(part));
    }
    case 'startsWith': {
      const prefix = searchable(String(value));
      return (view) =>
        any(view, (element) => typeof element === 'string' && searchable(element).startsWith(prefix));
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const accept: Record<string, (difference: number) => boolean> = {
        gt: (d) => d > 0,
        gte: (d) => d >= 0,
        lt: (d) => d < 0,
        lte: (d) => d <= 0,
      };
      const check = accept[op] as (difference: number) => boolean;
      return (view) =>
        any(view, (element) => {
          const difference = order(element, value);
          return difference !== undefined && check(difference);
        });
    }
    default:
      throw new Error(`op ${op} on ${def.type}`);
  }
}

function compileGroup(filter: SegmentFilter, now: Date): Predicate {
  const compile = (node: Condition | SegmentFilter) =>
    'field' in node ? compileCondition(node as Condition, now) : compileGroup(node as SegmentFilter, now);
  const all = (filter.all ?? []).map(compile);
  const any = (filter.any ?? []).map(compile);
  // Validation refuses empty groups; one stored before that keeps its logical meaning: an absent
  // `any` imposes nothing, an empty one is a disjunction of nothing and matches no one.
  return (view) =>
    all.every((test) => test(view)) && (filter.any === undefined || any.some((test) => test(view)));
}

/**
 * A predicate for a filter that passed `validateFilter`; `withinDays` counts
 * back from `now`, fixed once so a whole resolution uses one clock.
 */
export function compileFilter(filter: SegmentFilter, options: { now?: Date } = {}): Predicate {
  return compileGroup(filter, options.now ?? new Date());
}

/** The custom field operators that make sense for each type of definition (shared/domain/custom-fields.ts). */
const customOps: Record<CustomFieldType, readonly Op[]> = {
  text: ['eq', 'neq', 'in', 'nin', 'contains', 'startsWith', ...presence],
  number: ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', ...presence],
  date: ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', ...presence],
  boolean: ['eq', 'neq', ...presence],
  // A select holds one option; a multiselect matches eq/in when its list holds the option(s).
  select: ['eq', 'neq', 'in', 'nin', ...presence],
  multiselect: ['eq', 'neq', 'in', 'nin', ...presence],
};

/** Why `value` is not a single value of the definition's type, or undefined. */
function customScalarProblem(definition: CustomFieldDefinition, value: unknown): string | undefined {
  switch (definition.type) {
    case 'text':
      return typeof value === 'string' && value.length <= MAX_TEXT ? undefined : 'must be text';
    case 'number':
      return typeof value === 'number' && isStorableNumber(value) ? undefined : 'must be a number';
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? undefined : 'must be a date (YYYY-MM-DD)';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'select':
    case 'multiselect':
      return typeof value === 'string' && (definition.options ?? []).includes(value)
        ? undefined
        : `must be one of: ${(definition.options ?? []).join(', ')}`;
  }
}

/**
 * The conditions of a filter (already valid by {@link validateFilter}) on
 * `customFields.<key>` and `company.customFields.<key>` checked against the
 * contacts' and companies' definitions: the op must suit the field's type and
 * the value(s) be of that type (options of a select). An entity without
 * definitions, or a key whose definition was removed, is not checked: its
 * stored values are matched as before.
 */
export function customFieldFilterErrors(
  filter: SegmentFilter,
  definitions: {
    readonly contacts: readonly CustomFieldDefinition[];
    readonly companies: readonly CustomFieldDefinition[];
  },
): FilterError[] {
  const errors: FilterError[] = [];
  const definitionOf = (field: string): CustomFieldDefinition | undefined => {
    const source = resolveField(field)?.source;
    if (source?.kind === 'contactCustom')
      return definitions.contacts.find((definition) => definition.key === source.key);
    if (source?.kind === 'companyCustom')
      return definitions.companies.find((definition) => definition.key === source.key);
    return undefined;
  };
  const visit = (group: SegmentFilter, path: string) => {
    for (const key of ['all', 'any'] as const) {
      for (const [index, node] of (group[key] ?? []).entries()) {
        const at = `${path ? `${path}.` : ''}${key}[${index}]`;
        if (!('field' in node)) {
          visit(node as SegmentFilter, at);
          continue;
        }
        const condition = node as Condition;
        const definition = definitionOf(condition.field);
        if (!definition) continue;
        const allowed = customOps[definition.type];
        if (!allowed.includes(condition.op)) {
          errors.push({
            path: `${at}.op`,
            message: `op "${condition.op}" does not apply to ${condition.field} (${definition.type}); use one of ${allowed.join(', ')}`,
          });
          continue;
        }
        if (condition.op === 'exists' || condition.op === 'notExists') continue;
        const values =
          condition.op === 'in' || condition.op === 'nin'
            ? (condition.value as unknown[])
            : [condition.value];
        for (const [position, value] of values.entries()) {
          const problem = customScalarProblem(definition, value);
          if (!problem) continue;
          const suffix = condition.op === 'in' || condition.op === 'nin' ? `[${position}]` : '';
          errors.push({ path: `${at}.value${suffix}`, message: problem });
          break;
        }
      }
    }
  };
  visit(filter, '');
  return errors;
}

/** Which entities' custom fields a filter names (so only their definitions are read). */
export function customFieldEntitiesOf(filter: SegmentFilter): { contacts: boolean; companies: boolean } {
  const kinds = new Set(conditionsOf(filter).map((condition) => resolveField(condition.field)?.source.kind));
  return { contacts: kinds.has('contactCustom'), companies: kinds.has('companyCustom') };
}
