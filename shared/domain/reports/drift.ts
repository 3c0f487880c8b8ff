import { type Contribution, type Counters, MergedCounters } from './aggregate.ts';

/**
 * Comparing the report aggregates the stream kept with the same sums
 * recomputed from the records (a rebuild), item by item.
 */

/** One aggregate item whose stored counters differ from the recomputed ones (zero counters left out). */
export interface Drift {
  readonly report: string;
  readonly key: string;
  readonly was: Counters;
  readonly now: Counters;
}

export interface Comparison {
  /** Distinct aggregate items stored or recomputed: every item the comparison looked at. */
  readonly aggregatesChecked: number;
  /** The items that drifted, by report then key. */
  readonly drifted: Drift[];
  /** What to ADD to the stored items so they equal the recomputed ones (recomputed − stored), per item. */
  readonly corrections: Contribution[];
}

const id = (item: Pick<Contribution, 'report' | 'key'>) => `${item.report}\u0000${item.key}`;
const nonZero = (counters: Counters): Counters =>
  Object.fromEntries(Object.entries(counters).filter(([, value]) => value !== 0));

/**
 * Compares stored aggregate items (summed across shards) with recomputed ones.
 * Both lists hold at most one entry per (report, key); counters absent on one
 * side count as zero there, so an item only one side holds drifts unless all
 * its counters are zero. Pure: the caller reads and writes.
 */
export function compareAggregates(
  stored: readonly Contribution[],
  recomputed: readonly Contribution[],
): Comparison {
  const was = new Map(stored.map((item) => [id(item), item]));
  const now = new Map(recomputed.map((item) => [id(item), item]));
  const differences = new MergedCounters();
  for (const item of recomputed) differences.add(item, 1);
  for (const item of stored) differences.add(item, -1);
  const corrections = differences
    .contributions()
    .sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  const drifted = corrections.map(({ report, key }) => ({
    report,
    key,
    was: nonZero(was.get(id({ report, key }))?.counters ?? {}),
    now: nonZero(now.get(id({ report, key }))?.counters ?? {}),
  }));
  return { aggregatesChecked: new Set([...was.keys(), ...now.keys()]).size, drifted, corrections };
}
