import { fromMinor } from '../money.ts';
import type { Counters } from './aggregate.ts';

/**
 * Turning summed counters into the figures reports show (SPEC "Reports"):
 * money per currency in decimals, rates as fractions 0..1 with 4 digits.
 */

export const counter = (counters: Counters | undefined, name: string): number => counters?.[name] ?? 0;

/** Money counters `<name>#<currency>` (minor units) as `{currency: decimal}`, zero sums left out. */
export function moneyByCurrency(
  counters: Counters | undefined,
  name: string,
  divisor = 1,
): Record<string, number> {
  const result: Record<string, number> = {};
  const prefix = `${name}#`;
  for (const [field, value] of Object.entries(counters ?? {})) {
    if (!field.startsWith(prefix) || value === 0) continue;
    result[field.slice(prefix.length)] = fromMinor(Math.round(value / divisor));
  }
  return result;
}

/** `part / whole` rounded to 4 digits; 0 when there is no whole. */
export const rate = (part: number, whole: number): number =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;

/** `sum / count` rounded to `digits`; null when there is nothing to average. */
export const average = (sum: number, count: number, digits = 1): number | null =>
  count > 0 ? Math.round((sum / count) * 10 ** digits) / 10 ** digits : null;

/** Per-currency average of money counters over `count` items, in decimals rounded to cents. */
export function averageMoney(
  counters: Counters | undefined,
  name: string,
  count: number,
): Record<string, number> {
  const result: Record<string, number> = {};
  if (count <= 0) return result;
  const prefix = `${name}#`;
  for (const [field, value] of Object.entries(counters ?? {})) {
    if (!field.startsWith(prefix) || value === 0) continue;
    result[field.slice(prefix.length)] = fromMinor(Math.round(value / count));
  }
  return result;
}

/** Adds counters into a running sum (for grouping aggregate items under one report row). */
export function addCounters(into: Record<string, number>, counters: Counters): void {
  for (const [name, value] of Object.entries(counters)) into[name] = (into[name] ?? 0) + value;
}

export const SECONDS_PER_DAY = 86_400;
export const SECONDS_PER_HOUR = 3_600;
