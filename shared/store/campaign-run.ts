import { randomUUID } from 'node:crypto';
import { config } from '../config.ts';
import { assignRecipient, pickWinner } from '../domain/ab-test.ts';
import { getQueue } from '../queue/select.ts';
import { scheduleTargetTimeoutMs } from '../schedule/scheduler.ts';
import { getScheduler } from '../schedule/select.ts';
import {
  type Campaign,
  getCampaign,
  readVariantCounts,
  suppressedEmails,
  transitionCampaign,
} from './campaigns.ts';
import { cancelHeld, type NewDelivery, putNewDeliveries, releaseHeld } from './deliveries.ts';
import type { Contact } from './entities.ts';
import { campaignRecipientsPk, recordKey } from './keys.ts';
import { queryAnswers } from './query.ts';
import { currentReader } from './readers.ts';
import { getRecord } from './records.ts';
import { resolveSegment } from './segment-resolution.ts';
import { segments } from './segments.ts';
import { templates } from './templates.ts';

/**
 * The start of a campaign (functions/schedule/campaignStart.ts), in steps that
 * each pick up where a crashed or duplicate run left off:
 *
 * 1. `scheduled → sending` (phase `freezing`), conditioned on the run id of the
 *    schedule, with a snapshot of the template and segment. Only one firing wins.
 * 2. Freezing: one recipient per contact of the segment that the campaign's
 *    owner may read (readers.ts: their rights now), plain batch puts. Safe
 *    to repeat because nothing is on the send queue before step 3, so nothing
 *    has been sent; a lease keeps a duplicate firing from freezing alongside.
 * 3. `phase queued` with the exact recipient count, then the pending
 *    recipients go on the send queue in batches.
 *
 * A later run (a duplicate firing, a resume or cancel) only puts the pending
 * recipients on the queue again; the sender's claim keeps anyone from getting
 * a second email.
 *
 * An A/B campaign (shared/domain/ab-test.ts) freezes its test group `pending`
 * with a variant each and the rest `held`, and before step 3 creates the
 * one-time schedule `campaign-<id>-w` at start + decideAfterHours. Its firing
 * (same target, `step: decide`) writes the winner once (conditional), then
 * releases every held recipient as `pending` with the winner's variant and
 * queues them. Any later run of a sending campaign with a winner releases
 * what is still held, so a crash between deciding and releasing is finished
 * by the retry or by the next resume; a canceled campaign's held recipients
 * are canceled instead.
 */

/** What one send-queue message carries: up to RECIPIENTS_PER_MESSAGE contacts of one campaign. */
export interface CampaignSendMessage {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly contactIds: readonly string[];
}

export const RECIPIENTS_PER_MESSAGE = 50;
/** The start function's Lambda timeout. */
export const CAMPAIGN_START_TIMEOUT_MS = scheduleTargetTimeoutMs.campaignStart;
/** Longer than the start function's timeout: a run holding an expired lease is dead. */
export const FREEZE_LEASE_MS = CAMPAIGN_START_TIMEOUT_MS + 60 * 1000;

export const startScheduleName = (campaignId: string) => `campaign-${campaignId}`;
export const requeueScheduleName = (campaignId: string) => `campaign-${campaignId}-q`;
export const winnerScheduleName = (campaignId: string) => `campaign-${campaignId}-w`;

export interface StartPayload {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly runId: string;
  /** `decide`: the end of an A/B campaign's test window (winnerScheduleName). */
  readonly step?: 'decide';
}

export class TestWindowNotReady extends Error {
  override readonly name = 'TestWindowNotReady';
}

export class FreezeInProgress extends Error {
  override readonly name = 'FreezeInProgress';
}

/** Puts a campaign's pending recipients back on the queue soon (resume, cancel), outside the request. */
export async function requeueCampaign(tenantId: string, campaign: Campaign): Promise<void> {
  if (!campaign.runId) return;
  await (await getScheduler()).schedule({
    name: requeueScheduleName(campaign.id),
    at: new Date(),
    target: 'campaignStart',
    payload: { tenantId, campaignId: campaign.id, runId: campaign.runId },
  });
}

export async function runCampaignStart(
  payload: StartPayload,
  now: () => Date = () => new Date(),
): Promise<void> {
  const { tenantId, campaignId, runId } = payload;
  let campaign = await getCampaign(tenantId, campaignId);
  if (!campaign || campaign.runId !== runId) return;
  const runner = randomUUID();

  if (campaign.status === 'scheduled') {
    campaign = (await begin(tenantId, campaign, runner, now())) ?? (await getCampaign(tenantId, campaignId));
    if (!campaign || campaign.runId !== runId) return;
  }
  if (campaign.phase === 'freezing') {
    campaign = await freeze(tenantId, campaign, runner, now);
    if (!campaign) return;
  }
  if (payload.step === 'decide' && campaign.variants && !campaign.winner) {
    campaign = await decideWinner(tenantId, campaign, now());
  }
  if (campaign.phase === 'queued' && campaign.status === 'canceled' && campaign.variants) {
    await settleHeld(tenantId, campaign.id, (ref) => cancelHeld(tenantId, ref, now()));
  }
  if (campaign.phase === 'queued' && campaign.status === 'sending' && campaign.winner) {
    const variant = campaign.winner.index;
    await settleHeld(tenantId, campaign.id, (ref) => releaseHeld(tenantId, ref, variant, now()));
  }
  if (campaign.phase === 'queued' && (campaign.status === 'sending' || campaign.status === 'canceled')) {
    await enqueuePending(tenantId, campaign.id);
  }
}

/**
 * Writes the winner of an A/B campaign once (conditional on there being
 * none): the variant with the highest rate by `winnerBy`, from the variants'
 * counters (pickWinner; ties to the lower index). Decided in every status
 * after the freeze, so a paused campaign releases on resume and a canceled
 * or fully tested (testPercent 100) one still reports it. Returns the
 * campaign as it is now (with the winner, whoever wrote it).
 */
export async function decideWinner(tenantId: string, campaign: Campaign, now: Date): Promise<Campaign> {
  const variants = campaign.variants ?? [];
  if (campaign.phase === 'freezing') {
    // Not possible within decideAfterHours ≥ 1 unless the freeze is stuck: the scheduler retries.
    throw new TestWindowNotReady(`Campaign ${campaign.id} is still freezing its recipients`);
  }
  const counts = await readVariantCounts(tenantId, campaign.id, variants.length, true);
  const by = campaign.winnerBy ?? 'humanOpens';
  const decided = await transitionCampaign(tenantId, campaign.id, {
    from: ['sending', 'paused', 'sent', 'canceled'],
    absent: ['winner'],
    set: { winner: { index: pickWinner(counts, by), by, decidedAt: now.toISOString() } },
  });
  return decided ?? (await getCampaign(tenantId, campaign.id)) ?? campaign;
}

/** Moves every held recipient of a campaign on (released or canceled); each move is conditional on `held`. */
async function settleHeld(
  tenantId: string,
  campaignId: string,
  move: (ref: { kind: 'campaign'; campaignId: string; contactId: string }) => Promise<unknown>,
): Promise<void> {
  for await (const page of recipientPages(tenantId, campaignId, 'held')) {
    const ids = page.items.map((item) => String(item.sk));
    for (let start = 0; start < ids.length; start += 25) {
      await Promise.all(
        ids.slice(start, start + 25).map((contactId) => move({ kind: 'campaign', campaignId, contactId })),
      );
    }
  }
}

/** Step 1: the one firing that moves the campaign to `sending` holds the freezing lease. */
async function begin(tenantId: string, campaign: Campaign, runner: string, now: Date) {
  const [template, segment] = await Promise.all([
    getRecord(templates, tenantId, campaign.templateId, true),
    getRecord(segments, tenantId, campaign.segmentId, true),
  ]);
  if (!template || !segment) {
    // Erased since it was scheduled: nothing to send.
    return transitionCampaign(tenantId, campaign.id, {
      from: ['scheduled'],
      where: { runId: campaign.runId },
      to: 'canceled',
      set: { canceledAt: now.toISOString(), cancelReason: 'template_or_segment_missing' },
    });
  }
  return transitionCampaign(tenantId, campaign.id, {
    from: ['scheduled'],
    where: { runId: campaign.runId },
    to: 'sending',
    set: {
      startedAt: now.toISOString(),
      phase: 'freezing',
      snapshot: {
        template: {
          name: template.name,
          subject: template.subject,
          html: template.html,
          ...(template.text === undefined ? {} : { text: template.text }),
        },
        segment: { name: segment.name, filter: segment.filter },
      },
      freezeOwner: runner,
      freezeUntil: now.getTime() + FREEZE_LEASE_MS,
    },
  });
}

type Leased = Campaign & { freezeOwner?: string; freezeUntil?: number };

/** Steps 2 and 3; undefined when another run holds (or took) the lease. */
async function freeze(
  tenantId: string,
  campaign: Leased,
  runner: string,
  now: () => Date,
): Promise<Campaign | undefined> {
  const inFlight = ['sending', 'paused', 'canceled'] as const;
  if (campaign.freezeOwner !== runner) {
    if ((campaign.freezeUntil ?? 0) > now().getTime()) {
      // Another run is freezing: fail, so the scheduler tries again once it is done or dead.
      throw new FreezeInProgress(`Campaign ${campaign.id} is being frozen by another run`);
    }
    const taken = await transitionCampaign(tenantId, campaign.id, {
      from: inFlight,
      where: { phase: 'freezing', ...(campaign.freezeOwner ? { freezeOwner: campaign.freezeOwner } : {}) },
      set: { freezeOwner: runner, freezeUntil: now().getTime() + FREEZE_LEASE_MS },
    });
    if (!taken) throw new FreezeInProgress(`Campaign ${campaign.id} was taken over by another run`);
  }
  try {
    const filter = campaign.snapshot?.segment.filter;
    if (!filter) throw new Error(`Campaign ${campaign.id} is sending without a snapshot`);
    // The recipients are the segment's contacts that the owner may read now.
    const reader = await currentReader(tenantId, campaign.ownerId, campaign.ownerRights);
    if (reader) {
      for await (const contacts of resolveSegment(tenantId, filter, { now: now(), reader })) {
        await putNewDeliveries(tenantId, await classify(tenantId, campaign, contacts), now());
      }
    }
    const recipientCount = await countRecipients(tenantId, campaign.id);
    if (campaign.variants && campaign.runId) {
      // Before the list counts as complete, so a queued A/B campaign always has its decision scheduled.
      const startedAt = Date.parse(campaign.startedAt ?? now().toISOString());
      await (await getScheduler()).schedule({
        name: winnerScheduleName(campaign.id),
        at: new Date(startedAt + (campaign.decideAfterHours ?? 1) * 3_600_000),
        target: 'campaignStart',
        payload: { tenantId, campaignId: campaign.id, runId: campaign.runId, step: 'decide' },
      });
    }
    return await transitionCampaign(tenantId, campaign.id, {
      from: inFlight,
      where: { phase: 'freezing', freezeOwner: runner },
      set: { phase: 'queued', recipientCount },
      remove: ['freezeOwner', 'freezeUntil'],
    });
  } catch (error) {
    // A failed run lets the next attempt take over at once instead of waiting for the lease.
    await transitionCampaign(tenantId, campaign.id, {
      from: inFlight,
      where: { phase: 'freezing', freezeOwner: runner },
      set: { freezeUntil: 0 },
    }).catch(() => undefined);
    throw error;
  }
}

/**
 * Who gets the email: a contact with an address, subscribed, and not on the
 * suppression list. In an A/B campaign, a recipient to be mailed is in the
 * test group (pending, with its variant) or held for the winner, by
 * assignRecipient, so freezing again assigns the same.
 */
async function classify(
  tenantId: string,
  campaign: Campaign,
  contacts: readonly Contact[],
): Promise<NewDelivery[]> {
  const campaignId = campaign.id;
  const variants = campaign.variants;
  const candidates = contacts.filter((contact) => contact.email && contact.marketingStatus === 'subscribed');
  const suppressed = await suppressedEmails(
    tenantId,
    candidates.map((contact) => contact.email as string),
  );
  return contacts.map((contact): NewDelivery => {
    const ref = { kind: 'campaign' as const, campaignId, contactId: contact.id };
    const email = contact.email;
    const companyId = contact.companyId;
    if (!email) return { ref, companyId, status: 'suppressed', reason: 'no_email' };
    if (contact.marketingStatus !== 'subscribed')
      return { ref, email, companyId, status: 'suppressed', reason: 'not_subscribed' };
    if (suppressed.has(email)) return { ref, email, companyId, status: 'suppressed', reason: 'suppressed' };
    if (!variants) return { ref, email, companyId, status: 'pending' };
    const assignment = assignRecipient(campaignId, contact.id, campaign.testPercent ?? 100, variants.length);
    return assignment.group === 'test'
      ? { ref, email, companyId, status: 'pending', variant: assignment.variant }
      : { ref, email, companyId, status: 'held' };
  });
}

/** A campaign's recipients in one status (their ids), or all of them counted. */
const recipientPages = (tenantId: string, campaignId: string, status: 'pending' | 'held' | undefined) =>
  queryAnswers({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: {
      ':pk': campaignRecipientsPk(tenantId, campaignId),
      ...(status ? { ':status': status } : {}),
    },
    ...(status
      ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
      : { Select: 'COUNT' as const }),
    ...(status ? { ProjectionExpression: 'sk' } : {}),
    ConsistentRead: true,
  });

/** Recipients as written (a strongly consistent count of the campaign's partition). */
async function countRecipients(tenantId: string, campaignId: string): Promise<number> {
  let count = 0;
  for await (const page of recipientPages(tenantId, campaignId, undefined)) count += page.count;
  return count;
}

/**
 * Puts every pending recipient on the send queue. Read from the table itself
 * (strongly consistent), not the status index, which may lag behind a change
 * made a moment ago.
 */
export async function enqueuePending(tenantId: string, campaignId: string): Promise<number> {
  const queue = await getQueue();
  let batch: string[] = [];
  let queued = 0;
  const flush = async (bodies: CampaignSendMessage[]) => {
    if (bodies.length > 0) await queue.sendMessages('campaignSend', bodies);
  };
  let bodies: CampaignSendMessage[] = [];
  for await (const page of recipientPages(tenantId, campaignId, 'pending')) {
    for (const item of page.items) {
      batch.push(String(item.sk));
      if (batch.length === RECIPIENTS_PER_MESSAGE) {
        bodies.push({ tenantId, campaignId, contactIds: batch });
        queued += batch.length;
        batch = [];
      }
    }
    if (bodies.length >= 10) {
      await flush(bodies);
      bodies = [];
    }
  }
  if (batch.length > 0) {
    bodies.push({ tenantId, campaignId, contactIds: batch });
    queued += batch.length;
  }
  await flush(bodies);
  return queued;
}

/** The campaign record key, for callers that condition on it. */
export const campaignKey = (tenantId: string, id: string) => recordKey(tenantId, 'CAMPAIGN', id);
