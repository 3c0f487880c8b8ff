import { CLAIM_SEND_WINDOW_MS, type DeliveryRef, finalDeliveryStatuses } from '#shared/domain/delivery';
import { SWEEP_AFTER_MS, sweepAction } from '#shared/domain/sequence';
import { settleOpenClaim } from '#shared/mail/deliver';
import { observed } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { alertTenants } from '#shared/store/alerts';
import { abandonStaleClaim, getDelivery, settlePending } from '#shared/store/deliveries';
import { getRecord } from '#shared/store/records';
import {
  countSweep,
  type Enrollment,
  exitEnrollment,
  moveToNextStep,
  overdueEnrollments,
  scheduleStep,
  sequences,
} from '#shared/store/sequences';

/**
 * The recurring sweep of sequence steps left pending (EventBridge Scheduler
 * `rate(60 minutes)`, shared/schedule/scheduler.ts recurringSchedules; under
 * `npm start` the local scheduler runs it on the same interval).
 *
 * How a step is left pending forever: a firing of the step
 * (functions/schedule/sequenceStep.ts) claims its email, sends it and dies
 * (a timeout, out of memory) before recording the outcome, and Lambda's
 * retries die the same way or run out. The one-time schedule deleted itself
 * when it fired, so nothing fires the step again: the delivery stays
 * `sending` (or `pending`, when the firing died before sending) and the
 * enrollment waits at the step with its due time in the past.
 *
 * For each tenant on the recurring jobs' list (shared/store/alerts.ts
 * alertTenants), one Query of the due index finds the active enrollments
 * whose step came due more than SWEEP_AFTER_MS ago. Each is counted
 * (`sweeps`, conditional on the enrollment still waiting at that step, so a
 * step that moved on meanwhile is left alone), then:
 *
 * - the first MAX_SWEEP_REFIRES times, its step's schedule is created again
 *   for now: the step's own firing settles the delivery by evidence (SES's
 *   record of the claim, or its Send event) and sends it only if nothing
 *   went out under the claim, as every firing does (at most once);
 * - after that (a step that keeps dying), the sweep settles the step itself
 *   and never sends: an open claim is `sent` on evidence, otherwise `failed`
 *   (`interrupted`, which a late SES Send event still heals to `sent`); a
 *   pending delivery is `failed`; then the enrollment moves to its next step
 *   (or completes). An archived sequence ends the enrollment instead.
 *
 * Idempotent: a second run finds what the first settled moved on.
 */
export interface SweepSummary {
  readonly tenants: number;
  /** Stuck steps fired again. */
  readonly refired: number;
  /** Stuck steps settled by the sweep (moved on, or ended with their sequence). */
  readonly settled: number;
  readonly failedTenants: string[];
}

export type SweepOutcome = 'refired' | 'settled' | 'moved-on' | 'claim-in-flight';

/** Why a delivery the sweep gave up on was not sent. */
const GAVE_UP = 'not sent: the step kept failing';

/**
 * Settles a step that kept dying without sending anything: its delivery
 * final, the enrollment past it. `claim-in-flight` when a firing holds a
 * fresh claim on it right now (its own outcome will settle it).
 */
async function settleStep(enrollment: Enrollment, now: Date): Promise<SweepOutcome> {
  const { tenantId, sequenceId, contactId, currentStep: step } = enrollment;
  const sequence = await getRecord(sequences, tenantId, sequenceId, true);
  if (!sequence || sequence.archived) {
    await exitEnrollment(tenantId, sequenceId, contactId, 'sequence_archived', { runId: enrollment.runId });
    return 'settled';
  }
  const ref: DeliveryRef = { kind: 'sequence', sequenceId, contactId, step };
  const delivery = await getDelivery(tenantId, ref);
  if (delivery?.status === 'sending') {
    const settled = await settleOpenClaim(tenantId, ref, delivery, { now: () => now });
    // No evidence it went out: given up as interrupted, never sent again (a late Send event heals it).
    if (settled.state === 'sending') {
      const abandoned = await abandonStaleClaim(
        tenantId,
        ref,
        new Date(now.getTime() - CLAIM_SEND_WINDOW_MS),
        now,
      );
      if (!abandoned) return 'claim-in-flight';
    } else if (settled.state === 'pending') {
      await settlePending(tenantId, ref, 'failed', GAVE_UP, now);
    }
  } else if (delivery && !finalDeliveryStatuses.has(delivery.status)) {
    await settlePending(tenantId, ref, 'failed', GAVE_UP, now);
  }
  const after = delivery ? await getDelivery(tenantId, ref) : undefined;
  if (after && !finalDeliveryStatuses.has(after.status)) return 'claim-in-flight';
  await moveToNextStep(enrollment, sequence, step, false);
  return 'settled';
}

/** Sweeps one enrollment found overdue (see the module comment). */
export async function sweepEnrollment(enrollment: Enrollment, now: Date): Promise<SweepOutcome> {
  const sweeps = await countSweep(enrollment, enrollment.currentStep);
  if (sweeps === undefined) return 'moved-on';
  if (sweepAction(sweeps) === 'settle') return settleStep(enrollment, now);
  await scheduleStep(enrollment, enrollment.currentStep, now);
  return 'refired';
}

/** Sweeps a tenant's overdue steps; counts what it did. */
export async function sweepTenant(
  tenantId: string,
  now: Date,
): Promise<{ refired: number; settled: number }> {
  const counts = { refired: 0, settled: 0 };
  const before = new Date(now.getTime() - SWEEP_AFTER_MS).toISOString();
  for await (const page of overdueEnrollments(tenantId, before)) {
    for (const enrollment of page) {
      const outcome = await sweepEnrollment(enrollment, now);
      if (outcome === 'refired') counts.refired++;
      else if (outcome === 'settled') counts.settled++;
      if (outcome !== 'moved-on')
        logger.warn('sequence step swept', {
          tenantId,
          sequenceId: enrollment.sequenceId,
          contactId: enrollment.contactId,
          step: enrollment.currentStep,
          outcome,
        });
    }
  }
  return counts;
}

/** Every listed tenant, one after the other; a tenant that fails is logged and the others still swept. */
export async function sweepSequences(
  now: Date,
  tenants: AsyncIterable<readonly string[]> = alertTenants(),
): Promise<SweepSummary> {
  let checked = 0;
  let refired = 0;
  let settled = 0;
  const failedTenants: string[] = [];
  for await (const page of tenants) {
    for (const tenantId of page) {
      checked++;
      try {
        const counts = await sweepTenant(tenantId, now);
        refired += counts.refired;
        settled += counts.settled;
      } catch (error) {
        failedTenants.push(tenantId);
        logger.error('sequence sweep failed for a tenant', { tenantId, error });
      }
    }
  }
  const summary = { tenants: checked, refired, settled, failedTenants };
  logger.info('sequence sweep done', { ...summary, failedTenants: failedTenants.length });
  return summary;
}

export const handler = observed(async function sequenceSweep(_event: unknown) {
  return sweepSequences(new Date());
});
