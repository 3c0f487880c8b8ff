import * as z from 'zod/mini';
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
}));
