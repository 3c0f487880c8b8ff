import { timelineEntries, withActorNames } from '#shared/domain/timeline';
import { logger } from '#shared/observability/logger';
import { type TimelineWrite, writeTimelineEntries } from '#shared/store/collaboration';
import { userNames } from '#shared/store/user-names';
import type { Consumer, FailedIds, TableChange } from '../pipeline/change.ts';
import { applyIsolated, describeError } from '../pipeline/isolation.ts';

/**
 * Timeline entries of the batch's changes (shared/domain/timeline.ts), with
 * their actors' names: one coalesced write for the batch, split per record
 * when it fails (isolation.ts). Entry keys are deterministic, so a replayed
 * record writes the same items again.
 */
async function applyTimeline(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  const logFailure = (eventId: string, error: unknown) => {
    logger.error('timeline write failed', { eventId, error: describeError(error) });
    failed.set(eventId, error);
  };
  const derived = changes.flatMap(({ eventId, old: before, new: after }) => {
    const tenantId = after?.tenantId;
    const entries = typeof tenantId === 'string' ? timelineEntries(before, after) : [];
    return entries.length > 0 ? [{ tenantId: tenantId as string, eventId, entries }] : [];
  });
  let writes: readonly TimelineWrite[] = [];
  try {
    writes = await namingActors(derived);
  } catch (error) {
    // The actors' names could not be read: every entry waits for the retry.
    for (const write of derived) logFailure(write.eventId, error);
  }
  for (const { item, error } of await applyIsolated(writes, writeTimelineEntries))
    logFailure(item.eventId, error);
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

/** Reports under the key that timeline, notifications and erasure have always shared in set-aside records. */
export const timeline: Consumer = {
  name: 'timeline',
  reportedAs: 'timeline and notifications',
  apply: applyTimeline,
};
