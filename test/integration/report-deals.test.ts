import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api.ts';
import { listAll } from './report-replay.ts';
import { createWorld, type World } from './world.ts';

/**
 * The pipeline, win-rate and forecast reports against an independent
 * recomputation from what the API lists: GET /deals (live and archived),
 * GET /deals/{id}/history and GET /pipelines.
 */
let world: World;
beforeAll(async () => {
  world = await createWorld();
});

interface Stage {
  id: string;
  name: string;
  probability: number;
  kind: 'open' | 'won' | 'lost';
}
interface Pipeline {
  id: string;
  name: string;
  stages: Stage[];
}
interface DealRecord {
  id: string;
  ownerId: string;
  pipelineId: string;
  stageId: string;
  status: 'open' | 'won' | 'lost';
  probability: number;
  amount?: number;
  currency?: string;
  createdAt: string;
  closedAt?: string;
  expectedCloseDate?: string;
  source?: string;
}
interface HistoryEntry {
  id: string;
  from: { stageId: string } | null;
  to: { stageId: string };
  at: string;
}

const minor = (amount: number) => Math.round(amount * 100);
const fourDigits = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
const oneDecimal = (sum: number, count: number) => (count > 0 ? Math.round((sum / count) * 10) / 10 : null);
const decimals = (sums: Record<string, number>, divisor = 1) =>
  Object.fromEntries(
    Object.entries(sums)
      .map(([currency, value]) => [currency, Math.round(value / divisor) / 100] as const)
      .filter(([, value]) => value !== 0),
  );
const seconds = (from: string, to: string) =>
  Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

async function expectedPipeline(pipelines: Pipeline[], pipeline: Pipeline) {
  const { admin } = world;
  const live = await listAll<DealRecord>(admin.client, '/deals');
  const archived = await listAll<DealRecord>(admin.client, '/deals?archived=true');
  const stageOf = new Map(
    pipelines.flatMap((p) => p.stages.map((s, index) => [s.id, { p, s, index }] as const)),
  );
  const rows = new Map(
    pipeline.stages.map((stage) => [
      stage.id,
      {
        count: 0,
        amount: {} as Record<string, number>,
        weighted: {} as Record<string, number>,
        entered: 0,
        advanced: 0,
        timed: 0,
        seconds: 0,
      },
    ]),
  );
  for (const deal of live) {
    const row = rows.get(deal.stageId);
    if (deal.pipelineId !== pipeline.id || !row) continue;
    row.count++;
    if (deal.amount !== undefined && deal.currency) {
      row.amount[deal.currency] = (row.amount[deal.currency] ?? 0) + minor(deal.amount);
      row.weighted[deal.currency] =
        (row.weighted[deal.currency] ?? 0) + minor(deal.amount) * deal.probability;
    }
  }
  for (const deal of [...live, ...archived]) {
    const entries = await listAll<HistoryEntry>(admin.client, `/deals/${deal.id}/history`);
    entries.forEach((entry, index) => {
      const entered = rows.get(entry.to.stageId);
      if (entered) entered.entered++;
      const left = entry.from && rows.get(entry.from.stageId);
      if (!entry.from || !left) return;
      const from = stageOf.get(entry.from.stageId);
      const to = stageOf.get(entry.to.stageId);
      const advanced =
        to?.s.kind === 'won' ||
        (to?.s.kind === 'open' && from?.s.kind === 'open' && from.p.id === to.p.id && to.index > from.index);
      if (advanced) left.advanced++;
      const previous = entries[index - 1];
      if (previous) {
        left.timed++;
        left.seconds += seconds(previous.at, entry.at);
      }
    });
  }
  return {
    pipelineId: pipeline.id,
    name: pipeline.name,
    stages: pipeline.stages.map((stage) => {
      const row = rows.get(stage.id) as NonNullable<ReturnType<typeof rows.get>>;
      return {
        stageId: stage.id,
        name: stage.name,
        count: row.count,
        amount: decimals(row.amount),
        weightedAmount: decimals(row.weighted, 100),
        enteredCount: row.entered,
        advancedCount: row.advanced,
        conversionRate: fourDigits(row.advanced, row.entered),
        avgDaysInStage: oneDecimal(row.seconds / 86_400, row.timed),
      };
    }),
  };
}

async function expectedWinRate(groupBy: 'month' | 'owner' | 'source', from: string, to: string) {
  const closed = [
    ...(await listAll<DealRecord>(world.admin.client, '/deals?status=won')),
    ...(await listAll<DealRecord>(world.admin.client, '/deals?status=lost')),
  ];
  const rows = new Map<
    string,
    { won: number; lost: number; minor: Record<string, number>; deals: Record<string, number>; cycle: number }
  >();
  for (const deal of closed) {
    const day = deal.closedAt?.slice(0, 10) ?? '';
    if (day < from || day > to) continue;
    const key =
      groupBy === 'month' ? day.slice(0, 7) : groupBy === 'owner' ? deal.ownerId : (deal.source ?? 'none');
    const row = rows.get(key) ?? { won: 0, lost: 0, minor: {}, deals: {}, cycle: 0 };
    if (deal.status === 'lost') row.lost++;
    else {
      row.won++;
      row.cycle += seconds(deal.createdAt, deal.closedAt as string);
      if (deal.amount !== undefined && deal.currency) {
        row.minor[deal.currency] = (row.minor[deal.currency] ?? 0) + minor(deal.amount);
        row.deals[deal.currency] = (row.deals[deal.currency] ?? 0) + 1;
      }
    }
    rows.set(key, row);
  }
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, row]) => ({
      key,
      won: row.won,
      lost: row.lost,
      winRate: fourDigits(row.won, row.won + row.lost),
      avgDealSize: Object.fromEntries(
        Object.entries(row.minor)
          .filter(([, value]) => value !== 0)
          .map(([currency, value]) => [currency, Math.round(value / (row.deals[currency] ?? 1)) / 100]),
      ),
      avgCycleDays: oneDecimal(row.cycle / 86_400, row.won),
    }));
}

async function expectedForecast(months: number) {
  const open = await listAll<DealRecord>(world.admin.client, '/deals?status=open');
  const current = new Date().toISOString().slice(0, 7);
  const monthsAhead = Array.from({ length: months }, (_, index) => {
    const date = new Date(`${current}-01T00:00:00Z`);
    date.setUTCMonth(date.getUTCMonth() + index);
    return date.toISOString().slice(0, 7);
  });
  type Sum = { count: number; amount: Record<string, number>; weighted: Record<string, number> };
  const add = (into: Map<string, Sum>, key: string, deal: DealRecord) => {
    const sum = into.get(key) ?? { count: 0, amount: {}, weighted: {} };
    sum.count++;
    if (deal.amount !== undefined && deal.currency) {
      sum.amount[deal.currency] = (sum.amount[deal.currency] ?? 0) + minor(deal.amount);
      sum.weighted[deal.currency] =
        (sum.weighted[deal.currency] ?? 0) + minor(deal.amount) * deal.probability;
    }
    into.set(key, sum);
  };
  const items = new Map<string, Sum>();
  const undated = new Map<string, Sum>();
  const overdue = new Map<string, Sum>();
  for (const deal of open) {
    const month = deal.expectedCloseDate?.slice(0, 7);
    if (!month) add(undated, deal.ownerId, deal);
    else if (month < current) add(overdue, deal.ownerId, deal);
    else if (monthsAhead.includes(month)) add(items, `${month}#${deal.ownerId}`, deal);
  }
  const figures = (sum: Sum) => ({
    count: sum.count,
    amount: decimals(sum.amount),
    weightedAmount: decimals(sum.weighted, 100),
  });
  const byOwner = (sums: Map<string, Sum>) =>
    [...sums].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ownerId, sum]) => ({ ownerId, ...figures(sum) }));
  return {
    months,
    from: current,
    to: monthsAhead.at(-1),
    items: [...items]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, sum]) => {
        const [month, ownerId] = key.split('#');
        return { month, ownerId, ...figures(sum) };
      }),
    undated: byOwner(undated),
    overdue: byOwner(overdue),
  };
}

const defaultPipeline = async (client: ApiClient): Promise<Pipeline> =>
  (await client.get('/pipelines')).body.items.find((p: { isDefault: boolean }) => p.isDefault);

const stageIn = (pipeline: Pipeline, name: string) =>
  (pipeline.stages.find((s) => s.name === name) as Stage).id;

describe('pipeline report', () => {
  it('shows each stage of a pipeline, in order: deals and amounts now, entries, advances and days in stage', async () => {
    const { admin, managerRed, repRed } = world;
    const sales = await defaultPipeline(admin.client);
    const created = await admin.client.post('/pipelines', {
      name: 'Renewals',
      stages: [
        { name: 'due', probability: 30, kind: 'open' },
        { name: 'offered', probability: 70, kind: 'open' },
        { name: 'renewed', probability: 100, kind: 'won' },
        { name: 'churned', probability: 0, kind: 'lost' },
      ],
    });
    expect(created.status).toBe(201);
    const renewals = created.body as Pipeline;
    const deal = async (client: ApiClient, body: Record<string, unknown>) => {
      const response = await client.post('/deals', { name: 'P', ...body });
      expect(response.status).toBe(201);
      return response.body.id as string;
    };
    const move = async (id: string, body: Record<string, unknown>) =>
      expect((await admin.client.patch(`/deals/${id}`, body)).status).toBe(200);

    const a = await deal(repRed.client, { amount: 1000.01, currency: 'EUR' });
    const b = await deal(repRed.client, {
      amount: 250,
      currency: 'USD',
      stageId: stageIn(sales, 'proposal'),
    });
    const c = await deal(managerRed.client, { amount: 0.33, currency: 'EUR' });
    const d = await deal(admin.client, {});
    await move(a, { stageId: stageIn(sales, 'qualification') });
    await move(a, { stageId: stageIn(sales, 'negotiation') });
    await move(a, { stageId: stageIn(sales, 'qualification') }); // back: not an advance
    await move(b, { stageId: stageIn(sales, 'won') });
    await move(b, { stageId: stageIn(sales, 'negotiation') }); // reopened after won
    await move(c, { stageId: stageIn(sales, 'lost'), lostReason: 'budget' });
    await move(d, { pipelineId: renewals.id, stageId: stageIn(renewals, 'due') }); // to another pipeline
    await move(d, { stageId: stageIn(renewals, 'offered') });
    const gone = await deal(admin.client, { amount: 5, currency: 'EUR' });
    await move(gone, { stageId: stageIn(sales, 'proposal') });
    expect((await admin.client.delete(`/deals/${gone}`)).status).toBe(204); // archived: its moves happened

    const pipelines = [sales, renewals];
    await eventually(async () => {
      const response = await managerRed.client.get('/reports/pipeline');
      expect(response.status).toBe(200);
      expect(response.body).toEqual(await expectedPipeline(pipelines, sales));
    });
    await eventually(async () => {
      const response = await admin.client.get(`/reports/pipeline?pipelineId=${renewals.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(await expectedPipeline(pipelines, renewals));
    });
    const report = (await admin.client.get('/reports/pipeline')).body;
    const row = (name: string) => report.stages.find((s: { name: string }) => s.name === name);
    expect(row('negotiation')).toMatchObject({
      count: 1,
      amount: { USD: 250 },
      weightedAmount: { USD: 200 },
    });
    expect(row('prospecting').enteredCount).toBeGreaterThanOrEqual(4);
    expect(row('won')).toMatchObject({ count: 0, enteredCount: 1, advancedCount: 0 });
  });
});

describe('win-rate report', () => {
  it('gives won, lost, win rate, deal size per currency and cycle days per month, owner and source', async () => {
    const { admin, managerRed, repRed, repRed2 } = world;
    const sales = await defaultPipeline(admin.client);
    const closed = async (client: ApiClient, body: Record<string, unknown>, outcome: 'won' | 'lost') => {
      const response = await client.post('/deals', { name: 'W', ...body });
      expect(response.status).toBe(201);
      const id = response.body.id as string;
      const patch =
        outcome === 'won'
          ? { stageId: stageIn(sales, 'won') }
          : { stageId: stageIn(sales, 'lost'), lostReason: 'price' };
      expect((await admin.client.patch(`/deals/${id}`, patch)).status).toBe(200);
      return id;
    };
    await closed(repRed.client, { amount: 100.01, currency: 'EUR', source: 'web' }, 'won');
    await closed(repRed.client, { amount: 0.02, currency: 'EUR', source: 'web' }, 'won');
    await closed(repRed.client, { amount: 99, currency: 'USD', source: 'referral' }, 'won');
    await closed(repRed2.client, { amount: 7, currency: 'EUR' }, 'lost');
    await closed(managerRed.client, { source: 'event' }, 'lost');
    const reopened = await closed(repRed2.client, { amount: 1, currency: 'EUR', source: 'event' }, 'won');
    expect(
      (await admin.client.patch(`/deals/${reopened}`, { stageId: stageIn(sales, 'proposal') })).status,
    ).toBe(200);
    const patched = await closed(repRed.client, { amount: 3, currency: 'EUR' }, 'won');
    expect((await repRed.client.patch(`/deals/${patched}`, { source: 'partner' })).status).toBe(200);

    const today = new Date().toISOString().slice(0, 10);
    const from = `${today.slice(0, 4)}-01-01`;
    for (const groupBy of ['month', 'owner', 'source'] as const) {
      await eventually(async () => {
        const response = await managerRed.client.get(
          `/reports/win-rate?groupBy=${groupBy}&from=${from}&to=${today}`,
        );
        expect(response.status).toBe(200);
        expect(response.body).toEqual({
          from,
          to: today,
          groupBy,
          items: await expectedWinRate(groupBy, from, today),
        });
      });
    }
    const bySource = (await admin.client.get(`/reports/win-rate?groupBy=source&from=${from}&to=${today}`))
      .body.items;
    expect(bySource.find((row: { key: string }) => row.key === 'web')).toMatchObject({
      won: 2,
      lost: 0,
      winRate: 1,
      avgDealSize: { EUR: 50.02 },
    });
    expect(bySource.find((row: { key: string }) => row.key === 'event')).toMatchObject({
      won: 0,
      lost: 1,
      winRate: 0,
    });
    const before = await admin.client.get(`/reports/win-rate?groupBy=month&from=2020-01-01&to=2020-12-31`);
    expect(before.body.items).toEqual([]);
  });
});

describe('forecast report', () => {
  it('gives open deals by expected close month and owner, with undated and overdue apart', async () => {
    const { admin, managerRed, repRed } = world;
    const month = (offset: number) => {
      const date = new Date();
      date.setUTCDate(1);
      date.setUTCMonth(date.getUTCMonth() + offset);
      return date.toISOString().slice(0, 7);
    };
    const open = async (client: ApiClient, body: Record<string, unknown>) => {
      const response = await client.post('/deals', { name: 'F', ...body });
      expect(response.status).toBe(201);
      return response.body.id as string;
    };
    await open(repRed.client, { amount: 10.01, currency: 'EUR', expectedCloseDate: `${month(0)}-28` });
    await open(repRed.client, { amount: 20, currency: 'USD', expectedCloseDate: `${month(1)}-01` });
    await open(managerRed.client, { amount: 30, currency: 'EUR', expectedCloseDate: `${month(1)}-15` });
    await open(repRed.client, { amount: 40, currency: 'EUR', expectedCloseDate: `${month(-2)}-10` });
    await open(repRed.client, { amount: 50, currency: 'EUR', expectedCloseDate: `${month(5)}-10` });
    await open(managerRed.client, { amount: 60, currency: 'EUR' });
    const dated = await open(admin.client, { amount: 70, currency: 'EUR' });
    expect(
      (await admin.client.patch(`/deals/${dated}`, { expectedCloseDate: `${month(0)}-01` })).status,
    ).toBe(200);

    for (const months of [2, 12]) {
      await eventually(async () => {
        const response = await managerRed.client.get(`/reports/forecast?months=${months}`);
        expect(response.status).toBe(200);
        expect(response.body).toEqual(await expectedForecast(months));
      });
    }
    await eventually(async () => {
      const response = await admin.client.get('/reports/forecast');
      expect(response.body).toEqual(await expectedForecast(12));
    });
    const two = (await admin.client.get('/reports/forecast?months=2')).body;
    expect(two.items.some((row: { month: string }) => row.month === month(5))).toBe(false);
    expect(
      two.overdue.find((row: { ownerId: string }) => row.ownerId === repRed.id)?.count,
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('deal reports', () => {
  it('answer 400 for bad parameters, 404 for an unknown pipeline, 403 for a rep, and nothing of another tenant', async () => {
    const { admin, repBlue, stranger } = world;
    const bad = [
      '/reports/pipeline?pipelineId=nope',
      '/reports/pipeline?unknown=1',
      '/reports/win-rate?from=2026-02-30',
      '/reports/win-rate?to=yesterday',
      '/reports/win-rate?from=2026-03-02&to=2026-03-01',
      '/reports/win-rate?from=2020-01-01&to=2025-01-02',
      '/reports/win-rate?groupBy=team',
      '/reports/win-rate?groupBy=',
      '/reports/forecast?months=0',
      '/reports/forecast?months=25',
      '/reports/forecast?months=1.5',
      '/reports/forecast?months=abc',
      '/reports/forecast?months=',
      '/reports/forecast?from=2026-01-01',
    ];
    for (const path of bad) {
      const response = await admin.client.get(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const ours = await defaultPipeline(admin.client);
    const unknown = await admin.client.get('/reports/pipeline?pipelineId=01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(unknown.status).toBe(404);
    expect((await stranger.client.get(`/reports/pipeline?pipelineId=${ours.id}`)).status).toBe(404);
    for (const path of ['/reports/pipeline', '/reports/win-rate', '/reports/forecast'])
      expect((await repBlue.client.get(path)).status, path).toBe(403);

    const theirs = await stranger.client.get('/reports/pipeline');
    expect(theirs.status).toBe(200);
    expect(theirs.body.pipelineId).not.toBe(ours.id);
    for (const stage of theirs.body.stages)
      expect(stage).toMatchObject({ count: 0, enteredCount: 0, advancedCount: 0, amount: {} });
    expect((await stranger.client.get('/reports/win-rate?groupBy=owner')).body.items).toEqual([]);
    const forecast = (await stranger.client.get('/reports/forecast')).body;
    expect([forecast.items, forecast.undated, forecast.overdue]).toEqual([[], [], []]);
  });
});
