import * as z from 'zod/mini';
import { churnReasonCodes } from '../domain/churn-risk.ts';
import { activityDimensions } from '../domain/reports/activities.ts';
import { timeseriesBuckets } from '../domain/reports/campaigns.ts';
import { caseDimensions } from '../domain/reports/cases.ts';
import { customerSorts } from '../domain/reports/customers.ts';
import { MAX_FORECAST_MONTHS, MIN_FORECAST_MONTHS } from '../domain/reports/forecast.ts';
import { leadDimensions } from '../domain/reports/leads.ts';
import { salesDimensions } from '../domain/reports/sales.ts';
import { winRateDimensions } from '../domain/reports/win-rate.ts';
import { rfmSegments } from '../domain/rfm.ts';
import { campaignSchemas } from './campaigns.ts';
import { customGroupBy, isoDate, listQuery, ulid } from './common.ts';
import { lazy } from './lazy.ts';

/** A report's period: ISO dates, checked against each other by shared/domain/reports/range.ts. */
const period = () => ({ from: z.optional(isoDate()), to: z.optional(isoDate()) });

const money = () => z.record(z.string(), z.number());

/** A KPI: its value for the period and for the period before (null where no earlier value is kept). */
const figure = <T extends z.ZodMiniType>(value: T) => z.object({ value, previous: z.nullable(value) });

const ownerFigures = () =>
  z.object({ ownerId: z.string(), count: z.number(), amount: money(), weightedAmount: money() });

export const reportSchemas = /* @__PURE__ */ lazy(() => ({
  overviewQuery: z.strictObject({}),
  salesQuery: z.strictObject({
    ...period(),
    groupBy: z.optional(z.union([z.enum(salesDimensions), customGroupBy()])),
  }),
  sales: z.object({
    from: z.string(),
    to: z.string(),
    groupBy: z.union([z.enum(salesDimensions), z.string()]),
    items: z.array(
      z.object({ key: z.string(), count: z.number(), amount: money(), quantity: z.optional(z.number()) }),
    ),
  }),
  pipelineQuery: z.strictObject({ pipelineId: z.optional(ulid()) }),
  pipeline: z.object({
    pipelineId: z.string(),
    name: z.string(),
    stages: z.array(
      z.object({
        stageId: z.string(),
        name: z.string(),
        count: z.number(),
        amount: money(),
        weightedAmount: money(),
        enteredCount: z.number(),
        advancedCount: z.number(),
        conversionRate: z.number(),
        avgDaysInStage: z.nullable(z.number()),
      }),
    ),
  }),
  winRateQuery: z.strictObject({
    ...period(),
    groupBy: z.optional(z.union([z.enum(winRateDimensions), customGroupBy()])),
  }),
  winRate: z.object({
    from: z.string(),
    to: z.string(),
    groupBy: z.union([z.enum(winRateDimensions), z.string()]),
    items: z.array(
      z.object({
        key: z.string(),
        won: z.number(),
        lost: z.number(),
        winRate: z.number(),
        avgDealSize: money(),
        avgCycleDays: z.nullable(z.number()),
      }),
    ),
  }),
  forecastQuery: z.strictObject({
    months: z.optional(
      z
        .string()
        .check(
          z.refine(
            (value) =>
              /^\d{1,2}$/.test(value) &&
              Number(value) >= MIN_FORECAST_MONTHS &&
              Number(value) <= MAX_FORECAST_MONTHS,
            `must be an integer from ${MIN_FORECAST_MONTHS} to ${MAX_FORECAST_MONTHS}`,
          ),
        ),
    ),
  }),
  forecast: z.object({
    months: z.number(),
    from: z.string(),
    to: z.string(),
    items: z.array(
      z.object({
        month: z.string(),
        ownerId: z.string(),
        count: z.number(),
        amount: money(),
        weightedAmount: money(),
      }),
    ),
    undated: z.array(ownerFigures()),
    overdue: z.array(ownerFigures()),
  }),
  leadsQuery: z.strictObject({
    ...period(),
    groupBy: z.optional(z.union([z.enum(leadDimensions), customGroupBy()])),
  }),
  leads: z.object({
    from: z.string(),
    to: z.string(),
    groupBy: z.union([z.enum(leadDimensions), z.string()]),
    items: z.array(
      z.object({
        key: z.string(),
        created: z.number(),
        converted: z.number(),
        conversionRate: z.number(),
        avgDaysToConvert: z.nullable(z.number()),
      }),
    ),
  }),
  casesQuery: z.strictObject({ ...period(), groupBy: z.optional(z.enum(caseDimensions)) }),
  cases: z.object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(caseDimensions),
    items: z.array(
      z.object({
        key: z.string(),
        opened: z.number(),
        resolved: z.number(),
        slaBreaches: z.number(),
        slaBreachRate: z.number(),
        avgResolutionHours: z.nullable(z.number()),
        csatAvg: z.nullable(z.number()),
        csatCount: z.number(),
      }),
    ),
  }),
  activitiesQuery: z.strictObject({ ...period(), groupBy: z.optional(z.enum(activityDimensions)) }),
  activities: z.object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(activityDimensions),
    items: z.array(z.object({ key: z.string(), created: z.number(), done: z.number(), overdue: z.number() })),
  }),
  campaignsQuery: z.strictObject(period()),
  campaigns: z.object({
    from: z.string(),
    to: z.string(),
    items: z.array(
      z.object({
        campaignId: z.string(),
        name: z.string(),
        status: z.string(),
        startedAt: z.nullable(z.string()),
        ...campaignSchemas().stats.shape,
        budget: z.nullable(money()),
        cost: z.nullable(money()),
        influencedDeals: z.number(),
        wonDeals: z.number(),
        wonAmount: money(),
        roi: z.nullable(z.number()),
      }),
    ),
  }),
  campaignTimeseriesQuery: z.strictObject({ bucket: z.optional(z.enum(timeseriesBuckets)) }),
  campaignTimeseries: z.object({
    campaignId: z.string(),
    bucket: z.enum(timeseriesBuckets),
    items: z.array(
      z.object({ start: z.string(), humanOpens: z.number(), clicks: z.number(), machineOpens: z.number() }),
    ),
  }),
  kpisQuery: z.strictObject(period()),
  kpis: z.object({
    from: z.string(),
    to: z.string(),
    previousPeriod: z.object({ from: z.string(), to: z.string() }),
    figures: z.object({
      openPipeline: figure(money()),
      weightedPipeline: figure(money()),
      wonAmount: figure(money()),
      wonDeals: figure(z.number()),
      winRate: figure(z.number()),
      avgDealSize: figure(money()),
      salesCycleDays: figure(z.nullable(z.number())),
      newLeads: figure(z.number()),
      leadConversionRate: figure(z.number()),
      openCases: figure(z.number()),
      slaBreachRate: figure(z.number()),
      csatAverage: figure(z.nullable(z.number())),
      campaignOpenRate: figure(z.number()),
      campaignClickRate: figure(z.number()),
    }),
  }),
  customersQuery: z.strictObject({
    sort: z.optional(z.enum(customerSorts)),
    segment: z.optional(z.enum(rfmSegments)),
    limit: listQuery().limit,
    cursor: listQuery().cursor,
  }),
  customers: z.object({
    sort: z.enum(customerSorts),
    segment: z.nullable(z.enum(rfmSegments)),
    items: z.array(
      z.object({
        companyId: z.string(),
        name: z.string(),
        lifetimeValue: money(),
        lastPurchaseAt: z.string(),
        dealCount: z.number(),
        rfm: z.object({ r: z.number(), f: z.number(), m: z.number(), segment: z.enum(rfmSegments) }),
        churnRisk: z.number(),
        reasons: z.array(
          z.object({ code: z.enum(churnReasonCodes), weight: z.number(), detail: z.string() }),
        ),
        engagementScore: z.number(),
      }),
    ),
    nextCursor: z.nullable(z.string()),
  }),
}));
