import { canRead } from '#shared/domain/access';
import { CLAIM_SEND_WINDOW_MS, type DeliveryRef } from '#shared/domain/delivery';
import { conditionHolds, exitReasonFor, mailability, stepFiring } from '#shared/domain/sequence';
import { templateFromStored } from '#shared/domain/template';
import { composeEmail } from '#shared/mail/compose';
import { DeliveryOutcomeUnknown, sendDelivery, settleOpenClaim } from '#shared/mail/deliver';
import { observed, tenantOf } from '#shared/observability/invocation';
import { logFailure } from '#shared/observability/logger';
import { getSigningKey } from '#shared/secrets';
import { createDelivery, getDelivery, settlePending } from '#shared/store/deliveries';
import { companies } from '#shared/store/entities';
import { liveContact } from '#shared/store/marketing';
import { currentReader } from '#shared/store/readers';
import { getRecord } from '#shared/store/records';
import {
  advanceEnrollment,
  type Enrollment,
  exitEnrollment,
  getEnrollment,
  isSuppressed,
  lastSentEmail,
  moveToNextStep,
  type Sequence,
  scheduleStep,
  sequences,
} from '#shared/store/sequences';
import { templates, templateVersionKey } from '#shared/store/templates';

/**
 * One step of one contact's enrollment in a follow-up sequence (schedule
 * `seq-<hash>-<step>`, see stepScheduleName). EventBridge Scheduler delivers
 * at least once and sometimes late, and a failed invocation is retried, so:
 *
 * - The enrollment is re-read; only an active one of the payload's run, at the
 *   payload's step, is acted on. A duplicate firing finds it moved on.
 * - The sequence, the contact and its marketing status are re-read: an
 *   archived sequence, a removed contact, one no longer subscribed (or
 *   suppressed), or one the enrolling user may no longer read ends the
 *   enrollment instead of mailing.
 * - The email is a delivery keyed by (sequence, contact, step), created
 *   conditionally and sent through its claim (sendDelivery): of any number of
 *   firings at most one sends. A retry after a crash finds the delivery and
 *   carries on from its state; a throttled send is released and the firing
 *   throws so the scheduler tries again later.
 * - A send whose outcome is unknown, or a claim found open (a firing died
 *   mid-send), is settled by evidence (settleOpenClaim): sent, or back to
 *   pending and sent now; while it cannot be told yet, the step's schedule is
 *   moved to when it can, and the enrollment waits at this step.
 * - Moving on is one conditional write from step n to n + 1 (or to
 *   `completed`). The next step's schedule is created before that write, so a
 *   crash between the two leaves a schedule the retry re-creates, never an
 *   enrollment without one: no step is skipped silently.
 * - A firing that dies (timeout, out of memory) after claiming its email, with
 *   Lambda's retries spent, leaves the enrollment at this step with no
 *   schedule left (it deleted itself when it fired). The sweep
 *   (functions/schedule/sequenceSweep.ts) finds such steps by their due time,
 *   fires them again, and settles one that keeps dying without sending it.
 */
export interface StepEvent {
  readonly tenantId: string;
  readonly sequenceId: string;
  readonly contactId: string;
  readonly step: number;
  readonly runId: string;
}

export type StepOutcome =
  /** The step's email went out (now, or in an earlier firing that did not get to move on). */
  | 'sent'
  /** The step's delivery ended without an email (SES refused it, the template is gone). */
  | 'not-sent'
  /** The step's condition said not to send. */
  | 'condition-skipped'
  /** The enrollment ended here: archived sequence, removed or unsubscribed contact. */
  | 'exited'
  /** The sequence has no step at this index any more: the enrollment completed. */
  | 'completed'
  /** Nothing to do: see StepFiring (`stale`, `ended`, `done`). */
  | 'stale'
  | 'ended'
  | 'done'
  /** The step's email is claimed and its outcome not known yet: the step fires again later. */
  | 'awaiting-outcome'
  /** The event is not a sequence step's (dropped: retrying cannot fix it). */
  | 'invalid';

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

function parse(event: unknown): StepEvent | undefined {
  const { tenantId, sequenceId, contactId, step, runId } = (event ?? {}) as Record<string, unknown>;
  const ids = [tenantId, sequenceId, contactId, runId];
  if (!ids.every((id) => typeof id === 'string' && SAFE_ID.test(id))) return undefined;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) return undefined;
  return {
    tenantId: tenantId as string,
    sequenceId: sequenceId as string,
    contactId: contactId as string,
    step,
    runId: runId as string,
  };
}

/** Thrown so that the scheduler invokes the step again later. */
class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

/** Moves the enrollment past `step` (shared/store/sequences.ts moveToNextStep). */
const advance = (enrollment: Enrollment, sequence: Sequence, step: number, skipped: boolean) =>
  moveToNextStep(enrollment, sequence, step, skipped);

/** Moves this step's own schedule to when its open claim can be settled; the enrollment stays at the step. */
async function recheckLater(enrollment: Enrollment, step: number, inMs: number): Promise<StepOutcome> {
  await scheduleStep(enrollment, step, new Date(Date.now() + Math.max(1_000, inMs)));
  return 'awaiting-outcome';
}

/** Ends the enrollment at this firing; its own schedule is the one firing, so none is left to cancel. */
async function exit(event: StepEvent, reason: Parameters<typeof exitEnrollment>[3]): Promise<StepOutcome> {
  await exitEnrollment(event.tenantId, event.sequenceId, event.contactId, reason, { runId: event.runId });
  return 'exited';
}

export const handler = observed(async function sequenceStep(raw: unknown): Promise<StepOutcome> {
  const event = parse(raw);
  if (!event) {
    logFailure('error', 'invalid sequence step event', { event: raw });
    return 'invalid';
  }
  const { tenantId, sequenceId, contactId, step } = event;
  const enrollment = await getEnrollment(tenantId, sequenceId, contactId);
  const firing = stepFiring(enrollment, event);
  if (!firing.act) {
    if (firing.reason === 'early')
      throw new RetryLater(`Step ${step} fired before its enrollment reached it`);
    return firing.reason;
  }
  if (!enrollment) return 'stale';

  const sequence = await getRecord(sequences, tenantId, sequenceId, true);
  if (!sequence || sequence.archived) return exit(event, 'sequence_archived');
  const definition = sequence.steps[step];
  if (!definition) {
    // Steps were removed by an edit: nothing is left for this enrollment.
    await advanceEnrollment(enrollment, step, { skipped: false });
    return 'completed';
  }

  const contact = await liveContact(tenantId, contactId);
  const suppressed = contact?.email ? await isSuppressed(tenantId, contact.email) : false;
  const mailable = mailability(contact, suppressed);
  if (mailable !== 'ok') return exit(event, exitReasonFor(mailable));
  if (!contact?.email) return exit(event, 'no_email');
  // Mailed only while whoever enrolled the contact may still read it (their rights now).
  const reader = await currentReader(tenantId, enrollment.enrolledBy, enrollment.enrolledAs);
  if (!reader || !canRead(reader, contact)) return exit(event, 'not_readable');

  const ref: DeliveryRef = { kind: 'sequence', sequenceId, contactId, step };
  let delivery = await getDelivery(tenantId, ref);
  if (!delivery) {
    const previous = await lastSentEmail(tenantId, sequenceId, contactId, step);
    if (!conditionHolds(definition.condition, previous)) {
      await advance(enrollment, sequence, step, true);
      return 'condition-skipped';
    }
    await createDelivery(tenantId, {
      ref,
      email: contact.email,
      companyId: contact.companyId,
      status: 'pending',
    });
    delivery = await getDelivery(tenantId, ref);
  }

  if (delivery?.status === 'sending') {
    // A firing died mid-send, or another one is at it: SES's record decides.
    const settled = await settleOpenClaim(tenantId, ref, delivery);
    if (settled.state === 'sending') return recheckLater(enrollment, step, settled.retryInMs);
    delivery = await getDelivery(tenantId, ref);
  }

  if (delivery?.status === 'pending') {
    const template = await getRecord(templates, tenantId, definition.templateId, true);
    // A version saved before templates were compiled on save: sent once the backfill has compiled it.
    if (template && !template.archived && !template.compiled)
      throw new RetryLater('the template of this step has no compiled form yet (npm run templates:compile)');
    const company = contact.companyId ? await getRecord(companies, tenantId, contact.companyId) : undefined;
    let composed: ReturnType<typeof composeEmail> | undefined;
    try {
      if (!template || template.archived || !template.compiled)
        throw new Error('the template of this step is archived or gone');
      composed = composeEmail({
        baseUrl: enrollment.linkBaseUrl,
        tenantId,
        ref,
        contact: contact as unknown as Record<string, unknown>,
        company: company && !company.archived ? (company as unknown as Record<string, unknown>) : undefined,
        template: templateFromStored(templateVersionKey(tenantId, template), template.compiled),
        signingKey: await getSigningKey(),
      });
    } catch (error) {
      // Nothing can be sent for this step; the delivery says why, and the sequence goes on.
      const reason = `not composed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500);
      logFailure('warn', 'sequence step not composed', { tenantId, sequenceId, contactId, step }, error);
      await settlePending(tenantId, ref, 'failed', reason);
    }
    if (composed) {
      const result = await sendDelivery(tenantId, ref, {
        to: delivery.email ?? contact.email,
        subject: composed.subject,
        html: composed.html,
        text: composed.text,
        headers: composed.headers,
        ...(sequence.fromEmail ? { from: sequence.fromEmail } : {}),
        ...(sequence.fromName ? { fromName: sequence.fromName } : {}),
        ...(sequence.replyTo ? { replyTo: sequence.replyTo } : {}),
      }).catch((error: unknown) => {
        if (!(error instanceof DeliveryOutcomeUnknown)) throw error;
        // SES may have taken it: never resend blindly. Its record decides once it can tell.
        logFailure('warn', 'sequence step outcome unknown', { tenantId, sequenceId, contactId, step }, error);
        return { outcome: 'unknown' } as const;
      });
      if (result.outcome === 'released')
        throw new RetryLater('SES throttled the step; it goes out on a retry');
      if (result.outcome === 'unknown') return recheckLater(enrollment, step, CLAIM_SEND_WINDOW_MS);
    }
    delivery = await getDelivery(tenantId, ref);
  }

  if (delivery?.status === 'sending') {
    // Another firing claimed it meanwhile: look again once its outcome can be told.
    return recheckLater(enrollment, step, CLAIM_SEND_WINDOW_MS);
  } else if (delivery?.status === 'pending') {
    throw new RetryLater(`Step ${step} is still pending`);
  }

  await advance(enrollment, sequence, step, false);
  // `sent` also when an earlier firing sent it and died before moving on.
  return delivery?.status === 'sent' ? 'sent' : 'not-sent';
}, tenantOf);
