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
  type BulkEntry,
  type BulkEntryResult,
  type BulkMailer,
  MAX_BULK_ENTRIES,
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
 * than one second of the send rate). Each claim is still conditional on its
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
 *   after its budget grant is void (SendGrant.useBy).
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

/**
 * Sends `deliveries` (distinct refs of one sender) in groups of at most 50
 * and at most one second of the send rate; see the module comment.
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
  for (let start = 0; start < deliveries.length; start += size) {
    if (start > 0 && options.proceed && !(await options.proceed()))
      return { ...total, stopped: deliveries.slice(start).map((delivery) => delivery.ref) };
    const result = await sendGroup(tenantId, sender, deliveries.slice(start, start + size), budget, options);
    for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += result[key];
  }
  return { ...total, stopped: [] };
}

async function sendGroup(
  tenantId: string,
  sender: BatchSender,
  group: readonly BatchDelivery[],
  budget: SendBudget,
  options: SendBatchOptions,
): Promise<Counts> {
  const now = options.now ?? (() => new Date());
  defaultBulkMailer ??= sesBulkMailer({ boundedCalls: true });
  const bulk = options.bulkMailer ?? defaultBulkMailer;
  const attempts = Math.max(1, options.attempts ?? 4);
  const backoff = options.backoffMs ?? 200;
  const result = { sent: 0, failed: 0, skipped: 0, released: 0, unknown: 0 };

  // Tokens before the claims, so waiting for the rate holds no claim open; tokens of
  // deliveries that turn out not claimable go unused (the budget under-used, never exceeded).
  let grant: SendGrant = await budget.take(group.length);
  const claimedAt = now();
  const claims = await claimDeliveries(
    tenantId,
    group.map((delivery) => delivery.ref),
    claimedAt,
    options.winner,
  );
  result.skipped = group.length - claims.length;
  if (claims.length === 0) return result;
  const emailOf = new Map(group.map((delivery) => [delivery.ref, delivery.email]));
  const entries = claims.map(
    (claim): BulkEntry => ({
      ...(emailOf.get(claim.ref) as BatchDelivery['email']),
      tags: { ...deliveryTags(tenantId, claim.ref), claim: claim.claimId },
    }),
  );
  const sendBy = claimedAt.getTime() + CLAIM_SEND_START_MS;
  const releaseAll = (): ClaimOutcome[] => claims.map((claim) => ({ claim, outcome: 'released' }));

  let outcomes: ClaimOutcome[];
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1 || !grant.valid()) grant = await budget.take(claims.length);
    } catch (error) {
      // Nothing went to SES: the deliveries may be sent later.
      await settleClaims(tenantId, releaseAll(), now()).catch(() => undefined);
      throw error;
    }
    if (!(now().getTime() < sendBy)) {
      outcomes = releaseAll(); // too late to start a call under these claims: nothing went out
      break;
    }
    let answers: BulkEntryResult[];
    try {
      answers = await bulk.sendBulk({ ...sender, kind: 'campaign', entries });
    } catch (error) {
      const kind = classifySendError(error);
      if (kind === 'throttled' && attempt < attempts) {
        const delay = backoff * 2 ** (attempt - 1);
        await pause(delay + Math.floor(Math.random() * delay));
        continue;
      }
      if (kind === 'throttled') outcomes = releaseAll();
      else if (kind === 'refused') outcomes = await oneByOne(claims, entries, sender, options, now, sendBy);
      else {
        logger.warn('The outcome of a bulk send is unknown; its claims stay open', {
          tenantId,
          recipients: claims.length,
          error: describe(error),
        });
        return { ...result, unknown: claims.length };
      }
      break;
    }
    outcomes = claims.flatMap((claim, index): ClaimOutcome[] => {
      const answer = answers[index] ?? { status: 'unknown' };
      if (answer.status === 'sent') return [{ claim, outcome: 'sent', messageId: answer.messageId }];
      if (answer.status === 'refused') return [{ claim, outcome: 'failed', reason: answer.reason }];
      if (answer.status === 'not_sent') return [{ claim, outcome: 'released' }];
      return []; // SES said nothing about it: the claim stays open
    });
    break;
  }

  for (const outcome of outcomes) if (outcome.outcome === 'sent') emailSent();
  result.unknown = claims.length - outcomes.length;
  try {
    // Undefined for a claim that moved meanwhile: an SES event healed it to `sent` (it went out).
    await settleClaims(tenantId, outcomes, now());
  } catch (error) {
    logger.warn('Recording a bulk send failed; its claims stay open', { tenantId, error: describe(error) });
    return { ...result, unknown: claims.length };
  }
  for (const outcome of outcomes) result[outcome.outcome]++;
  return result;
}

/** After SES refused a whole bulk call (nothing was sent): each email alone, under its claim. */
async function oneByOne(
  claims: readonly BatchClaim[],
  entries: readonly BulkEntry[],
  sender: BatchSender,
  options: SendBatchOptions,
  now: () => Date,
  sendBy: number,
): Promise<ClaimOutcome[]> {
  defaultMailer ??= sesMailer({ boundedCalls: true });
  const mailer = options.mailer ?? defaultMailer;
  const budget = options.budget ?? sharedSendBudget();
  const outcomes: ClaimOutcome[] = [];
  for (const [index, claim] of claims.entries()) {
    const entry = entries[index] as BulkEntry;
    // A fresh token each: the bulk call's own were spent on the refused call.
    await budget.take(1);
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
  return outcomes;
}
