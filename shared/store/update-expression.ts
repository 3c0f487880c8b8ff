/**
 * DynamoDB update and condition expressions built from plain data, with every
 * attribute behind a name placeholder (reserved words such as `status` need
 * no care) and every value behind a value placeholder. The result spreads into
 * an UpdateCommand or a transaction's Update item:
 *
 *     new UpdateCommand({ TableName, Key, ...updateExpression({ set: { status: 'sent' }, when: [exists('pk')] }) })
 */

/** Renders a condition with the placeholders of the expression it joins. */
export type Condition = (placeholders: Placeholders) => string;

interface Placeholders {
  name(attribute: string): string;
  value(value: unknown): string;
  /** Adds placeholders a verbatim condition brings (see {@link verbatim}). */
  merge(names: Readonly<Record<string, string>>, values: Readonly<Record<string, unknown>>): void;
}

const increment = Symbol('increment');
const ifAbsent = Symbol('ifAbsent');
const append = Symbol('append');

/** `SET a = a + n`: a number the item already holds, grown by `by`. */
export interface Increment {
  readonly [increment]: number;
}
/** `SET a = if_not_exists(a, v)`: written only where the item lacks it. */
export interface IfAbsent {
  readonly [ifAbsent]: unknown;
}

/** `SET a = list_append(if_not_exists(a, []), v)`: items added to the end of a list, created if absent. */
export interface Appended {
  readonly [append]: readonly unknown[];
}

export const incremented = (by: number): Increment => ({ [increment]: by });
export const keptIfPresent = (value: unknown): IfAbsent => ({ [ifAbsent]: value });
export const appended = (items: readonly unknown[]): Appended => ({ [append]: items });

export interface UpdateSpec {
  /** Attributes to set, to a value, {@link incremented}, {@link keptIfPresent} or {@link appended}. */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  /** Numbers to ADD (an absent attribute counts as 0). */
  readonly add?: Readonly<Record<string, number>>;
  /** Conditions the item must meet, all of them; a failed one throws ConditionalCheckFailedException. */
  readonly when?: readonly Condition[];
}

export interface UpdateExpressionInput {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The expressions and placeholder maps of one update (maps left out when empty, as DynamoDB requires). */
export function updateExpression(spec: UpdateSpec): UpdateExpressionInput {
  const names: Record<string, string> = {};
  const placeholderOf = new Map<string, string>();
  const values: Record<string, unknown> = {};
  let valueCount = 0;
  const placeholders: Placeholders = {
    name(attribute) {
      let placeholder = placeholderOf.get(attribute);
      if (!placeholder) {
        placeholder = `#n${placeholderOf.size}`;
        placeholderOf.set(attribute, placeholder);
        names[placeholder] = attribute;
      }
      return placeholder;
    },
    value(value) {
      const placeholder = `:v${valueCount++}`;
      values[placeholder] = value;
      return placeholder;
    },
    merge(more, moreValues) {
      Object.assign(names, more);
      Object.assign(values, moreValues);
    },
  };
  const sets = Object.entries(spec.set ?? {}).map(([attribute, value]) => {
    const name = placeholders.name(attribute);
    if (isIncrement(value)) return `${name} = ${name} + ${placeholders.value(value[increment])}`;
    if (isAppended(value))
      return `${name} = list_append(if_not_exists(${name}, ${placeholders.value([])}), ${placeholders.value(value[append])})`;
    if (isIfAbsent(value)) return `${name} = if_not_exists(${name}, ${placeholders.value(value[ifAbsent])})`;
    return `${name} = ${placeholders.value(value)}`;
  });
  const removes = (spec.remove ?? []).map((attribute) => placeholders.name(attribute));
  const adds = Object.entries(spec.add ?? {}).map(
    ([attribute, by]) => `${placeholders.name(attribute)} ${placeholders.value(by)}`,
  );
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
  ].filter(Boolean);
  if (clauses.length === 0) throw new Error('An update must set, remove or add something');
  const condition = spec.when && spec.when.length > 0 ? allOf(...spec.when)(placeholders) : undefined;
  return {
    UpdateExpression: clauses.join(' '),
    ...(condition ? { ConditionExpression: condition } : {}),
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

const isIncrement = (value: unknown): value is Increment =>
  typeof value === 'object' && value !== null && increment in value;
const isAppended = (value: unknown): value is Appended =>
  typeof value === 'object' && value !== null && append in value;
const isIfAbsent = (value: unknown): value is IfAbsent =>
  typeof value === 'object' && value !== null && ifAbsent in value;

export const exists =
  (attribute: string): Condition =>
  (p) =>
    `attribute_exists(${p.name(attribute)})`;
export const absent =
  (attribute: string): Condition =>
  (p) =>
    `attribute_not_exists(${p.name(attribute)})`;
export const equals =
  (attribute: string, value: unknown): Condition =>
  (p) =>
    `${p.name(attribute)} = ${p.value(value)}`;
export const differs =
  (attribute: string, value: unknown): Condition =>
  (p) =>
    `${p.name(attribute)} <> ${p.value(value)}`;
export const below =
  (attribute: string, value: unknown): Condition =>
  (p) =>
    `${p.name(attribute)} < ${p.value(value)}`;
export const atMost =
  (attribute: string, value: unknown): Condition =>
  (p) =>
    `${p.name(attribute)} <= ${p.value(value)}`;
export const oneOf =
  (attribute: string, values: readonly unknown[]): Condition =>
  (p) =>
    `${p.name(attribute)} IN (${values.map((value) => p.value(value)).join(', ')})`;
export const allOf =
  (...conditions: Condition[]): Condition =>
  (p) =>
    conditions.length === 1
      ? (conditions[0] as Condition)(p)
      : conditions.map((c) => `(${c(p)})`).join(' AND ');
export const anyOf =
  (...conditions: Condition[]): Condition =>
  (p) =>
    conditions.length === 1
      ? (conditions[0] as Condition)(p)
      : conditions.map((c) => `(${c(p)})`).join(' OR ');

/**
 * A condition written out with its own placeholders (`'#status = :sending AND
 * claimId = :claim'`), for a family of writes that share placeholder names;
 * they must be words, so they never meet the generated `#n0`, `:v0`.
 */
export const verbatim =
  (
    expression: string,
    placeholders: {
      names?: Readonly<Record<string, string>>;
      values?: Readonly<Record<string, unknown>>;
    } = {},
  ): Condition =>
  (p) => {
    p.merge(placeholders.names ?? {}, placeholders.values ?? {});
    return expression;
  };
