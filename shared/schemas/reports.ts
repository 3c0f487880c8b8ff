import * as z from 'zod/mini';
import { churnReasonCodes } from '../domain/churn-risk.ts';
import { customerSorts } from '../domain/reports/customers.ts';
import { salesDimensions } from '../domain/reports/sales.ts';
import { rfmSegments } from '../domain/rfm.ts';
import { isoDate, listQuery } from './common.ts';
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
