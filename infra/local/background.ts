import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from './logger.ts';

/**
 * What the local stand-ins for AWS's background services (stream event source,
 * EventBridge Scheduler, SQS consumer, SES events) share: a polling loop that
 * stops promptly, Lambda's handler timeout, retry backoff, a log that does not
 * repeat itself, the JSONL file that plays the dead-letter queue, and their
 * local-only tables.
 */

/** `baseMs` doubled per retry, at most `capMs`. */
export const backoffMs = (baseMs: number, retries: number, capMs: number): number =>
  Math.min(baseMs * 2 ** retries, capMs);

/** Settles as `work` does, or rejects after `timeoutMs`, as Lambda ends a handler at its timeout. */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The dead-letter stand-in: one JSON object a line. */
export async function appendFailure(file: string, entry: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(entry)}\n`);
}

/** Logs a problem once until a different one comes up: a loop retrying every few ms would flood the log. */
export class ProblemLog {
  private last = '';
  constructor(private readonly log: Logger) {}

  report(problem: string, ...error: [unknown?]): void {
    if (problem !== this.last) this.log.error(problem, ...error);
    this.last = problem;
  }

  clear(): void {
    this.last = '';
  }
}

/** A background loop's stop flag and its sleeps, which stop() cuts short. */
export class PollLoop {
  private stopped = false;
  private readonly wakers = new Set<() => void>();

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.wakers) wake();
  }

  /**
   * Runs `pass` until stopped: again at once when it returns true (more work
   * waits), after `pollMs` when false, and after a backoff doubling from `pollMs`
   * (at most 5 s) while it keeps throwing. Never throws; `onError` reports.
   */
  async run(pollMs: number, pass: () => Promise<boolean>, onError: (error: unknown) => void): Promise<void> {
    let errorStreak = 0;
    while (!this.stopped) {
      let wait = 0;
      try {
        if (!(await pass())) wait = pollMs;
        errorStreak = 0;
      } catch (error) {
        errorStreak++;
        wait = backoffMs(pollMs, Math.min(errorStreak, 6), 5000);
        onError(error);
      }
      if (wait > 0) await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}

export interface IndexedTableLayout {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly index: { readonly name: string; readonly sortKey: string };
}

/** A local-only table of string keys plus one local secondary index. Leaves an existing one alone. */
export async function ensureIndexedTable(
  client: DynamoDBClient,
  tableName: string,
  { partitionKey, sortKey, index }: IndexedTableLayout,
): Promise<'created' | 'unchanged'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'unchanged';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, index.sortKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: index.name,
          KeySchema: [
            { AttributeName: partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  return 'created';
}
