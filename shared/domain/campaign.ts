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

export type CampaignPhase = 'freezing' | 'queued';

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
  readonly openRate: number;
  readonly clickRate: number;
  readonly bounceRate: number;
  readonly complaintRate: number;
}

const statusCounter: Partial<Record<DeliveryStatus, CampaignCounter>> = {
  sent: 'sent',
  failed: 'failed',
  suppressed: 'suppressed',
  canceled: 'canceled',
};

/** Engagement moments counted once each, when the field first appears on a delivery. */
const engagementCounters = {
  deliveredAt: 'delivered',
  openedAt: 'opened',
  machineOpenedAt: 'machineOpened',
  clickedAt: 'clicked',
  bouncedAt: 'bounced',
  complainedAt: 'complained',
  unsubscribedAt: 'unsubscribed',
} as const satisfies Partial<Record<keyof Delivery, CampaignCounter>>;

type Image = Partial<Pick<Delivery, 'status' | 'reason' | keyof typeof engagementCounters | 'rejectedAt'>>;

/**
 * What one change of a recipient does to its campaign's counters. Every
 * counter follows the recipient's state, so a status that moves on (a failed
 * `interrupted` delivery healed to `sent` by its SES event) moves the count
 * with it, and a replayed change counts once because the caller marks it.
 * A rejected message (SES Reject after `sent`) counts as failed, not sent.
 */
export function recipientDeltas(
  before: Image | undefined,
  after: Image | undefined,
): Partial<CampaignCounts> {
  const deltas: Partial<CampaignCounts> = {};
  const add = (counter: CampaignCounter, delta: number) => {
    deltas[counter] = (deltas[counter] ?? 0) + delta;
  };
  if (!before && after) add('recipients', 1);
  if (before && !after) add('recipients', -1);
  const finalOf = (image: Image | undefined): CampaignCounter | undefined => {
    if (!image?.status) return undefined;
    if (image.status === 'sent' && image.rejectedAt) return 'failed';
    return statusCounter[image.status];
  };
  const was = finalOf(before);
  const is = finalOf(after);
  if (was !== is) {
    if (was) add(was, -1);
    if (is) add(is, 1);
  }
  for (const [field, counter] of Object.entries(engagementCounters) as [keyof Image, CampaignCounter][]) {
    const had = before?.[field] !== undefined;
    const has = after?.[field] !== undefined;
    if (had !== has) add(counter, has ? 1 : -1);
  }
  for (const key of Object.keys(deltas) as CampaignCounter[]) if (deltas[key] === 0) delete deltas[key];
  return deltas;
}

export const emptyCounts = (): CampaignCounts =>
  Object.fromEntries(campaignCounters.map((counter) => [counter, 0])) as CampaignCounts;

const rate = (count: number, base: number) => (base > 0 ? Math.round((count / base) * 10_000) / 10_000 : 0);

/**
 * Rates as fractions (0.2537 = 25.37 %). Opens and clicks are unique
 * recipients over delivered emails (over sent ones until SES reports
 * deliveries, e.g. locally without events); machine opens are not opens.
 * Bounces and complaints are over sent emails, as SES measures them.
 */
export function campaignStats(counts: CampaignCounts): CampaignStats {
  const reached = counts.delivered > 0 ? counts.delivered : counts.sent;
  return {
    ...counts,
    openRate: rate(counts.opened, reached),
    clickRate: rate(counts.clicked, reached),
    bounceRate: rate(counts.bounced, counts.sent),
    complaintRate: rate(counts.complained, counts.sent),
  };
}

/** Recipients in a final state: when they reach the recipient count, the campaign is sent. */
export const settledCount = (counts: Pick<CampaignCounts, 'sent' | 'failed' | 'suppressed' | 'canceled'>) =>
  counts.sent + counts.failed + counts.suppressed + counts.canceled;
