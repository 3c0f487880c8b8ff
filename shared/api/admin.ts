import { adminSchemas } from '../schemas/admin.ts';
import { defineRoutes } from './route.ts';

/** Tenant maintenance: admins only (SPEC "Reports": the rebuild). */
const admins = { least: 'admin' } as const;

export const adminRoutes = defineRoutes([
  {
    method: 'POST',
    path: '/admin/reports/rebuild',
    operationId: 'rebuildReports',
    role: admins,
    summary:
      'Recompute every report aggregate of the tenant from its records and correct the drift (admin). ' +
      'Answers 200 `{aggregatesChecked, drifted}`; a tenant with more records than the threshold (or ' +
      '`?async=true`) runs in the background: 202 `{id, status}`, then `GET /admin/reports/rebuild/{id}`',
    query: () => adminSchemas().rebuildQuery,
    response: () => adminSchemas().rebuild,
    status: 200,
  },
  {
    method: 'GET',
    path: '/admin/reports/rebuild/{id}',
    operationId: 'getReportRebuild',
    role: admins,
    summary:
      'A background rebuild of the report aggregates: running, done (with the drift it corrected) or failed',
    response: () => adminSchemas().rebuildJob,
    status: 200,
  },
]);
