import { reportRoutes } from '#shared/api/reports';
import { activityRows } from '#shared/domain/reports/activities';
import { casesRow } from '#shared/domain/reports/cases';
import { leadsRow } from '#shared/domain/reports/leads';
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

  async getLeadsReport({ caller, query }) {
    requireReportReader(caller);
    const period = reportPeriod(query);
    const groupBy = query.groupBy ?? 'month';
    const items = await readReport(caller.tenantId, 'leads', periodKeys(groupBy, period));
    const rows = rowsByGroup(items, groupBy === 'month' ? 'month' : 'value');
    return ok({ ...period, groupBy, items: [...rows].map(([key, counters]) => leadsRow(key, counters)) });
  },

  async getCasesReport({ caller, query }) {
    requireReportReader(caller);
    const period = reportPeriod(query);
    const groupBy = query.groupBy ?? 'month';
    const items = await readReport(caller.tenantId, 'cases', periodKeys(groupBy, period));
    const rows = rowsByGroup(items, groupBy === 'month' ? 'month' : 'value');
    return ok({ ...period, groupBy, items: [...rows].map(([key, counters]) => casesRow(key, counters)) });
  },

  async getActivitiesReport({ caller, query }) {
    requireReportReader(caller);
    const period = reportPeriod(query);
    const groupBy = query.groupBy ?? 'month';
    const items = await readReport(caller.tenantId, 'activities', periodKeys(groupBy, period));
    // Overdue depends on the clock: decided here, against the time of the request.
    return ok({ ...period, groupBy, items: activityRows(items, groupBy, new Date()) });
  },
});
