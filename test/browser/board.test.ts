import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import {
  type ConsolePage,
  expectAccessible,
  expectFitsPhone,
  expectNoErrors,
  openBrowser,
  signedInPage,
} from './harness.ts';

/** The pipeline board: moves by drag and by keyboard, closing as lost, conflicts, a rep's view. */
const tenant = uniqueTenant('board');
const admin = { tenant, role: 'admin', user: 'admin-1' } as const;
const rep = { tenant, role: 'rep', user: 'rep-1', team: 'team-1' } as const;
/** Polls wait for the API and the page; a busy two-core machine is slow, hence generous. */
const WAIT = { timeout: 20_000 };
let browser: Browser;
let adminApi: ApiClient;
let stages: Record<string, string>;
const ids: Record<string, string> = {};
let board: ConsolePage;

const euros = (value: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(
    value,
  );
const column = (page: Page, stage: string) => page.getByRole('region', { name: stage, exact: true });
const card = (page: Page, stage: string, deal: string) =>
  column(page, stage).getByRole('listitem').filter({ hasText: deal });
const stageOf = async (name: string) => (await adminApi.get(`/deals/${ids[name]}`)).body.stageId;

async function moveByKeyboard(page: Page, deal: string, stage: string): Promise<void> {
  await page.getByRole('button', { name: `Move to… ${deal}` }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Move “${deal}”` });
  await dialog.getByLabel('Stage').focus();
  await dialog.getByLabel('Stage').selectOption({ label: stage });
  await dialog.getByRole('button', { name: 'Move', exact: true }).focus();
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  browser = await openBrowser();
  adminApi = api(await tokenFor(admin));
  const pipelines = await adminApi.get('/pipelines');
  const pipeline = pipelines.body.items.find((item: { isDefault: boolean }) => item.isDefault);
  stages = Object.fromEntries(
    pipeline.stages.map((stage: { id: string; name: string }) => [stage.name, stage.id]),
  );
  const seed: [string, string, number][] = [
    ['Alpha', 'prospecting', 1000],
    ['Beta', 'prospecting', 2000],
    ['Delta', 'prospecting', 400],
    ['Gamma', 'qualification', 500],
  ];
  for (const [name, stage, amount] of seed) {
    const created = await adminApi.post('/deals', { name, amount, currency: 'EUR', stageId: stages[stage] });
    expect(created.status).toBe(201);
    ids[name] = created.body.id;
  }
  const repDeal = await api(await tokenFor(rep)).post('/deals', {
    name: 'Rep own deal',
    stageId: stages.proposal,
  });
  expect(repDeal.status).toBe(201);
  const otherTeam = await api(await tokenFor({ tenant, role: 'rep', user: 'rep-9', team: 'team-9' })).post(
    '/deals',
    {
      name: 'Other team deal',
      stageId: stages.negotiation,
    },
  );
  expect(otherTeam.status).toBe(201);
  board = await signedInPage(browser, admin, '/pipeline');
  await card(board.page, 'prospecting', 'Alpha').waitFor();
});
afterAll(async () => {
  await browser?.close();
});

describe('pipeline board', () => {
  it('moves a deal by drag and another by keyboard, with counts and amounts following', async () => {
    const { page } = board;
    await expect.poll(() => column(page, 'prospecting').textContent(), WAIT).toContain('3 deals');
    expect(await column(page, 'prospecting').textContent()).toContain(euros(3400));

    await card(page, 'prospecting', 'Alpha').dragTo(column(page, 'qualification'));
    await card(page, 'qualification', 'Alpha').waitFor();
    await eventually(async () => expect(await stageOf('Alpha')).toBe(stages.qualification));
    await expect.poll(() => column(page, 'qualification').textContent(), WAIT).toContain('2 deals');
    expect(await column(page, 'qualification').textContent()).toContain(euros(1500));

    await moveByKeyboard(page, 'Beta', 'proposal');
    await card(page, 'proposal', 'Beta').waitFor();
    await expect
      .poll(() => page.locator('[aria-live="polite"]').textContent(), WAIT)
      .toBe('Beta moved to proposal.');
    expect(await stageOf('Beta')).toBe(stages.proposal);
    await expect.poll(() => column(page, 'prospecting').textContent(), WAIT).toContain('1 deal');
    expect(await column(page, 'prospecting').textContent()).toContain(euros(400));
    expectNoErrors(board);
  });

  it('asks why before closing as lost, and stores the reason', async () => {
    const { page } = board;
    // Wide enough for every column: a drag that scrolls the board on its way is not what this tests.
    await page.setViewportSize({ width: 1900, height: 800 });
    // A drop on the lost stage opens the question; cancelling leaves the deal where it was.
    await card(page, 'prospecting', 'Delta').dragTo(column(page, 'lost'));
    const dialog = page.getByRole('dialog', { name: 'Move “Delta”' });
    await dialog.getByLabel('Why was it lost?').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await card(page, 'prospecting', 'Delta').waitFor();
    expect(await stageOf('Delta')).toBe(stages.prospecting);

    await card(page, 'prospecting', 'Delta').dragTo(column(page, 'lost'));
    await dialog.getByLabel('Why was it lost?').fill('Budget cut');
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await card(page, 'lost', 'Delta').waitFor();
    const stored = await eventually(async () => {
      const deal = (await adminApi.get(`/deals/${ids.Delta}`)).body;
      expect(deal.status).toBe('lost');
      return deal;
    });
    expect(stored.lostReason).toBe('Budget cut');
    await page.setViewportSize({ width: 1280, height: 800 });
    expectNoErrors(board);
  });

  it('puts the card back and says why when the deal changed meanwhile', async () => {
    const { page } = board;
    const renamed = await adminApi.patch(`/deals/${ids.Gamma}`, { name: 'Gamma renamed' });
    expect(renamed.status).toBe(200);
    await moveByKeyboard(page, 'Gamma', 'negotiation');
    await expect
      .poll(() => page.locator('.board-notice').textContent(), WAIT)
      .toContain('changed by someone else');
    await card(page, 'qualification', 'Gamma renamed').waitFor();
    expect(await column(page, 'negotiation').textContent()).not.toContain('Gamma');
    expect(await stageOf('Gamma')).toBe(stages.qualification);
    // The card now holds the current version, so the same move goes through.
    await moveByKeyboard(page, 'Gamma renamed', 'negotiation');
    await card(page, 'negotiation', 'Gamma renamed').waitFor();
    await eventually(async () => expect(await stageOf('Gamma')).toBe(stages.negotiation));
  });

  it('is accessible and fits a phone, the columns scrolling inside the board', async () => {
    await expectAccessible(board.page, 'pipeline board');
    const phone = await signedInPage(browser, admin, '/pipeline', { viewport: 'phone' });
    await card(phone.page, 'proposal', 'Beta').waitFor();
    await expectFitsPhone(phone.page, 'pipeline board');
    const scrolls = await phone.page
      .locator('.board')
      .evaluate((element) => element.scrollWidth > element.clientWidth);
    expect(scrolls).toBe(true);
    await phone.context.close();
  });

  it('shows a rep the deals the API shows that rep', async () => {
    const repPage = await signedInPage(browser, rep, '/pipeline');
    const { page } = repPage;
    await card(page, 'proposal', 'Rep own deal').waitFor();
    const listed = await api(await tokenFor(rep)).get('/deals?status=open&limit=200');
    const expected = listed.body.items.map((deal: { name: string }) => deal.name).sort();
    const shown = (await page.locator('.board-card-name').allTextContents()).sort();
    expect(shown).toEqual(expected);
    expect(shown).not.toContain('Other team deal');
    expectNoErrors(repPage);
    await repPage.context.close();
  });
});
