import { ulid } from 'ulid';
import { exportRoutes } from '#shared/api/exports';
import type { Actor } from '#shared/domain/access';
import { attachmentDisposition } from '#shared/domain/content-disposition';
import { type ExportEntity, type ExportFormat, exportContentTypes } from '#shared/domain/exports/index';
import { verifyShareToken } from '#shared/domain/share-token';
import type { Caller } from '#shared/http/auth';
import { downloadName, downloadUrl, startExportJob } from '#shared/http/export-jobs';
import {
  collectWithin,
  type ExportProgress,
  exportPieces,
  headerOf,
  STREAM_LIMITS,
  sourceEntity,
} from '#shared/http/exports';
import { type HttpEvent, httpHandler } from '#shared/http/handler';
import { badRequest, HttpProblem, notFound } from '#shared/http/problem';
import { readable } from '#shared/http/records';
import { type HttpResult, ok, redirect } from '#shared/http/results';
import { shareServing } from '#shared/http/shares';
import { getQueue } from '#shared/queue/select';
import type { ExportJobView } from '#shared/schemas/exports';
import { getSigningKey } from '#shared/secrets';
import { type ExportJob, type ExportSource, getExportJob } from '#shared/store/exports';
import { rightsOf } from '#shared/store/readers';
import { getRecord } from '#shared/store/records';
import { segments } from '#shared/store/segments';
import { attachShareJob, getShare, isLive, recordDownload } from '#shared/store/shares';

/**
 * `GET /<list>/export`, `GET /segments/{id}/export` and `GET /exports/{id}`.
 * An export is read page by page into the response until it passes
 * STREAM_LIMITS (or at once with `async=true`); past them the work read so
 * far is dropped and an export job writes the whole file in the background.
 */
const JOB_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const people = new Set<ExportEntity>(['contacts', 'leads']);

function jobView(job: ExportJob, download?: string): ExportJobView {
  return {
    id: job.id,
    status: job.status,
    format: job.format,
    ...(job.source.kind === 'segment'
      ? { segmentId: job.source.segmentId }
      : { entity: job.source.entity, filters: { ...job.source.filters } }),
    href: `/exports/${job.id}`,
    createdAt: job.createdAt,
    ...(job.rows !== undefined ? { rows: job.rows } : {}),
    ...(job.bytes !== undefined ? { bytes: job.bytes } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(download ? { downloadUrl: download } : {}),
    ...(job.error ? { error: job.error } : {}),
  };
}

/** The filters as the list route takes them: every query parameter but the export's own. */
function filtersOf(query: Readonly<Record<string, unknown>>): Record<string, string> {
  const { format: _format, async: _async, ...filters } = query;
  return Object.fromEntries(
    Object.entries(filters).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** What every export takes beside the list's filters (shared/schemas/exports.ts). */
interface ExportOptions {
  readonly format?: ExportFormat | undefined;
  readonly async?: 'true' | 'false' | undefined;
}

/**
 * Answers the export in the response when it fits STREAM_LIMITS, else queues
 * a job (202). 400 for vCard of records that are not people.
 */
async function exportOf(caller: Caller, source: ExportSource, options: ExportOptions): Promise<HttpResult> {
  const format = options.format ?? 'csv';
  const entity = sourceEntity(source);
  if (format === 'vcf' && !people.has(entity))
    throw badRequest('vCard holds people: only contacts, leads and segments export as vcf', [
      { path: 'format', message: `must be csv or json for ${entity}` },
    ]);
  if (options.async !== 'true') {
    const streamed = await streamedExport(caller, format, source);
    if (streamed) return streamed.result;
  }
  const { job, message } = await startExportJob(caller, format, source);
  await (await getQueue()).sendMessages('exportJobs', [message]);
  return { status: 202, body: jobView(job), headers: { location: `/exports/${job.id}` } };
}

/**
 * The export as a download in the response (200, its content type, attachment)
 * with its rows and bytes, if it fits STREAM_LIMITS; undefined when it does not.
 */
async function streamedExport(
  reader: Caller,
  format: ExportFormat,
  source: ExportSource,
  alsoReadableBy?: Actor,
): Promise<{ result: HttpResult; progress: ExportProgress } | undefined> {
  const columns = await headerOf(reader.tenantId, source, format);
  const progress: ExportProgress = { rows: 0, bytes: 0 };
  const pieces = exportPieces(
    { reader, format, source, columns, ...(alsoReadableBy ? { alsoReadableBy } : {}) },
    progress,
  );
  const body = await collectWithin(pieces, progress, STREAM_LIMITS);
  if (body === undefined) return undefined;
  return {
    progress,
    result: {
      status: 200,
      body,
      headers: {
        'content-type': exportContentTypes[format],
        'content-disposition': attachmentDisposition(downloadName(source, format, new Date())),
      },
    },
  };
}

/** An export job a shared link reuses while it is younger than this; an older one is written again. */
export const SHARE_JOB_FRESH_MS = 60 * 60_000;
/** What a 202 of a shared link asks the partner to wait. */
const SHARE_RETRY_SECONDS = 10;
const USER_AGENT_CHARS = 512;

/** A shared link's answers must not be cached, nor its URL passed on as a referrer, nor indexed. */
const linkHeaders = {
  'cache-control': 'no-store, private',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
};

/** Whether the job can still serve a shared link: not failed, and fresh (see {@link SHARE_JOB_FRESH_MS}). */
const servesShare = (job: ExportJob | undefined, now: number): job is ExportJob =>
  job !== undefined && job.status !== 'failed' && Date.parse(job.createdAt) + SHARE_JOB_FRESH_MS > now;

/**
 * `GET /l/{token}`: a shared segment for a partner. Every refusal (a token
 * that does not verify or has expired, a revoked share, a suspended one:
 * shared/http/shares.ts shareServing) is the same 404, as is a malformed
 * token (the route's `missing`). The list is read NOW with the creator's
 * current rights and kept to what their rights when they shared allowed too,
 * with only the fields a partner gets (shared/domain/exports/shared-list.ts);
 * past STREAM_LIMITS one export job (recorded on the share) writes it, the
 * link answers 202 until it is done and then 302 to the file.
 */
async function downloadShared(token: string, event: HttpEvent): Promise<HttpResult> {
  const gone = notFound('Link');
  const claim = verifyShareToken(token, await getSigningKey());
  if (!claim) throw gone;
  const share = await getShare(claim.tenantId, claim.segmentId, claim.shareId);
  // The token binds the share's format and expiry: one signed for other values is not this link.
  if (
    !share ||
    !isLive(share) ||
    share.format !== claim.format ||
    Math.floor(Date.parse(share.expiresAt) / 1000) !== claim.expiresAt
  )
    throw gone;
  const segment = await getRecord(segments, share.tenantId, share.segmentId);
  const serving = await shareServing(share, segment);
  if (serving.state !== 'active' || !segment) throw gone;
  const { reader, asShared } = serving;
  const source: ExportSource = {
    kind: 'segment',
    segmentId: share.segmentId,
    name: segment.name,
    sharedList: true,
  };
  const log = (download: Parameters<typeof recordDownload>[1]) =>
    recordDownload(share, {
      ...download,
      ...(event.requestContext?.http?.sourceIp ? { ip: event.requestContext.http.sourceIp } : {}),
      ...(event.headers?.['user-agent']
        ? { userAgent: event.headers['user-agent'].slice(0, USER_AGENT_CHARS) }
        : {}),
    });
  const withHeaders = (result: HttpResult): HttpResult => ({
    ...result,
    headers: { ...result.headers, ...linkHeaders },
  });
  try {
    const now = Date.now();
    const current = share.jobId ? await getExportJob(share.tenantId, share.jobId, now) : undefined;
    if (servesShare(current, now)) return withHeaders(await jobAnswer(current, log));
    const streamed = await streamedExport(reader, share.format, source, asShared);
    if (streamed) {
      await log({ outcome: 'inline', rows: streamed.progress.rows, bytes: streamed.progress.bytes });
      return withHeaders(streamed.result);
    }
    const id = ulid();
    if (!(await attachShareJob(share, id, share.jobId))) {
      // Another download started one meanwhile (or the share was revoked): answer from the share as it is.
      const latest = await getShare(share.tenantId, share.segmentId, share.id);
      const theirs =
        latest?.jobId && isLive(latest) ? await getExportJob(share.tenantId, latest.jobId) : undefined;
      if (!servesShare(theirs, Date.now())) throw gone;
      return withHeaders(await jobAnswer(theirs, log));
    }
    // The job reads with the creator's rights when it runs and keeps to those they shared with.
    const { job, message } = await startExportJob(
      reader,
      share.format,
      source,
      new Date(),
      id,
      rightsOf(asShared),
    );
    await (await getQueue()).sendMessages('exportJobs', [message]);
    return withHeaders(await jobAnswer(job, log));
  } catch (error) {
    // The segment archived meanwhile, or no longer readable by the creator: the same 404 as any other refusal.
    if (error instanceof HttpProblem && error.status === 404) throw gone;
    throw error;
  }
}

/** 302 to a done job's file, or 202 while it is written; logged either way. */
async function jobAnswer(
  job: ExportJob,
  log: (download: Parameters<typeof recordDownload>[1]) => Promise<unknown>,
): Promise<HttpResult> {
  if (job.status === 'done') {
    const location = await downloadUrl(job);
    await log({
      outcome: 'redirect',
      exportId: job.id,
      ...(job.rows !== undefined ? { rows: job.rows } : {}),
      ...(job.bytes !== undefined ? { bytes: job.bytes } : {}),
    });
    return redirect(location);
  }
  await log({ outcome: 'job', exportId: job.id });
  return {
    status: 202,
    body: {
      status: 'preparing',
      retryAfterSeconds: SHARE_RETRY_SECONDS,
      detail: 'The list is being prepared; ask again in a few seconds',
    },
    headers: { 'retry-after': String(SHARE_RETRY_SECONDS) },
  };
}

const listExport =
  (entity: ExportEntity) =>
  ({ caller, query }: { caller: Caller; query: Readonly<Record<string, unknown>> & ExportOptions }) =>
    exportOf(caller, { kind: 'list', entity, filters: filtersOf(query) }, query);

export const handler = httpHandler(exportRoutes, {
  exportContacts: listExport('contacts'),
  exportCompanies: listExport('companies'),
  exportLeads: listExport('leads'),
  exportDeals: listExport('deals'),

  async exportSegment({ caller, params, query }) {
    // 404 for a segment the caller may not read, before any work (as its preview).
    const segment = await readable(segments, caller, params.id);
    return exportOf(caller, { kind: 'segment', segmentId: params.id, name: segment.name }, query);
  },

  downloadSharedList: ({ params, event }) => downloadShared(params.token, event),

  async getExport({ caller, params }) {
    const job = JOB_ID.test(params.id) ? await getExportJob(caller.tenantId, params.id) : undefined;
    // A rep sees only their own exports; another's is missing, like another tenant's.
    if (!job || (caller.role === 'rep' && job.requestedBy !== caller.userId)) throw notFound('Export');
    return ok(jobView(job, job.status === 'done' ? await downloadUrl(job) : undefined));
  },
});
