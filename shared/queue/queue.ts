import { env } from '../env.ts';

/**
 * Work queues that absorb fan-out: in AWS SQS queues with DLQs, consumed by
 * Lambda with partial batch failures; under `npm start` a stand-in keeping
 * messages in a local-only DynamoDB Local table, consumed in-process by
 * infra/local/queue-consumer.ts. Delivery is at least once, so consumers must
 * be idempotent.
 */
export const queueNames = ['campaignSend', 'reportRebuild', 'exportJobs', 'importChunks'] as const;
export type QueueName = (typeof queueNames)[number];

/** The Lambda timeout of each queue's consumer (shared/mail/campaign-send.ts stops starting chunks before it). */
export const queueConsumerTimeoutMs: Readonly<Record<QueueName, number>> = {
  campaignSend: 120_000,
  reportRebuild: 300_000,
  exportJobs: 900_000,
  importChunks: 300_000,
};

/** SQS's limit on a message body. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export interface Queue {
  /** Enqueues each body (JSON-serialised) as one message; resolves once all are accepted. */
  sendMessages(queue: QueueName, bodies: readonly unknown[]): Promise<void>;
}

/** Environment names of the queue layer (part of shared/env.ts). */
export const queueEnv = env.queue;

export function serialise(queue: QueueName, body: unknown): string {
  const text = JSON.stringify(body);
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES)
    throw new Error(`A ${queue} message exceeds ${MAX_MESSAGE_BYTES} bytes`);
  return text;
}
