import { formatMoney } from '../../i18n/format.ts';
import { locale } from '../../i18n/index.ts';

/** Amounts by currency, as every report sends money (`{EUR: 1200.5}`). */
export type Amounts = Readonly<Record<string, number>>;

/** The currency with the most money across `amounts`: the one a chart can plot. */
export function mainCurrency(amounts: readonly Amounts[]): string | undefined {
  const totals = new Map<string, number>();
  for (const entry of amounts)
    for (const [currency, value] of Object.entries(entry))
      totals.set(currency, (totals.get(currency) ?? 0) + Math.abs(value));
  return [...totals].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function currenciesOf(amounts: readonly Amounts[]): string[] {
  return [...new Set(amounts.flatMap((entry) => Object.keys(entry)))].sort();
}

/** "€1,200 + $300", or "—" when there is nothing. */
export function formatAmounts(amounts: Amounts | null | undefined): string {
  const entries = Object.entries(amounts ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return '—';
  return entries.map(([currency, value]) => formatMoney(value, currency)).join(' + ');
}

/** "Mar 2026" for a report's month key "2026-03". */
export function formatMonth(key: string): string {
  const date = new Date(`${key}-01T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return key;
  return new Intl.DateTimeFormat(locale(), { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** Sums amounts by currency (forecast rows of several owners in one month). */
export function addAmounts(into: Record<string, number>, more: Amounts): void {
  for (const [currency, value] of Object.entries(more)) into[currency] = (into[currency] ?? 0) + value;
}
