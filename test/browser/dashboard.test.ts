import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { expectAccessible, expectFitsPhone, expectNoErrors, openBrowser, signedInPage } from './harness.ts';

/** The dashboard: KPIs equal to the API's, a chart's table view, a rep's page, axe and a phone. */
const tenant = uniqueTenant('dash');
const manager = { tenant, role: 'manager', user: 'manager-1', team: 'team-1' } as const;
/** Polls wait for the API and the page; a busy two-core machine is slow, hence generous. */
const WAIT = { timeout: 20_000 };
let browser: Browser;
let managerApi: ApiClient;

const euros = (value: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(
    value,
  );

beforeAll(async () => {
  browser = await openBrowser();
  const admin = api(await tokenFor({ tenant, role: 'admin', user: 'admin-1' }));
  managerApi = api(await tokenFor(manager));
  const pipelines = await admin.get('/pipelines');
  const won = pipelines.body.items[0].stages.find((stage: { kind: string }) => stage.kind === 'won').id;
  for (const [name, amount] of [
    ['Won one', 1200],
    ['Won two', 800],
  ] as const) {
    const deal = await admin.post('/deals', { name, amount, currency: 'EUR' });
    expect(deal.status).toBe(201);
    expect((await admin.patch(`/deals/${deal.body.id}`, { stageId: won })).status).toBe(200);
  }
  await admin.post('/deals', { name: 'Still open', amount: 500, currency: 'EUR' });
  // The reports follow the stream: wait until they count both won deals.
  await eventually(async () => {
    const kpis = await managerApi.get('/reports/kpis');
    expect(kpis.body.figures.wonDeals.value).toBe(2);
  });
});
afterAll(async () => {
  await browser?.close();
});

describe('dashboard', () => {
  it('shows the KPIs the API reports and a chart as a table', async () => {
    const consolePage = await signedInPage(browser, manager, '/');
    const { page } = consolePage;
    const kpis = (await managerApi.get('/reports/kpis')).body.figures;
    const figure = (key: string) => page.locator(`[data-kpi="${key}"] .kpi-value`);
    await expect.poll(() => figure('wonDeals').textContent(), WAIT).toBe(String(kpis.wonDeals.value));
    expect(await figure('wonAmount').textContent()).toBe(euros(kpis.wonAmount.value.EUR));
    expect(await figure('openPipeline').textContent()).toBe(euros(kpis.openPipeline.value.EUR));
    expect(await figure('wonAmount').textContent()).toBe(euros(2000));

    const sales = page.getByRole('region', { name: 'Sales by month' });
    await sales.getByRole('button', { name: 'Show as table' }).click();
    const table = sales.getByRole('table', { name: 'Sales by month' });
    const month = new Intl.DateTimeFormat('en-US', {
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date());
    const row = table.getByRole('row', { name: new RegExp(month) });
    await expect.poll(() => row.textContent(), WAIT).toContain(euros(2000));
    expect(await row.getByRole('cell').first().textContent()).toBe('2');
    await expectAccessible(page, 'dashboard');
    // The empty reports say what fills them.
    expect(await page.getByText('No cases in this period').count()).toBe(1);
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('fits a phone and tells a rep where their deals are', async () => {
    const phone = await signedInPage(browser, manager, '/', { viewport: 'phone' });
    // The tiles are there (at their final size) while loading; the figures are in when it is no longer busy.
    await phone.page.locator('.kpis[aria-busy="false"] [data-kpi="wonDeals"] .kpi-value').waitFor();
    await phone.page.getByRole('region', { name: 'Pipeline by stage' }).getByRole('button').waitFor();
    await expectFitsPhone(phone.page, 'dashboard');
    await phone.context.close();

    const repPage = await signedInPage(browser, { tenant, role: 'rep', user: 'rep-1', team: 'team-1' }, '/');
    await repPage.page.getByRole('link', { name: 'Open the pipeline' }).waitFor();
    await expectAccessible(repPage.page, 'dashboard (rep)');
    expectNoErrors(repPage);
    await repPage.context.close();
  });
});
