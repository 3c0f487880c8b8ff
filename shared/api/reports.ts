import * as z from 'zod/mini';
import { reportSchemas } from '../schemas/reports.ts';
import { defineRoutes } from './route.ts';

const overview = () =>
  z.object({
    contacts: z.number(),
    companies: z.number(),
    teams: z.number(),
    users: z.number(),
    leads: z.number(),
    deals: z.number(),
    openPipelineAmount: z.record(z.string(), z.number()),
  });

/**
 * Reports are tenant-wide figures (every owner's deals, every team's cases):
 * managers and admins read them, a rep's token gets 403 (SPEC "Reports";
 * the README's report section says why).
 */
const managers = { least: 'manager' } as const;

export const reportRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/reports/overview',
    operationId: 'getOverview',
    role: managers,
    summary: 'Live record counts of the tenant, kept from the table stream',
    response: overview,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/sales',
    operationId: 'getSalesReport',
    role: managers,
    summary: 'Won deals by month, owner, team, product or country, with amounts per currency',
    query: () => reportSchemas().salesQuery,
    response: () => reportSchemas().sales,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/customers',
    operationId: 'getCustomersReport',
    role: managers,
    summary:
      'Customers (companies with a won deal) with lifetime value, RFM, churn risk with reasons and engagement score',
    query: () => reportSchemas().customersQuery,
    response: () => reportSchemas().customers,
    status: 200,
  },
]);
