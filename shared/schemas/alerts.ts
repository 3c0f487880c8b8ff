import * as z from 'zod/mini';
import { alertSettingLimits } from '../domain/alerts.ts';
import { lazy } from './lazy.ts';

const whole = (limits: { readonly min: number; readonly max: number }) =>
  z.int().check(z.gte(limits.min), z.lte(limits.max));

/** PUT/GET /settings/alerts (SPEC "Reports", alerts): whole numbers in range; an omitted one takes its default. */
export const alertSettingsSchemas = /* @__PURE__ */ lazy(() => ({
  put: z.strictObject({
    staleDealDays: z.optional(whole(alertSettingLimits.staleDealDays)),
    churnRiskThreshold: z.optional(whole(alertSettingLimits.churnRiskThreshold)),
  }),
  record: z.object({
    staleDealDays: z.number(),
    churnRiskThreshold: z.number(),
    updatedAt: z.optional(z.string()),
    updatedBy: z.optional(z.string()),
  }),
}));
