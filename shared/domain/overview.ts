import { toMinor } from './money.ts';

/**
 * What each item contributes to its tenant's overview report, derived from
 * the item's old and new image: a live record counts 1 under its type, and an
 * open deal adds its amount (in minor units) under `openAmount#<currency>`.
 * The change an update makes is the new contribution minus the old one, so
 * every write path (API, conversion, imports) is counted the same way.
 */
export const overviewCounters = {
  contact: 'contacts',
  company: 'companies',
  team: 'teams',
  user: 'users',
  lead: 'leads',
  deal: 'deals',
} as const;

export type OverviewCounter = (typeof overviewCounters)[keyof typeof overviewCounters];

export interface Overview extends Record<OverviewCounter, number> {
  /** Open deals' amounts per currency, as decimals. */
  openPipelineAmount: Record<string, number>;
}

export const OPEN_AMOUNT_PREFIX = 'openAmount#';

type Image = Record<string, unknown> | undefined;

/** What one image adds to the overview: 1 under its counter, and an open deal's amount. */
export function overviewContribution(image: Image): Map<string, number> {
  const result = new Map<string, number>();
  const counter = overviewCounters[image?.entity as keyof typeof overviewCounters];
  if (!counter || image?.archived === true) return result;
  result.set(counter, 1);
  const { status, amount, currency } = image ?? {};
  if (
    counter === 'deals' &&
    status === 'open' &&
    typeof amount === 'number' &&
    typeof currency === 'string'
  ) {
    result.set(`${OPEN_AMOUNT_PREFIX}${currency}`, toMinor(amount));
  }
  return result;
}

export interface OverviewChange {
  readonly tenantId: string;
  /** Aggregate attribute → amount to add; never empty. */
  readonly deltas: Readonly<Record<string, number>>;
}

export function overviewChange(oldImage: Image, newImage: Image): OverviewChange | undefined {
  const tenantId = (newImage ?? oldImage)?.tenantId;
  if (typeof tenantId !== 'string') return undefined;
  const before = overviewContribution(oldImage);
  const after = overviewContribution(newImage);
  const deltas: Record<string, number> = {};
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const delta = (after.get(key) ?? 0) - (before.get(key) ?? 0);
    if (delta !== 0) deltas[key] = delta;
  }
  return Object.keys(deltas).length > 0 ? { tenantId, deltas } : undefined;
}
