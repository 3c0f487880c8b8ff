/**
 * RFM (recency, frequency, monetary value) scoring of a tenant's customers:
 * each dimension scored 1-5 by quintiles over the tenant's customers, and a
 * segment from R and F, after the ten-segment map in common use for RFM
 * analysis (see the README's scoring rules).
 */

export const rfmSegments = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
] as const;

export type RfmSegment = (typeof rfmSegments)[number];

/** A score from 1 (worst fifth of the tenant's customers) to 5 (best fifth). */
export type Quintile = 1 | 2 | 3 | 4 | 5;

/**
 * Scores each value 1-5 by its quintile among `values`, higher values
 * scoring higher (pass negated values where lower is better, such as days
 * since the last purchase). A value's place is its mid-rank (ties share the
 * middle of the places they span), so equal values always score the same, and
 * a tenant whose customers are all alike scores them all 3. Returns the scores
 * in the order of `values`.
 */
export function quintileScores(values: readonly number[]): Quintile[] {
  const sorted = [...values].sort((a, b) => a - b);
  /** How many values sort before `value` (strictly, or also equal ones). */
  const countBelow = (value: number, orEqual: boolean) => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = sorted[middle] as number;
      if (at < value || (orEqual && at === value)) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  return values.map((value) => {
    const below = countBelow(value, false);
    const place = (below + countBelow(value, true) - 1) / 2;
    return (1 + Math.floor((5 * (place + 0.5)) / sorted.length)) as Quintile;
  });
}

/**
 * The segment of a customer from its recency (R) and frequency (F) scores:
 *
 * | R \ F | 1 | 2 | 3 | 4 | 5 |
 * | --- | --- | --- | --- | --- | --- |
 * | 5 | new | potential_loyalist | potential_loyalist | champions | champions |
 * | 4 | promising | potential_loyalist | potential_loyalist | loyal | loyal |
 * | 3 | about_to_sleep | about_to_sleep | need_attention | loyal | loyal |
 * | 2 | hibernating | hibernating | at_risk | at_risk | cant_lose |
 * | 1 | hibernating | hibernating | at_risk | at_risk | cant_lose |
 */
export function rfmSegment(r: Quintile, f: Quintile): RfmSegment {
  if (r <= 2) return f <= 2 ? 'hibernating' : f <= 4 ? 'at_risk' : 'cant_lose';
  if (r === 3) return f <= 2 ? 'about_to_sleep' : f === 3 ? 'need_attention' : 'loyal';
  if (f >= 4) return r === 5 ? 'champions' : 'loyal';
  if (f >= 2) return 'potential_loyalist';
  return r === 5 ? 'new' : 'promising';
}

export interface RfmInput {
  readonly id: string;
  /** Days since the last won deal (0 = today). */
  readonly daysSinceLastPurchase: number;
  /** Won deals. */
  readonly purchases: number;
  /** Won amount, in one currency's decimal units. */
  readonly value: number;
}

export interface RfmScore {
  readonly r: Quintile;
  readonly f: Quintile;
  readonly m: Quintile;
  readonly segment: RfmSegment;
}

/**
 * R, F, M and the segment of every customer, scored against each other (a
 * tenant's customers with at least one won deal). Fewer recent days score
 * higher R; more purchases higher F; more value higher M.
 */
export function scoreRfm(customers: readonly RfmInput[]): Map<string, RfmScore> {
  const r = quintileScores(customers.map((customer) => -customer.daysSinceLastPurchase));
  const f = quintileScores(customers.map((customer) => customer.purchases));
  const m = quintileScores(customers.map((customer) => customer.value));
  return new Map(
    customers.map((customer, index) => {
      const [ri, fi, mi] = [r[index] as Quintile, f[index] as Quintile, m[index] as Quintile];
      return [customer.id, { r: ri, f: fi, m: mi, segment: rfmSegment(ri, fi) }];
    }),
  );
}
