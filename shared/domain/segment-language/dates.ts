/**
 * Dates read from a sentence, counted from `now` in UTC. Bounds are ISO
 * calendar dates `YYYY-MM-DD`. Weeks start on Monday (ISO 8601); quarters are
 * calendar quarters (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec); "N months/years ago"
 * is calendar arithmetic (the same day N months back, clamped to the month's
 * last day), days and weeks are exact.
 */
export type DateUnit = 'day' | 'week' | 'month' | 'quarter' | 'year';

/** What a date phrase means, before it is bound to a field. */
export type DateSpec =
  /** "in the last N units": a rolling window, `withinDays`. */
  | { readonly kind: 'within'; readonly n: number; readonly unit: DateUnit }
  /** A calendar span or bound: `gte`/`gt` and/or `lt`. */
  | { readonly kind: 'range'; readonly gte?: string; readonly gt?: string; readonly lt?: string }
  /** "desde hace N units" / "for N units": from now − N units on. */
  | { readonly kind: 'since'; readonly n: number; readonly unit: DateUnit }
  /** "hace más de N units" / "more than N units ago": before now − N units. */
  | { readonly kind: 'olderThan'; readonly n: number; readonly unit: DateUnit };

const DAY_MS = 86_400_000;

export const isoDate = (date: Date): string => date.toISOString().slice(0, 10);

const utc = (year: number, month: number, day: number) => new Date(Date.UTC(year, month, day));

export const startOfDay = (now: Date): Date => utc(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

/** now − n units, as a calendar date (months and years clamp to the month's last day). */
export function unitsAgo(now: Date, n: number, unit: DateUnit): string {
  const today = startOfDay(now);
  if (unit === 'day' || unit === 'week')
    return isoDate(new Date(today.getTime() - n * (unit === 'week' ? 7 : 1) * DAY_MS));
  const months = n * (unit === 'year' ? 12 : unit === 'quarter' ? 3 : 1);
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth() - months;
  const lastDay = utc(year, month + 1, 0).getUTCDate();
  return isoDate(utc(year, month, Math.min(today.getUTCDate(), lastDay)));
}

/** Days in a rolling window of n units: 1, 7, 30, 91 (quarter), 365 days per unit. */
export const windowDays = (n: number, unit: DateUnit): number =>
  n * { day: 1, week: 7, month: 30, quarter: 91, year: 365 }[unit];

/** The calendar span of `this`/`previous` unit around now. */
export function calendarSpan(now: Date, unit: DateUnit, which: 'this' | 'previous'): DateSpec {
  const today = startOfDay(now);
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth();
  let start: Date;
  let previous: Date;
  switch (unit) {
    case 'day':
      start = today;
      previous = new Date(today.getTime() - DAY_MS);
      break;
    case 'week': {
      const sinceMonday = (today.getUTCDay() + 6) % 7;
      start = new Date(today.getTime() - sinceMonday * DAY_MS);
      previous = new Date(start.getTime() - 7 * DAY_MS);
      break;
    }
    case 'month':
      start = utc(year, month, 1);
      previous = utc(year, month - 1, 1);
      break;
    case 'quarter':
      start = utc(year, month - (month % 3), 1);
      previous = utc(year, month - (month % 3) - 3, 1);
      break;
    case 'year':
      start = utc(year, 0, 1);
      previous = utc(year - 1, 0, 1);
      break;
  }
  return which === 'this'
    ? { kind: 'range', gte: isoDate(start) }
    : { kind: 'range', gte: isoDate(previous), lt: isoDate(start) };
}

/** A whole calendar year. */
export const yearSpan = (year: number): DateSpec => ({
  kind: 'range',
  gte: isoDate(utc(year, 0, 1)),
  lt: isoDate(utc(year + 1, 0, 1)),
});

/** Month 1–12 of `year`, or without a year the latest such month that has begun. */
export function monthStart(now: Date, month: number, year?: number): Date {
  if (year !== undefined) return utc(year, month - 1, 1);
  const thisYear = now.getUTCFullYear();
  return month - 1 <= now.getUTCMonth() ? utc(thisYear, month - 1, 1) : utc(thisYear - 1, month - 1, 1);
}

export const monthSpan = (now: Date, month: number, year?: number): DateSpec => {
  const start = monthStart(now, month, year);
  return {
    kind: 'range',
    gte: isoDate(start),
    lt: isoDate(utc(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)),
  };
};

export const nextMonthStart = (start: Date): string =>
  isoDate(utc(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
