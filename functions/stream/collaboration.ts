import { canRead } from '#shared/domain/access';
import { type NotificationPlan, notificationPlans } from '#shared/domain/notification-rules';
import { type RecordRef, timelineEntries } from '#shared/domain/timeline';
import {
  deletePartition,
  followersOf,
  followersPk,
  timelinePk,
  writeTimelineEntries,
} from '#shared/store/collaboration';
import { forgetContactDeliveries } from '#shared/store/deliveries';
import { type Activity, activities, users } from '#shared/store/entities';
import type { EntityType } from '#shared/store/keys';
import { recordPk } from '#shared/store/keys';
import { notify } from '#shared/store/notifications';
import { getRecord, listRecords, replaceRecord } from '#shared/store/records';
import { applyIsolated, describeError, type Failures } from './isolation.ts';

type Image = Record<string, unknown>;

export interface StreamChange {
  readonly eventId: string;
  readonly before: Image | undefined;
  readonly after: Image | undefined;
}

/**
 * The collaboration side of the stream: timeline entries (one coalesced write
 * for the batch, split per record when it fails, see isolation.ts),
 * notifications and the clean-up after an erasure. Every step is idempotent
 * (deterministic keys, conditional notification writes), so a replayed record
 * changes nothing. Returns the events that failed, with their errors.
 */
export async function applyCollaboration(changes: readonly StreamChange[]): Promise<Failures> {
  const failed: Failures = new Map();
  const writes = changes.flatMap(({ eventId, before, after }) => {
    const tenantId = after?.tenantId;
    const entries = typeof tenantId === 'string' ? timelineEntries(before, after) : [];
    return entries.length > 0 ? [{ tenantId: tenantId as string, eventId, entries }] : [];
  });
  for (const { item, error } of await applyIsolated(writes, writeTimelineEntries)) {
    console.error(
      JSON.stringify({
        level: 'error',
        message: 'timeline write failed',
        eventId: item.eventId,
        error: describeError(error),
      }),
    );
    failed.set(item.eventId, error);
  }
  for (const { eventId, before, after } of changes) {
    const tenantId = (after ?? before)?.tenantId;
    if (typeof tenantId !== 'string') continue;
    try {
      if (!after && before?.entity === 'contact') await eraseTraces(tenantId, before);
      for (const plan of notificationPlans(before, after))
        await deliver(tenantId, plan, ownershipOf(after ?? {}));
    } catch (error) {
      console.error(
        JSON.stringify({
          level: 'error',
          message: 'notification failed',
          eventId,
          error: describeError(error),
        }),
      );
      failed.set(eventId, error);
    }
  }
  return failed;
}

/** Who owns the record a notification is about (a comment carries its record's owner and team). */
function ownershipOf(image: Image): { ownerId: string; teamId?: string } {
  const ownerId = String(image.recordOwnerId ?? image.ownerId ?? '');
  const teamId = image.recordTeamId ?? image.teamId;
  return { ownerId, ...(typeof teamId === 'string' ? { teamId } : {}) };
}

/** Sends a plan to its users and followers, except the actor and anyone who may not read the record. */
async function deliver(
  tenantId: string,
  plan: NotificationPlan,
  record: { ownerId: string; teamId?: string },
) {
  const followers = plan.followers ? await followersOf(tenantId, plan.record) : [];
  const candidates = [...new Set([...plan.users, ...followers])].filter((userId) => userId !== plan.actorId);
  const allowed: string[] = [];
  for (const userId of candidates) {
    if (userId === record.ownerId) {
      allowed.push(userId);
      continue;
    }
    const user = await getRecord(users, tenantId, userId);
    if (
      user?.active &&
      canRead({ userId, role: user.role, ...(user.teamId ? { teamId: user.teamId } : {}) }, record)
    ) {
      allowed.push(userId);
    }
  }
  if (allowed.length === 0) return;
  await notify(tenantId, allowed, {
    kind: plan.kind,
    title: plan.title,
    record: plan.record,
    ...(plan.actorId ? { actorId: plan.actorId } : {}),
    occurredAt: plan.occurredAt,
    key: plan.key,
  });
}

/**
 * After a GDPR erasure: the person's timeline, comments, followers and their
 * entries on the company timeline go, activities lose their link to them, and
 * campaign and sequence emails to them lose their address.
 */
async function eraseTraces(tenantId: string, contact: Image): Promise<void> {
  const ref: RecordRef = { type: 'contact', id: String(contact.id) };
  await unlinkActivities(tenantId, ref);
  await forgetContactDeliveries(tenantId, ref.id);
  await deletePartition(timelinePk(tenantId, ref));
  await deletePartition(recordPk(tenantId, 'CONTACT' satisfies EntityType, ref.id));
  await deletePartition(followersPk(tenantId, ref));
  if (typeof contact.companyId === 'string') {
    const subject = (item: Record<string, unknown>) => (item.subject as RecordRef | undefined)?.id === ref.id;
    await deletePartition(timelinePk(tenantId, { type: 'company', id: contact.companyId }), subject);
  }
}

/** Activities about an erased person keep their own content but no longer point at them. */
async function unlinkActivities(tenantId: string, ref: RecordRef): Promise<void> {
  for (const archived of [false, true]) {
    let startKey: Record<string, string | number> | undefined;
    do {
      const page = await listRecords(activities, tenantId, {
        archived,
        limit: 100,
        startKey,
        via: { kind: 'parent', parentId: `${ref.type}:${ref.id}` },
      });
      for (const activity of page.items) {
        const { related: _related, relatedKey: _relatedKey, ...rest } = activity;
        const unlinked: Activity = {
          ...rest,
          version: activity.version + 1,
          updatedAt: new Date().toISOString(),
        };
        // A concurrent change wins; the retried stream record unlinks it next time.
        const outcome = await replaceRecord(activities, tenantId, activity, unlinked);
        if (!outcome.ok) throw new Error(`activity ${activity.id} changed while unlinking an erased contact`);
      }
      startKey = page.lastKey;
    } while (startKey);
  }
}
