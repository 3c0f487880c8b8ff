import { CLAIM_SEND_START_MS, type DeliveryRef } from '../domain/delivery.ts';
import { logger } from '../observability/logger.ts';
import { emailSent } from '../observability/metrics.ts';
import {
  type BatchClaim,
  type ClaimOutcome,
  claimDeliveries,
  settleClaims,
} from '../store/delivery-batches.ts';
import { classifySendError, deliveryTags } from './deliver.ts';
import type { Mailer } from './mailer.ts';
import { type SendBudget, type SendGrant, sharedSendBudget } from './send-budget.ts';
import {
  BULK_ENVELOPE_RESERVE_BYTES,
  type BulkEntry,
  type BulkEntryResult,
  type BulkMailer,
  bulkEntryPlan,
  MAX_BULK_ENTRIES,
  MAX_BULK_REQUEST_BYTES,
  sesBulkMailer,
  sesMailer,
} from './ses-mailer.ts';

/**
 * Sends many deliveries at most once each, in as few requests as the rules
 * allow (shared/mail/deliver.ts sends one; the rules are the same):
 *
 *   budget (1 UpdateItem, when limited) → claim (1 TransactWriteItems) →
 *   SES (1 SendBulkEmail) → record (1 TransactWriteItems)
 *
 * per group of up to 50 recipients (SES's SendBulkEmail limit, and never more
 * than one second of the send rate), cut sooner so that its request stays
 * within MAX_BULK_REQUEST_BYTES (40 MB, SES's v2 message size quota: see
 * ses-mailer.ts). A recipient whose rendering fits no bulk entry (over SES's
 * 262,144 characters of ReplacementTemplateData) is claimed with its group
 * and sent alone by SendEmail under that claim. Each claim is still conditional on its
 * own delivery (`pending`), so a replayed message or a concurrent sender
 * claims nothing twice; each email still carries its own claim id, so a
 * crash between SES's answer and the record is settled by evidence, never by
 * sending again; each record is still conditioned on its claim.
 *
 * - The whole call throttled (or paused): retried with backoff, a budget
 *   token per attempt, then every claim is released unsent.
 * - The whole call refused: nothing was sent, so each email is tried alone
 *   (SendEmail, same claim), so that one bad address fails only itself.
 * - An entry SES did not send (ACCOUNT_THROTTLED, TRANSIENT_FAILURE...):
 *   released to pending, sent by a later attempt; an entry refused: failed.
 * - No answer, or an answer that says nothing about an entry, or a failed
 *   record: the claim stays open and the outcome is `unknown` (settled by
 *   evidence later, see settleOpenClaim).
 * - No SES call starts later than CLAIM_SEND_START_MS after the claim, nor
 *   after its budget grant is void (SendGrant.useBy), nor for more
 *   recipients than its grant has left: the group's grant covers each
 *   recipient once; a retry, or a call after the grant lapsed, takes another.
 */
export interface BatchDelivery {
  readonly ref: DeliveryRef;
  /** The rendered email: this recipient's subject, parts and headers. */
  readonly email: Omit<BulkEntry, 'tags'>;
}

export interface BatchSender {
  readonly from?: string;
  readonly fromName?: string;
  readonly replyTo?: string;
}

export interface SendBatchOptions {
  readonly bulkMailer?: BulkMailer;
  /** The one-by-one fallback after a refused bulk call. */
  readonly mailer?: Mailer;
  readonly budget?: SendBudget;
  readonly now?: () => Date;
  /** Bulk calls tried on throttling before the claims are released. Default 4. */
  readonly attempts?: number;
  /** Backoff before the second attempt, doubled after (plus jitter). Default 200 ms. */
  readonly backoffMs?: number;
  /** An A/B campaign's winning variant: held recipients may be claimed too. */
  readonly winner?: number;
  /**
   * Asked before every group after the first (a campaign's status read again):
   * false leaves the rest unclaimed, listed in `stopped`.
   */
  readonly proceed?: () => Promise<boolean>;
}

export interface BatchResult {
  readonly sent: number;
  readonly failed: number;
  /** Not claimable (someone else sent, is sending or settled it): nothing sent. */
  readonly skipped: number;
  /** Back to pending unsent (throttled, paused, out of time): to be sent later. */
  readonly released: number;
  /** Claims left open because SES may have accepted the email. */
  readonly unknown: number;
  /** Not tried because `proceed` said stop: still as they were (pending or held). */
  readonly stopped: readonly DeliveryRef[];
}

type Counts = Omit<BatchResult, 'stopped'>;

let defaultBulkMailer: BulkMailer | undefined;
let defaultMailer: Mailer | undefined;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describe = (error: unknown) =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);

/** A claim tag value as long as SES allows (sesTagPart): the claim id is not known before the claim. */
const LONGEST_CLAIM_TAG = 'x'.repeat(256);

/** A recipient of a group, and whether its rendering must go alone by SendEmail (it fits no bulk entry). */
interface Planned {
  readonly delivery: BatchDelivery;
  readonly alone: boolean;
}

/**
 * `deliveries` cut into consecutive groups: at most `size` recipients each
 * (one budget grant, one claim transaction), and the bulk request of each
 * within MAX_BULK_REQUEST_BYTES, counted with the longest claim tag SES
 * allows. A rendering that fits no bulk entry (bulkEntryPlan: over SES's
 * 262,144 characters of ReplacementTemplateData) is claimed with its group
 * and goes out alone by SendEmail; it adds nothing to the bulk request.
 */
function groupsForBulk(tenantId: string, deliveries: readonly BatchDelivery[], size: number): Planned[][] {
  const groups: Planned[][] = [];
  let group: Planned[] = [];
  let bytes = BULK_ENVELOPE_RESERVE_BYTES;
  for (const delivery of deliveries) {
    const entry: BulkEntry = {
      ...delivery.email,
      tags: { ...deliveryTags(tenantId, delivery.ref), claim: LONGEST_CLAIM_TAG },
    };
    const plan = bulkEntryPlan(entry);
    const alone = !plan.fits;
    const added = alone ? 0 : plan.bytes;
    if (group.length >= size || (group.length > 0 && bytes + added > MAX_BULK_REQUEST_BYTES)) {
      groups.push(group);
      group = [];
      bytes = BULK_ENVELOPE_RESERVE_BYTES;
    }
    group.push({ delivery, alone });
    bytes += added;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Sends `deliveries` (distinct refs of one sender) in groups of at most 50,
 * at most one second of the send rate and at most one bulk request's size;
 * see the module comment.
 */
export async function sendDeliveryBatch(
  tenantId: string,
  sender: BatchSender,
  deliveries: readonly BatchDelivery[],
  options: SendBatchOptions = {},
): Promise<BatchResult> {
  const budget = options.budget ?? sharedSendBudget();
  const rate = await budget.rate();
  const size = Math.max(1, Math.min(MAX_BULK_ENTRIES, rate ?? MAX_BULK_ENTRIES));
  const total = { sent: 0, failed: 0, skipped: 0, released: 0, unknown: 0 };
  const groups = groupsForBulk(tenantId, deliveries, size);
  for (const [index, group] of groups.entries()) {
    if (index > 0 && options.proceed && !(await options.proceed()))
      return {
        ...total,
        stopped: groups.slice(index).flatMap((rest) => rest.map((planned) => planned.delivery.ref)),
      };
    const result = await sendGroup(tenantId, sender, group, budget, options);
    for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += result[key];
  }
  return { ...total, stopped: [] };
}

/** A claimed recipient and the email it gets, its claim among its tags. */
interface Claimed {
  readonly claim: BatchClaim;
  readonly entry: BulkEntry;
}

async function sendGroup(
  tenantId: string,
  sender: BatchSender,
  group: readonly Planned[],
  budget: SendBudget,
  options: SendBatchOptions,
): Promise<Counts> {
  const now = options.now ?? (() => new Date());
  const result = { sent: 0, failed: 0, skipped: 0, released: 0, unknown: 0 };

  // Tokens before the claims, so waiting for the rate holds no claim open; tokens of
  // deliveries that turn out not claimable go unused (the budget under-used, never exceeded).
  let grant: SendGrant = await budget.take(group.length);
  let left = group.length;
  /** Leave to start an SES call to `count` recipients now: the grant in hand while it covers them, else a new one. */
  const leave = async (count: number) => {
    if (!grant.valid() || left < count) {
      grant = await budget.take(count);
      left = count;
    }
    left -= count;
  };

  const claimedAt = now();
  const claims = await claimDeliveries(
    tenantId,
    group.map((planned) => planned.delivery.ref),
    claimedAt,
    options.winner,
  );
  result.skipped = group.length - claims.length;
  if (claims.length === 0) return result;
  const plannedOf = new Map(group.map((planned) => [planned.delivery.ref, planned]));
  const together: Claimed[] = [];
  const alone: Claimed[] = [];
  for (const claim of claims) {
    const planned = plannedOf.get(claim.ref) as Planned;
    const entry: BulkEntry = {
      ...planned.delivery.email,
      tags: { ...deliveryTags(tenantId, claim.ref), claim: claim.claimId },
    };
    (planned.alone ? alone : together).push({ claim, entry });
  }
  const sendBy = claimedAt.getTime() + CLAIM_SEND_START_MS;

  // A failed budget (no leave to send) ends the group: what was not sent is released, then it is thrown.
  const bulk = await sendTogether(tenantId, sender, together, leave, options, now, sendBy);
  const outcomes = bulk.outcomes;
  let error = bulk.error;
  if (error === undefined) {
    const solo = await sendEachAlone(alone, sender, leave, options, now, sendBy);
    outcomes.push(...solo.outcomes);
    error = solo.error;
  } else outcomes.push(...alone.map(({ claim }): ClaimOutcome => ({ claim, outcome: 'released' })));

  for (const outcome of outcomes) if (outcome.outcome === 'sent') emailSent();
  result.unknown = claims.length - outcomes.length;
  try {
    // Undefined for a claim that moved meanwhile: an SES event healed it to `sent` (it went out).
    await settleClaims(tenantId, outcomes, now());
  } catch (settleError) {
    logger.warn('Recording a bulk send failed; its claims stay open', {
      tenantId,
      error: describe(settleError),
    });
    if (error !== undefined) throw error;
    return { ...result, unknown: claims.length };
  }
  if (error !== undefined) throw error;
  for (const outcome of outcomes) result[outcome.outcome]++;
  return result;
}

/**
 * The recipients that fit bulk entries, in one SendBulkEmail (retried on
 * throttling): an outcome for each recipient whose fate is known; one with
 * none keeps its claim open. When no leave to send could be had, those not
 * sent are released and the budget's error is handed back.
 */
async function sendTogether(
  tenantId: string,
  sender: BatchSender,
  together: readonly Claimed[],
  leave: (count: number) => Promise<void>,
  options: SendBatchOptions,
  now: () => Date,
  sendBy: number,
): Promise<{ outcomes: ClaimOutcome[]; error?: unknown }> {
  if (together.length === 0) return { outcomes: [] };
  defaultBulkMailer ??= sesBulkMailer({ boundedCalls: true });
  const bulk = options.bulkMailer ?? defaultBulkMailer;
  const attempts = Math.max(1, options.attempts ?? 4);
  const backoff = options.backoffMs ?? 200;
  const releaseAll = (): ClaimOutcome[] => together.map(({ claim }) => ({ claim, outcome: 'released' }));
  for (let attempt = 1; ; attempt++) {
    try {
      await leave(together.length);
    } catch (error) {
      return { outcomes: releaseAll(), error };
    }
    // Too late to start a call under these claims: nothing went out.
    if (!(now().getTime() < sendBy)) return { outcomes: releaseAll() };
    let answers: BulkEntryResult[];
    try {
      answers = await bulk.sendBulk({
        ...sender,
        kind: 'campaign',
        entries: together.map(({ entry }) => entry),
      });
    } catch (error) {
      const kind = classifySendError(error);
      if (kind === 'throttled' && attempt < attempts) {
        const delay = backoff * 2 ** (attempt - 1);
        await pause(delay + Math.floor(Math.random() * delay));
        continue;
      }
      if (kind === 'throttled') return { outcomes: releaseAll() };
      // Nothing was sent: each email alone, so that one bad address fails only itself.
      if (kind === 'refused') return sendEachAlone(together, sender, leave, options, now, sendBy);
      logger.warn('The outcome of a bulk send is unknown; its claims stay open', {
        tenantId,
        recipients: together.length,
        error: describe(error),
      });
      return { outcomes: [] };
    }
    const outcomes = together.flatMap(({ claim }, index): ClaimOutcome[] => {
      const answer = answers[index] ?? { status: 'unknown' };
      if (answer.status === 'sent') return [{ claim, outcome: 'sent', messageId: answer.messageId }];
      if (answer.status === 'refused') return [{ claim, outcome: 'failed', reason: answer.reason }];
      if (answer.status === 'not_sent') return [{ claim, outcome: 'released' }];
      return []; // SES said nothing about it: the claim stays open
    });
    return { outcomes };
  }
}

/**
 * Each email alone by SendEmail, under its own claim: a rendering that fits
 * no bulk entry, or every email of a bulk call SES refused. Each call starts
 * under leave for one recipient. When no leave can be had, the rest are
 * released unsent and the error is handed back with the outcomes so far.
 */
async function sendEachAlone(
  items: readonly Claimed[],
  sender: BatchSender,
  leave: (count: number) => Promise<void>,
  options: SendBatchOptions,
  now: () => Date,
  sendBy: number,
): Promise<{ outcomes: ClaimOutcome[]; error?: unknown }> {
  const outcomes: ClaimOutcome[] = [];
  if (items.length === 0) return { outcomes };
  defaultMailer ??= sesMailer({ boundedCalls: true });
  const mailer = options.mailer ?? defaultMailer;
  for (const [index, { claim, entry }] of items.entries()) {
    try {
      await leave(1);
    } catch (error) {
      for (const rest of items.slice(index)) outcomes.push({ claim: rest.claim, outcome: 'released' });
      return { outcomes, error };
    }
    if (!(now().getTime() < sendBy)) {
      outcomes.push({ claim, outcome: 'released' });
      continue;
    }
    try {
      const messageId = await mailer.send({ ...sender, ...entry });
      outcomes.push({ claim, outcome: 'sent', messageId });
    } catch (error) {
      const kind = classifySendError(error);
      if (kind === 'refused') outcomes.push({ claim, outcome: 'failed', reason: describe(error) });
      else if (kind === 'throttled') outcomes.push({ claim, outcome: 'released' });
      // unknown: the claim stays open
    }
  }
  return { outcomes };
}
