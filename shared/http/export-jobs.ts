import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ulid } from 'ulid';
import type { Rights } from '../domain/access.ts';
import { fileSafeName } from '../domain/content-disposition.ts';
import type { ExportFormat } from '../domain/exports/index.ts';
import { exportContentTypes } from '../domain/exports/index.ts';
import { getObjectStore } from '../storage/select.ts';
import {
  claimExportJob,
  createExportJob,
  type ExportJob,
  type ExportSource,
  failExportJob,
  finishExportJob,
  getExportJob,
  recordExportFailure,
} from '../store/exports.ts';
import { exportObjectKey } from '../store/keys.ts';
import { currentReader, rightsOf } from '../store/readers.ts';
import type { Caller } from './auth.ts';
import { type ExportProgress, exportPieces, headerOf } from './exports.ts';
import { HttpProblem } from './problem.ts';
import { actorOf } from './records.ts';

/**
 * Export jobs, end to end: the HTTP function creates one (`startExportJob`)
 * and queues its message; the worker (functions/queue/exportJobs.ts) runs it
 * (`runExportJob`), writing the whole file to the exports bucket at
 * `<tenant>/<exportId>.<ext>` in one multipart upload; `GET /exports/{id}`
 * shows it with a presigned link once done.
 *
 * Rights: a job holds a record only if its requester may read it both when
 * they asked (the rights their token carried, stored on the job) and when the
 * worker runs (their user item: shared/store/readers.ts currentReader), never
 * more than either. A rep moved to another team meanwhile gets only the records
 * both teams' views share (their own); a promotion does not widen an export
 * asked for before it; a deactivated requester's job fails. For a user without
 * a user item (an admin made by hand in the user pool) the token's rights are
 * both.
 */

/** The queue message of a job. */
export interface ExportMessage {
  readonly tenantId: string;
  readonly exportId: string;
}

/** How long a presigned download link works. */
export const DOWNLOAD_LINK_SECONDS = 15 * 60;

export const fileExtension = (format: ExportFormat): string => format;

/**
 * `contacts-20261130.csv`, `VIP Paris-20261130.vcf`: the name a download is
 * saved under, a segment's by its name (file-safe: content-disposition.ts;
 * `segment-<id>` when it has none left). Sent as the Content-Disposition
 * attachmentDisposition builds.
 */
export function downloadName(source: ExportSource, format: ExportFormat, at: Date): string {
  const day = at.toISOString().slice(0, 10).replaceAll('-', '');
  const what =
    source.kind === 'segment'
      ? fileSafeName(source.name ?? '') || `segment-${source.segmentId}`
      : source.entity;
  return `${what}-${day}.${fileExtension(format)}`;
}

/**
 * Creates the job of an export the caller asked for (`id`: one already
 * recorded elsewhere; `asked`: the rights it may never exceed, by default the
 * caller's); the caller queues the returned message.
 */
export async function startExportJob(
  caller: Caller,
  format: ExportFormat,
  source: ExportSource,
  now = new Date(),
  id = ulid(now.getTime()),
  asked: Rights = rightsOf(actorOf(caller)),
): Promise<{ job: ExportJob; message: ExportMessage }> {
  const job = await createExportJob(
    {
      tenantId: caller.tenantId,
      id,
      format,
      source,
      requestedBy: caller.userId,
      requesterRights: asked,
    },
    now,
  );
  return { job, message: { tenantId: job.tenantId, exportId: job.id } };
}

/** Longer than one worker run (the function's timeout), so a crashed run's lease lapses before its retry. */
export const EXPORT_LEASE_MS = 16 * 60_000;
/** A run stops reading this long before its time is out, and the job fails (it would not finish). */
const TIME_MARGIN_MS = 20_000;

export type ExportRunOutcome = 'done' | 'failed' | 'skipped';

export interface ExportRunOptions {
  /** Milliseconds left in this run (Lambda's context). */
  readonly remainingMs?: () => number;
  readonly now?: () => number;
}

/** The run's reason to fail the job for good, in words for the user. */
class ExportRefused extends Error {}

/**
 * Runs one export job: writes its whole file (a redelivered or retried
 * message rewrites the same object whole, so rows are never duplicated) and
 * marks it done with the file's rows and bytes. `skipped`: another worker
 * holds it, or it is finished, expired or unknown. `failed`: it can never
 * succeed (requester deactivated, segment gone, too large for one run).
 * Throws on a storage error after counting it on the job, so the queue
 * retries (the third failure marks the job failed).
 */
export async function runExportJob(
  message: ExportMessage,
  options: ExportRunOptions = {},
): Promise<ExportRunOutcome> {
  const now = options.now ?? Date.now;
  const { tenantId, exportId } = message;
  const job = await getExportJob(tenantId, exportId, now());
  if (job?.status !== 'processing') return 'skipped';
  const owner = randomUUID();
  if (!(await claimExportJob(tenantId, exportId, owner, now(), now() + EXPORT_LEASE_MS))) return 'skipped';
  try {
    const file = await writeFile(job, options.remainingMs);
    await finishExportJob(tenantId, exportId, owner, file);
    return 'done';
  } catch (error) {
    if (error instanceof ExportRefused) {
      await failExportJob(tenantId, exportId, owner, error.message);
      return 'failed';
    }
    await recordExportFailure(tenantId, exportId, owner, error);
    throw error;
  }
}

async function writeFile(job: ExportJob, remainingMs?: () => number): Promise<ExportProgress> {
  const reader = await currentReader(job.tenantId, job.requestedBy, job.requesterRights);
  if (!reader) throw new ExportRefused('The user who asked for this export is no longer active');
  const caller: Caller = { tenantId: job.tenantId, ...reader };
  const columns = await headerOf(job.tenantId, job.source, job.format);
  const progress: ExportProgress = { rows: 0, bytes: 0 };
  const asked = { userId: job.requestedBy, ...job.requesterRights };
  const pieces = exportPieces(
    { reader: caller, format: job.format, source: job.source, columns, alsoReadableBy: asked },
    progress,
  );
  async function* bytes(): AsyncGenerator<Buffer> {
    for await (const piece of pieces) {
      if (remainingMs && remainingMs() < TIME_MARGIN_MS)
        throw new ExportRefused(
          `The export did not finish within one run (${progress.rows} rows written); narrow its filters`,
        );
      yield Buffer.from(piece);
    }
  }
  const store = await getObjectStore();
  const key = exportObjectKey(job.tenantId, job.id, fileExtension(job.format));
  try {
    await store.write('exports', key, Readable.from(bytes()), {
      contentType: exportContentTypes[job.format],
      // On the object rather than in each presigned link: a name outside ASCII stays out of the query.
      downloadName: downloadName(job.source, job.format, new Date(job.createdAt)),
    });
  } catch (error) {
    // The segment is gone, or the requester may no longer read it (the preview's 404).
    if (error instanceof HttpProblem && error.status === 404)
      throw new ExportRefused('The segment no longer exists, or its requester may no longer read it');
    throw error;
  }
  return progress;
}

/** A presigned GET of a done job's file, saved under its download name (stored on the object). */
export async function downloadUrl(job: ExportJob): Promise<string> {
  const store = await getObjectStore();
  return store.presignGet('exports', exportObjectKey(job.tenantId, job.id, fileExtension(job.format)), {
    expiresInSeconds: DOWNLOAD_LINK_SECONDS,
    contentType: exportContentTypes[job.format],
  });
}
