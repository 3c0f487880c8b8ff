import { type ExitEvent, exitEventsOf, exitsOn } from '#shared/domain/sequence';
import { logger } from '#shared/observability/logger';
import { getRecord } from '#shared/store/records';
import {
  cancelStep,
  contactEnrollments,
  eraseEnrollment,
  exitEnrollment,
  type Sequence,
  sequences,
} from '#shared/store/sequences';
import type { Consumer, FailedIds, TableChange } from '../pipeline/change.ts';
import { describeError } from '../pipeline/isolation.ts';

/**
 * The sequence side of the stream: exit conditions and erasure.
 * - An exit trigger (see exitEventsOf) ends the contact's active enrollments
 *   in the sequences whose `exitOn` lists it, and deletes their pending step
 *   schedules.
 * - An erased contact (its record deleted) loses its enrollments and their
 *   deliveries (they hold the address); their schedules are deleted.
 * Exits are conditional (only an active enrollment exits) and erasure deletes
 * by key, so a replayed record changes nothing. Each record is applied on its
 * own; returns the events that failed, with their errors.
 */
async function applySequenceExits(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  const sequenceCache = new Map<string, Promise<Sequence | undefined>>();
  const sequenceOf = (tenantId: string, id: string) => {
    const key = `${tenantId}\n${id}`;
    let found = sequenceCache.get(key);
    if (!found) {
      found = getRecord(sequences, tenantId, id, true);
      sequenceCache.set(key, found);
    }
    return found;
  };

  for (const { eventId, old: before, new: after } of changes) {
    try {
      for (const event of exitEventsOf(before, after)) await applyExit(event, sequenceOf);
      if (!after && before?.entity === 'contact' && typeof before.tenantId === 'string')
        await eraseEnrollments(before.tenantId, String(before.id));
    } catch (error) {
      logger.error('sequence exit failed', { eventId, error: describeError(error) });
      failed.set(eventId, error);
    }
  }
  return failed;
}

async function applyExit(
  event: ExitEvent,
  sequenceOf: (tenantId: string, id: string) => Promise<Sequence | undefined>,
): Promise<void> {
  for (const contactId of event.contactIds) {
    const active = (await contactEnrollments(event.tenantId, contactId)).filter(
      (enrollment) => enrollment.status === 'active',
    );
    for (const enrollment of active) {
      const sequence = await sequenceOf(event.tenantId, enrollment.sequenceId);
      if (!sequence || !exitsOn(sequence, event.trigger)) continue;
      const ended = await exitEnrollment(event.tenantId, enrollment.sequenceId, contactId, event.trigger, {
        runId: enrollment.runId,
      });
      if (ended) await cancelStep(ended, ended.currentStep);
    }
  }
}

async function eraseEnrollments(tenantId: string, contactId: string): Promise<void> {
  for (const enrollment of await contactEnrollments(tenantId, contactId)) {
    if (enrollment.status === 'active') await cancelStep(enrollment, enrollment.currentStep);
    await eraseEnrollment(tenantId, enrollment.sequenceId, contactId);
  }
}

export const sequenceExits: Consumer = { name: 'sequence exits', apply: applySequenceExits };
