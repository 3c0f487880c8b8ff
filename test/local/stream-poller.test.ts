import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '#shared/store/table';
import { type RunningDynamoDbLocal, startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import type { StreamHandler } from '../../infra/local/handler-loader.ts';
import { ensureTable } from '../../infra/local/local-table.ts';
import { findFreePort } from '../../infra/local/ports.ts';
import { type StreamPoller, startStreamPoller } from '../../infra/local/stream-poller.ts';
import { eventually } from '../support/api.ts';
import { collectingLogger, tempDir } from './helpers.ts';

let dynamo: RunningDynamoDbLocal;
let dynamodb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let dir: Awaited<ReturnType<typeof tempDir>>;
const pollers: StreamPoller[] = [];
let tableCounter = 0;

beforeAll(async () => {
  dir = await tempDir();
  dynamo = await startDynamoDbLocal({ port: await findFreePort(), log: collectingLogger() });
  const config = {
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  dynamodb = new DynamoDBClient(config);
  streams = new DynamoDBStreamsClient(config);
});

afterAll(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
  dynamodb?.destroy();
  streams?.destroy();
  await dynamo?.stop();
  await dir?.remove();
});

/** A fresh table (from the shared definition) per test, so streams never mix. */
async function freshTable(): Promise<string> {
  const name = `stream-test-${++tableCounter}`;
  await ensureTable(dynamodb, name, tableDefinition, collectingLogger());
  return name;
}

function poll(
  tableName: string,
  handler: StreamHandler,
  extra: { checkpointFile?: string; failureFile?: string } = {},
) {
  const log = collectingLogger();
  const poller = startStreamPoller({
    dynamodb,
    streams,
    tableName,
    loadHandler: async () => handler,
    region: 'eu-west-1',
    log,
    failureFile: extra.failureFile ?? join(dir.path, `${tableName}-failures.jsonl`),
    ...(extra.checkpointFile ? { checkpointFile: extra.checkpointFile } : {}),
    pollMs: 50,
  });
  pollers.push(poller);
  return { poller, log };
}

const put = (tableName: string, sk: string, extra: Record<string, unknown> = {}) =>
  dynamodb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: 'T#t1#THING#1' }, sk: { S: sk }, ...(extra as Record<string, { S: string }>) },
    }),
  );

const skOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.sk?.S;

describe('the stream poller', () => {
  it('delivers INSERT, MODIFY and REMOVE records shaped like Lambda events', async () => {
    const tableName = await freshTable();
    const events: DynamoDBStreamEvent[] = [];
    poll(tableName, async (event) => {
      events.push(event);
      return { batchItemFailures: [] };
    });
    // DynamoDB Local rounds the creation time down to the minute.
    const writtenFrom = Math.floor(Date.now() / 60_000) * 60;
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'T#t1#CONTACT#1' },
          sk: { S: 'A' },
          name: { S: 'Ann' },
          version: { N: '1' },
          avatar: { B: new Uint8Array([1, 2, 255]) },
          tags: { L: [{ S: 'vip' }, { M: { nested: { BOOL: true } } }] },
          customFields: { M: {} },
          nothing: { NULL: true },
          empty: { S: '' },
        },
      }),
    );
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'T#t1#CONTACT#1' }, sk: { S: 'A' } },
        UpdateExpression: 'SET version = :v',
        ExpressionAttributeValues: { ':v': { N: '2' } },
      }),
    );
    await dynamodb.send(
      new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'T#t1#CONTACT#1' }, sk: { S: 'A' } } }),
    );
    const records = await eventually(() => {
      const all = events.flatMap((event) => event.Records);
      expect(all).toHaveLength(3);
      return all;
    });
    const receivedBy = Math.ceil(Date.now() / 1000);
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    for (const record of records) {
      expect(record).toMatchObject({
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'eu-west-1',
        eventSourceARN: Table?.LatestStreamArn,
      });
      expect(record.eventID).toEqual(expect.any(String));
      expect(record.dynamodb?.Keys).toEqual({ pk: { S: 'T#t1#CONTACT#1' }, sk: { S: 'A' } });
      expect(record.dynamodb?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
      expect(record.dynamodb?.SequenceNumber).toMatch(/^\d+$/);
      expect(record.dynamodb?.SizeBytes).toBeGreaterThan(0);
      expect(typeof record.dynamodb?.ApproximateCreationDateTime).toBe('number');
      // Epoch seconds, between the first write and the delivery, however long those took.
      expect(record.dynamodb?.ApproximateCreationDateTime).toBeGreaterThanOrEqual(writtenFrom);
      expect(record.dynamodb?.ApproximateCreationDateTime).toBeLessThanOrEqual(receivedBy);
    }
    const [insert, modify, remove] = records;
    expect(insert?.dynamodb?.OldImage).toBeUndefined();
    expect(insert?.dynamodb?.NewImage).toEqual({
      pk: { S: 'T#t1#CONTACT#1' },
      sk: { S: 'A' },
      name: { S: 'Ann' },
      version: { N: '1' },
      avatar: { B: Buffer.from([1, 2, 255]).toString('base64') },
      tags: { L: [{ S: 'vip' }, { M: { nested: { BOOL: true } } }] },
      customFields: { M: {} },
      nothing: { NULL: true },
      empty: { S: '' },
    });
    expect(modify?.dynamodb?.OldImage?.version).toEqual({ N: '1' });
    expect(modify?.dynamodb?.NewImage?.version).toEqual({ N: '2' });
    expect(remove?.dynamodb?.NewImage).toBeUndefined();
    expect(remove?.dynamodb?.OldImage?.version).toEqual({ N: '2' });
    // The event survives JSON, as Lambda's does.
    expect(JSON.parse(JSON.stringify(events[0]))).toEqual(events[0]);
  });

  it('redelivers from the first reported failure, never the records before it', async () => {
    const tableName = await freshTable();
    const seen: string[] = [];
    let failedOnce = false;
    poll(tableName, async (event): Promise<DynamoDBBatchResponse> => {
      const batch = event.Records.map(skOf) as string[];
      seen.push(...batch);
      const flaky = event.Records.find((record) => skOf(record) === 'B');
      if (flaky && !failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: flaky.dynamodb?.SequenceNumber as string }] };
      }
      return { batchItemFailures: [] };
    });
    for (const sk of ['A', 'B', 'C']) await put(tableName, sk);
    await eventually(() => expect(seen.filter((sk) => sk === 'C').length).toBeGreaterThanOrEqual(1));
    await eventually(() => expect(seen.filter((sk) => sk === 'B')).toHaveLength(2));
    expect(seen.filter((sk) => sk === 'A')).toHaveLength(1);
    expect(seen.indexOf('B')).toBeLessThan(seen.lastIndexOf('B'));
    await put(tableName, 'D');
    await eventually(() => expect(seen).toContain('D'));
    expect(seen.filter((sk) => sk === 'B')).toHaveLength(2);
  });

  it('sets a record that keeps failing aside in the failure file after 3 attempts and moves on', async () => {
    const tableName = await freshTable();
    const failureFile = join(dir.path, 'poison-failures.jsonl');
    const attemptsOnPoison: number[] = [];
    const delivered: string[] = [];
    const { log } = poll(
      tableName,
      async (event) => {
        const failures = [];
        for (const record of event.Records) {
          if (skOf(record) === 'POISON') {
            attemptsOnPoison.push(Date.now());
            failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber as string });
          } else if (failures.length === 0) delivered.push(skOf(record) as string);
        }
        return { batchItemFailures: failures };
      },
      { failureFile },
    );
    for (const sk of ['A', 'POISON', 'B']) await put(tableName, sk);
    await eventually(() => expect(delivered).toContain('B'));
    await put(tableName, 'C');
    await eventually(() => expect(delivered).toContain('C'));
    expect(attemptsOnPoison).toHaveLength(3);
    expect(delivered.filter((sk) => sk === 'A')).toHaveLength(1);
    const lines = (await readFile(failureFile, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] as string);
    expect(entry).toMatchObject({ attempts: 3, reason: 'reported in batchItemFailures' });
    expect(entry.record.dynamodb.Keys.sk).toEqual({ S: 'POISON' });
    expect(entry.record.eventName).toBe('INSERT');
    expect(log.errors.some(({ message }) => message.includes('skipped'))).toBe(true);
  });

  it('bisects a batch whose handler throws, so only the bad record is set aside', async () => {
    const tableName = await freshTable();
    const failureFile = join(dir.path, 'bisect-failures.jsonl');
    const keys = ['K1', 'K2', 'K3', 'BAD', 'K4', 'K5', 'K6'];
    // Written before the poller starts, so they arrive as one batch of 7.
    for (const sk of keys) await put(tableName, sk);
    const delivered = new Set<string>();
    const batchSizes: number[] = [];
    poll(
      tableName,
      async (event) => {
        batchSizes.push(event.Records.length);
        if (event.Records.some((record) => skOf(record) === 'BAD')) throw new Error('cannot handle BAD');
        for (const record of event.Records) delivered.add(skOf(record) as string);
        return undefined;
      },
      { failureFile },
    );
    await eventually(() => expect([...delivered].sort()).toEqual(keys.filter((sk) => sk !== 'BAD').sort()));
    const entries = (await readFile(failureFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries.map((entry) => entry.record.dynamodb.Keys.sk.S)).toEqual(['BAD']);
    expect(entries[0].reason).toBe('cannot handle BAD');
    expect(batchSizes[0]).toBe(7);
    expect(batchSizes.filter((size) => size === 1).length).toBeGreaterThanOrEqual(3);
  });

  it('waits without skipping anything while the handler module cannot be loaded', async () => {
    const tableName = await freshTable();
    const delivered: string[] = [];
    let loadAttempts = 0;
    const log = collectingLogger();
    const failureFile = join(dir.path, 'unloadable-failures.jsonl');
    const poller = startStreamPoller({
      dynamodb,
      streams,
      tableName,
      loadHandler: async () => {
        if (++loadAttempts < 4) throw new Error('functions/stream/tableChanges.ts: SyntaxError');
        return async (event) => {
          delivered.push(...(event.Records.map(skOf) as string[]));
          return { batchItemFailures: [] };
        };
      },
      region: 'us-east-1',
      log,
      failureFile,
      pollMs: 20,
    });
    pollers.push(poller);
    for (const sk of ['A', 'B']) await put(tableName, sk);
    await eventually(() => expect(delivered).toEqual(['A', 'B']));
    await expect(readFile(failureFile)).rejects.toThrow();
    expect(log.errors.filter(({ message }) => message.includes('could not be loaded'))).toHaveLength(1);
  });

  it('resumes after its checkpoint when restarted', async () => {
    const tableName = await freshTable();
    const checkpointFile = join(dir.path, `${tableName}-checkpoints.json`);
    const firstRun: string[] = [];
    const first = poll(
      tableName,
      async (event) => {
        firstRun.push(...(event.Records.map(skOf) as string[]));
        return { batchItemFailures: [] };
      },
      { checkpointFile },
    );
    for (const sk of ['A', 'B']) await put(tableName, sk);
    await eventually(() => expect(firstRun).toEqual(['A', 'B']));
    await first.poller.stop();
    await put(tableName, 'C');
    const secondRun: string[] = [];
    poll(
      tableName,
      async (event) => {
        secondRun.push(...(event.Records.map(skOf) as string[]));
        return { batchItemFailures: [] };
      },
      { checkpointFile },
    );
    await eventually(() => expect(secondRun).toEqual(['C']));
    const saved = JSON.parse(await readFile(checkpointFile, 'utf8'));
    expect(Object.values(saved.shards)).toHaveLength(1);
  });
});
