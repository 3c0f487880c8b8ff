import { createHash } from 'node:crypto';
import {
  type CampaignCounter,
  type CampaignCounts,
  campaignCounters,
  emptyCounts,
  recipientCounters,
} from './campaign.ts';
import type { Delivery } from './delivery.ts';
import { templateProblems } from './template.ts';

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
  readonly by: WinnerBy;
  /** ISO 8601. */
  readonly decidedAt: string;
}

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * What is wrong with a campaign's A/B fields as a whole (empty when fine):
 * every variant subject must compile as a template subject, and `testPercent`
 * and `decideAfterHours` come with `variants` and only with them (`winnerBy`
 * too). The ranges themselves are checked by the schema.
 */
export function abTestProblems(fields: AbTestFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // An emptied list (a merge patch's null on a list) is no test.
  const variants = fields.variants?.length ? fields.variants : undefined;
  if (!variants) {
    for (const name of ['testPercent', 'winnerBy', 'decideAfterHours'] as const)
      if (fields[name] !== undefined && fields[name] !== null)
        problems.push({ path: name, message: 'is only allowed with variants' });
    return problems;
  }
  variants.forEach((variant, index) => {
    for (const error of templateProblems({ subject: variant.subject, html: '' }))
      problems.push({ path: `variants.${index}.subject`, message: error.message });
  });
  for (const name of ['testPercent', 'decideAfterHours'] as const)
    if (fields[name] === undefined || fields[name] === null)
      problems.push({ path: name, message: 'is required with variants' });
  return problems;
}

/** Where a recipient of an A/B campaign belongs: a variant of the test group, or the rest. */
export type Assignment = { readonly group: 'test'; readonly variant: number } | { readonly group: 'rest' };

/**
 * The group and variant of one recipient, from sha256(campaignId, contactId)
 * alone, so repeating the freeze (a retried or resumed start) never moves a
 * recipient. The first 32 bits place the recipient in [0, 1): below
 * testPercent / 100 is the test group (each recipient independently, so the
 * group is testPercent % of the list up to sampling noise). The next 32 bits
 * mod `variantCount` pick the variant: uniform up to a bias below
 * variantCount / 2^32, so the test group splits evenly up to sampling noise
 * (about ±2·√(n/k) per variant for n test recipients and k variants).
 */
export function assignRecipient(
  campaignId: string,
  contactId: string,
  testPercent: number,
  variantCount: number,
): Assignment {
  const digest = createHash('sha256').update(`${campaignId}\u0000${contactId}`).digest();
  const position = digest.readUInt32BE(0) / 2 ** 32;
  if (position >= testPercent / 100) return { group: 'rest' };
  return { group: 'test', variant: digest.readUInt32BE(4) % variantCount };
}

/**
 * The name of a per-variant counter on the campaign's counters item, e.g.
 * `v1_delivered`: the same counters as the campaign's, for one variant.
 */
export const variantCounterName = (variant: number, counter: CampaignCounter) => `v${variant}_${counter}`;

type Image = Parameters<typeof recipientCounters>[0] & Partial<Pick<Delivery, 'variant'>>;

/**
 * The per-variant counterpart of recipientDeltas: what one recipient change
 * does to the counters of the variant it had before and of the one it has
 * after (a held recipient has none until it is released with the winner's).
 * Same rules, so each variant's counts are those of its recipients' last states.
 */
export function variantDeltas(before: Image | undefined, after: Image | undefined): Record<string, number> {
  const deltas: Record<string, number> = {};
  const add = (image: Image | undefined, sign: 1 | -1) => {
    if (!image || typeof image.variant !== 'number') return;
    for (const counter of recipientCounters(image)) {
      const name = variantCounterName(image.variant, counter);
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
