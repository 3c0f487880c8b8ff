import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { config } from '#shared/config';
import { env } from '#shared/env';

/**
 * The stream consumer's on-failure destination for records it cannot process
 * whatever it tries (see isolation.ts, isPermanent): in AWS the stream's
 * failure queue (STREAM_FAILURE_QUEUE_URL, the same SQS queue Lambda sends
 * exhausted batches to), under `npm start` the JSONL file the local poller
 * writes skipped records to (LOCAL_STREAM_FAILURE_FILE). Each entry names the
 * record (event id, sequence number, keys, tenant) and why each consumer
 * failed, never the images: they hold personal data and may exceed a message.
 */
const setAsideEnv = env.streamFailures;

export interface SetAsideRecord {
  readonly eventId: string;
  readonly sequenceNumber: string;
  readonly eventSourceArn?: string;
  readonly tenantId?: string;
  /** The item's key (`pk`, `sk`). */
  readonly keys?: Readonly<Record<string, unknown>>;
  /** Per consumer (`timeline`, `aggregates`, ...), why it could not apply the record. */
  readonly reasons: Readonly<Record<string, string>>;
}

/** SendMessageBatch takes up to 10 messages. */
const BATCH = 10;
let client: SQSClient | undefined;

/** Sends the records to the destination; throws when it cannot (they are then reported for retry). */
export async function setAside(records: readonly SetAsideRecord[], now = new Date()): Promise<void> {
  if (records.length === 0) return;
  const entries = records.map((record) =>
    JSON.stringify({ time: now.toISOString(), setAsideBy: 'consumer', ...record }),
  );
  const file = config.localStreamFailureFile;
  if (file) {
    await mkdir(dirname(file), { recursive: true });
    await appendFile(file, entries.map((entry) => `${entry}\n`).join(''));
    return;
  }
  const queueUrl = config.streamFailureQueueUrl;
  if (!queueUrl) throw new Error(`Neither ${setAsideEnv.queueUrl} nor ${setAsideEnv.localFile} is set`);
  // Loaded on this rare path only, so the consumer's cold start does not pay for the SQS client.
  const { SendMessageBatchCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  client ??= new SQSClient({});
  for (let start = 0; start < entries.length; start += BATCH) {
    const batch = entries
      .slice(start, start + BATCH)
      .map((MessageBody, index) => ({ Id: String(index), MessageBody }));
    const output = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
    if ((output.Failed ?? []).length > 0)
      throw new Error(`The stream failure queue refused ${output.Failed?.length} set-aside records`);
  }
}
