import { canRead } from '#shared/domain/access';
import { type NotificationPlan, notificationPlans } from '#shared/domain/notification-rules';
import { notificationTitle } from '#shared/domain/wording';
import { logger } from '#shared/observability/logger';
import { followersOf } from '#shared/store/collaboration';
import { users } from '#shared/store/entities';
import { notify } from '#shared/store/notifications';
import { getRecord } from '#shared/store/records';
import { userNames } from '#shared/store/user-names';
import type { Consumer, FailedIds, Image, TableChange } from '../pipeline/change.ts';
import { describeError } from '../pipeline/isolation.ts';

/**
 * Notification fan-out (shared/domain/notification-rules.ts): each plan goes
 * to its users and the record's followers who may read the record. Writes
 * are conditional on a deterministic key, so a replayed record notifies
 * nobody twice. Each record is applied on its own.
 */
async function applyNotifications(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  for (const { eventId, old: before, new: after } of changes) {
    const tenantId = (after ?? before)?.tenantId;
    if (typeof tenantId !== 'string') continue;
    try {
      for (const plan of notificationPlans(before, after))
        await deliver(tenantId, plan, ownershipOf(after ?? {}));
    } catch (error) {
      logger.error('notification failed', { eventId, error: describeError(error) });
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
  const actorName =
    (plan.actorId ? (await userNames(tenantId, [plan.actorId])).get(plan.actorId) : undefined) ??
    plan.actorName;
  const actor = plan.actorId && actorName ? { id: plan.actorId, name: actorName } : undefined;
  await notify(tenantId, allowed, {
    kind: plan.kind,
    title: notificationTitle(plan.wording, actor),
    record: plan.record,
    ...(plan.actorId ? { actorId: plan.actorId } : {}),
    ...(actor ? { actor } : {}),
    ...(plan.comment ? { commentId: plan.comment.id, excerpt: plan.comment.excerpt } : {}),
    occurredAt: plan.occurredAt,
    key: plan.key,
  });
}

export const notifications: Consumer = {
  name: 'notifications',
  reportedAs: 'timeline and notifications',
  apply: applyNotifications,
};
