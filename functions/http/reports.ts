import { reportRoutes } from '#shared/api/reports';
import { activityRows } from '#shared/domain/reports/activities';
import { casesRow } from '#shared/domain/reports/cases';
import { DEFAULT_FORECAST_MONTHS, FORECAST_REPORT, forecastOf } from '#shared/domain/reports/forecast';
import { leadsRow } from '#shared/domain/reports/leads';
import { periodKeys, rowsByGroup } from '#shared/domain/reports/periods';
import { PIPELINE_REPORT, pipelinePrefix, pipelineRows } from '#shared/domain/reports/pipeline';
import { salesRow } from '#shared/domain/reports/sales';
import { WIN_RATE_REPORT, winRateRow } from '#shared/domain/reports/win-rate';
import { httpHandler } from '#shared/http/handler';
import { notFound } from '#shared/http/problem';
import { reportPeriod, requireReportReader } from '#shared/http/report-period';
import { ok } from '#shared/http/results';
import { readOverview } from '#shared/store/aggregates';
import { pipelineOrDefault } from '#shared/store/pipelines';
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

  async getPipelineReport({ caller, query }) {
    requireReportReader(caller);
    const pipeline = await pipelineOrDefault(caller.tenantId, query.pipelineId, caller.userId);
    if (!pipeline) throw notFound('Pipeline');
    const items = await readReport(caller.tenantId, PIPELINE_REPORT, { prefix: pipelinePrefix(pipeline.id) });
    return ok({ pipelineId: pipeline.id, name: pipeline.name, stages: pipelineRows(pipeline, items) });
  },

  async getWinRateReport({ caller, query }) {
    requireReportReader(caller);
    const period = reportPeriod(query);
    const groupBy = query.groupBy ?? 'month';
    const items = await readReport(caller.tenantId, WIN_RATE_REPORT, periodKeys(groupBy, period));
    const rows = rowsByGroup(items, groupBy === 'month' ? 'month' : 'value');
    return ok({ ...period, groupBy, items: [...rows].map(([key, counters]) => winRateRow(key, counters)) });
  },

  async getForecastReport({ caller, query }) {
    requireReportReader(caller);
    const months = query.months === undefined ? DEFAULT_FORECAST_MONTHS : Number(query.months);
    const items = await readReport(caller.tenantId, FORECAST_REPORT);
    return ok({ months, ...forecastOf(items, new Date().toISOString().slice(0, 7), months) });
  },
});
