import type { DynamoDBRecord } from 'aws-lambda';
import { expect } from 'vitest';
import type { AnyBody, ApiClient } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { streamRecord } from '../support/stream-records.ts';

/**
 * Helpers of the report tests: every record a list route answers, and a
 * tenant's records replayed through the stream consumer's report aggregates
 * as a stream would deliver them, retries and replays included.
 */

/** Every page of a list route, as the caller sees it. */
export async function listAll<T = AnyBody>(client: ApiClient, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await client.get(
      `${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status, path).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/**
 * Writes `records` (as the API shows them) into the report aggregates of
 * `tenantId` through the stream consumer: each record inserted, the first
 * one also archived and restored. The batch is delivered whole twice, then
 * again from its middle (a retry after a partial failure), so the aggregates
 * must count each event once to come out right.
 */
export async function replayIntoTenant(
  tenantId: string,
  entity: string,
  records: readonly AnyBody[],
): Promise<void> {
  useTestTable();
  const { applyAggregates } = await import('#functions/stream/consumers/aggregates');
  const { decodeRecords } = await import('#functions/stream/pipeline/decode');
  const image = (record: AnyBody, archived = false) => ({
    ...record,
    pk: `test#${record.id}`,
    sk: 'A',
    entity,
    tenantId,
    archived,
  });
  const stream: DynamoDBRecord[] = records.map((record) =>
    streamRecord({ eventId: `${tenantId}-${record.id}`, new: image(record) }),
  );
  const [first] = records;
  if (first) {
    stream.push(
      streamRecord({ eventId: `${tenantId}-archive`, old: image(first), new: image(first, true) }),
      streamRecord({ eventId: `${tenantId}-restore`, old: image(first, true), new: image(first) }),
    );
  }
  const apply = async (batch: readonly DynamoDBRecord[]) =>
    expect(await applyAggregates(decodeRecords(batch).changes)).toEqual(new Map());
  await apply(stream);
  await apply(stream);
  await apply(stream.slice(Math.floor(stream.length / 2)));
}
