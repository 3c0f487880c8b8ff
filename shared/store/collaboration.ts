import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DeleteCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { boundedEntry } from '../domain/bounded.ts';
import type { RecordRef, TimelineEntry } from '../domain/timeline.ts';
import { dynamo } from './client.ts';
import { followersPk, timelinePk, timelineSk } from './keys.ts';
import type { PageKey } from './page.ts';
import { queryPage, queryPages } from './query.ts';

export { followersPk, timelinePk };

/**
 * Timelines, followers and comments (keys in keys.ts):
 * - timeline entries: timelinePk / timelineSk (time, stream event id, position), newest first;
 * - followers: followersPk / the user id;
 * - comments: in the record's own partition, `COMMENT#<id>`.
 */
type WriteRequest = NonNullable<
  NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string]
>[number];

/** BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed. */
async function batchWrite(requests: readonly WriteRequest[]): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += 25) chunks.push(requests.slice(start, start + 25));
  // A few requests at a time: fast, without a burst that only earns throttling.
  for (let next = 0; next < chunks.length; next += 4) {
    await Promise.all(chunks.slice(next, next + 4).map(writeChunk));
  }
}

/** One BatchWriteItem, retrying with backoff whatever DynamoDB leaves unprocessed. */
async function writeChunk(chunk: WriteRequest[]): Promise<void> {
  let pending: WriteRequest[] | undefined = chunk;
  for (let attempt = 0; pending && pending.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    if (attempt > 6) throw new Error('batch writes still unprocessed after retries');
    const output: BatchWriteCommandOutput = await dynamo.send(
      new BatchWriteCommand({ RequestItems: { [config.tableName]: pending } }),
    );
    pending = output.UnprocessedItems?.[config.tableName];
  }
}

export interface TimelineWrite {
  readonly tenantId: string;
  /** The stream event the entries come from. */
  readonly eventId: string;
  readonly entries: readonly TimelineEntry[];
}

/**
 * Writes a whole stream batch's entries under deterministic keys (time, stream
 * event id, position), 25 per request: a replayed or duplicated stream record
 * rewrites the same items, never adds. Values are bounded (domain/bounded.ts).
 */
export async function writeTimelineEntries(writes: readonly TimelineWrite[]): Promise<void> {
  const puts = writes.flatMap(({ tenantId, eventId, entries }) =>
    entries.flatMap(({ timelines, ...whole }, index) => {
      // Built from record content, so bounded: a 400 KB record must not make an unwritable entry.
      const entry = boundedEntry(whole);
      return timelines.map((timeline) => ({
        PutRequest: {
          Item: {
            pk: timelinePk(tenantId, timeline),
            sk: timelineSk(entry.at, eventId, index),
            entity: 'timeline',
            tenantId,
            id: timelineSk(entry.at, eventId, index),
            ...entry,
          },
        },
      }));
    }),
  );
  await batchWrite(puts);
}

export interface Page<T> {
  readonly items: T[];
  readonly lastKey: PageKey | undefined;
}

/** One Query per page, newest first. */
export async function readTimeline(
  tenantId: string,
  ref: RecordRef,
  page: { limit: number; startKey: PageKey | undefined },
): Promise<Page<Record<string, unknown>>> {
  const output = await queryPage(
    {
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': timelinePk(tenantId, ref) },
      ScanIndexForward: false,
      Limit: page.limit,
    },
    page.startKey,
  );
  const items = output.items.map(
    ({ pk: _pk, sk: _sk, entity: _entity, tenantId: _tenant, ...entry }) => entry,
  );
  return { items, lastKey: output.lastKey };
}

export async function follow(tenantId: string, ref: RecordRef, userId: string): Promise<void> {
  await dynamo.send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        pk: followersPk(tenantId, ref),
        sk: userId,
        entity: 'follower',
        tenantId,
        userId,
        record: ref,
        since: new Date().toISOString(),
      },
    }),
  );
}

export async function unfollow(tenantId: string, ref: RecordRef, userId: string): Promise<void> {
  await dynamo.send(
    new DeleteCommand({ TableName: config.tableName, Key: { pk: followersPk(tenantId, ref), sk: userId } }),
  );
}

/** A record's followers (bounded: notification fan-out reads at most 1,000). */
export async function followersOf(tenantId: string, ref: RecordRef): Promise<string[]> {
  const users: string[] = [];
  const pages = queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': followersPk(tenantId, ref) },
    ProjectionExpression: 'userId',
  });
  for await (const page of pages) {
    users.push(...page.map((item) => String(item.userId)));
    if (users.length >= 1000) break;
  }
  return users;
}

/** Deletes every item of a partition (an erased person's timeline, comments and followers). */
export async function deletePartition(
  pk: string,
  matching?: (item: Record<string, unknown>) => boolean,
): Promise<void> {
  const pages = queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
  });
  for await (const page of pages) {
    const doomed = page.filter((item) => !matching || matching(item));
    await batchWrite(doomed.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })));
  }
}
