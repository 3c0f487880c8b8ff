import * as z from 'zod/mini';
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

export const reportRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/reports/overview',
    operationId: 'getOverview',
    role: { least: 'manager' },
    summary: 'Live record counts of the tenant, kept from the table stream',
    response: overview,
    status: 200,
  },
]);
