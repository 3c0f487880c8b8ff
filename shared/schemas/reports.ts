import * as z from 'zod/mini';
import { activityDimensions } from '../domain/reports/activities.ts';
import { caseDimensions } from '../domain/reports/cases.ts';
import { leadDimensions } from '../domain/reports/leads.ts';
import { salesDimensions } from '../domain/reports/sales.ts';
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
  leadsQuery: z.strictObject({ ...period(), groupBy: z.optional(z.enum(leadDimensions)) }),
  leads: z.object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(leadDimensions),
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
}));
