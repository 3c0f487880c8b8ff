import { importRoutes } from '#shared/api/imports';
import { canonicalColumns, fieldOf } from '#shared/domain/imports/index';
import type { Caller } from '#shared/http/auth';
import { httpHandler } from '#shared/http/handler';
import { badRequest, notFound } from '#shared/http/problem';
import { actorOf } from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import type { ImportView } from '#shared/schemas/imports-api';
import { getObjectStore } from '#shared/storage/select';
import { readCustomFieldDefinitions } from '#shared/store/custom-fields';
import {
  createImport,
  errorsReportKept,
  getImport,
  IMPORT_URL_SECONDS,
  type ImportItem,
  importObjectKey,
  listImports,
  MAX_IMPORT_BYTES,
} from '#shared/store/imports';
import { canImport, canMatch } from '#shared/store/imports-rows';

/**
 * CSV imports (SPEC "Import, export, extensibility"). POST writes the import
 * item and answers a presigned PUT of `<tenant>/<importId>.csv`; the upload's
 * ObjectCreated event starts functions/queue/importChunks.ts. A rep sees only
 * their own imports; another tenant's id, or a colleague's for a rep, is 404.
 */
async function viewOf(item: ImportItem): Promise<ImportView> {
  // The bucket deletes the report with the upload after IMPORT_FILES_DAYS: no link to a file that is gone.
  const errorsUrl =
    item.errorsKey && errorsReportKept(item.finishedAt)
      ? await (await getObjectStore()).presignGet('imports', item.errorsKey, {
          expiresInSeconds: IMPORT_URL_SECONDS,
          downloadName: `import-${item.id}-errors.csv`,
          contentType: 'text/csv; charset=utf-8',
        })
      : null;
  return {
    id: item.id,
    entity: item.entity,
    mode: item.mode,
    dryRun: item.dryRun,
    status: item.status,
    ownerId: item.ownerId,
    totalRows: item.cursor,
    processedRows: item.processedRows,
    created: item.created,
    updated: item.updated,
    skipped: item.skipped,
    failed: item.failed,
    notes: item.notes ?? 0,
    errorsUrl,
    ...(item.columns ? { columns: [...item.columns] } : {}),
    ...(item.mapping ? { mapping: { ...item.mapping } } : {}),
    ...(item.encoding ? { encoding: item.encoding as NonNullable<ImportView['encoding']> } : {}),
    ...(item.delimiter ? { delimiter: item.delimiter as NonNullable<ImportView['delimiter']> } : {}),
    ...(item.error ? { error: item.error } : {}),
    createdAt: item.createdAt,
    ...(item.finishedAt ? { finishedAt: item.finishedAt } : {}),
  };
}

const visibleTo = (caller: Caller, item: ImportItem) =>
  caller.role !== 'rep' || item.ownerId === caller.userId;

export const handler = httpHandler(importRoutes, {
  async createImport({ caller, body }) {
    const mode = body.mode ?? 'create';
    if (!canImport(body.entity))
      throw badRequest('This entity cannot be imported yet', [
        { path: 'entity', message: `${body.entity} cannot be imported yet` },
      ]);
    if (mode === 'upsert' && !canMatch(body.entity))
      throw badRequest('Upsert is not available for this entity', [
        {
          path: 'mode',
          message: `${body.entity} have no unique key to match rows on; import with mode create`,
        },
      ]);
    if (body.mapping) {
      // A target the entity does not have is refused now, not after the upload (mapColumns checks it again then).
      const customFields = await readCustomFieldDefinitions(caller.tenantId, body.entity);
      const unknown = Object.entries(body.mapping).filter(
        ([, target]) => target && !fieldOf(body.entity, target, customFields),
      );
      if (unknown.length > 0)
        throw badRequest(
          'The mapping names fields this entity does not have',
          unknown.map(([column, target]) => ({
            path: `mapping.${column}`,
            message: `${body.entity} have no field "${target}"; the fields are: ${canonicalColumns(body.entity, customFields).join(', ')}`,
          })),
        );
    }
    const item = await createImport(caller.tenantId, actorOf(caller), {
      entity: body.entity,
      mode,
      dryRun: body.dryRun ?? false,
      options: {
        ...(body.mapping ? { mapping: body.mapping } : {}),
        ...(body.encoding ? { encoding: body.encoding } : {}),
        ...(body.delimiter ? { delimiter: body.delimiter } : {}),
      },
    });
    const uploadUrl = await (await getObjectStore()).presignPut(
      'imports',
      importObjectKey(caller.tenantId, item.id),
      { expiresInSeconds: IMPORT_URL_SECONDS },
    );
    const expiresAt = new Date(Date.parse(item.createdAt) + IMPORT_URL_SECONDS * 1000).toISOString();
    return created(
      { ...(await viewOf(item)), uploadUrl, expiresAt, maxBytes: MAX_IMPORT_BYTES },
      `/imports/${item.id}`,
    );
  },

  async listImports({ caller, page }) {
    const listed = await listImports(caller.tenantId, {
      limit: page.limit,
      startKey: page.startKey,
      ...(caller.role === 'rep' ? { ownerId: caller.userId } : {}),
    });
    const items = await Promise.all(listed.items.map(viewOf));
    return ok({ items, nextCursor: await page.next(listed.lastKey) });
  },

  async getImport({ caller, params }) {
    const item = await getImport(caller.tenantId, params.id);
    if (!item || !visibleTo(caller, item)) throw notFound('Import');
    return ok(await viewOf(item));
  },
});
