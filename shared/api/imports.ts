import { listOf } from '../schemas/common.ts';
import { importSchemas } from '../schemas/imports-api.ts';
import { defineRoutes } from './route.ts';

/** CSV imports (SPEC "Import, export, extensibility"): admins, managers and reps may import. */
export const importRoutes = defineRoutes([
  {
    method: 'POST',
    path: '/imports',
    operationId: 'createImport',
    summary:
      'Start a CSV import: answers a presigned `uploadUrl` that accepts one PUT of the file for 15 minutes; ' +
      'the upload starts the processing (`mode` create or upsert, `dryRun` writes nothing)',
    body: () => importSchemas().create,
    response: () => importSchemas().created,
    status: 201,
  },
  {
    method: 'GET',
    path: '/imports',
    operationId: 'listImports',
    summary: "Imports, newest first: a rep's own, the tenant's for managers and admins",
    query: () => importSchemas().listQuery,
    response: () => listOf(importSchemas().view),
    status: 200,
  },
  {
    method: 'GET',
    path: '/imports/{id}',
    operationId: 'getImport',
    summary:
      'An import: status, row counts (processedRows = created + updated + skipped + failed), error CSV link',
    response: () => importSchemas().view,
    status: 200,
  },
]);
