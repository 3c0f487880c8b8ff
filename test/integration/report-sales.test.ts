import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/api.ts';
import { createWorld, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

interface DealRecord {
  id: string;
  ownerId: string;
  teamId?: string;
  amount?: number;
  currency?: string;
  closedAt?: string;
}

/** Sales recomputed from the won deals the API lists: the independent check of the report. */
async function expectedSales(groupBy: 'month' | 'owner' | 'team', from: string, to: string) {
  const won: DealRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await world.admin.client.get(
      `/deals?status=won&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    );
    won.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  const rows = new Map<string, { key: string; count: number; minor: Record<string, number> }>();
  for (const deal of won) {
    const day = deal.closedAt?.slice(0, 10) ?? '';
    if (day < from || day > to) continue;
    const key =
      groupBy === 'month' ? day.slice(0, 7) : groupBy === 'owner' ? deal.ownerId : (deal.teamId ?? 'none');
    const row = rows.get(key) ?? { key, count: 0, minor: {} };
    row.count++;
    if (deal.amount !== undefined && deal.currency)
      row.minor[deal.currency] = (row.minor[deal.currency] ?? 0) + Math.round(deal.amount * 100);
    rows.set(key, row);
  }
  return [...rows.values()]
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .map(({ key, count, minor }) => ({
      key,
      count,
      amount: Object.fromEntries(Object.entries(minor).map(([currency, value]) => [currency, value / 100])),
    }));
}

describe('sales report', () => {
  it('adds up won deals per owner, team and month exactly, per currency, as deals move', async () => {
    const { admin, managerRed, repRed } = world;
    const pipeline = (await admin.client.get('/pipelines')).body.items[0];
    const stage = (kind: string) =>
      pipeline.stages.find((s: { kind: string }) => s.kind === kind).id as string;
    const deal = async (client: typeof admin.client, amount: number, currency: string) =>
      (await client.post('/deals', { name: `D ${amount}`, amount, currency })).body.id as string;

    const a = await deal(repRed.client, 0.1, 'EUR');
    const b = await deal(repRed.client, 0.2, 'EUR');
    const c = await deal(managerRed.client, 1999.99, 'USD');
    const d = await deal(admin.client, 5, 'EUR');
    for (const id of [a, b, c, d]) await admin.client.patch(`/deals/${id}`, { stageId: stage('won') });
    // Reopened after won: leaves the sales; lost: never counts; archived: leaves too.
    await admin.client.patch(`/deals/${d}`, { stageId: stage('open') });
    const lost = await deal(admin.client, 70, 'EUR');
    await admin.client.patch(`/deals/${lost}`, { stageId: stage('lost'), lostReason: 'price' });
    await admin.client.patch(`/deals/${b}`, { amount: 0.4 });
    const gone = await deal(admin.client, 9, 'EUR');
    await admin.client.patch(`/deals/${gone}`, { stageId: stage('won') });
    await admin.client.delete(`/deals/${gone}`);

    const today = new Date().toISOString().slice(0, 10);
    const from = `${today.slice(0, 4)}-01-01`;
    for (const groupBy of ['month', 'owner', 'team'] as const) {
      await eventually(async () => {
        const response = await managerRed.client.get(
          `/reports/sales?groupBy=${groupBy}&from=${from}&to=${today}`,
        );
        expect(response.status).toBe(200);
        expect(response.body).toEqual({
          from,
          to: today,
          groupBy,
          items: await expectedSales(groupBy, from, today),
        });
      });
    }
    const byOwner = (await admin.client.get(`/reports/sales?groupBy=owner&from=${from}&to=${today}`)).body
      .items;
    expect(byOwner.find((row: { key: string }) => row.key === repRed.id)).toEqual({
      key: repRed.id,
      count: 2,
      amount: { EUR: 0.5 },
    });
  });

  it('answers 400 for a bad period or grouping, 403 for a rep, and nothing of another tenant', async () => {
    const { admin } = world;
    for (const query of [
      'from=2026-02-30',
      'to=yesterday',
      'from=2026-03-02&to=2026-03-01',
      'from=2020-01-01&to=2025-01-02',
      'groupBy=weekday',
      'groupBy=',
      'unknown=1',
    ]) {
      const response = await admin.client.get(`/reports/sales?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    // At most five years apart, as the contract says: exactly five is allowed.
    expect((await admin.client.get('/reports/sales?from=2020-01-01&to=2025-01-01')).status).toBe(200);
    expect((await admin.client.get('/reports/sales?from=0000-01-01&to=0001-01-01')).status).toBe(400);
    // A rep is refused before the input is read: validation tells a rep nothing.
    expect((await world.repBlue.client.get('/reports/sales?groupBy=weekday')).status).toBe(403);
    expect((await world.repBlue.client.get('/reports/sales')).status).toBe(403);
    const stranger = await world.stranger.client.get('/reports/sales?groupBy=owner');
    expect(stranger.status).toBe(200);
    expect(stranger.body.items).toEqual([]);
  });
});
