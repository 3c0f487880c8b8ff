import {
  CLAIM_SEND_START_MS,
  claimVerdict,
  type Delivery,
  type DeliveryRef,
  type SendEvidence,
} from '../domain/delivery.ts';
import { logger } from '../observability/logger.ts';
import { emailSent } from '../observability/metrics.ts';
import { claimDelivery, markClaimFailed, markSent, releaseClaim } from '../store/deliveries.ts';
import type { Mailer, OutgoingEmail } from './mailer.ts';
import { type SendBudget, sharedSendBudget } from './send-budget.ts';
import { type SentLedger, sentLedger } from './sent-ledger.ts';
import { sesMailer } from './ses-mailer.ts';

/**
 * Sends one delivery at most once: take a token from the account-wide send
 * budget, claim the delivery (only a pending delivery can be claimed), send
 * through SES, record the result on the claim.
 *
 * - SES said "not now" (throttled, sending paused): retried here with backoff,
 *   then the claim is released back to `pending` for a later attempt.
 * - SES refused the message for good: `failed` with SES's reason.
 * - Anything else (a timeout, a dropped connection, a failed state write after
 *   the send): SES may have accepted the email, so the claim stays as it is and
 *   `DeliveryOutcomeUnknown` is thrown. Whoever finds the claim later settles
 *   it by evidence (settleOpenClaim): `sent` if SES has a message under the
 *   claim id (the email's `claim` tag), back to `pending` if it has none once
 *   no call under the claim can still reach SES.
 * - No SES call starts later than CLAIM_SEND_START_MS after the claim (the
 *   claim is released unsent instead), and each call is bounded in time, so
 *   that window is known.
 */
export type DeliveryOutcome =
  | { readonly outcome: 'sent'; readonly messageId: string }
  | { readonly outcome: 'failed'; readonly reason: string }
  /** Not pending (someone else sent, is sending, or settled it): nothing was sent. */
  | { readonly outcome: 'skipped' }
  /** Throttled: back to pending, to be sent later. */
  | { readonly outcome: 'released' };

export class DeliveryOutcomeUnknown extends Error {
  override readonly name = 'DeliveryOutcomeUnknown';
  constructor(
    readonly ref: DeliveryRef,
    override readonly cause: unknown,
  ) {
    super(`The outcome of a send is unknown; the delivery stays claimed: ${describe(cause)}`);
  }
}

export interface SendDeliveryOptions {
  readonly mailer?: Mailer;
  readonly budget?: SendBudget;
  readonly now?: () => Date;
  /** Sends tried on throttling before the claim is released. Default 4. */
  readonly attempts?: number;
  /** Backoff before the second attempt, doubled after (plus jitter). Default 200 ms. */
  readonly backoffMs?: number;
  /** An A/B campaign's winning variant: a held recipient may be claimed too (claimDelivery). */
  readonly winner?: number;
}

/** SES errors that say the email was not sent and may be sent later. */
const throttling = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'SendingPausedException',
]);

/** SES errors that say this email will never be accepted as it is. */
const refusals = new Set([
  'BadRequestException',
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'NotFoundException',
  'InvalidParameterValue',
  // Refused before it left (ses-mailer.ts: over SES's documented sizes), so nothing was sent.
  'BulkRequestRefused',
]);

export type SesErrorKind = 'throttled' | 'refused' | 'unknown';

/** How an error from Mailer.send is to be read (see the module comment). */
export function classifySendError(error: unknown): SesErrorKind {
  const { name, $metadata, $fault } = (error ?? {}) as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  if (name && throttling.has(name)) return 'throttled';
  if (name && refusals.has(name)) return 'refused';
  const status = $metadata?.httpStatusCode;
  if (status === 429) return 'throttled';
  // A client error answer is SES saying no; a 5xx or no answer at all leaves it open.
  if ($fault === 'client' && status !== undefined && status >= 400 && status < 500) return 'refused';
  return 'unknown';
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}

/** SES message tags that SES events carry back (see the tracking of events). */
export function deliveryTags(tenantId: string, ref: DeliveryRef): Record<string, string> {
  return ref.kind === 'campaign'
    ? { tenant: tenantId, kind: 'campaign', campaign: ref.campaignId, contact: ref.contactId }
    : {
        tenant: tenantId,
        kind: 'sequence',
        sequence: ref.sequenceId,
        contact: ref.contactId,
        step: String(ref.step),
      };
}

let defaultMailer: Mailer | undefined;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function sendDelivery(
  tenantId: string,
  ref: DeliveryRef,
  email: Omit<OutgoingEmail, 'tags'>,
  options: SendDeliveryOptions = {},
): Promise<DeliveryOutcome> {
  const now = options.now ?? (() => new Date());
  defaultMailer ??= sesMailer({ boundedCalls: true });
  const mailer = options.mailer ?? defaultMailer;
  const budget = options.budget ?? sharedSendBudget();
  const attempts = Math.max(1, options.attempts ?? 4);
  const backoff = options.backoffMs ?? 200;

  // Every call to SES counts against the rate, retries included. The first token is taken
  // before the claim, so waiting for the rate holds no claim open (a token of a delivery
  // someone else holds goes unused: the budget is under-used, never exceeded). A token is
  // only good within its second: one the claim write outlasted is replaced before the call.
  let grant = await budget.take(1);
  const claimedAt = now();
  const claimed = await claimDelivery(tenantId, ref, claimedAt, options.winner);
  if (!claimed?.claimId) return { outcome: 'skipped' };
  const claimId = claimed.claimId;
  const sendBy = claimedAt.getTime() + CLAIM_SEND_START_MS;
  // The claim id goes with the email, so SES's record of it is evidence for this claim.
  const outgoing: OutgoingEmail = { ...email, tags: { ...deliveryTags(tenantId, ref), claim: claimId } };

  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1 || !grant.valid()) grant = await budget.take(1);
    } catch (error) {
      // Nothing went to SES: the delivery may be sent later.
      await releaseClaim(tenantId, ref, claimId, now()).catch(() => undefined);
      throw error;
    }
    if (!(now().getTime() < sendBy)) {
      // Too late to start a call under this claim (see CLAIM_SEND_START_MS): nothing went out.
      await releaseClaim(tenantId, ref, claimId, now());
      return { outcome: 'released' };
    }
    let messageId: string;
    try {
      messageId = await mailer.send(outgoing);
      emailSent();
    } catch (error) {
      const kind = classifySendError(error);
      if (kind === 'throttled' && attempt < attempts) {
        const delay = backoff * 2 ** (attempt - 1);
        await pause(delay + Math.floor(Math.random() * delay));
        continue;
      }
      if (kind === 'throttled') {
        await releaseClaim(tenantId, ref, claimId, now());
        return { outcome: 'released' };
      }
      if (kind === 'refused') {
        const reason = describe(error);
        await markClaimFailed(tenantId, ref, claimId, reason, now());
        return { outcome: 'failed', reason };
      }
      throw new DeliveryOutcomeUnknown(ref, error);
    }
    try {
      // Undefined means the claim was given up meanwhile; the email went out all the same,
      // and SES's event will heal the delivery to `sent`.
      await markSent(tenantId, ref, claimId, messageId, now());
    } catch (error) {
      throw new DeliveryOutcomeUnknown(ref, error);
    }
    return { outcome: 'sent', messageId };
  }
}

export interface SettleOptions {
  readonly ledger?: SentLedger;
  readonly now?: () => Date;
}

export type SettledClaim =
  /** Recorded as sent (SES has the message). */
  | { readonly state: 'sent' }
  /** Back to pending: nothing reached SES under the claim; the caller may send it now. */
  | { readonly state: 'pending' }
  /** Still open; look again after `retryInMs`. */
  | { readonly state: 'sending'; readonly retryInMs: number };

/**
 * Settles a delivery found `sending` by evidence (see claimVerdict): asks
 * SES's record for a message under its claim id, then records it as sent,
 * releases it to pending, or leaves it for later. Every write is conditioned
 * on the same claim, so a claim that moved meanwhile is left to its holder.
 */
export async function settleOpenClaim(
  tenantId: string,
  ref: DeliveryRef,
  delivery: Pick<Delivery, 'status' | 'claimId' | 'claimedAt' | 'messageId'>,
  options: SettleOptions = {},
): Promise<SettledClaim> {
  const now = options.now ?? (() => new Date());
  if (delivery.status !== 'sending' || !delivery.claimId) return { state: 'sending', retryInMs: 1_000 };
  const evidence: SendEvidence = await (options.ledger ?? sentLedger()).lookup(delivery.claimId);
  const verdict = claimVerdict(delivery, evidence, now());
  if (verdict.verdict === 'wait') return { state: 'sending', retryInMs: verdict.untilMs };
  const moved =
    verdict.verdict === 'sent'
      ? await markSent(tenantId, ref, delivery.claimId, verdict.messageId, now())
      : await releaseClaim(tenantId, ref, delivery.claimId, now());
  if (!moved) return { state: 'sending', retryInMs: 1_000 };
  logger.warn(verdict.verdict === 'sent' ? 'open claim settled as sent' : 'open claim released unsent', {
    tenantId,
    ref,
  });
  return { state: verdict.verdict === 'sent' ? 'sent' : 'pending' };
}
