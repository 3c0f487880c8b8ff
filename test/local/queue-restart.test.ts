import { join } from 'node:path';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMessageItem } from '#shared/queue/local-queue';
import {
  ensureQueueTable,
  type LocalQueueConsumer,
  startLocalQueueConsumer,
} from '../../infra/local/queue-consumer.ts';
import { eventually } from '../support/api.ts';
import { collectingLogger, startTestDynamo } from './helpers.ts';

/**
 * The SQS stand-in after a crash: a message the dead run had received (hidden
 * for the rest of its visibility timeout) is delivered again as soon as the
 * consumer starts, not minutes later.
 */
let local: Awaited<ReturnType<typeof startTestDynamo>>;
let dynamodb: DynamoDBClient;
let dir: { path: string };
const consumers: LocalQueueConsumer[] = [];

beforeAll(async () => {
  local = await startTestDynamo();
  ({ dynamodb, dir } = local);
});

afterAll(async () => {
  await Promise.all(consumers.map((consumer) => consumer.stop()));
  await local?.stop();
});

describe('the local queue after a restart', () => {
  it('redelivers at once the messages a dead run had received', async () => {
    const tableName = 'queues-restart';
    await ensureQueueTable(dynamodb, tableName);
    const now = Date.now();
    const message = (messageId: string, visibleInMs: number, receipt: string) =>
      dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: toMessageItem({
            queue: 'campaignSend',
            messageId,
            body: JSON.stringify({ messageId }),
            sentAt: new Date(now - 60_000).toISOString(),
            visibleAt: new Date(now + visibleInMs).toISOString(),
            receiveCount: receipt ? 1 : 0,
            receipt,
          }),
        }),
      );
    // Received by the run that died: hidden for the rest of a five-minute visibility timeout.
    await message('in-flight', 5 * 60_000, 'receipt-of-the-dead-run');

    const handled: string[] = [];
    consumers.push(
      startLocalQueueConsumer({
        dynamodb,
        tableName,
        loadHandler: async () => async (event: SQSEvent) => {
          handled.push(...event.Records.map((record) => record.messageId));
          return { batchItemFailures: [] };
        },
        region: 'us-east-1',
        log: collectingLogger(),
        failureFile: join(dir.path, 'queue-failures.jsonl'),
        pollMs: 20,
      }),
    );
    await eventually(() => expect(handled).toEqual(['in-flight']), { timeoutMs: 30_000 });
    await eventually(async () => expect(await consumers[0]?.drained('campaignSend')).toBe(true));
  });
});
