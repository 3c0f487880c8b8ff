import * as z from 'zod/mini';
import { timeseriesBuckets } from '../domain/reports/campaigns.ts';
import { salesDimensions } from '../domain/reports/sales.ts';
import { campaignSchemas } from './campaigns.ts';
import { isoDate } from './common.ts';
import { lazy } from './lazy.ts';

/** A report's period: ISO dates, checked against each other by shared/domain/reports/range.ts. */
const period = () => ({ from: z.optional(isoDate()), to: z.optional(isoDate()) });

const money = () => z.record(z.string(), z.number());

export const reportSchemas = /* @__PURE__ */ lazy(() => ({
  salesQuery: z.strictObject({ ...period(), groupBy: z.optional(z.enum(salesDimensions)) }),
  sales: z.object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(salesDimensions),
    items: z.array(
      z.object({ key: z.string(), count: z.number(), amount: money(), quantity: z.optional(z.number()) }),
    ),
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
}));
