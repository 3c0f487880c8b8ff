import { beforeAll, describe, expect, inject, it } from 'vitest';
import { reportRoutes } from '#shared/api/reports';
import type { SeedSummary } from '../../infra/local/seed/seed.ts';
import { type ApiClient, api, tokenFor, uniqueTenant } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';

const DAY_MS = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const twoYearsAgo = new Date(Date.now() - 730 * DAY_MS).toISOString().slice(0, 10);
const period = `from=${twoYearsAgo}&to=${today}`;

/**
 * A request per report route of SPEC "Reports" (the README's walk-through
 * calls the same): every route the API has is checked against the seed.
 */
const reportSamples: Record<string, string> = {
  '/reports/overview': '',
  '/reports/sales': `groupBy=month&${period}`,
  '/reports/pipeline': '',
  '/reports/win-rate': `groupBy=owner&${period}`,
  '/reports/leads': `groupBy=source&${period}`,
  '/reports/campaigns': period,
  '/reports/cases': `groupBy=type&${period}`,
  '/reports/activities': `groupBy=type&${period}`,
  '/reports/forecast': 'months=12',
  '/reports/kpis': period,
  '/reports/customers': 'sort=value',
};

/** Whether a report body holds a figure: some number other than zero anywhere in it. */
function hasFigures(value: unknown): boolean {
  if (typeof value === 'number') return value !== 0;
  if (Array.isArray(value)) return value.some(hasFigures);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(hasFigures);
  return false;
}

async function listAll(client: ApiClient, path: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await client.get(`${path}${separator}limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status, path).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

let tenant: string;
let admin: ApiClient;
let summary: SeedSummary;
let seed: typeof import('../../infra/local/seed/seed.ts');

beforeAll(async () => {
  // The seed writes through the store, as `npm run seed` does against npm start's table.
  useTestTable();
  seed = await import('../../infra/local/seed/seed.ts');
  tenant = uniqueTenant('seed');
  const adminId = `admin-${tenant}`;
  const token = await tokenFor({ tenant, role: 'admin', user: adminId });
  admin = api(token);
  summary = await seed.seedTenant({
    apiUrl: inject('apiUrl'),
    token,
    adminId,
    tenantId: tenant,
    seed: 7,
    scale: 'small',
    batch: 1,
    settleTimeoutMs: 60_000,
  });
});

describe('npm run seed (small scale)', () => {
  it('writes every kind of record, as many as it reports, all counted by the overview', async () => {
    const counted = async (path: string) => (await listAll(admin, path)).length;
    expect(await counted('/companies')).toBe(summary.companies);
    expect(await counted('/contacts')).toBe(summary.contacts);
    expect(await counted('/products')).toBe(summary.products);
    expect(await counted('/leads')).toBe(summary.leads);
    expect(await counted('/deals')).toBe(summary.deals.total);
    expect(await counted('/activities')).toBe(summary.activities);
    expect(await counted('/cases')).toBe(summary.cases);
    for (const count of [
      summary.companies,
      summary.contacts,
      summary.leads,
      summary.convertedLeads,
      summary.deals.won,
      summary.deals.lost,
      summary.deals.open,
      summary.quotes,
      summary.activities,
      summary.cases,
      summary.campaign.recipients,
    ])
      expect(count).toBeGreaterThan(0);
    const overview = (await admin.get('/reports/overview')).body;
    expect(overview).toMatchObject({
      companies: summary.companies,
      contacts: summary.contacts,
      leads: summary.leads,
      deals: summary.deals.total,
      teams: summary.teams,
      // The seeded people, without the admin (a token, not a user record).
      users: summary.users,
    });
  });

  it('spreads the history over the past two years, consistently', async () => {
    const now = Date.now();
    const deals = await listAll(admin, '/deals');
    const created = deals.map((deal) => Date.parse(deal.createdAt as string));
    expect(Math.min(...created)).toBeGreaterThan(now - 731 * DAY_MS);
    expect(Math.min(...created)).toBeLessThan(now - 365 * DAY_MS);
    expect(Math.max(...created)).toBeLessThan(now);
    for (const deal of deals) {
      if (deal.status === 'open') expect(deal.closedAt).toBeUndefined();
      else
        expect(Date.parse(deal.closedAt as string)).toBeGreaterThanOrEqual(
          Date.parse(deal.createdAt as string),
        );
      if (deal.status === 'lost') expect(deal.lostReason).toEqual(expect.any(String));
    }
    // Every stage a deal entered is in its history, oldest first, ending where the deal stands.
    const won = deals.find((deal) => deal.status === 'won') as Record<string, unknown>;
    const history = (await admin.get(`/deals/${won.id}/history?limit=100`)).body.items;
    expect(history.length).toBeGreaterThan(2);
    expect(history.at(-1)).toMatchObject({ to: { stageId: won.stageId }, status: 'won', at: won.closedAt });
    expect(history[0].from).toBeNull();

    const leads = await listAll(admin, '/leads');
    const converted = leads.filter((lead) => lead.status === 'converted');
    expect(converted.length).toBe(summary.convertedLeads);
    for (const lead of converted)
      expect(Date.parse(lead.convertedAt as string)).toBeGreaterThan(Date.parse(lead.createdAt as string));

    const cases = await listAll(admin, '/cases');
    expect(new Set(cases.map((record) => record.type)).size).toBe(4);
    expect(cases.some((record) => record.slaBreachedAt)).toBe(true);
    expect(cases.some((record) => typeof record.csatScore === 'number')).toBe(true);
    for (const record of cases.filter((entry) => entry.resolvedAt))
      expect(Date.parse(record.resolvedAt as string)).toBeGreaterThan(Date.parse(record.createdAt as string));

    const activities = await listAll(admin, '/activities');
    const overdue = activities.filter(
      (activity) =>
        activity.status === 'open' && activity.dueAt && Date.parse(activity.dueAt as string) < now,
    );
    const upcoming = activities.filter(
      (activity) => activity.status === 'open' && Date.parse(activity.dueAt as string) > now,
    );
    expect(activities.some((activity) => activity.status === 'done')).toBe(true);
    expect(overdue.length).toBeGreaterThan(0);
    expect(upcoming.length).toBeGreaterThan(0);
  });

  it('leaves a sent campaign whose stats count deliveries, opens and clicks', async () => {
    const stats = (await admin.get(`/campaigns/${summary.campaign.id}/stats`)).body;
    expect(stats.recipients).toBe(summary.campaign.recipients);
    expect(stats.sent).toBe(summary.campaign.recipients);
    expect(stats.delivered).toBeGreaterThan(0);
    expect(stats.opened + stats.clicked).toBeGreaterThan(0);
    const campaign = (await admin.get(`/campaigns/${summary.campaign.id}`)).body;
    expect(campaign).toMatchObject({ status: 'sent', recipientCount: summary.campaign.recipients });
  });

  it('gives every report route there is real figures', async () => {
    const routes = reportRoutes.filter((route) => route.method === 'GET' && !route.path.includes('{'));
    expect(routes.map((route) => route.path)).toEqual(
      expect.arrayContaining(['/reports/overview', '/reports/sales']),
    );
    for (const route of routes) {
      const query = reportSamples[route.path];
      expect(query, `a sample request for ${route.path}`).toBeDefined();
      const response = await admin.get(`${route.path}${query ? `?${query}` : ''}`);
      expect(response.status, `${route.path}: ${response.text}`).toBe(200);
      expect(hasFigures(response.body), `${route.path} has figures: ${response.text}`).toBe(true);
    }
    // Sales by month add up to the won deals closed in the period, per currency.
    const sales = (await admin.get(`/reports/sales?groupBy=month&${period}`)).body;
    const wonDeals = (await listAll(admin, '/deals?status=won')).filter(
      (deal) => (deal.closedAt as string).slice(0, 10) >= twoYearsAgo,
    );
    expect(sales.items.reduce((sum: number, row: { count: number }) => sum + row.count, 0)).toBe(
      wonDeals.length,
    );
    const minor: Record<string, number> = {};
    for (const deal of wonDeals)
      minor[deal.currency as string] =
        (minor[deal.currency as string] ?? 0) + Math.round((deal.amount as number) * 100);
    const reported: Record<string, number> = {};
    for (const row of sales.items as { amount: Record<string, number> }[])
      for (const [currency, amount] of Object.entries(row.amount))
        reported[currency] = (reported[currency] ?? 0) + Math.round(amount * 100);
    expect(reported).toEqual(minor);
  });

  it('keeps the history to its tenant: another tenant sees none of it, a rep gets 403', async () => {
    const stranger = api(await tokenFor({ tenant: uniqueTenant('other'), role: 'admin', user: 'stranger' }));
    expect((await stranger.get('/reports/overview')).body).toMatchObject({
      companies: 0,
      contacts: 0,
      deals: 0,
    });
    expect((await stranger.get(`/reports/sales?groupBy=month&${period}`)).body.items).toEqual([]);
    expect((await stranger.get(`/campaigns/${summary.campaign.id}/stats`)).status).toBe(404);
    const rep = api(await tokenFor({ tenant, role: 'rep', user: `rep-${tenant}` }));
    const refused = await rep.get(`/reports/sales?groupBy=month&${period}`);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('refuses to seed the same tenant twice, writing nothing, and names the next batch', async () => {
    const before = (await admin.get('/reports/overview')).body;
    const again = seed.seedTenant({
      apiUrl: inject('apiUrl'),
      token: (await tokenFor({ tenant, role: 'admin', user: `admin-${tenant}` })) as string,
      adminId: `admin-${tenant}`,
      tenantId: tenant,
      seed: 7,
      scale: 'small',
      batch: 1,
    });
    await expect(again).rejects.toThrow(/already holds seed batch 1.*--batch 2/);
    expect((await admin.get('/reports/overview')).body).toEqual(before);
  });
});
