import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { emptyOverview, type Overview, type OverviewCounter, overviewCounters } from '../domain/overview.ts';
import { dynamo } from './client.ts';
import { aggregateKey, streamMarkerKey } from './keys.ts';
import { type TransactItem, transact } from './transactions.ts';

const OVERVIEW = 'overview';
/** Markers outlive the stream's 24-hour retention, so any replay still finds them. */
const MARKER_TTL_SECONDS = 7 * 24 * 60 * 60;
/** A transaction holds 100 actions: 99 markers and the one aggregate update. */
export const MAX_EVENTS_PER_TRANSACTION = 99;

export async function readOverview(tenantId: string): Promise<Overview> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: config.tableName, Key: aggregateKey(tenantId, OVERVIEW) }),
  );
  const overview = emptyOverview();
  for (const counter of Object.values(overviewCounters)) {
    const value = Item?.[counter];
    if (typeof value === 'number') overview[counter] = value;
  }
  return overview;
}

export interface CountedEvent {
  readonly eventId: string;
  readonly counter: OverviewCounter;
  readonly delta: number;
}

/**
 * Applies one tenant's events in one transaction: a marker per stream event
 * (written only if absent) and the summed counter update. Events whose marker
 * already exists were applied before (a retried or replayed batch): they are
 * dropped and the rest applied, so every event counts exactly once.
 */
export async function applyCountedEvents(
  tenantId: string,
  events: readonly CountedEvent[],
  now = Date.now(),
): Promise<number> {
  let pending = [...events];
  while (pending.length > 0) {
    const sums = new Map<OverviewCounter, number>();
    for (const event of pending) sums.set(event.counter, (sums.get(event.counter) ?? 0) + event.delta);
    const changed = [...sums].filter(([, sum]) => sum !== 0);
    const markers: TransactItem[] = pending.map((event) => ({
      Put: {
        TableName: config.tableName,
        Item: {
          ...streamMarkerKey(tenantId, event.eventId),
          entity: 'stream-marker',
          tenantId,
          expiresAt: Math.floor(now / 1000) + MARKER_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
    const update: TransactItem[] =
      changed.length === 0
        ? []
        : [
            {
              Update: {
                TableName: config.tableName,
                Key: aggregateKey(tenantId, OVERVIEW),
                UpdateExpression: `ADD ${changed.map((_, index) => `#c${index} :d${index}`).join(', ')}`,
                ExpressionAttributeNames: Object.fromEntries(
                  changed.map(([counter], index) => [`#c${index}`, counter]),
                ),
                ExpressionAttributeValues: Object.fromEntries(
                  changed.map(([, sum], index) => [`:d${index}`, sum]),
                ),
              },
            },
          ];
    const outcome = await transact([...markers, ...update]);
    if (outcome.ok) return pending.length;
    const applied = new Set(outcome.failedConditions);
    pending = pending.filter((_, index) => !applied.has(index));
  }
  return 0;
}
