import { beforeAll, describe, expect, it } from 'vitest';
import { type AnyBody, type ApiClient, eventually } from '../support/api.ts';
import { listAll } from './report-replay.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * Reports grouped by a custom field (`groupBy=customFields.<key>`) on sales,
 * win rate and leads, checked against the same report recomputed from the
 * records the API lists and the definitions, then the rebuild finds no drift.
 */

let world: World;
let admin: ApiClient;
beforeAll(async () => {
  world = await createWorld();
  admin = world.admin.client;
});

const fields = [
  { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver', 'bronze'] },
  { key: 'vip', label: 'VIP', type: 'boolean' },
  { key: 'topics', label: 'Topics', type: 'multiselect', options: ['ai', 'cloud', 'data'] },
  { key: 'note', label: 'Note', type: 'text' },
  { key: 'seats', label: 'Seats', type: 'number' },
];
const groupable = ['tier', 'vip', 'topics'] as const;

const today = new Date().toISOString().slice(0, 10);
const shift = (days: number) => new Date(Date.parse(today) + days * 86_400_000).toISOString().slice(0, 10);
const period = `from=${shift(-30)}&to=${shift(1)}`;

/** The groups a record's custom value puts it in, from the value and the definition's type alone. */
function groupsOf(record: AnyBody, key: string): string[] {
  const value = record.customFields?.[key];
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'boolean') return [String(value)];
  return Array.isArray(value) ? [...new Set(value as string[])] : [value as string];
}

const sorted = <T extends { key: string }>(rows: Map<string, T>) =>
  [...rows.values()].sort((a, b) => (a.key < b.key ? -1 : 1));

function expectedSales(deals: readonly AnyBody[], key: string) {
  const rows = new Map<string, { key: string; count: number; minor: Record<string, number> }>();
  for (const deal of deals) {
    if (deal.status !== 'won') continue;
    for (const group of groupsOf(deal, key)) {
      const row = rows.get(group) ?? { key: group, count: 0, minor: {} };
      row.count++;
      if (deal.amount !== undefined && deal.currency)
        row.minor[deal.currency] = (row.minor[deal.currency] ?? 0) + Math.round(deal.amount * 100);
      rows.set(group, row);
    }
  }
  return sorted(rows).map(({ key: group, count, minor }) => ({
    key: group,
    count,
    amount: Object.fromEntries(Object.entries(minor).map(([currency, value]) => [currency, value / 100])),
  }));
}

function expectedWinRate(deals: readonly AnyBody[], key: string) {
  const rows = new Map<string, { key: string; won: number; lost: number }>();
  for (const deal of deals) {
    if (deal.status !== 'won' && deal.status !== 'lost') continue;
    for (const group of groupsOf(deal, key)) {
      const row = rows.get(group) ?? { key: group, won: 0, lost: 0 };
      if (deal.status === 'won') row.won++;
      else row.lost++;
      rows.set(group, row);
    }
  }
  return sorted(rows);
}

function expectedLeads(leads: readonly AnyBody[], key: string) {
  const rows = new Map<string, { key: string; created: number; converted: number }>();
  for (const lead of leads) {
    for (const group of groupsOf(lead, key)) {
      const row = rows.get(group) ?? { key: group, created: 0, converted: 0 };
      row.created++;
      if (lead.convertedAt) row.converted++;
      rows.set(group, row);
    }
  }
  return sorted(rows);
}

describe('reports grouped by a custom field', () => {
  it('add up deals and leads per option, per boolean and per multiselect option, as they change', async () => {
    expect((await admin.put('/settings/fields/deals', fields)).status).toBe(200);
    expect((await admin.put('/settings/fields/leads', fields)).status).toBe(200);
    const pipeline = (await admin.get('/pipelines')).body.items[0];
    const stage = (kind: string) =>
      pipeline.stages.find((s: { kind: string }) => s.kind === kind).id as string;

    const values = [
      { tier: 'gold', vip: true, topics: ['ai', 'data'], note: 'x', seats: 3 },
      { tier: 'silver', vip: false, topics: ['ai'] },
      { tier: 'gold', topics: [] },
      { vip: true, note: 'only text' },
      { tier: 'bronze', vip: false, topics: ['cloud', 'data', 'ai'] },
      {},
    ];
    const deals: string[] = [];
    for (const [index, customFields] of values.entries()) {
      const client = index % 2 === 0 ? world.repRed.client : admin;
      const response = await client.post('/deals', {
        name: unique('Deal'),
        amount: 100.25 * (index + 1),
        currency: index === 4 ? 'USD' : 'EUR',
        customFields,
      });
      expect(response.status, response.text).toBe(201);
      expect(response.body.customGroups).toBeUndefined();
      deals.push(response.body.id);
    }
    // Won, lost, still open; then a won deal changes group, another loses its tier, one is archived.
    for (const id of deals.slice(0, 4))
      expect((await admin.patch(`/deals/${id}`, { stageId: stage('won') })).status).toBe(200);
    expect(
      (await admin.patch(`/deals/${deals[4]}`, { stageId: stage('lost'), lostReason: 'price' })).status,
    ).toBe(200);
    const moved = await admin.patch(`/deals/${deals[1]}`, {
      customFields: { tier: 'gold', topics: ['cloud'] },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.customGroups).toBeUndefined();
    expect((await admin.patch(`/deals/${deals[0]}`, { customFields: { tier: null } })).status).toBe(200);
    expect((await admin.patch(`/deals/${deals[2]}`, { name: unique('Renamed') })).status).toBe(200);
    expect((await admin.delete(`/deals/${deals[3]}`)).status).toBe(204);

    for (const [index, customFields] of values.entries()) {
      const response = await admin.post('/leads', { firstName: unique('Lea'), customFields });
      expect(response.status, response.text).toBe(201);
      if (index % 2 === 0)
        expect((await admin.post(`/leads/${response.body.id}/convert`, {})).status).toBe(200);
    }

    const listedDeals = await listAll(admin, '/deals');
    const listedLeads = await listAll(admin, '/leads');
    for (const key of groupable) {
      await eventually(async () => {
        const sales = await world.managerRed.client.get(
          `/reports/sales?groupBy=customFields.${key}&${period}`,
        );
        expect(sales.status, sales.text).toBe(200);
        expect(sales.body.groupBy).toBe(`customFields.${key}`);
        expect(sales.body.items).toEqual(expectedSales(listedDeals, key));
        const winRate = await admin.get(`/reports/win-rate?groupBy=customFields.${key}&${period}`);
        expect(winRate.status, winRate.text).toBe(200);
        expect(
          winRate.body.items.map(({ key: group, won, lost }: AnyBody) => ({ key: group, won, lost })),
        ).toEqual(expectedWinRate(listedDeals, key));
        const leads = await admin.get(`/reports/leads?groupBy=customFields.${key}&${period}`);
        expect(leads.status, leads.text).toBe(200);
        expect(
          leads.body.items.map(({ key: group, created, converted }: AnyBody) => ({
            key: group,
            created,
            converted,
          })),
        ).toEqual(expectedLeads(listedLeads, key));
      });
    }
    // The recomputation is not empty: gold holds the moved deal and not the one that lost its tier;
    // a multiselect counts a record under each option.
    expect(expectedSales(listedDeals, 'tier').map((row) => row.key)).toEqual(['gold']);
    expect(expectedSales(listedDeals, 'topics').map((row) => [row.key, row.count])).toEqual([
      ['ai', 1],
      ['cloud', 1],
      ['data', 1],
    ]);
    expect(expectedLeads(listedLeads, 'topics').map((row) => [row.key, row.created])).toEqual([
      ['ai', 3],
      ['cloud', 1],
      ['data', 2],
    ]);

    // The rebuild, summing the records' contributions, agrees with what the stream kept.
    const rebuilt = await admin.post('/admin/reports/rebuild');
    expect(rebuilt.status, rebuilt.text).toBe(200);
    expect(rebuilt.body.drifted).toEqual([]);
  });

  it('refuses a field that makes no bounded groups, and answers empty for one nobody has a value of', async () => {
    await admin.put('/settings/fields/leads', [
      ...fields,
      { key: 'unused', label: 'Unused', type: 'select', options: ['a'] },
    ]);
    const empty = await admin.get(`/reports/leads?groupBy=customFields.unused&${period}`);
    expect(empty.status).toBe(200);
    expect(empty.body.items).toEqual([]);
    for (const [path, groupBy] of [
      ['/reports/leads', 'customFields.note'],
      ['/reports/leads', 'customFields.seats'],
      ['/reports/leads', 'customFields.missing'],
      ['/reports/sales', 'customFields.unused'],
      ['/reports/win-rate', 'customFields.note'],
      ['/reports/sales', 'customFields.1x'],
      ['/reports/sales', 'customFields.'],
    ]) {
      const response = await admin.get(`${path}?groupBy=${groupBy}&${period}`);
      expect(response.status, `${path} ${groupBy}`).toBe(400);
      expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(['groupBy']);
    }
    // Another tenant has no such field; reps get no tenant-wide reports at all.
    expect(
      (await world.stranger.client.get(`/reports/sales?groupBy=customFields.tier&${period}`)).status,
    ).toBe(400);
    expect((await world.repRed.client.get(`/reports/sales?groupBy=customFields.tier&${period}`)).status).toBe(
      403,
    );
  });
});
