import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { observed } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { getQueue } from '#shared/queue/select';
import { getObjectStore } from '#shared/storage/select';
import { parseImportObjectKey } from '#shared/store/imports';
import { runImport } from '#shared/store/imports-run';
import { consumeMessages } from './message-batch.ts';

/**
 * SQS consumer of the `importChunks` queue. Two kinds of message start or
 * resume an import (shared/store/imports-run.ts):
 * - S3's ObjectCreated event of an upload to the imports bucket (in AWS the
 *   bucket's notification; locally infra/local/runtime.ts sends the same
 *   shape). Only the key's shape is trusted: `<tenant>/<importId>.csv`, and
 *   the import must exist under that tenant; any other key is logged and
 *   dropped.
 * - Its own continuation `{kind: 'chunk', tenantId, importId, fromRow}`,
 *   queued when a run's time runs short. A run always resumes from the
 *   import's committed cursor (fromRow is informational), so a duplicate or
 *   redelivered message repeats nothing.
 * A run that finds another one holding the import comes back later (retry).
 */
export type ImportMessage =
  | {
      readonly tenantId: string;
      readonly importId: string;
      readonly fromRow: number;
      readonly ignored?: undefined;
    }
  /** An object of the bucket that is no upload (an error report, a stray file): logged, then dropped. */
  | { readonly ignored: string };

const ID = /^[A-Za-z0-9_-]{1,128}$/;

interface S3EventBody {
  readonly Records?: readonly {
    readonly eventName?: string;
    readonly s3?: { readonly object?: { readonly key?: string } };
  }[];
}

export function parseImportMessage(body: string): ImportMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const chunk = value as Partial<{ kind: string; tenantId: string; importId: string; fromRow: number }>;
  if (chunk.kind === 'chunk') {
    if (typeof chunk.tenantId !== 'string' || !ID.test(chunk.tenantId)) return undefined;
    if (typeof chunk.importId !== 'string' || !ID.test(chunk.importId)) return undefined;
    const fromRow = typeof chunk.fromRow === 'number' && Number.isInteger(chunk.fromRow) ? chunk.fromRow : 0;
    return { tenantId: chunk.tenantId, importId: chunk.importId, fromRow };
  }
  for (const record of (value as S3EventBody).Records ?? []) {
    if (!record.eventName?.startsWith('ObjectCreated:')) continue;
    const raw = record.s3?.object?.key;
    if (typeof raw !== 'string') continue;
    let key: string;
    try {
      // S3 events carry the key URL-encoded, spaces as `+`.
      key = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      continue;
    }
    const named = parseImportObjectKey(key);
    if (named) return { ...named, fromRow: 0 };
    return { ignored: key.slice(0, 300) };
  }
  return undefined;
}

export const handler = observed(async function importChunks(
  event: SQSEvent,
  context?: Context,
): Promise<SQSBatchResponse> {
  return consumeMessages(
    {
      name: 'importChunks',
      parse: parseImportMessage,
      correlation: (message): Readonly<Record<string, string>> =>
        message.ignored === undefined ? { tenantId: message.tenantId, importId: message.importId } : {},
      async handle(message, remainingMs) {
        if (message.ignored !== undefined) {
          logger.info('importChunks: an object that is not an import upload; ignored', {
            key: message.ignored,
          });
          return undefined;
        }
        const outcome = await runImport(message.tenantId, message.importId, {
          store: await getObjectStore(),
          ...(remainingMs ? { remainingMs } : {}),
        });
        logger.info('importChunks: run ended', { outcome });
        if (outcome === 'busy') return 'retry';
        if (outcome === 'continue')
          await (await getQueue()).sendMessages('importChunks', [
            {
              kind: 'chunk',
              tenantId: message.tenantId,
              importId: message.importId,
              fromRow: message.fromRow,
            },
          ]);
        return undefined;
      },
    },
    event,
    context,
  );
});
