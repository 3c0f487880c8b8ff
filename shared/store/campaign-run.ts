import { randomUUID } from 'node:crypto';
import { config } from '../config.ts';
import { assignTestGroup, decideFrom } from '../domain/ab-test.ts';
import { settledCount } from '../domain/campaign.ts';
import { getQueue } from '../queue/select.ts';
import { scheduleTargetTimeoutMs } from '../schedule/scheduler.ts';
import { getScheduler } from '../schedule/select.ts';
import {
  type Campaign,
  type CampaignCompiled,
  getCampaign,
  readVariantCounts,
  suppressedEmails,
  transitionCampaign,
} from './campaigns.ts';
import { assignTestRecipient, type NewDelivery, putNewDeliveries } from './deliveries.ts';
import type { Contact } from './entities.ts';
import { campaignRecipientsPk, recordKey } from './keys.ts';
import { queryAnswers } from './query.ts';
import { currentReader } from './readers.ts';
import { getRecord } from './records.ts';
import { resolveSegment } from './segment-resolution.ts';
import { segments } from './segments.ts';
import { type Template, templates } from './templates.ts';

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
 * An A/B campaign (shared/domain/ab-test.ts) freezes its sendable recipients
 * `held` (group `rest`), then moves its test group (assignTestGroup: exact
 * size, ranked by hash) to `pending` with a variant each: writes for the
 * test group only, repeated identically by a retried freeze. Before step 3 it
 * creates the one-time schedule `campaign-<id>-w` at queued + decideAfterHours
 * and records `testStartedAt` and `testRecipients`. That firing (same target,
 * `step: decide`) writes the winner once (conditional) when every test
 * recipient is final and the window has passed, else re-arms itself
 * (decideWinner). Nothing is written per held recipient: once a winner
 * exists, every run that queues a sending campaign's recipients queues the
 * held ones too and the sender claims them straight from `held` with the
 * winner's variant (claimDelivery), so the decision run is one conditional
 * write plus the queueing, which any later run (a retry, a resume) repeats.
 * A canceled campaign's held recipients are queued to be settled as
 * canceled by the sender, like its pending ones; its decision never comes.
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
/**
 * The decision schedule of an A/B campaign: `campaign-<id>-w` when the test group is queued, and
 * a new name per re-arm (`-w-<minute of the new time, base 36>`). A re-arm happens inside that
 * schedule's own firing, and EventBridge deletes a one-time schedule once its firing completes
 * (ActionAfterCompletion DELETE): rewriting the firing schedule itself could be deleted with it.
 * A cancel deletes the first; a re-armed one that fires on a canceled campaign decides nothing.
 */
export const winnerScheduleName = (campaignId: string, rearmedFor?: Date) =>
  rearmedFor
    ? `campaign-${campaignId}-w-${Math.floor(rearmedFor.getTime() / 60_000).toString(36)}`
    : `campaign-${campaignId}-w`;

export interface StartPayload {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly runId: string;
  /** `decide`: the end of an A/B campaign's test window (winnerScheduleName). */
  readonly step?: 'decide';
  /** The time the firing was scheduled for (ISO 8601): a decision's window has passed by then at least. */
  readonly scheduledAt?: string;
}

/** How long a decision that came too early (list still freezing, test not settled) waits before it looks again. */
export const DECISION_RECHECK_MS = 15 * 60 * 1000;

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

/**
 * Compiles an A/B variant's subject to a Handlebars spec
 * (shared/domain/template-compiler.ts compileSubjectSpec): passed in by the
 * start function, so that the other importers of this module (the campaigns
 * function) do not carry the compiler.
 */
export type SubjectCompiler = (subject: string) => string;

export async function runCampaignStart(
  payload: StartPayload,
  now: () => Date = () => new Date(),
  compileSubject?: SubjectCompiler,
): Promise<void> {
  const { tenantId, campaignId, runId } = payload;
  let campaign = await getCampaign(tenantId, campaignId);
  if (!campaign || campaign.runId !== runId) return;
  const runner = randomUUID();

  if (campaign.status === 'scheduled') {
    campaign =
      (await begin(tenantId, campaign, runner, now(), compileSubject)) ??
      (await getCampaign(tenantId, campaignId));
    if (!campaign || campaign.runId !== runId) return;
  }
  if (campaign.phase === 'freezing') {
    campaign = await freeze(tenantId, campaign, runner, now);
    if (!campaign) return;
  }
  if (payload.step === 'decide' && campaign.variants && !campaign.winner) {
    const scheduled = payload.scheduledAt ? Date.parse(payload.scheduledAt) : Number.NaN;
    const at = now();
    // A firing is never early by its own clock (a scheduler that fires late, or a local clock moved on).
    const firedAt = Number.isFinite(scheduled) && scheduled > at.getTime() ? new Date(scheduled) : at;
    campaign = await decideWinner(tenantId, campaign, firedAt, at);
  }
  if (campaign.phase === 'queued' && (campaign.status === 'sending' || campaign.status === 'canceled')) {
    // Held recipients go too once they can be claimed (a winner) or must be canceled.
    const held = Boolean(campaign.variants) && (campaign.status === 'canceled' || Boolean(campaign.winner));
    await enqueuePending(tenantId, campaign.id, { held });
  }
}

type Testing = Campaign & { testStartedAt?: string; testRecipients?: number };

/**
 * Writes the winner of an A/B campaign once (conditional on there being
 * none), only when the test has a result: the window (`decideAfterHours`
 * from `testStartedAt`, when the test group was queued) has passed and every
 * test recipient is final (its variants' settled counts reach
 * `testRecipients`). Earlier (still freezing, paused with the test unsent,
 * counts not in yet) the decision schedule is re-armed for the window's end
 * or DECISION_RECHECK_MS later. The winner is decideFrom's: the highest rate
 * by `winnerBy`, or variant 0 `by: default` when nothing was delivered. A
 * canceled campaign decides nothing. `now` is the firing's time (at least
 * its scheduled time), `clock` the wall clock the re-armed schedule counts
 * from. Returns the campaign as it is now (with the winner, whoever wrote it).
 */
export async function decideWinner(
  tenantId: string,
  campaign: Testing,
  now: Date,
  clock: Date = now,
): Promise<Campaign> {
  if (campaign.status === 'canceled' || campaign.status === 'scheduled' || campaign.status === 'draft')
    return campaign;
  const variants = campaign.variants ?? [];
  const recheck = new Date(clock.getTime() + DECISION_RECHECK_MS);
  if (campaign.phase === 'freezing') return rearmDecision(tenantId, campaign, recheck);
  const startedAt = Date.parse(campaign.testStartedAt ?? campaign.startedAt ?? now.toISOString());
  const due = startedAt + (campaign.decideAfterHours ?? 1) * 3_600_000;
  if (now.getTime() < due) return rearmDecision(tenantId, campaign, new Date(due));
  const counts = await readVariantCounts(tenantId, campaign.id, variants.length, true);
  const settled = counts.reduce((sum, count) => sum + settledCount(count), 0);
  const expected = campaign.testRecipients ?? counts.reduce((sum, count) => sum + count.recipients, 0);
  if (settled < expected) return rearmDecision(tenantId, campaign, recheck);
  const decided = await transitionCampaign(tenantId, campaign.id, {
    from: ['sending', 'paused', 'sent'],
    absent: ['winner'],
    set: { winner: decideFrom(counts, campaign.winnerBy ?? 'humanOpens', now) },
  });
  return decided ?? (await getCampaign(tenantId, campaign.id)) ?? campaign;
}

/** Schedules the decision again at `at`, under a name of its own (see winnerScheduleName). */
async function rearmDecision(tenantId: string, campaign: Campaign, at: Date): Promise<Campaign> {
  if (!campaign.runId) return campaign;
  await (await getScheduler()).schedule({
    name: winnerScheduleName(campaign.id, at),
    at,
    target: 'campaignStart',
    payload: { tenantId, campaignId: campaign.id, runId: campaign.runId, step: 'decide' },
  });
  return campaign;
}

/** Step 1: the one firing that moves the campaign to `sending` holds the freezing lease. */
async function begin(
  tenantId: string,
  campaign: Campaign,
  runner: string,
  now: Date,
  compileSubject: SubjectCompiler | undefined,
) {
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
      compiled: compiledContent(campaign, template, compileSubject),
      freezeOwner: runner,
      freezeUntil: now.getTime() + FREEZE_LEASE_MS,
    },
  });
}

/**
 * What the sender renders: the template version's stored compiled form (absent
 * for a version saved before templates were compiled on save: the backfill
 * fills it in) and the variants' subjects, compiled now. They passed the
 * campaigns function's syntax check when written (template-syntax.ts), which
 * is what the compiler checks, so this does not fail for a campaign the API took.
 */
function compiledContent(
  campaign: Campaign,
  template: Template,
  compileSubject: SubjectCompiler | undefined,
): CampaignCompiled {
  const variants = campaign.variants ?? [];
  if (variants.length > 0 && !compileSubject)
    throw new Error(`Campaign ${campaign.id} has A/B variants and no subject compiler was given`);
  return {
    ...(template.compiled ? { template: template.compiled } : {}),
    ...(variants.length > 0 && compileSubject
      ? { variantSubjects: variants.map((variant) => compileSubject(variant.subject)) }
      : {}),
  };
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
    const test = campaign.variants ? { testRecipients: await assignTest(tenantId, campaign) } : {};
    const queuedAt = now();
    if (campaign.variants && campaign.runId) {
      // Before the list counts as complete, so a queued A/B campaign always has its decision scheduled.
      await (await getScheduler()).schedule({
        name: winnerScheduleName(campaign.id),
        at: new Date(queuedAt.getTime() + (campaign.decideAfterHours ?? 1) * 3_600_000),
        target: 'campaignStart',
        payload: { tenantId, campaignId: campaign.id, runId: campaign.runId, step: 'decide' },
      });
    }
    return await transitionCampaign(tenantId, campaign.id, {
      from: inFlight,
      where: { phase: 'freezing', freezeOwner: runner },
      set: {
        phase: 'queued',
        recipientCount,
        ...(campaign.variants ? { ...test, testStartedAt: queuedAt.toISOString() } : {}),
      },
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
 * suppression list. In an A/B campaign every one to be mailed is frozen
 * `held` in group `rest`; assignTest then moves the test group on.
 */
async function classify(
  tenantId: string,
  campaign: Campaign,
  contacts: readonly Contact[],
): Promise<NewDelivery[]> {
  const campaignId = campaign.id;
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
    if (!campaign.variants) return { ref, email, companyId, status: 'pending' };
    return { ref, email, companyId, status: 'held', group: 'rest' };
  });
}

/**
 * Moves an A/B campaign's test group (assignTestGroup over the sendable
 * recipients, `held` or already `pending`, as frozen: nothing is sent before
 * the list is queued) from `held` to `pending` with its variant, 25 writes at
 * a time; those already moved by an earlier run are left as they are, so a
 * retried freeze finishes the same assignment. Returns the test group's size.
 */
async function assignTest(tenantId: string, campaign: Campaign): Promise<number> {
  const held = new Set<string>();
  const sendable: string[] = [];
  for await (const page of recipientPages(tenantId, campaign.id, ['held', 'pending'], true)) {
    for (const item of page.items) {
      sendable.push(String(item.sk));
      if (item.status === 'held') held.add(String(item.sk));
    }
  }
  const group = assignTestGroup(
    campaign.id,
    sendable,
    campaign.testPercent ?? 100,
    campaign.variants?.length ?? 1,
  );
  const moves = [...group].filter(([contactId]) => held.has(contactId));
  for (let start = 0; start < moves.length; start += 25) {
    await Promise.all(
      moves
        .slice(start, start + 25)
        .map(([contactId, variant]) =>
          assignTestRecipient(tenantId, { kind: 'campaign', campaignId: campaign.id, contactId }, variant),
        ),
    );
  }
  return group.size;
}

/** A campaign's recipients in some statuses (their ids, and statuses when asked), or all of them counted. */
const recipientPages = (
  tenantId: string,
  campaignId: string,
  statuses: readonly ('pending' | 'held')[] | undefined,
  withStatus = false,
) =>
  queryAnswers({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: {
      ':pk': campaignRecipientsPk(tenantId, campaignId),
      ...Object.fromEntries((statuses ?? []).map((status) => [`:${status}`, status])),
    },
    ...(statuses
      ? {
          FilterExpression: statuses.map((status) => `#status = :${status}`).join(' OR '),
          ExpressionAttributeNames: { '#status': 'status' },
          ProjectionExpression: withStatus ? 'sk, #status' : 'sk',
        }
      : { Select: 'COUNT' as const }),
    ConsistentRead: true,
  });

/** Recipients as written (a strongly consistent count of the campaign's partition). */
async function countRecipients(tenantId: string, campaignId: string): Promise<number> {
  let count = 0;
  for await (const page of recipientPages(tenantId, campaignId, undefined)) count += page.count;
  return count;
}

/**
 * Puts every pending recipient (with `held`, an A/B campaign's held ones
 * too) on the send queue. Read from the table itself (strongly consistent),
 * not the status index, which may lag behind a change made a moment ago.
 */
export async function enqueuePending(
  tenantId: string,
  campaignId: string,
  options: { held?: boolean } = {},
): Promise<number> {
  const queue = await getQueue();
  let batch: string[] = [];
  let queued = 0;
  const flush = async (bodies: CampaignSendMessage[]) => {
    if (bodies.length > 0) await queue.sendMessages('campaignSend', bodies);
  };
  let bodies: CampaignSendMessage[] = [];
  for await (const page of recipientPages(
    tenantId,
    campaignId,
    options.held ? ['pending', 'held'] : ['pending'],
  )) {
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
