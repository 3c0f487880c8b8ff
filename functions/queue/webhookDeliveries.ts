import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { config } from '#shared/config';
import { observed } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { getQueue } from '#shared/queue/select';
import { parseDeliveryMessage, runDelivery } from '#shared/webhooks/delivery';
import { systemResolver } from '#shared/webhooks/resolver';
import { consumeMessages } from './message-batch.ts';

/**
 * SQS consumer of the `webhookDeliveries` queue: one attempt of one event's
 * delivery to one webhook per message (shared/webhooks/delivery.ts). Retries
 * of a failed delivery are new messages with a delay, queued by the attempt
 * itself; a message fails here (and SQS redelivers it) only when the table or
 * the queue failed, and the delivery's claim makes that redelivery safe.
 */
export const handler = observed(async function webhookDeliveries(
  event: SQSEvent,
  context?: Context,
): Promise<SQSBatchResponse> {
  const queue = await getQueue();
  return consumeMessages(
    {
      name: 'webhookDeliveries',
      parse: parseDeliveryMessage,
      correlation: (message) => ({
        tenantId: message.tenantId,
        webhookId: message.webhookId,
        deliveryId: message.deliveryId,
      }),
      async handle(message, remainingMs) {
        const result = await runDelivery(message, {
          queue,
          resolver: systemResolver,
          localTargets: config.webhookLocalTargets,
          ...(remainingMs ? { remainingMs } : {}),
        });
        logger.info('webhookDeliveries: attempt ended', { attempt: message.attempt, result });
        return undefined;
      },
    },
    event,
    context,
  );
});
