import { reportRoutes } from '#shared/api/reports';
import { httpHandler } from '#shared/http/handler';
import { ok } from '#shared/http/results';
import { readOverview } from '#shared/store/aggregates';

export const handler = httpHandler(reportRoutes, {
  async getOverview({ caller }) {
    return ok(await readOverview(caller.tenantId));
  },
});
