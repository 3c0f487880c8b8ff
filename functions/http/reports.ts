import { reportRoutes } from '#shared/api/reports';
import { httpHandler } from '#shared/http/handler';
import { forbidden } from '#shared/http/problem';
import { ok } from '#shared/http/results';
import { readOverview } from '#shared/store/aggregates';

export const handler = httpHandler(reportRoutes, {
  async getOverview({ caller }) {
    // Tenant-wide counts and amounts reach beyond a rep's records: managers and admins only.
    if (caller.role === 'rep') throw forbidden('Tenant-wide reports are for managers and admins');
    return ok(await readOverview(caller.tenantId));
  },
});
