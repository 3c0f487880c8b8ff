import { isCalendarDate } from '../calendar.ts';

/**
 * The period a report covers (SPEC "Reports"): `from`/`to` ISO dates,
 * inclusive, UTC; `to` on or after `from`; at most 5 years apart. Without
 * them a report covers the 12 months up to today.
 */
export interface DayRange {
  /** `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  readonly to: string;
}

export const MAX_RANGE_YEARS = 5;

/** No CRM record predates it; earlier periods (and the periods before them) are refused. */
export const EARLIEST_DAY = '1900-01-01';

export type RangeResult =
  | { readonly ok: true; readonly range: DayRange }
  | { readonly ok: false; readonly path: 'from' | 'to'; readonly message: string };

const addYears = (day: string, years: number): string => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString().slice(0, 10);
};

export const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Days from `from` to `to`, both `YYYY-MM-DD`. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Validates a requested period against today (`YYYY-MM-DD`). */
export function reportRange(
  query: { from?: string | undefined; to?: string | undefined },
  today: string,
): RangeResult {
  for (const path of ['from', 'to'] as const) {
    const value = query[path];
    if (value !== undefined && !isCalendarDate(value))
      return { ok: false, path, message: 'must be an ISO 8601 date (YYYY-MM-DD)' };
    // The period before must still be a date of the Gregorian calendar as ISO 8601 writes it.
    if (value !== undefined && value < EARLIEST_DAY)
      return { ok: false, path, message: `must be ${EARLIEST_DAY} or later` };
  }
  const to = query.to ?? (query.from && query.from > today ? addYears(query.from, 1) : today);
  const from = query.from ?? addDays(addYears(to, -1), 1);
  if (to < from) return { ok: false, path: 'to', message: 'must be on or after from' };
  if (to > addYears(from, MAX_RANGE_YEARS))
    return { ok: false, path: 'to', message: `must be at most ${MAX_RANGE_YEARS} years after from` };
  return { ok: true, range: { from, to } };
}

/**
 * The period of equal length just before `range` (for KPIs' `previous`):
 * `2026-03-01..2026-03-31` → `2026-01-29..2026-02-28`.
 */
export function previousRange(range: DayRange): DayRange {
  const length = daysBetween(range.from, range.to) + 1;
  return { from: addDays(range.from, -length), to: addDays(range.from, -1) };
}
