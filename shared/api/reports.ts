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
    query: () => reportSchemas().overviewQuery,
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
    path: '/reports/leads',
    operationId: 'getLeadsReport',
    role: managers,
    summary: 'Leads created by source, month or owner: how many converted and how fast',
    query: () => reportSchemas().leadsQuery,
    response: () => reportSchemas().leads,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/cases',
    operationId: 'getCasesReport',
    role: managers,
    summary: 'Cases opened by type, status, month or assignee: resolutions, SLA breaches and CSAT',
    query: () => reportSchemas().casesQuery,
    response: () => reportSchemas().cases,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/activities',
    operationId: 'getActivitiesReport',
    role: managers,
    summary: 'Activities created and done by owner, type or month, and the open ones overdue',
    query: () => reportSchemas().activitiesQuery,
    response: () => reportSchemas().activities,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/pipeline',
    operationId: 'getPipelineReport',
    role: managers,
    summary:
      'Per stage of a pipeline (the default one unless pipelineId): live deals and amounts, entries, advances, conversion and days in stage',
    query: () => reportSchemas().pipelineQuery,
    response: () => reportSchemas().pipeline,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/win-rate',
    operationId: 'getWinRateReport',
    role: managers,
    summary:
      'Won and lost deals by the day they closed, per month, owner or source: win rate, deal size, cycle',
    query: () => reportSchemas().winRateQuery,
    response: () => reportSchemas().winRate,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/forecast',
    operationId: 'getForecastReport',
    role: managers,
    summary:
      'Open deals by expected close month and owner, weighted by probability; undated and overdue apart',
    query: () => reportSchemas().forecastQuery,
    response: () => reportSchemas().forecast,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/campaigns',
    operationId: 'getCampaignsReport',
    role: managers,
    summary:
      'Campaigns started in the period: stats with human and machine opens, budget, cost, influenced and won deals, won amount and ROI',
    query: () => reportSchemas().campaignsQuery,
    response: () => reportSchemas().campaigns,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/campaigns/{id}/timeseries',
    operationId: 'getCampaignTimeseries',
    role: managers,
    summary: "A campaign's unique human opens, clicks and machine opens per hour or day of the first one",
    query: () => reportSchemas().campaignTimeseriesQuery,
    response: () => reportSchemas().campaignTimeseries,
    status: 200,
  },
  {
    method: 'GET',
    path: '/reports/kpis',
    operationId: 'getKpis',
    role: managers,
    summary:
      'Dashboard figures for a period beside the period of equal length before it: pipeline, sales, win rate, leads, cases, campaigns',
    query: () => reportSchemas().kpisQuery,
    response: () => reportSchemas().kpis,
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
