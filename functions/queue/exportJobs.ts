import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type ExportMessage, runExportJob } from '#shared/http/export-jobs';
import { observed } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { consumeMessages } from './message-batch.ts';

/**
 * SQS consumer of the export queue: each message runs one export job
 * (shared/http/export-jobs.ts), writing its whole file to the exports bucket.
 * A storage failure is reported as a batch item failure and retried after the
 * visibility timeout (the job counts it); a message that cannot be read is
 * dropped. The bench calls `runExportJob` directly.
 */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

function parse(body: string): ExportMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<ExportMessage>;
    if (
      typeof value.tenantId === 'string' &&
      ID.test(value.tenantId) &&
      typeof value.exportId === 'string' &&
      ID.test(value.exportId)
    )
      return { tenantId: value.tenantId, exportId: value.exportId };
  } catch {
    // reported below
  }
  return undefined;
}

export const handler = observed(async function exportJobs(
  event: SQSEvent,
  context?: Context,
): Promise<SQSBatchResponse> {
  return consumeMessages(
    {
      name: 'exportJobs',
      parse,
      correlation: ({ tenantId, exportId }) => ({ tenantId, exportId }),
      async handle(message, remainingMs) {
        const outcome = await runExportJob(message, remainingMs ? { remainingMs } : {});
        logger.info('exportJobs: run ended', { outcome });
      },
    },
    event,
    context,
  );
});
