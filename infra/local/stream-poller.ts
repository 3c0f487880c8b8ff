import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { appendFailure, PollLoop, ProblemLog, withTimeout } from './background.ts';
import type { LoadStreamHandler, StreamHandler } from './handler-loader.ts';
import { createLambdaContext } from './lambda-context.ts';
import type { Logger } from './logger.ts';
import { StreamCheckpoints } from './stream-checkpoints.ts';
import { toLambdaStreamRecord } from './stream-event.ts';

/**
 * The local stand-in for Lambda's DynamoDB-stream event source mapping, configured
 * as the deployed one is: batches of up to 100, ReportBatchItemFailures, bisect on
 * error, a bounded number of attempts and an on-failure destination (here a JSONL
 * file). Parents shards are read before their children, so per-key order holds.
 */
export interface StreamPollerOptions {
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly loadHandler: LoadStreamHandler;
  readonly region: string;
  readonly log: Logger;
  /** Where skipped records are written, one JSON object a line. */
  readonly failureFile: string;
  /** Undefined: checkpoints in memory only. */
  readonly checkpointFile?: string;
  readonly pollMs?: number;
  readonly batchSize?: number;
  /** Attempts on a record (the first one included) before it is skipped. */
  readonly maxAttempts?: number;
  readonly handlerTimeoutMs?: number;
  readonly functionName?: string;
}

export interface StreamPoller {
  stop(): Promise<void>;
}

export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const poller = new Poller(options);
  const running = poller.run();
  return {
    stop: async () => {
      poller.stop();
      await running;
    },
  };
}

interface ShardReader {
  iterator?: string;
  /** The shard has no further records (GetRecords returned no next iterator). */
  closed: boolean;
  /** Records read but not yet handled successfully or skipped. */
  buffer: StreamsRecord[];
  batchSize: number;
  failing?: { sequenceNumber: string; attempts: number };
}

type Delivery =
  | { kind: 'ok' }
  | { kind: 'partial'; firstFailed: number }
  | { kind: 'failed'; reason: string };

class Poller {
  private readonly loop = new PollLoop();
  private readonly problems: ProblemLog;
  private streamArn: string | undefined;
  private readers = new Map<string, ShardReader>();
  private readonly checkpoints: StreamCheckpoints;
  private readonly pollMs: number;
  private readonly maxBatch: number;
  private readonly maxAttempts: number;
  private readonly functionName: string;

  constructor(private readonly options: StreamPollerOptions) {
    this.problems = new ProblemLog(options.log);
    this.checkpoints = new StreamCheckpoints(options.checkpointFile);
    this.pollMs = options.pollMs ?? 250;
    this.maxBatch = options.batchSize ?? 100;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.functionName = options.functionName ?? 'aggregates';
  }

  stop() {
    this.loop.stop();
  }

  /** Never throws: a failed poll is logged (once per distinct problem) and retried with backoff. */
  run(): Promise<void> {
    return this.loop.run(
      this.pollMs,
      async () => {
        const didWork = await this.poll();
        this.problems.clear();
        return didWork;
      },
      (error) =>
        this.problems.report(
          `Stream poller: ${error instanceof Error ? error.message : String(error)} (retrying)`,
        ),
    );
  }

  /** One pass over the shards; true when it did work, so the next pass comes at once. */
  private async poll(): Promise<boolean> {
    const streamArn = await this.latestStreamArn();
    if (!streamArn) return false;
    if (streamArn !== this.streamArn) {
      this.streamArn = streamArn;
      this.readers.clear();
      await this.checkpoints.use(streamArn);
    }
    const shards = await this.describeShards(streamArn);
    const listed = new Set(shards.map((shard) => shard.ShardId));
    let busy = false;
    for (const shard of shards) {
      if (this.loop.isStopped) break;
      const shardId = shard.ShardId as string;
      if (this.checkpoints.get(shardId)?.finished) continue;
      const parent = shard.ParentShardId;
      // A child shard waits until its parent (if still listed) has been read to the end.
      if (parent && listed.has(parent) && !this.checkpoints.get(parent)?.finished) continue;
      if (await this.pumpShard(streamArn, shardId)) busy = true;
    }
    return busy;
  }

  private async latestStreamArn(): Promise<string | undefined> {
    const { Table } = await this.options.dynamodb.send(
      new DescribeTableCommand({ TableName: this.options.tableName }),
    );
    return Table?.LatestStreamArn;
  }

  /** All shards, oldest first (a parent starts before its children). */
  private async describeShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.options.streams.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    const startOf = (shard: Shard) => BigInt(shard.SequenceNumberRange?.StartingSequenceNumber ?? '0');
    return shards
      .filter((shard) => shard.ShardId)
      .sort((a, b) => (startOf(a) < startOf(b) ? -1 : startOf(a) > startOf(b) ? 1 : 0));
  }

  private async pumpShard(streamArn: string, shardId: string): Promise<boolean> {
    let reader = this.readers.get(shardId);
    if (!reader) {
      reader = { closed: false, buffer: [], batchSize: this.maxBatch };
      this.readers.set(shardId, reader);
    }
    try {
      if (reader.buffer.length === 0) {
        if (reader.closed) {
          await this.checkpoints.set(shardId, { finished: true });
          return true;
        }
        reader.iterator ??= await this.shardIterator(streamArn, shardId);
        const { Records, NextShardIterator } = await this.options.streams.send(
          new GetRecordsCommand({ ShardIterator: reader.iterator, Limit: this.maxBatch }),
        );
        reader.iterator = NextShardIterator;
        reader.closed = !NextShardIterator;
        reader.buffer.push(...(Records ?? []));
        if (reader.buffer.length === 0) return reader.closed;
      }
      return await this.deliver(streamArn, shardId, reader);
    } catch (error) {
      // Start over from the checkpoint: an expired iterator or a lost connection must not lose records.
      this.readers.delete(shardId);
      throw error;
    }
  }

  private async shardIterator(streamArn: string, shardId: string): Promise<string | undefined> {
    const after = this.checkpoints.get(shardId)?.sequenceNumber;
    if (after) {
      try {
        const { ShardIterator } = await this.options.streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            SequenceNumber: after,
          }),
        );
        return ShardIterator;
      } catch (error) {
        // The checkpoint is older than the stream's retention: start from the oldest record left.
        if ((error as Error).name !== 'TrimmedDataAccessException') throw error;
      }
    }
    const { ShardIterator } = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    return ShardIterator;
  }

  /** Hands the next batch to the handler; true when the shard advanced. */
  private async deliver(streamArn: string, shardId: string, reader: ShardReader): Promise<boolean> {
    const batch = reader.buffer.slice(0, reader.batchSize);
    const handler = await this.loadHandler();
    const event: DynamoDBStreamEvent = {
      Records: batch.map((record) => toLambdaStreamRecord(record, streamArn, this.options.region)),
    };
    const delivery = await this.invoke(handler, event);
    if (delivery.kind === 'ok') {
      await this.commit(shardId, reader, batch.length);
      return true;
    }
    if (delivery.kind === 'partial') {
      // Like Lambda: checkpoint before the first reported failure, retry from there.
      await this.commit(shardId, reader, delivery.firstFailed);
      return this.retryOrSkip(streamArn, shardId, reader, 'reported in batchItemFailures');
    }
    if (batch.length > 1) {
      // Bisect on error: halves until the failing record is alone; halving is not an attempt.
      reader.batchSize = Math.ceil(batch.length / 2);
      return true;
    }
    return this.retryOrSkip(streamArn, shardId, reader, delivery.reason);
  }

  private async loadHandler(): Promise<StreamHandler> {
    try {
      return await this.options.loadHandler();
    } catch (error) {
      // Not the records' fault: nothing is counted or skipped until the module loads.
      throw new Error(`the stream handler could not be loaded: ${(error as Error).message}`);
    }
  }

  private async invoke(handler: StreamHandler, event: DynamoDBStreamEvent): Promise<Delivery> {
    const timeoutMs = this.options.handlerTimeoutMs ?? 60_000;
    const context = createLambdaContext({
      functionName: this.functionName,
      region: this.options.region,
      timeoutMs,
    });
    let response: unknown;
    try {
      response = await withTimeout(handler(event, context), timeoutMs);
    } catch (error) {
      this.options.log.error(`Stream handler failed on a batch of ${event.Records.length}`, error);
      return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
    }
    const failures = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) {
      return { kind: 'ok' };
    }
    const sequenceNumbers = event.Records.map((record) => record.dynamodb?.SequenceNumber);
    const indexes = Array.isArray(failures)
      ? failures.map((failure: { itemIdentifier?: unknown } | null) =>
          typeof failure?.itemIdentifier === 'string' && failure.itemIdentifier !== ''
            ? sequenceNumbers.indexOf(failure.itemIdentifier)
            : -1,
        )
      : [-1];
    // Lambda treats a malformed or unknown itemIdentifier as a failure of the whole batch.
    if (indexes.includes(-1))
      return { kind: 'failed', reason: 'invalid batchItemFailures in the handler response' };
    return { kind: 'partial', firstFailed: Math.min(...indexes) };
  }

  private async retryOrSkip(
    streamArn: string,
    shardId: string,
    reader: ShardReader,
    reason: string,
  ): Promise<boolean> {
    const record = reader.buffer[0];
    const sequenceNumber = record?.dynamodb?.SequenceNumber;
    if (!record || !sequenceNumber) return true;
    const attempts = reader.failing?.sequenceNumber === sequenceNumber ? reader.failing.attempts + 1 : 1;
    reader.failing = { sequenceNumber, attempts };
    if (attempts < this.maxAttempts) return false;
    // The on-failure destination: the record is set aside and the shard moves on.
    await appendFailure(this.options.failureFile, {
      time: new Date().toISOString(),
      functionName: this.functionName,
      streamArn,
      shardId,
      sequenceNumber,
      attempts,
      reason,
      record: toLambdaStreamRecord(record, streamArn, this.options.region),
    });
    this.options.log.error(
      `Stream record ${sequenceNumber} (${record.eventName}) failed ${attempts} times and was skipped; see ${this.options.failureFile}`,
    );
    await this.commit(shardId, reader, 1);
    return true;
  }

  private async commit(shardId: string, reader: ShardReader, count: number): Promise<void> {
    const done = reader.buffer.splice(0, count);
    const last = done.at(-1)?.dynamodb?.SequenceNumber;
    if (last) await this.checkpoints.set(shardId, { sequenceNumber: last });
    if (
      reader.failing &&
      done.some((record) => record.dynamodb?.SequenceNumber === reader.failing?.sequenceNumber)
    ) {
      reader.failing = undefined;
    }
    if (reader.buffer.length === 0) reader.batchSize = this.maxBatch;
  }
}
