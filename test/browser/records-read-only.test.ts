import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { expectNoErrors, openBrowser, signedInPage } from './harness.ts';

/**
 * A rep reads their team's records but changes only their own: a colleague's deal is shown
 * read-only (no inline edits, no stage change, no move on the board), their own stays editable,
 * and a case page asks for no custom field definitions (cases have none: it was a 404).
 */
const tenant = uniqueTenant('ro');
const rep = { tenant, role: 'rep', user: 'rep-1', team: 'team-1' } as const;
const manager = { tenant, role: 'manager', user: 'manager-1', team: 'team-1' } as const;
let browser: Browser;
let colleaguesDeal: string;
let ownDeal: string;
let ownCase: string;

beforeAll(async () => {
  browser = await openBrowser();
  const managerApi = api(await tokenFor(manager));
  const repApi = api(await tokenFor(rep));
  const theirs = await managerApi.post('/deals', { name: 'Manager deal', amount: 900, currency: 'EUR' });
  const mine = await repApi.post('/deals', { name: 'Rep deal', amount: 400, currency: 'EUR' });
  const contact = await repApi.post('/contacts', {
    firstName: 'Ida',
    lastName: 'Berg',
    email: 'ida@example.com',
  });
  const supportCase = await repApi.post('/cases', {
    subject: 'Printer jam',
    type: 'information',
    priority: 'low',
    contactId: contact.body.id,
  });
  expect([theirs.status, mine.status, supportCase.status]).toEqual([201, 201, 201]);
  // Another team's open case, which manager-1 may read but not resolve.
  const otherTeam = api(await tokenFor({ tenant, role: 'manager', user: 'manager-2', team: 'team-2' }));
  const otherContact = await otherTeam.post('/contacts', {
    firstName: 'Per',
    lastName: 'Lund',
    email: 'per@example.com',
  });
  const otherCase = await otherTeam.post('/cases', {
    subject: 'Other team case',
    type: 'complaint',
    priority: 'high',
    contactId: otherContact.body.id,
  });
  expect(otherCase.status).toBe(201);
  // The rep comments on the manager's deal: the manager is notified.
  expect((await repApi.post(`/deals/${theirs.body.id}/comments`, { body: 'Ready to sign' })).status).toBe(
    201,
  );
  await eventually(async () => {
    expect((await managerApi.get('/me/notifications')).body.items.length).toBeGreaterThan(0);
  });
  colleaguesDeal = theirs.body.id;
  ownDeal = mine.body.id;
  ownCase = supportCase.body.id;
});
afterAll(async () => {
  await browser?.close();
});

describe('records a rep may only read', () => {
  it('shows a colleague’s deal read-only and the rep’s own deal editable', async () => {
    const consolePage = await signedInPage(browser, rep, `/deals/${colleaguesDeal}`);
    const { page } = consolePage;
    await page.getByRole('heading', { name: 'Manager deal' }).waitFor();
    await page.getByText('You can read this record but not change it').waitFor();
    expect(await page.getByRole('button', { name: /^Edit / }).count()).toBe(0);
    // Commenting stays open to readers.
    expect(await page.getByLabel('Write a comment').count()).toBe(1);

    await page.goto(page.url().replace(colleaguesDeal, ownDeal));
    await page.getByRole('heading', { name: 'Rep deal' }).waitFor();
    await page.getByRole('button', { name: /^Edit Name/ }).waitFor();
    expect(await page.getByText('You can read this record but not change it').count()).toBe(0);
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('offers "Move to…" on the board only for the rep’s own deals', async () => {
    const consolePage = await signedInPage(browser, rep, '/pipeline');
    const { page } = consolePage;
    const theirs = page.getByRole('listitem').filter({ hasText: 'Manager deal' });
    const mine = page.getByRole('listitem').filter({ hasText: 'Rep deal' });
    await mine.getByRole('button', { name: /Move to/ }).waitFor();
    await theirs.getByText('A colleague’s deal').waitFor();
    expect(await theirs.getByRole('button').count()).toBe(0);
    expect(await theirs.getAttribute('draggable')).toBe('false');
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('opens a case without asking for custom fields cases cannot have', async () => {
    const consolePage = await signedInPage(browser, rep, '/');
    const { page } = consolePage;
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(page.url().replace(/\/app\/?$/, `/app/cases/${ownCase}`));
    await page.getByRole('heading', { name: 'Printer jam' }).waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(failed).toEqual([]);
    await consolePage.context.close();
  });

  it('offers Resolve only on the manager’s own team’s cases', async () => {
    const consolePage = await signedInPage(browser, manager, '/cases');
    const { page } = consolePage;
    const own = page.getByRole('row').filter({ hasText: 'Printer jam' });
    const other = page.getByRole('row').filter({ hasText: 'Other team case' });
    await own.getByRole('button', { name: /Resolve/ }).waitFor();
    await other.waitFor();
    expect(await other.getByRole('button').count()).toBe(0);
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('words a comment notification in Spanish', async () => {
    const consolePage = await signedInPage(browser, manager, '/notifications', { locale: 'es-ES' });
    const { page } = consolePage;
    await page.getByRole('link', { name: /comentó en oportunidad «Manager deal»/ }).waitFor();
    expect(await page.getByText('commented on').count()).toBe(0);
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('reads an amount typed the Spanish way, "1.500" as fifteen hundred', async () => {
    const consolePage = await signedInPage(browser, rep, `/deals/${ownDeal}`, { locale: 'es-ES' });
    const { page } = consolePage;
    await page.getByRole('button', { name: /^Editar Importe/ }).click();
    await page.getByRole('textbox', { name: 'Importe' }).fill('1.500');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.getByRole('button', { name: /^Editar Importe: 1500 €/ }).waitFor();
    const repApi = api(await tokenFor(rep));
    expect((await repApi.get(`/deals/${ownDeal}`)).body.amount).toBe(1500);
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });
});
