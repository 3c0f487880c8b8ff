import { exportRoutes } from '#shared/api/exports';
import { type ExportEntity, type ExportFormat, exportContentTypes } from '#shared/domain/exports/index';
import type { Caller } from '#shared/http/auth';
import { exportHeader } from '#shared/http/export-columns';
import { downloadName, downloadUrl, startExportJob } from '#shared/http/export-jobs';
import {
  collectWithin,
  type ExportProgress,
  exportPieces,
  STREAM_LIMITS,
  sourceEntity,
} from '#shared/http/exports';
import { httpHandler } from '#shared/http/handler';
import { badRequest, notFound } from '#shared/http/problem';
import { readable } from '#shared/http/records';
import { type HttpResult, ok } from '#shared/http/results';
import { getQueue } from '#shared/queue/select';
import type { ExportJobView } from '#shared/schemas/exports';
import { type ExportJob, type ExportSource, getExportJob } from '#shared/store/exports';
import { segments } from '#shared/store/segments';

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
    const columns = format === 'csv' ? await exportHeader(caller.tenantId, entity) : [];
    const progress: ExportProgress = { rows: 0, bytes: 0 };
    const pieces = exportPieces({ reader: caller, format, source, columns }, progress);
    const body = await collectWithin(pieces, progress, STREAM_LIMITS);
    if (body !== undefined)
      return {
        status: 200,
        body,
        headers: {
          'content-type': exportContentTypes[format],
          'content-disposition': `attachment; filename="${downloadName(source, format, new Date())}"`,
        },
      };
  }
  const { job, message } = await startExportJob(caller, format, source);
  await (await getQueue()).sendMessages('exportJobs', [message]);
  return { status: 202, body: jobView(job), headers: { location: `/exports/${job.id}` } };
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
    await readable(segments, caller, params.id);
    return exportOf(caller, { kind: 'segment', segmentId: params.id }, query);
  },

  async getExport({ caller, params }) {
    const job = JOB_ID.test(params.id) ? await getExportJob(caller.tenantId, params.id) : undefined;
    // A rep sees only their own exports; another's is missing, like another tenant's.
    if (!job || (caller.role === 'rep' && job.requestedBy !== caller.userId)) throw notFound('Export');
    return ok(jobView(job, job.status === 'done' ? await downloadUrl(job) : undefined));
  },
});
