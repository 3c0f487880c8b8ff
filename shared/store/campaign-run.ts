import { randomUUID } from 'node:crypto';
import { config } from '../config.ts';
import { getQueue } from '../queue/select.ts';
import { scheduleTargetTimeoutMs } from '../schedule/scheduler.ts';
import { getScheduler } from '../schedule/select.ts';
import { type Campaign, getCampaign, suppressedEmails, transitionCampaign } from './campaigns.ts';
import { type NewDelivery, putNewDeliveries } from './deliveries.ts';
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

export interface StartPayload {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly runId: string;
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
  if (campaign.phase === 'queued' && (campaign.status === 'sending' || campaign.status === 'canceled')) {
    await enqueuePending(tenantId, campaign.id);
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
        await putNewDeliveries(tenantId, await classify(tenantId, campaign.id, contacts), now());
      }
    }
    const recipientCount = await countRecipients(tenantId, campaign.id);
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

/** Who gets the email: a contact with an address, subscribed, and not on the suppression list. */
async function classify(
  tenantId: string,
  campaignId: string,
  contacts: readonly Contact[],
): Promise<NewDelivery[]> {
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
    return { ref, email, companyId, status: 'pending' };
  });
}

const recipientPages = (tenantId: string, campaignId: string, onlyPending: boolean) =>
  queryAnswers({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: {
      ':pk': campaignRecipientsPk(tenantId, campaignId),
      ...(onlyPending ? { ':pending': 'pending' } : {}),
    },
    ...(onlyPending
      ? { FilterExpression: '#status = :pending', ExpressionAttributeNames: { '#status': 'status' } }
      : { Select: 'COUNT' as const }),
    ...(onlyPending ? { ProjectionExpression: 'sk' } : {}),
    ConsistentRead: true,
  });

/** Recipients as written (a strongly consistent count of the campaign's partition). */
async function countRecipients(tenantId: string, campaignId: string): Promise<number> {
  let count = 0;
  for await (const page of recipientPages(tenantId, campaignId, false)) count += page.count;
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
  for await (const page of recipientPages(tenantId, campaignId, true)) {
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
