import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { observed } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { getQueue } from '#shared/queue/select';
import { type RebuildMessage, runRebuildJob } from '#shared/store/report-rebuild-jobs';
import { consumeMessages } from './message-batch.ts';

/**
 * SQS consumer of the report rebuild queue: each message runs a background
 * rebuild (shared/store/report-rebuild-jobs.ts) from where it stands until
 * it is done or the invocation's time is nearly out, then queues a message
 * to resume it. A failed run is reported as a batch item failure and comes
 * back after the visibility timeout; a message that cannot be read is
 * dropped (a retry would not make it readable).
 */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

function parse(body: string): RebuildMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<RebuildMessage>;
    if (
      typeof value.tenantId === 'string' &&
      ID.test(value.tenantId) &&
      typeof value.jobId === 'string' &&
      ID.test(value.jobId)
    )
      return { tenantId: value.tenantId, jobId: value.jobId };
  } catch {
    // reported below
  }
  return undefined;
}

export const handler = observed(async function reportRebuild(
  event: SQSEvent,
  context?: Context,
): Promise<SQSBatchResponse> {
  return consumeMessages(
    {
      name: 'reportRebuild',
      parse,
      correlation: ({ tenantId, jobId }) => ({ tenantId, jobId }),
      async handle(message, remainingMs) {
        const outcome = await runRebuildJob(message, remainingMs ? { remainingMs } : {});
        if (outcome === 'continue') await (await getQueue()).sendMessages('reportRebuild', [message]);
        logger.info('reportRebuild: run ended', { outcome });
      },
    },
    event,
    context,
  );
});
