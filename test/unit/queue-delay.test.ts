import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { fromMessageItem, localQueue } from '../../shared/queue/local-queue.ts';
import { delayOf, MAX_DELAY_SECONDS } from '../../shared/queue/queue.ts';
import { sqsQueue } from '../../shared/queue/sqs-queue.ts';

/** A client that records each command's input and answers as if every entry went through. */
function recordingClient() {
  const inputs: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      inputs.push(command.input);
      return {};
    },
  };
  return { client, inputs };
}

describe('queue delays (delaySeconds)', () => {
  it('are whole seconds from 0 to SQS’s 900', () => {
    expect(
      [undefined, 0, 1.4, 15, 900, 901, -3, Number.NaN].map((delaySeconds) => delayOf({ delaySeconds })),
    ).toEqual([0, 0, 1, 15, 900, MAX_DELAY_SECONDS, 0, 0]);
  });

  it('reach SQS as DelaySeconds on every entry, and not at all without one', async () => {
    process.env.WEBHOOK_DELIVERIES_QUEUE_URL = 'https://sqs.example/webhookDeliveries';
    const { client, inputs } = recordingClient();
    const queue = sqsQueue({ client: client as unknown as SQSClient });
    await queue.sendMessages('webhookDeliveries', [{ a: 1 }, { a: 2 }], { delaySeconds: 42 });
    await queue.sendMessages('webhookDeliveries', [{ a: 3 }]);
    const entries = inputs.map((input) => input.Entries as { DelaySeconds?: number }[]);
    expect(entries[0]?.map((entry) => entry.DelaySeconds)).toEqual([42, 42]);
    expect(entries[1]?.[0]?.DelaySeconds).toBeUndefined();
  });

  it('hide a local message until then, as SQS does', async () => {
    const { client, inputs } = recordingClient();
    const queue = localQueue({ tableName: 'queues', client: client as unknown as DynamoDBClient });
    const before = Date.now();
    await queue.sendMessages('webhookDeliveries', [{ a: 1 }], { delaySeconds: 30 });
    await queue.sendMessages('webhookDeliveries', [{ a: 2 }]);
    const [delayed, now] = inputs.map((input) => {
      const writes = (input.RequestItems as Record<string, { PutRequest: { Item: never } }[]>).queues ?? [];
      return fromMessageItem((writes[0] as { PutRequest: { Item: never } }).PutRequest.Item);
    });
    expect(Date.parse(delayed?.visibleAt ?? '') - Date.parse(delayed?.sentAt ?? '')).toBe(30_000);
    expect(Date.parse(delayed?.sentAt ?? '')).toBeGreaterThanOrEqual(before);
    expect(now?.visibleAt).toBe(now?.sentAt);
  });
});
