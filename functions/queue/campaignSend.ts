import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processCampaignMessage } from '#shared/mail/campaign-send';
import { observed } from '#shared/observability/invocation';
import type { CampaignSendMessage } from '#shared/store/campaign-run';
import { consumeMessages } from './message-batch.ts';

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
  return consumeMessages(
    {
      name: 'campaignSend',
      parse,
      correlation: ({ tenantId, campaignId }) => ({ tenantId, campaignId }),
      handle: (message, remainingMs) => processCampaignMessage(message, remainingMs ? { remainingMs } : {}),
    },
    event,
    context,
  );
});
