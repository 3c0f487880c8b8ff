import type { DomainEvent } from '#shared/domain/domain-events';
import { getEventBus } from '#shared/events/select';
import { logger } from '#shared/observability/logger';
import {
  isPublished,
  markPublished,
  publishedRecords,
  type StreamRecordRef,
} from '#shared/store/event-markers';
import { domainEventsOf } from '../events/derive.ts';
import type { Consumer, FailedIds, TableChange } from '../pipeline/change.ts';
import { applyIsolated, describeError } from '../pipeline/isolation.ts';

interface Derived {
  readonly ref: StreamRecordRef;
  readonly events: readonly DomainEvent[];
}

/**
 * Publishes the batch's domain events (events/derive.ts) on the deployment's
 * bus (shared/events/), once per stream record under replays:
 *
 * 1. derive the events of every change; a change that means none costs nothing more;
 * 2. read the markers of the records that yield events (one consistent
 *    BatchGetItem per 100) and drop the records already published;
 * 3. publish the rest's events in one go (the bus batches them by 10 and
 *    256 KB, retries what it refused, and hands what it kept refusing to its DLQ);
 * 4. mark those records published: one item per record (not per event),
 *    25 per BatchWriteItem.
 *
 * A replayed or retried batch thus publishes nothing again. A crash (or a
 * failed marker write) between 3 and 4 leaves the records unmarked: Lambda
 * retries them and their events are published again, with the same ids
 * (domainEventId of the stream record and type), so delivery is at least
 * once and receivers drop repeats by `id`. Records whose markers could not be
 * read, or whose events could not be published, are failed and retried.
 *
 * Added DynamoDB writes: one per stream record that yields events, none for
 * the others (bench/integrations.ts measures it).
 */
async function applyEventBus(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  const fail = (items: readonly Derived[], error: unknown, what: string) => {
    logger.error(`domain events: ${what} failed`, { error: describeError(error), records: items.length });
    for (const item of items) failed.set(item.ref.eventId, error);
  };
  const derived: Derived[] = [];
  for (const change of changes) {
    try {
      const events = domainEventsOf(change);
      if (events.length > 0 && change.tenantId)
        derived.push({ ref: { tenantId: change.tenantId, eventId: change.eventId }, events });
    } catch (error) {
      logger.error('domain events: deriving failed', {
        eventId: change.eventId,
        error: describeError(error),
      });
      failed.set(change.eventId, error);
    }
  }
  if (derived.length === 0) return failed;
  let pending: Derived[];
  try {
    const published = await publishedRecords(derived.map((item) => item.ref));
    pending = derived.filter((item) => !isPublished(published, item.ref));
  } catch (error) {
    fail(derived, error, 'reading markers');
    return failed;
  }
  if (pending.length === 0) return failed;
  try {
    const bus = await getEventBus();
    await bus.publish(pending.flatMap((item) => item.events));
  } catch (error) {
    fail(pending, error, 'publishing');
    return failed;
  }
  // One shared write, split when it fails (isolation.ts); an unmarked record is retried, its events sent again under the same ids.
  const unmarked = await applyIsolated(pending, (group) => markPublished(group.map((item) => item.ref)));
  for (const { item, error } of unmarked) fail([item], error, 'marking published');
  return failed;
}

export const eventBus: Consumer = { name: 'event bus', apply: applyEventBus };
