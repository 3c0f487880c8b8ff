import { createHash } from 'node:crypto';
import {
  type CampaignCounter,
  type CampaignCounts,
  campaignCounters,
  emptyCounts,
  recipientCounters,
} from './campaign.ts';
import type { Delivery } from './delivery.ts';

/**
 * A/B subject tests (SPEC "Natural-language segments, saved views, shared
 * lists"): a campaign with 2–4 subject variants sends its test group
 * (`testPercent` % of the recipients) one variant each, split evenly; after
 * `decideAfterHours` the variant with the highest rate (`winnerBy`) is chosen
 * and the rest of the recipients, held until then, get its subject.
 */
export const winnerCriteria = ['humanOpens', 'clicks'] as const;
export type WinnerBy = (typeof winnerCriteria)[number];

export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 4;
export const MAX_DECIDE_AFTER_HOURS = 168;

export interface SubjectVariant {
  /** A Handlebars subject with the template's variables (shared/domain/template.ts). */
  readonly subject: string;
}

export interface AbTestFields {
  readonly variants?: readonly SubjectVariant[] | null | undefined;
  readonly testPercent?: number | null | undefined;
  readonly winnerBy?: WinnerBy | null | undefined;
  readonly decideAfterHours?: number | null | undefined;
}

export interface Winner {
  /** Zero-based index into `variants`. */
  readonly index: number;
  /** `default`: no test email was delivered, so there was nothing to compare; the first variant goes. */
  readonly by: WinnerBy | 'default';
  /** ISO 8601. */
  readonly decidedAt: string;
  /** Why the winner is the default (`nothing_delivered`). */
  readonly reason?: string;
}

/**
 * How many of `n` sendable recipients form the test group:
 * round(n × testPercent / 100), raised to one per variant when n allows it
 * (so every variant is tried), never more than n.
 */
export function testGroupSize(n: number, testPercent: number, variantCount: number): number {
  if (n <= 0) return 0;
  const share = Math.round((n * testPercent) / 100);
  return Math.min(n, Math.max(share, variantCount));
}

/** A recipient's place in the ranking: sha256(campaignId, contactId), hex. */
const rankKey = (campaignId: string, contactId: string) =>
  createHash('sha256').update(`${campaignId}\u0000${contactId}`).digest('hex');

/**
 * The test group of a campaign and each member's variant: the sendable
 * recipients ranked by sha256(campaignId, contactId) (ties, which need a
 * collision, by contact id), the first testGroupSize of them in the group,
 * variants given in turn by rank (rank i gets i mod variantCount), so the
 * sizes are exact and differ by at most one between variants. The same
 * frozen list always gives the same assignment, whatever its order.
 * Returns contactId → variant for the test group only.
 */
export function assignTestGroup(
  campaignId: string,
  contactIds: readonly string[],
  testPercent: number,
  variantCount: number,
): Map<string, number> {
  const ranked = [...new Set(contactIds)]
    .map((contactId) => ({ contactId, key: rankKey(campaignId, contactId) }))
    .sort((a, b) =>
      a.key < b.key
        ? -1
        : a.key > b.key
          ? 1
          : a.contactId < b.contactId
            ? -1
            : a.contactId > b.contactId
              ? 1
              : 0,
    );
  const size = testGroupSize(ranked.length, testPercent, variantCount);
  return new Map(ranked.slice(0, size).map(({ contactId }, rank) => [contactId, rank % variantCount]));
}

/**
 * The name of a per-variant counter on the campaign's counters item, e.g.
 * `v1_delivered`: the same counters as the campaign's, for one variant.
 */
export const variantCounterName = (variant: number, counter: CampaignCounter) => `v${variant}_${counter}`;

/** The name of a counter of the rest (the recipients sent the winner), e.g. `rest_delivered`. */
export const restCounterName = (counter: CampaignCounter) => `rest_${counter}`;

type Image = Parameters<typeof recipientCounters>[0] & Partial<Pick<Delivery, 'variant' | 'group'>>;

/** The counters one recipient image counts for: its test variant's, or the rest's. */
function groupCounterNames(image: Image): string[] {
  if (image.group === 'rest') return [...recipientCounters(image)].map((counter) => restCounterName(counter));
  if (typeof image.variant !== 'number') return [];
  const variant = image.variant;
  return [...recipientCounters(image)].map((counter) => variantCounterName(variant, counter));
}

/**
 * The per-group counterpart of recipientDeltas: what one recipient change
 * does to the counters of its test variant (`v<i>_…`) or of the rest
 * (`rest_…`: `group: rest`, counted from the freeze on, also once the winner's
 * variant is set on it), before and after. Same rules, so each group's
 * counts are those of its recipients' last states, and the test's figures
 * never mix with the rest's.
 */
export function variantDeltas(before: Image | undefined, after: Image | undefined): Record<string, number> {
  const deltas: Record<string, number> = {};
  const add = (image: Image | undefined, sign: 1 | -1) => {
    if (!image) return;
    for (const name of groupCounterNames(image)) {
      deltas[name] = (deltas[name] ?? 0) + sign;
    }
  };
  add(before, -1);
  add(after, 1);
  for (const [name, delta] of Object.entries(deltas)) if (delta === 0) delete deltas[name];
  return deltas;
}

/** One variant's counts out of the counters item (zeros for those never counted). */
export function variantCounts(item: Readonly<Record<string, unknown>>, variant: number): CampaignCounts {
  const counts = emptyCounts();
  for (const counter of campaignCounters) {
    const value = item[variantCounterName(variant, counter)];
    if (typeof value === 'number') counts[counter] = value;
  }
  return counts;
}

/** The rest's counts out of the counters item (zeros for those never counted). */
export function restCounts(item: Readonly<Record<string, unknown>>): CampaignCounts {
  const counts = emptyCounts();
  for (const counter of campaignCounters) {
    const value = item[restCounterName(counter)];
    if (typeof value === 'number') counts[counter] = value;
  }
  return counts;
}

/**
 * The rate a winner is chosen by, as a fraction: people who opened (a click
 * is an open; machine opens are not) or who clicked, over delivered emails;
 * 0 with nothing delivered.
 */
export function winnerRate(counts: Pick<CampaignCounts, 'opened' | 'clicked' | 'delivered'>, by: WinnerBy) {
  if (counts.delivered <= 0) return 0;
  return (by === 'clicks' ? counts.clicked : counts.opened) / counts.delivered;
}

/**
 * The winning variant's index: the highest rate, ties (including no
 * deliveries at all) to the lower index. Throws on an empty list.
 */
export function pickWinner(
  variants: readonly Pick<CampaignCounts, 'opened' | 'clicked' | 'delivered'>[],
  by: WinnerBy,
): number {
  if (variants.length === 0) throw new Error('No variants to choose from');
  let best = 0;
  let bestRate = winnerRate(variants[0] as CampaignCounts, by);
  variants.forEach((counts, index) => {
    const rate = winnerRate(counts, by);
    if (rate > bestRate) {
      best = index;
      bestRate = rate;
    }
  });
  return best;
}

/**
 * The decision on a test group's counts: pickWinner by `by`, or variant 0
 * with `by: default` (reason `nothing_delivered`) when no test email was
 * delivered at all, so a result is never claimed from no data.
 */
export function decideFrom(
  variants: readonly Pick<CampaignCounts, 'opened' | 'clicked' | 'delivered'>[],
  by: WinnerBy,
  decidedAt: Date,
): Winner {
  const delivered = variants.reduce((sum, counts) => sum + counts.delivered, 0);
  if (delivered === 0)
    return { index: 0, by: 'default', decidedAt: decidedAt.toISOString(), reason: 'nothing_delivered' };
  return { index: pickWinner(variants, by), by, decidedAt: decidedAt.toISOString() };
}
