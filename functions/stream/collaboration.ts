import { canRead } from '#shared/domain/access';
import { type NotificationPlan, notificationPlans } from '#shared/domain/notification-rules';
import { timelineEntries, withActorNames } from '#shared/domain/timeline';
import { notificationTitle } from '#shared/domain/wording';
import { followersOf, type TimelineWrite, writeTimelineEntries } from '#shared/store/collaboration';
import { users } from '#shared/store/entities';
import { notify } from '#shared/store/notifications';
import { getRecord } from '#shared/store/records';
import { userNames } from '#shared/store/user-names';
import { eraseTraces } from './erasure.ts';
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
  const logFailure = (message: string, eventId: string, error: unknown) => {
    console.error(JSON.stringify({ level: 'error', message, eventId, error: describeError(error) }));
    failed.set(eventId, error);
  };
  const derived = changes.flatMap(({ eventId, before, after }) => {
    const tenantId = after?.tenantId;
    const entries = typeof tenantId === 'string' ? timelineEntries(before, after) : [];
    return entries.length > 0 ? [{ tenantId: tenantId as string, eventId, entries }] : [];
  });
  let writes: readonly TimelineWrite[] = [];
  try {
    writes = await namingActors(derived);
  } catch (error) {
    // The actors' names could not be read: every entry waits for the retry.
    for (const write of derived) logFailure('timeline write failed', write.eventId, error);
  }
  for (const { item, error } of await applyIsolated(writes, writeTimelineEntries))
    logFailure('timeline write failed', item.eventId, error);
  for (const { eventId, before, after } of changes) {
    const tenantId = (after ?? before)?.tenantId;
    if (typeof tenantId !== 'string') continue;
    try {
      if (!after && before?.entity === 'contact') await eraseTraces(tenantId, before);
      for (const plan of notificationPlans(before, after))
        await deliver(tenantId, plan, ownershipOf(after ?? {}));
    } catch (error) {
      logFailure('notification failed', eventId, error);
    }
  }
  return failed;
}

/** The entries with their actors' names: one read of the users per tenant of the batch. */
async function namingActors(writes: readonly TimelineWrite[]): Promise<TimelineWrite[]> {
  const actorsByTenant = new Map<string, Set<string>>();
  for (const { tenantId, entries } of writes)
    for (const entry of entries)
      if (entry.actorId)
        actorsByTenant.set(tenantId, (actorsByTenant.get(tenantId) ?? new Set()).add(entry.actorId));
  const names = new Map<string, Map<string, string>>();
  for (const [tenantId, ids] of actorsByTenant) names.set(tenantId, await userNames(tenantId, [...ids]));
  return writes.map((write) => ({
    ...write,
    entries: withActorNames(write.entries, names.get(write.tenantId) ?? new Map()),
  }));
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
