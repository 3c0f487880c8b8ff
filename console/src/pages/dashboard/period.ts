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
