import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { eventsMarkerKey } from './keys.ts';

/** Markers outlive the stream's 24-hour retention, so any replay still finds them (as stream-markers.ts). */
const MARKER_TTL_SECONDS = 7 * 24 * 60 * 60;
const GET_BATCH = 100;
const WRITE_BATCH = 25;
const MAX_ATTEMPTS = 8;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One stream record of one tenant. */
export interface StreamRecordRef {
  readonly tenantId: string;
  readonly eventId: string;
}

const refKey = (ref: StreamRecordRef) => `${ref.tenantId}\n${ref.eventId}`;

/**
 * The records whose domain events were published already (their marker
 * exists), by `tenantId\neventId`: consistent BatchGetItem reads of 100 keys,
 * unprocessed keys retried with backoff. Reads only: no write is added for a
 * record whose events still have to go.
 */
export async function publishedRecords(refs: readonly StreamRecordRef[]): Promise<Set<string>> {
  const published = new Set<string>();
  for (let start = 0; start < refs.length; start += GET_BATCH) {
    let keys: Record<string, unknown>[] = refs
      .slice(start, start + GET_BATCH)
      .map((ref) => eventsMarkerKey(ref.tenantId, ref.eventId));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error('DynamoDB kept leaving event markers unread');
      if (attempt > 0) await pause(Math.min(50 * 2 ** attempt, 2000));
      const output = await dynamo.send(
        new BatchGetCommand({
          RequestItems: {
            [config.tableName]: {
              Keys: keys,
              ConsistentRead: true,
              ProjectionExpression: 'tenantId, eventId',
            },
          },
        }),
      );
      for (const item of output.Responses?.[config.tableName] ?? [])
        published.add(refKey({ tenantId: String(item.tenantId), eventId: String(item.eventId) }));
      keys = output.UnprocessedKeys?.[config.tableName]?.Keys ?? [];
    }
  }
  return published;
}

export const isPublished = (published: ReadonlySet<string>, ref: StreamRecordRef): boolean =>
  published.has(refKey(ref));

/**
 * Marks the records whose events were published: one item per record (not
 * per event) beside the other consumers' markers, written 25 to a
 * BatchWriteItem, unprocessed items retried with backoff, expiring after 7 days.
 */
export async function markPublished(refs: readonly StreamRecordRef[], now = Date.now()): Promise<void> {
  const expiresAt = Math.floor(now / 1000) + MARKER_TTL_SECONDS;
  for (let start = 0; start < refs.length; start += WRITE_BATCH) {
    let requests = refs.slice(start, start + WRITE_BATCH).map((ref) => ({
      PutRequest: {
        Item: {
          ...eventsMarkerKey(ref.tenantId, ref.eventId),
          entity: 'stream-marker',
          tenantId: ref.tenantId,
          eventId: ref.eventId,
          expiresAt,
        },
      },
    }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error('DynamoDB kept leaving event markers unprocessed');
      if (attempt > 0) await pause(Math.min(50 * 2 ** attempt, 2000));
      const output = await dynamo.send(
        new BatchWriteCommand({ RequestItems: { [config.tableName]: requests } }),
      );
      requests = (output.UnprocessedItems?.[config.tableName] ?? []) as typeof requests;
    }
  }
}
