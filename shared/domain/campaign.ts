import type { Delivery, DeliveryStatus } from './delivery.ts';

/**
 * A campaign's life:
 *
 *   draft ─schedule/send─▶ scheduled ─start─▶ sending ─all recipients final─▶ sent
 *     ▲ (cancel ←──────────┘ │ reschedule)     │  ▲
 *     └─ edits only here     ▼                 ▼  │ resume
 *                          canceled ◀─cancel─ paused
 *
 * `sending` has two phases: `freezing` while the start writes one recipient per
 * contact of the segment (nothing is sent yet), then `queued` once every
 * recipient exists and batches are on the send queue.
 */
export const campaignStatuses = ['draft', 'scheduled', 'sending', 'sent', 'paused', 'canceled'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

export const campaignPhases = ['freezing', 'queued'] as const;
export type CampaignPhase = (typeof campaignPhases)[number];

export type CampaignAction = 'edit' | 'schedule' | 'pause' | 'resume' | 'cancel' | 'archive';

const allowed: Record<CampaignAction, readonly CampaignStatus[]> = {
  edit: ['draft', 'scheduled'],
  schedule: ['draft', 'scheduled'],
  pause: ['sending'],
  resume: ['paused'],
  cancel: ['scheduled', 'sending', 'paused'],
  // A campaign on its way out is canceled first, so nothing is archived mid-send.
  archive: ['draft', 'sent', 'canceled'],
};

export const canDo = (action: CampaignAction, status: CampaignStatus): boolean =>
  allowed[action].includes(status);

export const statusesAllowing = (action: CampaignAction): readonly CampaignStatus[] => allowed[action];

/** Counters kept per campaign by the stream consumer. */
export const campaignCounters = [
  'recipients',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'machineOpened',
  'bounced',
  'complained',
  'unsubscribed',
  'suppressed',
  'failed',
  'canceled',
] as const;
export type CampaignCounter = (typeof campaignCounters)[number];
export type CampaignCounts = Record<CampaignCounter, number>;

export interface CampaignStats extends Omit<CampaignCounts, 'canceled'> {
  readonly canceled: number;
  /** Recipients a person opened (or clicked): the same figure as `opened`. */
  readonly humanOpens: number;
  /** Recipients only a machine opened (a proxy or scanner, and nobody after it): `machineOpened`. */
  readonly machineOpens: number;
  readonly openRate: number;
  readonly clickRate: number;
  readonly clickToOpenRate: number;
  readonly bounceRate: number;
  readonly complaintRate: number;
  readonly unsubscribeRate: number;
}

const statusCounter: Partial<Record<DeliveryStatus, CampaignCounter>> = {
  sent: 'sent',
  failed: 'failed',
  suppressed: 'suppressed',
  canceled: 'canceled',
};

type Image = Partial<
  Pick<
    Delivery,
    | 'status'
    | 'reason'
    | 'deliveredAt'
    | 'openedAt'
    | 'machineOpenedAt'
    | 'clickedAt'
    | 'bouncedAt'
    | 'complainedAt'
    | 'unsubscribedAt'
    | 'rejectedAt'
  >
>;

/** The final status a recipient counts under; a message SES rejected after the call counts as failed. */
function finalCounter(image: Image): CampaignCounter | undefined {
  if (!image.status) return undefined;
  if (image.status === 'sent' && image.rejectedAt) return 'failed';
  return statusCounter[image.status];
}

/**
 * Which counters one recipient adds 1 to, from its state alone:
 *
 * - `recipients`, and one of `sent`, `failed`, `suppressed`, `canceled`
 *   (none while `pending`, `sending` or `held`: an A/B campaign's rest keeps
 *   it from being settled until the winner is sent to it);
 * - only for sent mail: `bounced` (a permanent bounce), `complained`,
 *   `unsubscribed`;
 * - `delivered`: sent, not bounced, and reached the mailbox as far as we know
 *   (SES's Delivery event, or a complaint, a person's open or a click, which
 *   all prove it arrived before SES's event does);
 * - `opened`, `machineOpened`, `clicked`: only for delivered mail, so
 *   opened ≤ delivered and clicked ≤ delivered whatever order events come in,
 *   and a bounced message whose pixel was fetched anyway (a local inbox, a
 *   scanner) counts no open. `opened` is a person's open (a click is one
 *   too); `machineOpened` a recipient whose only opens were a machine's, so
 *   opened + machineOpened ≤ delivered and a person's open after a proxy's
 *   moves the recipient from machine to human.
 */
export function recipientCounters(image: Image): Set<CampaignCounter> {
  const counters = new Set<CampaignCounter>(['recipients']);
  const final = finalCounter(image);
  if (final) counters.add(final);
  if (final !== 'sent') return counters;
  if (image.bouncedAt) counters.add('bounced');
  if (image.complainedAt) counters.add('complained');
  if (image.unsubscribedAt) counters.add('unsubscribed');
  const reached =
    !image.bouncedAt && !!(image.deliveredAt ?? image.complainedAt ?? image.openedAt ?? image.clickedAt);
  if (!reached) return counters;
  counters.add('delivered');
  if (image.openedAt || image.clickedAt) counters.add('opened');
  else if (image.machineOpenedAt) counters.add('machineOpened');
  if (image.clickedAt) counters.add('clicked');
  return counters;
}

/**
 * What one change of a recipient does to its campaign's counters: what the
 * new state counts minus what the old one did. Every counter follows the
 * recipient's state, so a status that moves on (a failed `interrupted`
 * delivery healed to `sent` by its SES event, a late Delivery event after an
 * open) moves the counts with it, and the sum over any sequence of changes
 * equals the counters of the last state. A replayed change counts once
 * because the caller marks it.
 */
export function recipientDeltas(
  before: Image | undefined,
  after: Image | undefined,
): Partial<CampaignCounts> {
  const was = before ? recipientCounters(before) : new Set<CampaignCounter>();
  const is = after ? recipientCounters(after) : new Set<CampaignCounter>();
  const deltas: Partial<CampaignCounts> = {};
  for (const counter of campaignCounters) {
    const delta = (is.has(counter) ? 1 : 0) - (was.has(counter) ? 1 : 0);
    if (delta !== 0) deltas[counter] = delta;
  }
  return deltas;
}

export const emptyCounts = (): CampaignCounts =>
  Object.fromEntries(campaignCounters.map((counter) => [counter, 0])) as CampaignCounts;

const rate = (count: number, base: number) => (base > 0 ? Math.round((count / base) * 10_000) / 10_000 : 0);

/**
 * Rates as fractions (0.2537 = 25.37 %), each within 0..1 since its count is
 * a subset of its base (see recipientCounters). Opens and clicks are unique
 * recipients over delivered emails, and opens are a person's (`humanOpens`):
 * machine opens are reported apart and in no rate. Click-to-open is clicks
 * over human opens. Bounces, complaints and unsubscribes are over sent
 * emails, as SES measures them.
 */
export function campaignStats(counts: CampaignCounts): CampaignStats {
  return {
    ...counts,
    humanOpens: counts.opened,
    machineOpens: counts.machineOpened,
    openRate: rate(counts.opened, counts.delivered),
    clickRate: rate(counts.clicked, counts.delivered),
    clickToOpenRate: rate(counts.clicked, counts.opened),
    bounceRate: rate(counts.bounced, counts.sent),
    complaintRate: rate(counts.complained, counts.sent),
    unsubscribeRate: rate(counts.unsubscribed, counts.sent),
  };
}

/** Recipients in a final state: when they reach the recipient count, the campaign is sent. */
export const settledCount = (counts: Pick<CampaignCounts, 'sent' | 'failed' | 'suppressed' | 'canceled'>) =>
  counts.sent + counts.failed + counts.suppressed + counts.canceled;

/**
 * The fields of a campaign as the API shows it (shared/schemas/campaigns.ts
 * `record` describes exactly these; a unit test holds the two together). The
 * run id, the freeze lease and the owner's rights stay the pipeline's own.
 * A plain list, so the stream's consumers show campaigns without zod.
 */
export const campaignRecordFields = [
  'name',
  'templateId',
  'segmentId',
  'fromEmail',
  'fromName',
  'replyTo',
  'ownerId',
  'budget',
  'cost',
  'currency',
  'variants',
  'testPercent',
  'winnerBy',
  'decideAfterHours',
  'id',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'version',
  'teamId',
  'archived',
  'status',
  'scheduledAt',
  'startedAt',
  'completedAt',
  'pausedAt',
  'canceledAt',
  'cancelReason',
  'recipientCount',
  'phase',
  'winner',
  'linkBaseUrl',
  'snapshot',
] as const;
