/**
 * The model every report aggregate follows. A stored record contributes
 * counters to report aggregates, computed from its image alone; a change adds
 * the new image's contributions and takes away the old one's (a delta, never
 * a recount), so every write path (API, conversion, imports, erasure) counts
 * the same way and a rebuild is the sum of the records' contributions.
 *
 * Counters are integers so sums stay exact: money in minor units, weighted
 * money in minor units × probability percent, durations in seconds.
 */

/** A table item as plain values (the stream's images, or a record read back). */
export type Image = Readonly<Record<string, unknown>>;

export type Counters = Readonly<Record<string, number>>;

/** What one record adds to one aggregate item: `report` names its partition, `key` the item in it. */
export interface Contribution {
  readonly report: string;
  readonly key: string;
  readonly counters: Counters;
}

/**
 * One report's aggregates: which records feed it (`entities`, for the rebuild
 * to read) and what one record's image adds. `contribute` is called only with
 * images of those entities that belong to a tenant.
 */
export interface ReportAggregate {
  readonly report: string;
  readonly entities: readonly string[];
  readonly contribute: (image: Image) => readonly Contribution[];
}

/** Attribute names a counter may not take: the aggregate item's own keys and markers. */
const reserved = new Set(['pk', 'sk', 'entity', 'tenantId', 'report']);

/** Joins the parts of an aggregate key; a part holding `#` would make keys ambiguous, so it is replaced. */
export const groupKey = (...parts: readonly string[]): string =>
  parts.map((part) => part.replaceAll('#', '_')).join('#');

const identity = (contribution: Pick<Contribution, 'report' | 'key'>) =>
  `${contribution.report}\u0000${contribution.key}`;

/** Whether an image is a live record of the tenant (not archived) of one of the entities. */
export const isLive = (image: Image | undefined, entities: readonly string[]): image is Image =>
  image !== undefined &&
  typeof image.tenantId === 'string' &&
  typeof image.entity === 'string' &&
  entities.includes(image.entity) &&
  image.archived !== true;

/** DynamoDB's limit on a sort key, in UTF-8 bytes: a group key is the aggregate item's sort key. */
export const MAX_GROUP_KEY_BYTES = 1024;

const encoder = new TextEncoder();

/**
 * Every contribution of one image to the given aggregates, merged per
 * aggregate item. A contribution whose key could not be stored (a malformed
 * id longer than a sort key may be) is left out, so the record's other
 * contributions still count.
 */
export function contributionsOf(
  image: Image | undefined,
  aggregates: readonly ReportAggregate[],
): Contribution[] {
  if (image === undefined || typeof image.tenantId !== 'string') return [];
  const merged = new MergedCounters();
  for (const aggregate of aggregates) {
    if (typeof image.entity !== 'string' || !aggregate.entities.includes(image.entity)) continue;
    for (const contribution of aggregate.contribute(image))
      if (encoder.encode(contribution.key).length <= MAX_GROUP_KEY_BYTES) merged.add(contribution, 1);
  }
  return merged.contributions();
}

/**
 * What a change adds to the aggregates: the new image's contributions minus
 * the old image's, merged per aggregate item, with zero counters dropped.
 * Empty when the change moves no counter (most field edits).
 */
export function aggregateDeltas(
  before: Image | undefined,
  after: Image | undefined,
  aggregates: readonly ReportAggregate[],
): Contribution[] {
  const merged = new MergedCounters();
  for (const contribution of contributionsOf(before, aggregates)) merged.add(contribution, -1);
  for (const contribution of contributionsOf(after, aggregates)) merged.add(contribution, 1);
  return merged.contributions();
}

/** Sums counters per aggregate item (report and key). */
export class MergedCounters {
  readonly #items = new Map<string, { report: string; key: string; counters: Map<string, number> }>();

  add(contribution: Contribution, sign: 1 | -1 = 1): void {
    const id = identity(contribution);
    const entry = this.#items.get(id) ?? {
      report: contribution.report,
      key: contribution.key,
      counters: new Map<string, number>(),
    };
    for (const [name, value] of Object.entries(contribution.counters)) {
      if (reserved.has(name)) throw new Error(`Counter name "${name}" is reserved`);
      if (!Number.isSafeInteger(value))
        throw new Error(`Counter ${name} of ${id} is not an integer: ${value}`);
      entry.counters.set(name, (entry.counters.get(name) ?? 0) + sign * value);
    }
    this.#items.set(id, entry);
  }

  /** The merged items with at least one counter that is not zero, zero counters left out. */
  contributions(): Contribution[] {
    const result: Contribution[] = [];
    for (const { report, key, counters } of this.#items.values()) {
      const nonZero = [...counters].filter(([, value]) => value !== 0);
      if (nonZero.length > 0) result.push({ report, key, counters: Object.fromEntries(nonZero) });
    }
    return result;
  }
}
