import { beforeAll, describe, expect, it } from 'vitest';
import { type AnyBody, type ApiClient, api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { listAll, replayIntoTenant } from './report-replay.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

type GroupBy = 'source' | 'month' | 'owner';
const DAY = 86_400_000;
const dayOf = (iso: string) => new Date(Date.parse(iso)).toISOString().slice(0, 10);
const shiftDay = (day: string, days: number) =>
  new Date(Date.parse(day) + days * DAY).toISOString().slice(0, 10);

/** The leads report recomputed from lead records: the independent check of the route. */
function expectedLeads(leads: readonly AnyBody[], groupBy: GroupBy, from: string, to: string) {
  const rows = new Map<string, { created: number; converted: number; seconds: number }>();
  for (const lead of leads) {
    const day = dayOf(lead.createdAt);
    if (day < from || day > to) continue;
    const key =
      groupBy === 'month' ? day.slice(0, 7) : groupBy === 'owner' ? lead.ownerId : (lead.source ?? 'none');
    const row = rows.get(key) ?? { created: 0, converted: 0, seconds: 0 };
    row.created++;
    if (lead.convertedAt) {
      row.converted++;
      row.seconds += Math.round((Date.parse(lead.convertedAt) - Date.parse(lead.createdAt)) / 1000);
    }
    rows.set(key, row);
  }
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, { created, converted, seconds }]) => ({
      key,
      created,
      converted,
      conversionRate: Math.round((converted / created) * 10_000) / 10_000,
      avgDaysToConvert: converted > 0 ? Math.round((seconds / 86_400 / converted) * 10) / 10 : null,
    }));
}

describe('leads report', () => {
  it('counts leads created in the period and their conversions, by source, month and owner', async () => {
    const { admin, managerRed, repRed, repRed2 } = world;
    const lead = async (client: ApiClient, source?: string) => {
      const response = await client.post('/leads', {
        firstName: 'Lea',
        email: `${unique('lea')}@example.com`,
        ...(source ? { source } : {}),
      });
      expect(response.status).toBe(201);
      return response.body.id as string;
    };
    const web = await lead(repRed.client, 'web');
    await lead(repRed.client, 'web');
    const referral = await lead(repRed2.client, 'referral');
    await lead(managerRed.client);
    const archived = await lead(admin.client, 'event');
    const erased = await lead(admin.client, 'event');
    for (const id of [web, referral, erased])
      expect((await admin.client.post(`/leads/${id}/convert`, {})).status).toBe(200);
    expect((await admin.client.delete(`/leads/${archived}`)).status).toBe(204);
    // Erasing the person a lead became deletes the lead too: it leaves the report.
    const contactId = (await admin.client.get(`/leads/${erased}`)).body.contactId as string;
    expect((await admin.client.delete(`/contacts/${contactId}?erase=true`)).status).toBe(204);
    await eventually(async () => expect((await admin.client.get(`/leads/${erased}`)).status).toBe(404));

    const today = new Date().toISOString().slice(0, 10);
    const from = shiftDay(today, -30);
    const to = shiftDay(today, 1);
    const leads = await listAll(admin.client, '/leads');
    expect(leads.map((l) => l.id)).not.toContain(archived);
    for (const groupBy of ['source', 'month', 'owner'] as const) {
      await eventually(async () => {
        const response = await managerRed.client.get(
          `/reports/leads?groupBy=${groupBy}&from=${from}&to=${to}`,
        );
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ from, to, groupBy, items: expectedLeads(leads, groupBy, from, to) });
      });
    }
    const bySource = (await admin.client.get(`/reports/leads?groupBy=source&from=${from}&to=${to}`)).body
      .items;
    expect(bySource.find((row: AnyBody) => row.key === 'web')).toMatchObject({
      created: 2,
      converted: 1,
      conversionRate: 0.5,
    });
    expect(bySource.find((row: AnyBody) => row.key === 'none')).toMatchObject({ created: 1, converted: 0 });
    expect(bySource.some((row: AnyBody) => row.key === 'event')).toBe(false);
    // The default grouping is by month; a period without leads shows none.
    const byMonth = await admin.client.get(`/reports/leads?from=${from}&to=${to}`);
    expect(byMonth.body).toEqual({
      from,
      to,
      groupBy: 'month',
      items: expectedLeads(leads, 'month', from, to),
    });
    expect((await admin.client.get('/reports/leads?from=2020-01-01&to=2020-12-31')).body.items).toEqual([]);
  });

  it('counts each stream event once, however often it is delivered, over leads of many days', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const created = await world.admin.client.post('/leads', { firstName: 'Rhea', source: 'partner' });
    expect((await world.admin.client.post(`/leads/${created.body.id}/convert`, {})).status).toBe(200);
    const live = await listAll(world.admin.client, '/leads');
    // The same records spread over earlier days, converted days or hours later.
    const leads = live.map((lead, index) => {
      const createdAt = new Date(Date.parse(lead.createdAt) - (index * 7 + 3) * DAY).toISOString();
      return {
        ...lead,
        createdAt,
        ...(lead.convertedAt
          ? { convertedAt: new Date(Date.parse(createdAt) + (index + 1) * 17 * 3_600_000).toISOString() }
          : {}),
      };
    });
    const tenant = uniqueTenant();
    await replayIntoTenant(tenant, 'lead', leads);
    const admin = api(await tokenFor({ tenant, role: 'admin', user: 'replay-admin' }));
    const from = shiftDay(today, -60);
    for (const groupBy of ['source', 'month', 'owner'] as const) {
      const response = await admin.get(`/reports/leads?groupBy=${groupBy}&from=${from}&to=${today}`);
      expect(response.body.items).toEqual(expectedLeads(leads, groupBy, from, today));
    }
    const narrow = shiftDay(today, -10);
    const response = await admin.get(`/reports/leads?groupBy=source&from=${narrow}&to=${today}`);
    expect(response.body.items).toEqual(expectedLeads(leads, 'source', narrow, today));
    expect(leads.some((lead) => lead.convertedAt)).toBe(true);
  });

  it('answers 400 for a bad period or grouping, 403 for a rep, and nothing of another tenant', async () => {
    const { admin } = world;
    for (const query of [
      'from=2026-02-30',
      'to=yesterday',
      'from=2026-03-02&to=2026-03-01',
      'from=2020-01-01&to=2025-01-02',
      'groupBy=team',
      'groupBy=',
      'unknown=1',
    ]) {
      const response = await admin.client.get(`/reports/leads?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await world.repRed.client.get('/reports/leads')).status).toBe(403);
    const stranger = await world.stranger.client.get('/reports/leads?groupBy=owner');
    expect(stranger.status).toBe(200);
    expect(stranger.body.items).toEqual([]);
  });
});
