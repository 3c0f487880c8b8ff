import { type Contribution, type Counters, groupKey } from './aggregate.ts';
import { addCounters } from './figures.ts';
import type { DayRange } from './range.ts';

/**
 * Reading aggregates keyed `<dimension>#<day>[#<value>]` over a period: the
 * key bounds of one Query, and the items summed into one row per group.
 */

/** Sorts after every character a group key holds, so `<prefix><HIGH>` bounds all keys that start with the prefix. */
export const HIGH = '\uffff';

/** Key bounds of one dimension's items whose day falls in the period. */
export const periodKeys = (dimension: string, range: DayRange) => ({
  from: `${dimension}#${range.from}`,
  to: `${dimension}#${range.to}${HIGH}`,
});

/**
 * Sums items of one dimension into rows: by the value after the day, or, for
 * a dimension without values, by month (`YYYY-MM`) or day as `bucket` says.
 * Rows come sorted by group.
 */
export function rowsByGroup(
  items: ReadonlyMap<string, Counters>,
  bucket: 'value' | 'month' | 'day' = 'value',
): Map<string, Record<string, number>> {
  const rows = new Map<string, Record<string, number>>();
  for (const [key, counters] of items) {
    const [, day = '', ...value] = key.split('#');
    const group = bucket === 'month' ? day.slice(0, 7) : bucket === 'day' ? day : value.join('#');
    const row = rows.get(group) ?? {};
    addCounters(row, counters);
    rows.set(group, row);
  }
  return new Map([...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A record's contributions to a period report: its counters on its day under
 * the month dimension (`month#<day>`) and under each other dimension's value
 * (`<dimension>#<day>#<value>`), in that order.
 */
export function periodContributions(
  report: string,
  day: string,
  counters: Counters,
  values: Readonly<Record<string, string>>,
): Contribution[] {
  return [
    { report, key: groupKey('month', day), counters },
    ...Object.entries(values).map(([dimension, value]) => ({
      report,
      key: groupKey(dimension, day, value),
      counters,
    })),
  ];
}
