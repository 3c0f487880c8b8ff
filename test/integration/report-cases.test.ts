import { beforeAll, describe, expect, it } from 'vitest';
import { type AnyBody, api, eventually, runDueSchedules, tokenFor, uniqueTenant } from '../support/api.ts';
import { listAll, replayIntoTenant } from './report-replay.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
let contactId: string;
beforeAll(async () => {
  world = await createWorld();
  const contact = await world.repRed.client.post('/contacts', { firstName: 'Cass' });
  expect(contact.status).toBe(201);
  contactId = contact.body.id;
});

type GroupBy = 'type' | 'status' | 'month' | 'assignee';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const dayOf = (iso: string) => new Date(Date.parse(iso)).toISOString().slice(0, 10);
const shiftDay = (day: string, days: number) =>
  new Date(Date.parse(day) + days * DAY).toISOString().slice(0, 10);
const seconds = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 1000);

/** The cases report recomputed from case records: the independent check of the route. */
function expectedCases(cases: readonly AnyBody[], groupBy: GroupBy, from: string, to: string) {
  const rows = new Map<
    string,
    { opened: number; resolved: number; secs: number; breaches: number; csat: number[] }
  >();
  for (const record of cases) {
    const day = dayOf(record.createdAt);
    if (day < from || day > to) continue;
    const key =
      groupBy === 'month'
        ? day.slice(0, 7)
        : groupBy === 'type'
          ? record.type
          : groupBy === 'status'
            ? record.status
            : record.assigneeId;
    const row = rows.get(key) ?? { opened: 0, resolved: 0, secs: 0, breaches: 0, csat: [] };
    row.opened++;
    if (record.status === 'resolved' || record.status === 'closed') {
      row.resolved++;
      row.secs += seconds(record.createdAt, record.resolvedAt ?? record.closedAt);
    }
    if (record.slaBreachedAt) row.breaches++;
    if (typeof record.csatScore === 'number') row.csat.push(record.csatScore);
    rows.set(key, row);
  }
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, row]) => ({
      key,
      opened: row.opened,
      resolved: row.resolved,
      slaBreaches: row.breaches,
      slaBreachRate: Math.round((row.breaches / row.opened) * 10_000) / 10_000,
      avgResolutionHours: row.resolved > 0 ? Math.round((row.secs / 3_600 / row.resolved) * 10) / 10 : null,
      csatAvg:
        row.csat.length > 0
          ? Math.round((row.csat.reduce((a, b) => a + b, 0) / row.csat.length) * 100) / 100
          : null,
      csatCount: row.csat.length,
    }));
}

describe('cases report', () => {
  it('follows openings, breaches, resolutions, reopenings and CSAT answers by type, status, month and assignee', async () => {
    const { admin, managerRed, repRed, repRed2 } = world;
    const adminToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: admin.id });
    const open = async (type: string, body: Record<string, unknown> = {}) => {
      const response = await repRed.client.post('/cases', {
        subject: unique('Case'),
        type,
        contactId,
        ...body,
      });
      expect(response.status).toBe(201);
      return response.body as AnyBody;
    };
    const resolve = async (id: string) => {
      const response = await repRed.client.post(`/cases/${id}/resolve`, { resolution: 'Done' });
      expect(response.status).toBe(200);
      return response.body.csatUrl as string;
    };
    const rate = async (csatUrl: string, score: number) =>
      expect((await api(undefined).post(csatUrl, { score })).status).toBe(200);

    const breached = await open('complaint', { priority: 'urgent' });
    const late = new Date(Date.parse(breached.slaDueAt) + 1000).toISOString();
    expect(await runDueSchedules(adminToken, late, { name: `sla-${breached.id}` })).toMatchObject([
      { outcome: 'fired' },
    ]);
    await rate(await resolve(breached.id), 5);
    const unhappy = await open('service_request');
    await rate(await resolve(unhappy.id), 2);
    const reopened = await open('information');
    await resolve(reopened.id);
    expect((await repRed.client.patch(`/cases/${reopened.id}`, { status: 'open' })).status).toBe(200);
    const closed = await open('return');
    expect((await repRed.client.patch(`/cases/${closed.id}`, { status: 'closed' })).status).toBe(200);
    const pending = await admin.client.post('/cases', {
      subject: unique('Theirs'),
      type: 'complaint',
      contactId,
      assigneeId: repRed2.id,
    });
    expect((await admin.client.patch(`/cases/${pending.body.id}`, { status: 'pending' })).status).toBe(200);
    const archived = await open('complaint');
    expect((await repRed.client.delete(`/cases/${archived.id}`)).status).toBe(204);

    const today = new Date().toISOString().slice(0, 10);
    const from = shiftDay(today, -30);
    const to = shiftDay(today, 1);
    const cases = await listAll(admin.client, '/cases');
    expect(cases).toHaveLength(5);
    expect(cases.find((c) => c.id === breached.id)).toMatchObject({
      slaBreachedAt: breached.slaDueAt,
      csatScore: 5,
    });
    for (const groupBy of ['type', 'status', 'month', 'assignee'] as const) {
      await eventually(async () => {
        const response = await managerRed.client.get(
          `/reports/cases?groupBy=${groupBy}&from=${from}&to=${to}`,
        );
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ from, to, groupBy, items: expectedCases(cases, groupBy, from, to) });
      });
    }
    const byMonth = (await admin.client.get(`/reports/cases?from=${from}&to=${to}`)).body;
    expect(byMonth.groupBy).toBe('month');
    expect(byMonth.items).toEqual([
      {
        key: today.slice(0, 7),
        opened: 5,
        resolved: 3,
        slaBreaches: 1,
        slaBreachRate: 0.2,
        avgResolutionHours: expect.any(Number),
        csatAvg: 3.5,
        csatCount: 2,
      },
    ]);
    expect((await admin.client.get('/reports/cases?from=2020-01-01&to=2020-12-31')).body.items).toEqual([]);
  });

  it('counts each stream event once, however often it is delivered, over cases of many days', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const live = await listAll(world.admin.client, '/cases');
    expect(live.length).toBeGreaterThan(0);
    // The same records spread over earlier days, resolved hours later, rated 1 to 5.
    const cases = live.map((record, index) => {
      const createdAt = new Date(Date.parse(record.createdAt) - (index * 9 + 2) * DAY).toISOString();
      const later = (hours: number) => new Date(Date.parse(createdAt) + hours * HOUR).toISOString();
      return {
        ...record,
        createdAt,
        ...(record.resolvedAt ? { resolvedAt: later(index * 5 + 1.25) } : {}),
        ...(record.closedAt ? { closedAt: later(index * 3 + 0.5) } : {}),
        ...(record.status === 'resolved' ? { csatScore: (index % 5) + 1 } : {}),
        ...(index % 2 === 0 ? { slaBreachedAt: later(4) } : {}),
      };
    });
    const tenant = uniqueTenant();
    await replayIntoTenant(tenant, 'case', cases);
    const admin = api(await tokenFor({ tenant, role: 'admin', user: 'replay-admin' }));
    const from = shiftDay(today, -60);
    for (const groupBy of ['type', 'status', 'month', 'assignee'] as const) {
      const response = await admin.get(`/reports/cases?groupBy=${groupBy}&from=${from}&to=${today}`);
      expect(response.body.items).toEqual(expectedCases(cases, groupBy, from, today));
    }
    const narrow = shiftDay(today, -12);
    const response = await admin.get(`/reports/cases?groupBy=type&from=${narrow}&to=${today}`);
    expect(response.body.items).toEqual(expectedCases(cases, 'type', narrow, today));
  });

  it('answers 400 for a bad period or grouping, 403 for a rep, and nothing of another tenant', async () => {
    const { admin } = world;
    for (const query of [
      'from=2026-13-01',
      'to=2026-1-1',
      'from=2026-03-02&to=2026-03-01',
      'from=2020-01-01&to=2025-01-02',
      'groupBy=priority',
      'groupBy=',
      'status=open',
    ]) {
      const response = await admin.client.get(`/reports/cases?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await world.repRed2.client.get('/reports/cases')).status).toBe(403);
    const stranger = await world.stranger.client.get('/reports/cases?groupBy=assignee');
    expect(stranger.status).toBe(200);
    expect(stranger.body.items).toEqual([]);
  });
});
