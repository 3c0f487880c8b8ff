import { aggregateDeltas } from '#shared/domain/reports/aggregate';
import { reportAggregates } from '#shared/domain/reports/index';
import { logger } from '#shared/observability/logger';
import { applyReportEvents, type ReportEvent, splitEvent } from '#shared/store/report-aggregates';
import type { Consumer, FailedIds, TableChange } from '../pipeline/change.ts';
import { applyIsolated, describeError } from '../pipeline/isolation.ts';

/** Events per isolation unit: a failing unit is split until the failing events stand alone. */
const EVENTS_PER_UNIT = 99;

/**
 * Report aggregates (shared/domain/reports): each change adds its new image's
 * contributions and takes away its old image's. Per tenant, the batch's
 * deltas are coalesced into one update per aggregate item per transaction,
 * with a marker per stream event so a replay counts once. A failed unit is
 * split until the failing events stand alone (isolation.ts); those are
 * returned for the pipeline to retry or set aside.
 */
export async function applyAggregates(changes: readonly TableChange[]): Promise<FailedIds> {
  const byTenant = new Map<string, ReportEvent[]>();
  const failed: FailedIds = new Map();
  /** The stream event of each event applied (an event too large for one transaction is applied in parts). */
  const origins = new Map<string, string>();
  for (const { eventId, tenantId, old: before, new: after } of changes) {
    if (!tenantId) continue;
    let contributions: ReportEvent['contributions'];
    try {
      contributions = aggregateDeltas(before, after, reportAggregates);
    } catch (error) {
      logger.error('report contribution failed', { tenantId, eventId, error: describeError(error) });
      failed.set(eventId, error);
      continue;
    }
    if (contributions.length === 0) continue;
    const list = byTenant.get(tenantId) ?? [];
    for (const part of splitEvent({ eventId, contributions })) {
      origins.set(part.eventId, eventId);
      list.push(part);
    }
    byTenant.set(tenantId, list);
  }
  for (const [tenantId, events] of byTenant) {
    for (let start = 0; start < events.length; start += EVENTS_PER_UNIT) {
      const unit = events.slice(start, start + EVENTS_PER_UNIT);
      const failures = await applyIsolated(unit, async (group) => {
        await applyReportEvents(tenantId, group);
      });
      for (const { item, error } of failures) {
        const eventId = origins.get(item.eventId) ?? item.eventId;
        logger.error('aggregate update failed', {
          tenantId,
          eventId,
          ...(eventId === item.eventId ? {} : { part: item.eventId }),
          error: describeError(error),
        });
        failed.set(eventId, error);
      }
    }
  }
  return failed;
}

export const aggregates: Consumer = { name: 'aggregates', apply: applyAggregates };
