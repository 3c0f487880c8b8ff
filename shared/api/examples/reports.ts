import { ids, users } from './common.ts';
import { campaignExamples } from './marketing.ts';

/** The reports of the examples: November 2026 of the Iberia sales team, amounts by currency. */

const period = { from: '2026-11-01', to: '2026-11-30' };

export const reportExamples = {
  overview: {
    contacts: 1284,
    companies: 312,
    teams: 3,
    users: 14,
    leads: 167,
    deals: 96,
    openPipelineAmount: { EUR: 1245000, USD: 86000 },
  },
  sales: {
    ...period,
    groupBy: 'owner',
    items: [
      { key: users.rep.id, count: 7, amount: { EUR: 212400 } },
      { key: users.manager.id, count: 3, amount: { EUR: 98500 } },
    ],
  },
  leads: {
    ...period,
    groupBy: 'source',
    items: [
      { key: 'web', created: 64, converted: 11, conversionRate: 0.172, avgDaysToConvert: 9.4 },
      { key: 'referral', created: 18, converted: 7, conversionRate: 0.389, avgDaysToConvert: 6.1 },
    ],
  },
  cases: {
    ...period,
    groupBy: 'type',
    items: [
      {
        key: 'complaint',
        opened: 12,
        resolved: 10,
        slaBreaches: 1,
        slaBreachRate: 0.083,
        avgResolutionHours: 6.5,
        csatAvg: 4.4,
        csatCount: 8,
      },
    ],
  },
  activities: {
    ...period,
    groupBy: 'type',
    items: [
      { key: 'call', created: 142, done: 131, overdue: 4 },
      { key: 'meeting', created: 38, done: 30, overdue: 1 },
    ],
  },
  pipeline: {
    pipelineId: ids.pipeline,
    name: 'New business',
    stages: [
      {
        stageId: ids.stageQualified,
        name: 'Qualified',
        count: 21,
        amount: { EUR: 402000 },
        weightedAmount: { EUR: 80400 },
        enteredCount: 34,
        advancedCount: 19,
        conversionRate: 0.559,
        avgDaysInStage: 8.2,
      },
      {
        stageId: ids.stageProposal,
        name: 'Proposal',
        count: 12,
        amount: { EUR: 518000 },
        weightedAmount: { EUR: 259000 },
        enteredCount: 19,
        advancedCount: 9,
        conversionRate: 0.474,
        avgDaysInStage: 12.6,
      },
    ],
  },
  winRate: {
    ...period,
    groupBy: 'month',
    items: [
      { key: '2026-11', won: 9, lost: 5, winRate: 0.643, avgDealSize: { EUR: 34500 }, avgCycleDays: 41.3 },
    ],
  },
  forecast: {
    months: 3,
    from: '2026-11',
    to: '2027-01',
    items: [
      {
        month: '2026-12',
        ownerId: users.rep.id,
        count: 4,
        amount: { EUR: 156000 },
        weightedAmount: { EUR: 98200 },
      },
    ],
    undated: [{ ownerId: users.rep.id, count: 2, amount: { EUR: 31000 }, weightedAmount: { EUR: 6200 } }],
    overdue: [{ ownerId: users.manager.id, count: 1, amount: { EUR: 12000 }, weightedAmount: { EUR: 9000 } }],
  },
  campaigns: {
    ...period,
    items: [
      {
        campaignId: ids.campaign,
        name: 'Spring cold-chain offer',
        status: 'sent',
        startedAt: '2026-11-12T08:00:00.000Z',
        ...campaignExamples.stats,
        budget: { EUR: 1500 },
        cost: { EUR: 1320 },
        influencedDeals: 6,
        wonDeals: 2,
        wonAmount: { EUR: 61000 },
        roi: 45.2,
      },
    ],
  },
  timeseries: {
    campaignId: ids.campaign,
    bucket: 'hour',
    items: [
      { start: '2026-11-12T08:00:00.000Z', humanOpens: 64, clicks: 17, machineOpens: 19 },
      { start: '2026-11-12T09:00:00.000Z', humanOpens: 31, clicks: 9, machineOpens: 2 },
    ],
  },
  kpis: {
    ...period,
    previousPeriod: { from: '2026-10-01', to: '2026-10-31' },
    figures: {
      openPipeline: { value: { EUR: 1245000 }, previous: { EUR: 1110000 } },
      weightedPipeline: { value: { EUR: 486000 }, previous: { EUR: 431000 } },
      wonAmount: { value: { EUR: 310900 }, previous: { EUR: 254000 } },
      wonDeals: { value: 9, previous: 7 },
      winRate: { value: 0.643, previous: 0.583 },
      avgDealSize: { value: { EUR: 34544 }, previous: { EUR: 36286 } },
      salesCycleDays: { value: 41.3, previous: 44.8 },
      newLeads: { value: 82, previous: 75 },
      leadConversionRate: { value: 0.22, previous: 0.19 },
      openCases: { value: 17, previous: 21 },
      slaBreachRate: { value: 0.05, previous: 0.09 },
      csatAverage: { value: 4.4, previous: 4.2 },
      campaignOpenRate: { value: 0.452, previous: 0.41 },
      campaignClickRate: { value: 0.122, previous: 0.1 },
    },
  },
  customers: {
    sort: 'churnRisk',
    segment: null,
    items: [
      {
        companyId: ids.company,
        name: 'Northwind Traders',
        lifetimeValue: { EUR: 186000 },
        lastPurchaseAt: '2026-06-30T00:00:00.000Z',
        dealCount: 5,
        rfm: { r: 2, f: 4, m: 5, segment: 'at_risk' },
        churnRisk: 74,
        reasons: [
          { code: 'no_recent_purchase', weight: 40, detail: 'No won deal in 143 days' },
          { code: 'complaints_or_sla_breaches', weight: 34, detail: '1 complaint in the last 90 days' },
        ],
        engagementScore: 58,
      },
    ],
    nextCursor: null,
  },
  rebuilt: {
    aggregatesChecked: 1840,
    drifted: [{ report: 'sales', key: '2026-11', was: { EUR: 210000 }, now: { EUR: 212400 } }],
  },
  rebuildStarted: { id: ids.rebuild, status: 'running' },
  rebuildDone: {
    id: ids.rebuild,
    status: 'done',
    aggregatesChecked: 1840,
    drifted: [{ report: 'sales', key: '2026-11', was: { EUR: 210000 }, now: { EUR: 212400 } }],
  },
};
