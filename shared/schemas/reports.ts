import * as z from 'zod/mini';
import { MAX_FORECAST_MONTHS, MIN_FORECAST_MONTHS } from '../domain/reports/forecast.ts';
import { salesDimensions } from '../domain/reports/sales.ts';
import { winRateDimensions } from '../domain/reports/win-rate.ts';
import { isoDate, ulid } from './common.ts';
import { lazy } from './lazy.ts';

/** A report's period: ISO dates, checked against each other by shared/domain/reports/range.ts. */
const period = () => ({ from: z.optional(isoDate()), to: z.optional(isoDate()) });

const money = () => z.record(z.string(), z.number());

const ownerFigures = () =>
  z.object({ ownerId: z.string(), count: z.number(), amount: money(), weightedAmount: money() });

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
  winRateQuery: z.strictObject({ ...period(), groupBy: z.optional(z.enum(winRateDimensions)) }),
  winRate: z.object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(winRateDimensions),
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
}));
