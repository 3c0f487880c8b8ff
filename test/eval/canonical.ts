import type { Condition, SegmentFilter } from '#shared/domain/segment-filter';

/**
 * The canonical form of a segment filter, as the plain-language contract
 * defines it for comparing an interpretation with the expected filter: two
 * filters are equal when their canonical forms are deep-equal.
 *
 * Recursively: the children of `all`/`any` are sorted by their JSON; `in`/`nin`
 * value arrays are sorted; a group with exactly one child is replaced by that
 * child; an `all` nested in an `all` is flattened (the same for `any` in
 * `any`). A group holding both `all` and `any` means "all of these and any of
 * those", so it is read as `{all: [...all, {any}]}` first. Keys are emitted in
 * one order (`field`, `op`, `value`) so JSON text can be compared. Pure: the
 * input is not modified; unknown shapes are kept as they are, so an invalid
 * filter from an interpreter compares unequal instead of throwing.
 */
export type CanonicalNode = Condition | SegmentFilter;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const json = (value: unknown): string => JSON.stringify(value) ?? 'undefined';

const byJson = (left: unknown, right: unknown): number => {
  const a = json(left);
  const b = json(right);
  return a < b ? -1 : a > b ? 1 : 0;
};

function canonicalCondition(node: Record<string, unknown>): CanonicalNode {
  const { field, op, value } = node;
  const sorted = (op === 'in' || op === 'nin') && Array.isArray(value) ? [...value].sort(byJson) : value;
  const condition: Record<string, unknown> = { field, op };
  if (sorted !== undefined) condition.value = sorted;
  for (const key of Object.keys(node).sort()) {
    if (key !== 'field' && key !== 'op' && key !== 'value') condition[key] = node[key];
  }
  return condition as unknown as Condition;
}

function canonicalGroup(kind: 'all' | 'any', children: readonly unknown[]): CanonicalNode {
  const flat: CanonicalNode[] = [];
  for (const child of children) {
    const canonical = canonicalNode(child);
    const nested = isObject(canonical) && Object.keys(canonical).length === 1 ? canonical[kind] : undefined;
    if (Array.isArray(nested)) flat.push(...(nested as CanonicalNode[]));
    else flat.push(canonical);
  }
  flat.sort(byJson);
  if (flat.length === 1) return flat[0] as CanonicalNode;
  return kind === 'all' ? { all: flat } : { any: flat };
}

function canonicalNode(node: unknown): CanonicalNode {
  if (!isObject(node)) return node as CanonicalNode;
  if ('field' in node || 'op' in node) return canonicalCondition(node);
  const all = node.all;
  const any = node.any;
  const extraKeys = Object.keys(node).filter((key) => key !== 'all' && key !== 'any');
  if (
    extraKeys.length > 0 ||
    (all !== undefined && !Array.isArray(all)) ||
    (any !== undefined && !Array.isArray(any))
  )
    return node as CanonicalNode;
  if (Array.isArray(all) && Array.isArray(any)) return canonicalGroup('all', [...all, { any }]);
  if (Array.isArray(any)) return canonicalGroup('any', any);
  if (Array.isArray(all)) return canonicalGroup('all', all);
  return node as CanonicalNode;
}

/** The canonical form of a filter (or of a single condition); null stays null. */
export function canonicalFilter(filter: CanonicalNode | null): CanonicalNode | null {
  return filter === null ? null : canonicalNode(filter);
}

/** Whether two filters (null = no filter) are equal in canonical form. */
export function sameFilter(left: CanonicalNode | null, right: CanonicalNode | null): boolean {
  return json(canonicalFilter(left)) === json(canonicalFilter(right));
}
