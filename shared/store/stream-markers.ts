import { config } from '../config.ts';
import { type TransactItem, transact } from './transactions.ts';

/** Markers outlive the stream's 24-hour retention, so any replay still finds them. */
const MARKER_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface MarkedWrites<E extends { readonly eventId: string }> {
  readonly tenantId: string;
  readonly events: readonly E[];
  /** Each consumer of the stream marks the events it applied under its own key. */
  readonly markerKey: (tenantId: string, eventId: string) => Record<string, string>;
  /** The writes the events make together (coalesced), for the events still to apply. */
  readonly writesOf: (events: readonly E[]) => TransactItem[];
  readonly now: number;
}

/**
 * Applies stream events exactly once: one transaction of a marker per event
 * (written only if absent) and the events' writes. Events whose marker exists
 * were applied before (a retried or replayed batch): they are dropped and the
 * writes of the rest computed again and applied. The caller keeps markers
 * plus writes within a transaction's 100 actions. Returns how many events
 * were applied.
 */
export async function applyOnce<E extends { readonly eventId: string }>(
  options: MarkedWrites<E>,
): Promise<number> {
  const { tenantId, markerKey, writesOf, now } = options;
  let pending = [...options.events];
  while (pending.length > 0) {
    const markers: TransactItem[] = pending.map((event) => ({
      Put: {
        TableName: config.tableName,
        Item: {
          ...markerKey(tenantId, event.eventId),
          entity: 'stream-marker',
          tenantId,
          expiresAt: Math.floor(now / 1000) + MARKER_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
    const outcome = await transact([...markers, ...writesOf(pending)]);
    if (outcome.ok) return pending.length;
    const applied = new Set(outcome.failedConditions);
    pending = pending.filter((_, index) => !applied.has(index));
  }
  return 0;
}
