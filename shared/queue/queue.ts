import { env } from '../env.ts';

/**
 * Work queues that absorb fan-out: in AWS SQS queues with DLQs, consumed by
 * Lambda with partial batch failures; under `npm start` a stand-in keeping
 * messages in a local-only DynamoDB Local table, consumed in-process by
 * infra/local/queue-consumer.ts. Delivery is at least once, so consumers must
 * be idempotent.
 */
export const queueNames = [
  'campaignSend',
  'sequenceEnroll',
  'reportRebuild',
  'exportJobs',
  'importChunks',
  'webhookDeliveries',
] as const;
export type QueueName = (typeof queueNames)[number];

/** The Lambda timeout of each queue's consumer (shared/mail/campaign-send.ts stops starting chunks before it). */
export const queueConsumerTimeoutMs: Readonly<Record<QueueName, number>> = {
  campaignSend: 120_000,
  reportRebuild: 300_000,
  exportJobs: 900_000,
  importChunks: 300_000,
  // A batch of 5 deliveries, one after the other, each at most 5 s of DNS and 10 s of request plus the table's
  // writes; one that would not fit in the time left is put back unclaimed (shared/webhooks/delivery.ts).
  webhookDeliveries: 60_000,
  // Resolving a segment of a few hundred thousand contacts into chunk messages, or enrolling one chunk
  // of ENROLL_CHUNK contacts (a schedule and a write each, 16 at a time).
  sequenceEnroll: 300_000,
};

/** SQS's limit on a message body. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** SQS's limit on DelaySeconds: 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

export interface SendOptions {
  /**
   * Seconds before the messages become visible to the consumer, 0 to
   * MAX_DELAY_SECONDS (SQS DelaySeconds; the local stand-in honours it too).
   * Whole seconds; a value outside the range is clamped into it.
   */
  readonly delaySeconds?: number;
}

export interface Queue {
  /** Enqueues each body (JSON-serialised) as one message; resolves once all are accepted. */
  sendMessages(queue: QueueName, bodies: readonly unknown[], options?: SendOptions): Promise<void>;
}

/** `delaySeconds` as SQS takes it: a whole number from 0 to MAX_DELAY_SECONDS (0 when absent). */
export function delayOf(options: SendOptions | undefined): number {
  const delay = options?.delaySeconds ?? 0;
  if (!Number.isFinite(delay)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delay)));
}

/** Environment names of the queue layer (part of shared/env.ts). */
export const queueEnv = env.queue;

export function serialise(queue: QueueName, body: unknown): string {
  const text = JSON.stringify(body);
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES)
    throw new Error(`A ${queue} message exceeds ${MAX_MESSAGE_BYTES} bytes`);
  return text;
}
