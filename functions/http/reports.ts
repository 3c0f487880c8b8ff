import { reportRoutes } from '#shared/api/reports';
import { periodKeys, rowsByGroup } from '#shared/domain/reports/periods';
import { salesRow } from '#shared/domain/reports/sales';
import { httpHandler } from '#shared/http/handler';
import { reportPeriod, requireReportReader } from '#shared/http/report-period';
import { ok } from '#shared/http/results';
import { readOverview } from '#shared/store/aggregates';
import { readReport } from '#shared/store/report-aggregates';

export const handler = httpHandler(reportRoutes, {
  async getOverview({ caller }) {
    requireReportReader(caller);
    return ok(await readOverview(caller.tenantId));
  },

  async getSalesReport({ caller, query }) {
    requireReportReader(caller);
    const period = reportPeriod(query);
    const groupBy = query.groupBy ?? 'month';
    const items = await readReport(caller.tenantId, 'sales', periodKeys(groupBy, period));
    const rows = rowsByGroup(items, groupBy === 'month' ? 'month' : 'value');
    return ok({
      ...period,
      groupBy,
      items: [...rows].map(([key, counters]) => salesRow(key, counters, groupBy)),
    });
  },
});
