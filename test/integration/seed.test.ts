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

type Row = Record<string, number>;

/** Records folded into rows by a key, as a report groups them. */
function rows(
  records: readonly Record<string, unknown>[],
  keyOf: (record: Record<string, unknown>) => string,
  add: (record: Record<string, unknown>, row: Row) => void,
): Record<string, Row> {
  const grouped: Record<string, Row> = {};
  for (const record of records) {
    const key = keyOf(record);
    grouped[key] = grouped[key] ?? {};
    add(record, grouped[key]);
  }
  return grouped;
}

const mapRows = <T>(grouped: Record<string, Row>, figures: (row: Row) => T): Record<string, T> =>
  Object.fromEntries(Object.entries(grouped).map(([key, row]) => [key, figures(row)]));

/** A report's items by their key, without it. */
const byKey = (items: { key: string }[]): Record<string, Record<string, unknown>> =>
  Object.fromEntries(items.map(({ key, ...figures }) => [key, figures]));

const seconds = (from: unknown, to: unknown) =>
  Math.round((Date.parse(to as string) - Date.parse(from as string)) / 1000);
const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);
const average = (sum: number, count: number, digits: number) =>
  count > 0 ? Math.round((sum / count) * 10 ** digits) / 10 ** digits : null;

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
      summary.campaigns.length,
      ...summary.campaigns.map((campaign) => campaign.recipients),
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

  it('leaves sent campaigns whose stats count deliveries, opens and clicks, with budget and cost', async () => {
    for (const seeded of summary.campaigns) {
      const stats = (await admin.get(`/campaigns/${seeded.id}/stats`)).body;
      expect(stats).toMatchObject({
        recipients: seeded.recipients,
        sent: seeded.recipients,
        delivered: seeded.delivered,
        clicked: seeded.clicked,
      });
      expect(stats.opened).toBeGreaterThan(0);
      const campaign = (await admin.get(`/campaigns/${seeded.id}`)).body;
      expect(campaign).toMatchObject({ status: 'sent', recipientCount: seeded.recipients, currency: 'EUR' });
      expect(campaign.cost).toBeGreaterThan(0);
    }
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
    for (const groupBy of ['owner', 'product', 'country', 'team']) {
      const sales = await admin.get(`/reports/sales?groupBy=${groupBy}&${period}`);
      expect(sales.status, sales.text).toBe(200);
      expect(hasFigures(sales.body), `sales by ${groupBy}: ${sales.text}`).toBe(true);
    }
    // The stage history carries the flow: entries, advances and days spent in each open stage.
    const pipeline = (await admin.get('/reports/pipeline')).body;
    const prospecting = pipeline.stages.find((stage: { name: string }) => stage.name === 'prospecting');
    expect(prospecting.enteredCount).toBe(summary.deals.total);
    expect(prospecting.advancedCount).toBeGreaterThan(0);
    expect(prospecting.avgDaysInStage).toBeGreaterThan(0);
    const latest = summary.campaigns.at(-1) as SeedSummary['campaigns'][number];
    const timeseries = await admin.get(`/reports/campaigns/${latest.id}/timeseries?bucket=day`);
    expect(timeseries.status, timeseries.text).toBe(200);
    expect(hasFigures(timeseries.body), timeseries.text).toBe(true);
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

  it('reports leads by source, cases by type and win rate by month as the records add up', async () => {
    const inPeriod = (at: unknown) => typeof at === 'string' && at.slice(0, 10) >= twoYearsAgo;
    const leads = (await listAll(admin, '/leads')).filter((lead) => inPeriod(lead.createdAt));
    const expectedLeads = rows(
      leads,
      (lead) => (lead.source as string | undefined) ?? 'none',
      (lead, row) => {
        row.created = (row.created ?? 0) + 1;
        if (lead.convertedAt) {
          row.converted = (row.converted ?? 0) + 1;
          row.seconds = (row.seconds ?? 0) + seconds(lead.createdAt, lead.convertedAt);
        }
      },
    );
    const leadsReport = (await admin.get(`/reports/leads?groupBy=source&${period}`)).body;
    expect(byKey(leadsReport.items)).toEqual(
      mapRows(expectedLeads, (row) => ({
        created: row.created ?? 0,
        converted: row.converted ?? 0,
        conversionRate: rate(row.converted ?? 0, row.created ?? 0),
        avgDaysToConvert: average((row.seconds ?? 0) / 86_400, row.converted ?? 0, 1),
      })),
    );
    expect(leadsReport.items.some((row: { converted: number }) => row.converted > 0)).toBe(true);

    const cases = (await listAll(admin, '/cases')).filter((record) => inPeriod(record.createdAt));
    const expectedCases = rows(
      cases,
      (record) => record.type as string,
      (record, row) => {
        row.opened = (row.opened ?? 0) + 1;
        const resolvedAt =
          record.status === 'resolved' || record.status === 'closed'
            ? (record.resolvedAt ?? record.closedAt)
            : undefined;
        if (resolvedAt) {
          row.resolved = (row.resolved ?? 0) + 1;
          row.seconds = (row.seconds ?? 0) + seconds(record.createdAt, resolvedAt);
        }
        if (record.slaBreachedAt) row.slaBreaches = (row.slaBreaches ?? 0) + 1;
        if (typeof record.csatScore === 'number') {
          row.csatSum = (row.csatSum ?? 0) + record.csatScore;
          row.csatCount = (row.csatCount ?? 0) + 1;
        }
      },
    );
    const casesReport = (await admin.get(`/reports/cases?groupBy=type&${period}`)).body;
    expect(byKey(casesReport.items)).toEqual(
      mapRows(expectedCases, (row) => ({
        opened: row.opened ?? 0,
        resolved: row.resolved ?? 0,
        slaBreaches: row.slaBreaches ?? 0,
        slaBreachRate: rate(row.slaBreaches ?? 0, row.opened ?? 0),
        avgResolutionHours: average((row.seconds ?? 0) / 3600, row.resolved ?? 0, 1),
        csatAvg: average(row.csatSum ?? 0, row.csatCount ?? 0, 2),
        csatCount: row.csatCount ?? 0,
      })),
    );

    const closed = (await listAll(admin, '/deals')).filter(
      (deal) => (deal.status === 'won' || deal.status === 'lost') && inPeriod(deal.closedAt),
    );
    const expectedWinRate = rows(
      closed,
      (deal) => (deal.closedAt as string).slice(0, 7),
      (deal, row) => {
        row[deal.status as string] = (row[deal.status as string] ?? 0) + 1;
      },
    );
    const winRate = (await admin.get(`/reports/win-rate?groupBy=month&${period}`)).body;
    const reported = byKey(winRate.items);
    expect(Object.keys(reported).sort()).toEqual(Object.keys(expectedWinRate).sort());
    for (const [month, row] of Object.entries(expectedWinRate))
      expect(reported[month], month).toMatchObject({
        won: row.won ?? 0,
        lost: row.lost ?? 0,
        winRate: rate(row.won ?? 0, (row.won ?? 0) + (row.lost ?? 0)),
      });
    // Two years of closing: most months closed something.
    expect(Object.keys(expectedWinRate).length).toBeGreaterThan(6);
  });

  it("gives customers their won deals' lifetime value and count, in several RFM segments", async () => {
    const won = await listAll(admin, '/deals?status=won');
    const expected: Record<string, { minor: Record<string, number>; dealCount: number }> = {};
    for (const deal of won) {
      if (typeof deal.companyId !== 'string') continue;
      const entry = expected[deal.companyId] ?? { minor: {}, dealCount: 0 };
      expected[deal.companyId] = entry;
      entry.dealCount += 1;
      const currency = deal.currency as string;
      entry.minor[currency] = (entry.minor[currency] ?? 0) + Math.round((deal.amount as number) * 100);
    }
    const customers = await listAll(admin, '/reports/customers?sort=value');
    expect(
      Object.fromEntries(
        customers.map((row) => [
          row.companyId,
          {
            dealCount: row.dealCount,
            minor: Object.fromEntries(
              Object.entries(row.lifetimeValue as Record<string, number>).map(([currency, amount]) => [
                currency,
                Math.round(amount * 100),
              ]),
            ),
          },
        ]),
      ),
    ).toEqual(expected);
    const segments = new Set(customers.map((row) => (row.rfm as { segment: string }).segment));
    expect(segments.size).toBeGreaterThan(1);
    expect(customers.some((row) => (row.churnRisk as number) > 0)).toBe(true);
  });

  it('keeps the history to its tenant: another tenant sees none of it, a rep gets 403', async () => {
    const stranger = api(await tokenFor({ tenant: uniqueTenant('other'), role: 'admin', user: 'stranger' }));
    expect((await stranger.get('/reports/overview')).body).toMatchObject({
      companies: 0,
      contacts: 0,
      deals: 0,
    });
    expect((await stranger.get(`/reports/sales?groupBy=month&${period}`)).body.items).toEqual([]);
    expect((await stranger.get(`/campaigns/${summary.campaigns[0]?.id}/stats`)).status).toBe(404);
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
