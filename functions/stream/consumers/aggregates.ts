import { overviewChange } from '#shared/domain/overview';
import { logger } from '#shared/observability/logger';
import { applyCountedEvents, type CountedEvent, MAX_EVENTS_PER_TRANSACTION } from '#shared/store/aggregates';
import type { Consumer, FailedIds, TableChange } from '../pipeline/change.ts';
import { applyIsolated, describeError } from '../pipeline/isolation.ts';

/**
 * Per-tenant report counters (shared/domain/overview.ts), applied per tenant
 * in chunks of one transaction each, with a marker per stream event so a
 * replay counts once. A failed chunk is split until the failing events stand
 * alone (isolation.ts).
 */
async function applyAggregates(changes: readonly TableChange[]): Promise<FailedIds> {
  const byTenant = new Map<string, CountedEvent[]>();
  for (const { eventId, old: before, new: after } of changes) {
    const change = overviewChange(before, after);
    if (!change) continue;
    const list = byTenant.get(change.tenantId) ?? [];
    list.push({ eventId, deltas: change.deltas });
    byTenant.set(change.tenantId, list);
  }
  const failed: FailedIds = new Map();
  for (const [tenantId, events] of byTenant) {
    for (let start = 0; start < events.length; start += MAX_EVENTS_PER_TRANSACTION) {
      const chunk = events.slice(start, start + MAX_EVENTS_PER_TRANSACTION);
      const failures = await applyIsolated(chunk, async (group) => {
        await applyCountedEvents(tenantId, group);
      });
      for (const { item, error } of failures) {
        logger.error('aggregate update failed', {
          tenantId,
          eventId: item.eventId,
          error: describeError(error),
        });
        failed.set(item.eventId, error);
      }
    }
  }
  return failed;
}

export const aggregates: Consumer = { name: 'aggregates', apply: applyAggregates };
