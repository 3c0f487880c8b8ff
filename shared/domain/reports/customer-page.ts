import type { RfmSegment } from '../rfm.ts';
import { type CustomerRow, type CustomerSort, sortCustomers } from './customers.ts';

/**
 * One page of `GET /reports/customers`: the customers of `segment` (all
 * when null) in `sort` order, from `offset` (a sealed cursor's position; a
 * value that is not a whole number reads from the start), at most `limit`.
 * `nextOffset` is where the next page starts, absent on the last page.
 */
export function customersPage(
  rows: readonly CustomerRow[],
  options: { sort: CustomerSort; segment: RfmSegment | null; limit: number; offset?: unknown },
): { items: CustomerRow[]; nextOffset?: number } {
  const chosen = options.segment === null ? rows : rows.filter((row) => row.rfm.segment === options.segment);
  const sorted = sortCustomers(chosen, options.sort);
  const offset =
    typeof options.offset === 'number' && Number.isSafeInteger(options.offset) && options.offset > 0
      ? options.offset
      : 0;
  const end = offset + options.limit;
  return { items: sorted.slice(offset, end), ...(end < sorted.length ? { nextOffset: end } : {}) };
}
