import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { fromMessageItem, type LocalMessage, localQueueTable } from '#shared/queue/local-queue';
import { type QueueName, queueNames } from '#shared/queue/queue';
import {
  appendFailure,
  backoffMs,
  ensureIndexedTable,
  PollLoop,
  ProblemLog,
  withTimeout,
} from './background.ts';
import { moduleHandlerLoader } from './handler-loader.ts';
import { createLambdaContext, LOCAL_ACCOUNT_ID } from './lambda-context.ts';
import type { Logger } from './logger.ts';

/**
 * The consuming half of the local SQS stand-in (shared/queue/local-queue.ts is
 * the sending half). Like a Lambda event source mapping it takes up to
 * `batchSize` visible messages, hides them for `visibilityTimeoutMs`, invokes
 * `functions/queue/<queue>.ts` with an SQSEvent and deletes the messages the
 * handler did not report in `batchItemFailures`. A failed message becomes
 * visible again after a backoff (shorter than SQS's visibility timeout, so
 * local retries come quickly); after `maxReceiveCount` receives it goes to a
 * JSONL file (the DLQ). `concurrency` invocations run at once, as concurrent
 * Lambda instances would. Messages are kept in DynamoDB Local, so they survive
 * a restart; those a previous run had received and not finished (it crashed
 * or was stopped mid-handler) are made visible at once on start: their
 * handler is gone, as a Lambda instance whose visibility timeout ran out.
 */
export type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;
export type LoadQueueHandler = (queue: QueueName) => Promise<QueueHandler>;

export const loadQueueConsumerHandler: LoadQueueHandler = moduleHandlerLoader<QueueHandler>(async (queue) =>
  (await import('../lambdas.ts')).queueConsumerEntry(queue as QueueName),
);

export interface LocalQueueConsumerOptions {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly loadHandler: LoadQueueHandler;
  readonly region: string;
  readonly log: Logger;
  readonly failureFile: string;
  /** Between polls of an idle queue. Default 100 ms. */
  readonly pollMs?: number;
  /** Messages per invocation. Default 5. */
  readonly batchSize?: number;
  /** Invocations running at once per queue. Default 4. */
  readonly concurrency?: number;
  /** How long a received message stays hidden while its handler runs. Default 5 minutes. */
  readonly visibilityTimeoutMs?: number;
  /** Delay before a failed message is visible again, doubled per receive, at most 30 s. Default 1 s. */
  readonly retryBaseMs?: number;
  /** Receives before a message goes to the failure file. Default 10. */
  readonly maxReceiveCount?: number;
  /** The handler's Lambda timeout. Default 120 s. */
  readonly handlerTimeoutMs?: number;
}

export interface LocalQueueConsumer {
  /** Resolves when no message is visible or in flight (tests, benches). */
  drained(queue: QueueName): Promise<boolean>;
  stop(): Promise<void>;
}

/** The local-only table: one partition per queue plus a local secondary index on `visibleAt`. */
export const ensureQueueTable = (
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'unchanged'> =>
  ensureIndexedTable(client, tableName, {
    partitionKey: localQueueTable.partitionKey,
    sortKey: localQueueTable.sortKey,
    index: localQueueTable.visibleIndex,
  });

export function startLocalQueueConsumer(options: LocalQueueConsumerOptions): LocalQueueConsumer {
  const workers = queueNames.map((queue) => new QueueWorker(queue, options));
  const running = workers.flatMap((worker) => worker.start());
  return {
    drained: async (queue) => (await workers.find((worker) => worker.queue === queue)?.isDrained()) ?? true,
    stop: async () => {
      for (const worker of workers) worker.stop();
      await Promise.all(running);
    },
  };
}

class QueueWorker {
  private inFlight = 0;
  private readonly loop = new PollLoop();
  private readonly problems: ProblemLog;

  constructor(
    readonly queue: QueueName,
    private readonly options: LocalQueueConsumerOptions,
  ) {
    this.problems = new ProblemLog(options.log);
  }

  start(): Promise<void>[] {
    const orphansReleased = this.releaseOrphans().catch((error: unknown) =>
      this.problems.report(
        `Local queue ${this.queue}: in-flight messages of a previous run not released`,
        error,
      ),
    );
    return Array.from({ length: Math.max(1, this.options.concurrency ?? 4) }, async () => {
      await orphansReleased;
      await this.run();
    });
  }

  /**
   * Messages hidden by a receive of an earlier run of this consumer (its
   * receipts are of no one alive now) become visible now, instead of after
   * the rest of their visibility timeout.
   */
  private async releaseOrphans(): Promise<void> {
    const now = new Date().toISOString();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.options.dynamodb.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: localQueueTable.visibleIndex.name,
          KeyConditionExpression: '#queue = :queue AND #visible > :now',
          ExpressionAttributeNames: { '#queue': localQueueTable.partitionKey, '#visible': 'visibleAt' },
          ExpressionAttributeValues: { ':queue': { S: this.queue }, ':now': { S: now } },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const message = fromMessageItem(item);
        if (!message.receipt) continue;
        try {
          await this.options.dynamodb.send(
            new UpdateItemCommand({
              TableName: this.options.tableName,
              Key: { queue: { S: this.queue }, messageId: { S: message.messageId } },
              UpdateExpression: 'SET visibleAt = :now',
              ConditionExpression: 'receipt = :receipt',
              ExpressionAttributeValues: { ':now': { S: now }, ':receipt': { S: message.receipt } },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  stop() {
    this.loop.stop();
  }

  async isDrained(): Promise<boolean> {
    if (this.inFlight > 0) return false;
    const { Count = 0 } = await this.options.dynamodb.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: '#queue = :queue',
        ExpressionAttributeNames: { '#queue': localQueueTable.partitionKey },
        ExpressionAttributeValues: { ':queue': { S: this.queue } },
        Select: 'COUNT',
        ConsistentRead: true,
      }),
    );
    return Count === 0 && this.inFlight === 0;
  }

  /** The concurrent runners of one worker share its loop: stop() wakes them all. */
  private run(): Promise<void> {
    return this.loop.run(
      this.options.pollMs ?? 100,
      async () => {
        const messages = await this.receive();
        if (messages.length === 0) return false;
        await this.process(messages);
        return true;
      },
      (error) =>
        this.problems.report(
          `Local queue ${this.queue}: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  }

  /** Takes up to batchSize visible messages, each hidden by a conditional update (one receiver wins). */
  private async receive(): Promise<LocalMessage[]> {
    const batchSize = this.options.batchSize ?? 5;
    const now = new Date();
    const { Items = [] } = await this.options.dynamodb.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: localQueueTable.visibleIndex.name,
        KeyConditionExpression: '#queue = :queue AND #visible <= :now',
        ExpressionAttributeNames: { '#queue': localQueueTable.partitionKey, '#visible': 'visibleAt' },
        ExpressionAttributeValues: { ':queue': { S: this.queue }, ':now': { S: now.toISOString() } },
        Limit: batchSize * 2,
      }),
    );
    const hiddenUntil = new Date(now.getTime() + (this.options.visibilityTimeoutMs ?? 300_000)).toISOString();
    const received: LocalMessage[] = [];
    for (const item of Items) {
      if (received.length >= batchSize) break;
      const message = fromMessageItem(item);
      const receipt = randomUUID();
      try {
        await this.options.dynamodb.send(
          new UpdateItemCommand({
            TableName: this.options.tableName,
            Key: { queue: { S: this.queue }, messageId: { S: message.messageId } },
            UpdateExpression: 'SET visibleAt = :hidden, receipt = :receipt ADD receiveCount :one',
            ConditionExpression: 'visibleAt = :seen',
            ExpressionAttributeValues: {
              ':hidden': { S: hiddenUntil },
              ':receipt': { S: receipt },
              ':one': { N: '1' },
              ':seen': { S: message.visibleAt },
            },
          }),
        );
        received.push({
          ...message,
          receipt,
          visibleAt: hiddenUntil,
          receiveCount: message.receiveCount + 1,
        });
      } catch (error) {
        // Another worker took it first.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return received;
  }

  private async process(messages: LocalMessage[]): Promise<void> {
    this.inFlight++;
    try {
      const failed = await this.invoke(messages);
      for (const message of messages) {
        if (!failed.has(message.messageId)) await this.remove(message);
        else await this.retryOrGiveUp(message);
      }
    } finally {
      this.inFlight--;
    }
  }

  /** The ids of the messages that failed: the reported ones, or all when the handler threw. */
  private async invoke(messages: LocalMessage[]): Promise<Set<string>> {
    const all = new Set(messages.map((message) => message.messageId));
    const timeoutMs = this.options.handlerTimeoutMs ?? 120_000;
    const context = createLambdaContext({ functionName: this.queue, region: this.options.region, timeoutMs });
    try {
      const handler = await this.options.loadHandler(this.queue);
      const response = await withTimeout(
        handler({ Records: messages.map((message) => this.record(message)) }, context),
        timeoutMs,
      );
      this.problems.clear();
      const reported = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
      // Like Lambda: an identifier that names no message of the batch fails the whole batch.
      if (reported.some((id) => !all.has(id))) return all;
      return new Set(reported);
    } catch (error) {
      this.problems.report(`Local queue ${this.queue}: the handler failed`, error);
      return all;
    }
  }

  private record(message: LocalMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: message.receipt,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(Date.parse(message.sentAt)),
        SenderId: LOCAL_ACCOUNT_ID,
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${this.options.region}:${LOCAL_ACCOUNT_ID}:${this.queue}`,
      awsRegion: this.options.region,
    };
  }

  /** Deletes a message unless another receiver took it meanwhile (its receipt changed). */
  private async remove(message: LocalMessage): Promise<void> {
    try {
      await this.options.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.options.tableName,
          Key: { queue: { S: this.queue }, messageId: { S: message.messageId } },
          ConditionExpression: 'receipt = :receipt',
          ExpressionAttributeValues: { ':receipt': { S: message.receipt } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async retryOrGiveUp(message: LocalMessage): Promise<void> {
    const maxReceives = this.options.maxReceiveCount ?? 10;
    if (message.receiveCount >= maxReceives) {
      await appendFailure(this.options.failureFile, {
        time: new Date().toISOString(),
        queue: this.queue,
        messageId: message.messageId,
        receiveCount: message.receiveCount,
        body: message.body,
      });
      this.options.log.error(
        `Local queue ${this.queue}: message ${message.messageId} failed ${message.receiveCount} times; see ${this.options.failureFile}`,
      );
      await this.remove(message);
      return;
    }
    const delay = backoffMs(this.options.retryBaseMs ?? 1000, message.receiveCount - 1, 30_000);
    try {
      await this.options.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { queue: { S: this.queue }, messageId: { S: message.messageId } },
          UpdateExpression: 'SET visibleAt = :at',
          ConditionExpression: 'receipt = :receipt',
          ExpressionAttributeValues: {
            ':at': { S: new Date(Date.now() + delay).toISOString() },
            ':receipt': { S: message.receipt },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
