/** The dashboard's periods, as the `from`/`to` ISO dates (UTC, inclusive) the reports take. */
export const PERIODS = ['30d', '90d', '12m', 'ytd'] as const;
export type Period = (typeof PERIODS)[number];
export const DEFAULT_PERIOD: Period = '12m';

export interface DayRange {
  readonly from: string;
  readonly to: string;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

export function periodRange(period: Period, now = new Date()): DayRange {
  const to = day(now);
  const start = new Date(`${to}T00:00:00Z`);
  if (period === 'ytd') return { from: `${to.slice(0, 4)}-01-01`, to };
  if (period === '12m') {
    // The API's own default: a year back, the day after.
    start.setUTCFullYear(start.getUTCFullYear() - 1);
    start.setUTCDate(start.getUTCDate() + 1);
  } else start.setUTCDate(start.getUTCDate() - (period === '30d' ? 29 : 89));
  return { from: day(start), to };
}

export function isPeriod(value: string | undefined): value is Period {
  return (PERIODS as readonly string[]).includes(value ?? '');
}

/** Every month (`YYYY-MM`) a range touches, so a chart by month shows the empty ones too. */
export function monthsOf(range: DayRange): string[] {
  const months: string[] = [];
  let year = Number(range.from.slice(0, 4));
  let month = Number(range.from.slice(5, 7));
  const last = range.to.slice(0, 7);
  for (let key = range.from.slice(0, 7); key <= last && months.length < 240; ) {
    months.push(key);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
    key = `${year}-${String(month).padStart(2, '0')}`;
  }
  return months;
}

/** A report's items by month, one per month of the range: a month without items gets `blank(key)`. */
export function everyMonth<T extends { readonly key: string }>(
  items: readonly T[],
  range: DayRange,
  blank: (key: string) => NoInfer<T>,
): T[] {
  const byKey = new Map(items.map((item) => [item.key, item]));
  const months = monthsOf(range);
  // Items outside the range (should the API widen it) are kept rather than dropped.
  const extra = items.filter((item) => !months.includes(item.key));
  return [...months.map((key) => byKey.get(key) ?? blank(key)), ...extra].sort((a, b) =>
    a.key.localeCompare(b.key),
  );
}
