import { reportRoutes } from '#shared/api/reports';
import { campaignStats } from '#shared/domain/campaign';
import { activityRows } from '#shared/domain/reports/activities';
import type { Counters } from '#shared/domain/reports/aggregate';
import {
  activityPrefix,
  CAMPAIGN_ACTIVITY_REPORT,
  CAMPAIGNS_REPORT,
  campaignReportRow,
  DEALS,
  STARTED,
  startedCampaignIds,
  timeseries,
} from '#shared/domain/reports/campaigns';
import { casesRow } from '#shared/domain/reports/cases';
import { customersPage } from '#shared/domain/reports/customer-page';
import { DEFAULT_FORECAST_MONTHS, FORECAST_REPORT, forecastOf } from '#shared/domain/reports/forecast';
import { kpis, type PeriodInputs, periodFigures } from '#shared/domain/reports/kpis';
import { leadsRow } from '#shared/domain/reports/leads';
import { periodKeys, rowsByGroup } from '#shared/domain/reports/periods';
import { PIPELINE_REPORT, pipelinePrefix, pipelineRows } from '#shared/domain/reports/pipeline';
import { type DayRange, previousRange } from '#shared/domain/reports/range';
import { salesRow } from '#shared/domain/reports/sales';
import { WIN_RATE_REPORT, winRateRow } from '#shared/domain/reports/win-rate';
import { requireGroupableField } from '#shared/http/custom-fields';
import { httpHandler } from '#shared/http/handler';
import { notFound } from '#shared/http/problem';
import { readable } from '#shared/http/records';
import { reportPeriod, requireReportReader } from '#shared/http/report-period';
import { ok } from '#shared/http/results';
import { readOverview } from '#shared/store/aggregates';
import { readCampaignCountsOf } from '#shared/store/campaign-report';
import { campaigns } from '#shared/store/campaigns';
import { readCustomers } from '#shared/store/customers';
import { pipelineOrDefault } from '#shared/store/pipelines';
import { getRecords } from '#shared/store/records';
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
    await requireGroupableField(caller, 'deals', groupBy);
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
    await requireGroupableField(caller, 'leads', groupBy);
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
    await requireGroupableField(caller, 'deals', groupBy);
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

  /**
   * One Query per shard for the campaigns started in the period and one for
   * every campaign's attributed deals, then the started campaigns' records
   * and counters items by id (BatchGetItem): never their recipients.
   */
  async getCampaignsReport({ caller, query }) {
    requireReportReader(caller);
    const period = reportPeriod(query);
    const [started, deals] = await Promise.all([
      readReport(caller.tenantId, CAMPAIGNS_REPORT, periodKeys(STARTED, period)),
      readReport(caller.tenantId, CAMPAIGNS_REPORT, { prefix: `${DEALS}#` }),
    ]);
    const ids = startedCampaignIds(started);
    const [records, counts] = await Promise.all([
      getRecords(campaigns, caller.tenantId, ids),
      readCampaignCountsOf(caller.tenantId, ids),
    ]);
    const items = ids.flatMap((id) => {
      const campaign = records.get(id);
      const campaignCounts = counts.get(id);
      // Archived since the stream counted it: gone from the report, as the stream will make it.
      if (!campaign || campaign.archived || !campaignCounts) return [];
      const row = campaignReportRow(campaign, campaignStats(campaignCounts), deals.get(`${DEALS}#${id}`));
      // An A/B campaign's decided subject, from the record already read.
      return [campaign.winner ? { ...row, winner: campaign.winner } : row];
    });
    return ok({ ...period, items });
  },

  async getCampaignTimeseries({ caller, params, query }) {
    requireReportReader(caller);
    const campaign = await readable(campaigns, caller, params.id);
    const bucket = query.bucket ?? 'day';
    const items = await readReport(caller.tenantId, CAMPAIGN_ACTIVITY_REPORT, {
      prefix: activityPrefix(campaign.id),
    });
    return ok({ campaignId: campaign.id, bucket, items: timeseries(items, bucket) });
  },

  async getKpis({ caller, query }) {
    requireReportReader(caller);
    const period = reportPeriod(query);
    const previous = previousRange(period);
    const [inputs, openDeals] = await Promise.all([
      kpiInputs(caller.tenantId, { from: previous.from, to: period.to }),
      readReport(caller.tenantId, FORECAST_REPORT),
    ]);
    const figures = kpis(
      periodFigures(await inputs(period)),
      periodFigures(await inputs(previous)),
      openDeals,
    );
    return ok({ ...period, previousPeriod: previous, figures });
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

/**
 * The KPI inputs of both periods from one read of each report over the two
 * together (one Query per shard and report), split by the day in each key;
 * the campaigns started in a period are then read by id (BatchGetItem).
 */
async function kpiInputs(tenantId: string, span: DayRange) {
  const [sales, winRate, leads, cases, started] = await Promise.all([
    readReport(tenantId, 'sales', periodKeys('month', span)),
    readReport(tenantId, WIN_RATE_REPORT, periodKeys('month', span)),
    readReport(tenantId, 'leads', periodKeys('month', span)),
    readReport(tenantId, 'cases', periodKeys('month', span)),
    readReport(tenantId, CAMPAIGNS_REPORT, periodKeys(STARTED, span)),
  ]);
  const within = (items: ReadonlyMap<string, Counters>, range: DayRange) =>
    new Map(
      [...items].filter(([key]) => {
        const day = key.split('#')[1] ?? '';
        return day >= range.from && day <= range.to;
      }),
    );
  return async (range: DayRange): Promise<PeriodInputs> => {
    const ids = startedCampaignIds(within(started, range));
    const counts = await readCampaignCountsOf(tenantId, ids);
    return {
      sales: within(sales, range),
      winRate: within(winRate, range),
      leads: within(leads, range),
      cases: within(cases, range),
      campaigns: [...counts.values()],
    };
  };
}
