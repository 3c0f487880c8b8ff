import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { correlate } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';

/** What a queue consumer does with one readable message; `retry` puts it back (a partial batch failure). */
export interface MessageConsumer<M> {
  /** Names the consumer in its log lines. */
  readonly name: string;
  /** The message of a body, or undefined when it cannot be read (it is then logged and dropped). */
  readonly parse: (body: string) => M | undefined;
  /** The ids a message's log lines carry (messages of a batch may come from different tenants). */
  readonly correlation: (message: M) => Readonly<Record<string, string>>;
  readonly handle: (message: M, remainingMs?: () => number) => Promise<'retry' | undefined | unknown>;
}

/**
 * Runs an SQS batch message by message with partial batch failures: a message
 * whose handling throws or asks for a retry is reported failed and comes back
 * after the visibility timeout; the rest are deleted. A message that cannot be
 * read is logged and dropped: a retry would not make it readable.
 */
export async function consumeMessages<M>(
  consumer: MessageConsumer<M>,
  event: SQSEvent,
  context?: Context,
): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const message = consumer.parse(record.body);
    if (!message) {
      logger.error(`${consumer.name}: unreadable message`, { id: record.messageId });
      continue;
    }
    correlate(consumer.correlation(message));
    try {
      const remainingMs = context ? () => context.getRemainingTimeInMillis() : undefined;
      if ((await consumer.handle(message, remainingMs)) === 'retry')
        failures.push({ itemIdentifier: record.messageId });
    } catch (error) {
      logger.error(`${consumer.name}: message failed; it will be retried`, {
        id: record.messageId,
        error: { name: (error as Error)?.name, message: (error as Error)?.message },
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
