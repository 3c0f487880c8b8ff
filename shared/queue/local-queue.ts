import { type AttributeValue, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import { delayOf, type Queue, type QueueName, serialise } from './queue.ts';

/**
 * The stand-in for SQS under `npm start`. Like SQS, it keeps messages outside
 * the CRM table: in a local-only DynamoDB Local table (LOCAL_QUEUE_TABLE,
 * created by infra/local/runtime.ts), one partition per queue, one item per
 * message. The consumer (infra/local/queue-consumer.ts) takes visible ones
 * through a local index on `visibleAt`, hides them while a handler runs, and
 * deletes them when it succeeds.
 */
export const localQueueTable = {
  partitionKey: 'queue',
  sortKey: 'messageId',
  /** Local secondary index: a queue's messages by the time they become visible. */
  visibleIndex: { name: 'byVisibleAt', sortKey: 'visibleAt' },
} as const;

export interface LocalMessage {
  readonly queue: QueueName;
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: string;
  /** ISO 8601; a received message is hidden until then. */
  readonly visibleAt: string;
  readonly receiveCount: number;
  /** Changes on every receive, so only the latest receiver deletes it. */
  readonly receipt: string;
}

export function toMessageItem(message: LocalMessage): Record<string, AttributeValue> {
  return {
    queue: { S: message.queue },
    messageId: { S: message.messageId },
    body: { S: message.body },
    sentAt: { S: message.sentAt },
    visibleAt: { S: message.visibleAt },
    receiveCount: { N: String(message.receiveCount) },
    receipt: { S: message.receipt },
  };
}

export function fromMessageItem(item: Record<string, AttributeValue>): LocalMessage {
  return {
    queue: item.queue?.S as QueueName,
    messageId: item.messageId?.S ?? '',
    body: item.body?.S ?? '',
    sentAt: item.sentAt?.S ?? '',
    visibleAt: item.visibleAt?.S ?? '',
    receiveCount: Number(item.receiveCount?.N ?? '0'),
    receipt: item.receipt?.S ?? '',
  };
}

let defaultClient: DynamoDBClient | undefined;

export function localQueue(options: { tableName?: string; client?: DynamoDBClient } = {}): Queue {
  const client = () => {
    if (options.client) return options.client;
    defaultClient ??= new DynamoDBClient({});
    return defaultClient;
  };
  const tableName = () => options.tableName ?? config.localQueueTable;
  return {
    async sendMessages(queue, bodies, options) {
      const sent = new Date();
      const now = sent.toISOString();
      // Like SQS DelaySeconds: the consumer's index query only sees messages once visibleAt has passed.
      const visibleAt = new Date(sent.getTime() + delayOf(options) * 1000).toISOString();
      const items = bodies.map((body) =>
        toMessageItem({
          queue,
          messageId: ulid(),
          body: serialise(queue, body),
          sentAt: now,
          visibleAt,
          receiveCount: 0,
          receipt: '',
        }),
      );
      for (let start = 0; start < items.length; start += 25) {
        let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt > 8) throw new Error('DynamoDB Local kept leaving queue messages unprocessed');
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
          const output = await client().send(
            new BatchWriteItemCommand({ RequestItems: { [tableName()]: requests } }),
          );
          requests = (output.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
        }
      }
    },
  };
}
