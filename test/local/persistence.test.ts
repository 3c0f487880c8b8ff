import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, STREAM_CHECKPOINTS_FILE, startLocalRuntime } from '../../infra/local/runtime.ts';
import { mintToken, verifyToken } from '../../infra/local/tokens.ts';
import { eventually } from '../support/api.ts';
import { collectingLogger, tempDir } from './helpers.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

/** The persistent runtime (`npm start`'s mode) with a stream handler that records what it gets. */
async function start(received: DynamoDBRecord[]): Promise<LocalRuntime> {
  return startLocalRuntime({
    dataDir: dir.path,
    port: 0,
    streamPollMs: 50,
    log: collectingLogger(),
    routes: [],
    loadHttpHandler: async () => {
      throw new Error('no HTTP handlers in this test');
    },
    loadStreamHandler: async () => async (event) => {
      received.push(...event.Records);
      return { batchItemFailures: [] };
    },
  });
}

const client = (runtime: LocalRuntime) =>
  new DynamoDBClient({
    endpoint: runtime.dynamoEndpoint,
    region: runtime.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const keyOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.pk?.S;

describe('a restart with the same data folder', () => {
  it('keeps the data, the keys and the secret, and resumes the stream after its checkpoint', async () => {
    const firstRun: DynamoDBRecord[] = [];
    const first = await start(firstRun);
    expect(first.tableSetup).toBe('created');
    const token = await mintToken(dir.path, { tenant: 'acme', role: 'admin' });
    const secret = first.handlerEnv.SIGNING_SECRET;
    const db = client(first);
    await db.send(
      new PutItemCommand({ TableName: first.tableName, Item: { pk: { S: 'before' }, sk: { S: 'A' } } }),
    );
    await eventually(() => expect(firstRun.map(keyOf)).toEqual(['before']));
    db.destroy();
    await first.stop();
    expect(JSON.parse(await readFile(join(dir.path, STREAM_CHECKPOINTS_FILE), 'utf8')).streamArn).toEqual(
      expect.any(String),
    );

    const secondRun: DynamoDBRecord[] = [];
    const second = await start(secondRun);
    try {
      expect(second.tableSetup).toBe('unchanged');
      expect(second.handlerEnv.SIGNING_SECRET).toBe(secret);
      await expect(verifyToken(dir.path, token)).resolves.toMatchObject({ sub: 'admin-acme' });
      const again = client(second);
      const { Item } = await again.send(
        new GetItemCommand({ TableName: second.tableName, Key: { pk: { S: 'before' }, sk: { S: 'A' } } }),
      );
      expect(Item).toBeDefined();
      await again.send(
        new PutItemCommand({ TableName: second.tableName, Item: { pk: { S: 'after' }, sk: { S: 'A' } } }),
      );
      await eventually(() => expect(secondRun.map(keyOf)).toEqual(['after']));
      again.destroy();
    } finally {
      await second.stop();
    }
  });
});
