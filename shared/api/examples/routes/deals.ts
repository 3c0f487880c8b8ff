import type { RouteExamples } from '../../route.ts';
import { page } from '../common.ts';
import { dealExamples } from '../sales.ts';

/** Examples of the deals routes for the OpenAPI document, by operationId. */
export const dealsRouteExamples = {
  listDeals: { response: page(dealExamples.record) },
  createDeal: { request: dealExamples.create, response: dealExamples.record },
  getDeal: { response: dealExamples.record },
  updateDeal: { request: dealExamples.patch, response: dealExamples.updated },
  restoreDeal: { response: dealExamples.record },
  getDealHistory: { response: dealExamples.history },
} satisfies Readonly<Record<string, RouteExamples>>;
