import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyBody } from '../support/api.ts';
import { eventually } from '../support/api.ts';
import { listAll } from './report-replay.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const shift = (day: string, days: number) =>
  new Date(Date.parse(day) + days * DAY).toISOString().slice(0, 10);
const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);
const inPeriod = (iso: string | undefined, from: string, to: string) =>
  iso !== undefined && iso.slice(0, 10) >= from && iso.slice(0, 10) <= to;

/** Per-currency sum of amounts in minor units, as decimals. */
function byCurrency(deals: readonly AnyBody[], amountOf: (deal: AnyBody) => number = (deal) => deal.amount) {
  const minor: Record<string, number> = {};
  for (const deal of deals) {
    if (deal.amount === undefined || !deal.currency) continue;
    minor[deal.currency] = (minor[deal.currency] ?? 0) + Math.round(amountOf(deal) * 100);
  }
  return Object.fromEntries(Object.entries(minor).map(([currency, value]) => [currency, value / 100]));
}

/** The flow figures of one period recomputed from the records the API lists. */
async function expectedFigures(from: string, to: string) {
  const { client } = world.admin;
  const deals = await listAll(client, '/deals');
  const won = deals.filter((deal) => deal.status === 'won' && inPeriod(deal.closedAt, from, to));
  const lost = deals.filter((deal) => deal.status === 'lost' && inPeriod(deal.closedAt, from, to));
  const leads = (await listAll(client, '/leads')).filter((lead) => inPeriod(lead.createdAt, from, to));
  const cases = (await listAll(client, '/cases')).filter((item) => inPeriod(item.createdAt, from, to));
  const converted = leads.filter((lead) => lead.convertedAt);
  const cycleDays = won.map((deal) => (Date.parse(deal.closedAt) - Date.parse(deal.createdAt)) / DAY);
  const avgDealSize: Record<string, number> = {};
  for (const [currency, amount] of Object.entries(byCurrency(won))) {
    const count = won.filter((deal) => deal.currency === currency).length;
    avgDealSize[currency] = Math.round((amount * 100) / count) / 100;
  }
  return {
    wonAmount: byCurrency(won),
    wonDeals: won.length,
    winRate: rate(won.length, won.length + lost.length),
    avgDealSize,
    salesCycleDays:
      won.length > 0 ? Math.round((cycleDays.reduce((a, b) => a + b, 0) / won.length) * 10) / 10 : null,
    newLeads: leads.length,
    leadConversionRate: rate(converted.length, leads.length),
    openCases: cases.filter((item) => !['resolved', 'closed'].includes(item.status)).length,
    slaBreachRate: rate(cases.filter((item) => item.slaBreachedAt).length, cases.length),
    csatAverage: null,
    campaignOpenRate: 0,
    campaignClickRate: 0,
  };
}

describe('KPIs', () => {
  it('sum the period from the same aggregates as the reports, beside the period before', async () => {
    const { admin, repRed } = world;
    const pipeline = (await admin.client.get('/pipelines')).body.items[0];
    const stage = (name: string) =>
      pipeline.stages.find((s: { name: string; kind: string }) => s.name === name || s.kind === name).id;
    const deal = async (amount: number, currency: string, stageName?: string) => {
      const created = await repRed.client.post('/deals', { name: unique('Deal'), amount, currency });
      expect(created.status).toBe(201);
      if (stageName) {
        const body =
          stageName === 'lost'
            ? { stageId: stage('lost'), lostReason: 'price' }
            : { stageId: stage(stageName) };
        expect((await admin.client.patch(`/deals/${created.body.id}`, body)).status).toBe(200);
      }
      return created.body.id as string;
    };
    await deal(100, 'EUR', 'won');
    await deal(50.5, 'EUR', 'won');
    await deal(10, 'USD', 'won');
    await deal(70, 'EUR', 'lost');
    await deal(200, 'EUR', 'qualification');
    await deal(0.1, 'EUR');
    for (const n of [1, 2, 3]) {
      const lead = await repRed.client.post('/leads', {
        firstName: `L${n}`,
        email: `${unique('k')}@example.com`,
      });
      expect(lead.status).toBe(201);
      if (n === 1) expect((await admin.client.post(`/leads/${lead.body.id}/convert`, {})).status).toBe(200);
    }
    const contact = await repRed.client.post('/contacts', {
      firstName: 'Case',
      email: `${unique('c')}@example.com`,
    });
    const caseIds: string[] = [];
    for (const type of ['complaint', 'information']) {
      const created = await repRed.client.post('/cases', {
        subject: unique('Case'),
        type,
        contactId: contact.body.id,
      });
      expect(created.status).toBe(201);
      caseIds.push(created.body.id);
    }
    expect((await repRed.client.post(`/cases/${caseIds[0]}/resolve`, { resolution: 'Done' })).status).toBe(
      200,
    );

    const from = shift(today(), -6);
    const to = today();
    const open = (await listAll(admin.client, '/deals?status=open')) as AnyBody[];
    await eventually(async () => {
      const response = await world.managerRed.client.get(`/reports/kpis?from=${from}&to=${to}`);
      expect(response.status, response.text).toBe(200);
      const current = await expectedFigures(from, to);
      const before = await expectedFigures(shift(from, -7), shift(from, -1));
      expect(response.body.from).toBe(from);
      expect(response.body.previousPeriod).toEqual({ from: shift(from, -7), to: shift(from, -1) });
      for (const [name, value] of Object.entries(current))
        expect(response.body.figures[name], name).toEqual({
          value,
          previous: before[name as keyof typeof before],
        });
      expect(response.body.figures.openPipeline).toEqual({ value: byCurrency(open), previous: null });
      expect(response.body.figures.weightedPipeline).toEqual({
        value: byCurrency(open, (deal) => (deal.amount * deal.probability) / 100),
        previous: null,
      });
    });
    // Today's figures fall in the previous period of a period starting tomorrow.
    const later = await admin.client.get(`/reports/kpis?from=${shift(today(), 1)}&to=${shift(today(), 1)}`);
    expect(later.body.figures.wonDeals).toEqual({ value: 0, previous: 3 });
    expect(later.body.figures.newLeads).toEqual({ value: 0, previous: 3 });
    expect(later.body.figures.wonAmount).toEqual({ value: {}, previous: { EUR: 150.5, USD: 10 } });
  });

  it('answers 400 for a bad period, 403 for a rep, and nothing of another tenant', async () => {
    for (const query of ['from=2026-02-30', 'from=2026-03-02&to=2026-03-01', 'groupBy=month', 'to=soon']) {
      const response = await world.admin.client.get(`/reports/kpis?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await world.repRed.client.get('/reports/kpis')).status).toBe(403);
    const stranger = await world.stranger.client.get('/reports/kpis');
    expect(stranger.status).toBe(200);
    expect(stranger.body.figures.wonDeals).toEqual({ value: 0, previous: 0 });
    expect(stranger.body.figures.openPipeline).toEqual({ value: {}, previous: null });
  });
});
