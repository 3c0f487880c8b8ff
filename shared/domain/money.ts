/**
 * Money crosses the API as decimal numbers with at most two fraction digits and
 * is summed as integer minor units (cents), so 0.1 + 0.2 is 0.30 exactly.
 */
export const MINOR_UNITS = 100;

/** True when `amount` has at most two fraction digits (as a client would write it). */
export function hasCents(amount: number): boolean {
  return Number.isFinite(amount) && Math.abs(Math.round(amount * MINOR_UNITS) - amount * MINOR_UNITS) < 1e-6;
}

export const toMinor = (amount: number): number => Math.round(amount * MINOR_UNITS);

export const fromMinor = (minor: number): number => minor / MINOR_UNITS;

/** Sums decimal amounts exactly. */
export const sumAmounts = (amounts: readonly number[]): number =>
  fromMinor(amounts.reduce((sum, amount) => sum + toMinor(amount), 0));
