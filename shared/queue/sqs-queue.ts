import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { config } from '../config.ts';
import { delayOf, type Queue, type QueueName, type SendOptions, serialise } from './queue.ts';

/** SendMessageBatch takes up to 10 messages. */
const BATCH = 10;
const MAX_ATTEMPTS = 6;

let defaultClient: SQSClient | undefined;

/**
 * The AWS adapter: SendMessageBatch to the queue whose URL is in
 * `<QUEUE>_QUEUE_URL` (with DelaySeconds when asked), retrying the entries SQS
 * reports as failed.
 */
export function sqsQueue(options: { client?: SQSClient } = {}): Queue {
  const client = () => {
    if (options.client) return options.client;
    defaultClient ??= new SQSClient({});
    return defaultClient;
  };
  return {
    async sendMessages(queue: QueueName, bodies: readonly unknown[], options?: SendOptions) {
      const url = config.queueUrl(queue);
      const delay = delayOf(options);
      const messages = bodies.map((body) => serialise(queue, body));
      for (let start = 0; start < messages.length; start += BATCH) {
        let entries = messages.slice(start, start + BATCH).map((MessageBody, index) => ({
          Id: String(start + index),
          MessageBody,
          ...(delay > 0 ? { DelaySeconds: delay } : {}),
        }));
        for (let attempt = 1; entries.length > 0; attempt++) {
          const output = await client().send(
            new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }),
          );
          const failed = new Set((output.Failed ?? []).map((entry) => entry.Id));
          const senderFault = (output.Failed ?? []).find((entry) => entry.SenderFault);
          if (senderFault)
            throw new Error(`SQS refused a message: ${senderFault.Code} ${senderFault.Message}`);
          entries = entries.filter((entry) => failed.has(entry.Id));
          if (entries.length > 0 && attempt >= MAX_ATTEMPTS)
            throw new Error(`SQS kept failing ${entries.length} messages`);
          if (entries.length > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        }
      }
    },
  };
}
