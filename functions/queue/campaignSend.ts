import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processCampaignMessage } from '#shared/mail/campaign-send';
import { correlate, observed } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import type { CampaignSendMessage } from '#shared/store/campaign-run';

/**
 * SQS consumer of the campaign send queue, with partial batch failures: a
 * message with recipients left to try (throttled, outcome unknown, out of
 * time) is reported failed and comes back after the visibility timeout; the
 * rest are deleted. A message that cannot be read is logged and dropped: a
 * retry would not make it readable.
 */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

function parse(body: string): CampaignSendMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<CampaignSendMessage>;
    if (
      typeof value.tenantId === 'string' &&
      ID.test(value.tenantId) &&
      typeof value.campaignId === 'string' &&
      ID.test(value.campaignId) &&
      Array.isArray(value.contactIds) &&
      value.contactIds.every((id) => typeof id === 'string' && ID.test(id))
    ) {
      return value as CampaignSendMessage;
    }
  } catch {
    // reported below
  }
  return undefined;
}

export const handler = observed(async function campaignSend(
  event: SQSEvent,
  context?: Context,
): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const message = parse(record.body);
    if (!message) {
      logger.error('campaignSend: unreadable message', { id: record.messageId });
      continue;
    }
    // Messages of a batch may come from different tenants: each line names its own.
    correlate({ tenantId: message.tenantId, campaignId: message.campaignId });
    try {
      const outcome = await processCampaignMessage(message, {
        ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
      });
      if (outcome === 'retry') failures.push({ itemIdentifier: record.messageId });
    } catch (error) {
      logger.error('campaignSend: message failed; it will be retried', {
        id: record.messageId,
        error: { name: (error as Error)?.name, message: (error as Error)?.message },
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
});
