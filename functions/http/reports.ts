import { reportRoutes } from '#shared/api/reports';
import { customersPage } from '#shared/domain/reports/customer-page';
import { periodKeys, rowsByGroup } from '#shared/domain/reports/periods';
import { salesRow } from '#shared/domain/reports/sales';
import { httpHandler } from '#shared/http/handler';
import { reportPeriod, requireReportReader } from '#shared/http/report-period';
import { ok } from '#shared/http/results';
import { readOverview } from '#shared/store/aggregates';
import { readCustomers } from '#shared/store/customers';
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

  async getCustomersReport({ caller, query, page }) {
    requireReportReader(caller);
    const sort = query.sort ?? 'value';
    const segment = query.segment ?? null;
    const found = customersPage(await readCustomers(caller.tenantId), {
      sort,
      segment,
      limit: page.limit,
      offset: page.startKey?.offset,
    });
    return ok({
      sort,
      segment,
      items: found.items,
      nextCursor: await page.next(found.nextOffset === undefined ? undefined : { offset: found.nextOffset }),
    });
  },
});
