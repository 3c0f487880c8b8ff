import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, tokenFor, uniqueTenant } from '../support/api.ts';
import { type ConsolePage, expectAccessible, expectNoErrors, openBrowser, signedInPage } from './harness.ts';

/** My agenda and the cases list: an activity planned on a record shows up and is done; cases resolve. */
let browser: Browser;
const tenant = uniqueTenant('work');
const rep = { tenant, role: 'rep' as const, user: 'rep-w' };
let contactId: string;
let consolePage: ConsolePage | undefined;

beforeAll(async () => {
  browser = await openBrowser();
  const client = api(await tokenFor(rep));
  const contact = await client.post('/contacts', {
    firstName: 'Olga',
    lastName: 'Vidal',
    email: 'olga@example.com',
  });
  expect(contact.status).toBe(201);
  contactId = contact.body.id;
  const kase = await client.post('/cases', {
    subject: 'Late delivery',
    type: 'complaint',
    priority: 'urgent',
    contactId,
  });
  expect(kase.status).toBe(201);
});

afterAll(async () => {
  await consolePage?.context.close();
  await browser?.close();
});

describe('agenda and cases', () => {
  it('plans a call on a contact, finds it on the agenda and marks it done', async () => {
    consolePage = await signedInPage(browser, rep, `/contacts/${contactId}`);
    const { page } = consolePage;
    await page.getByRole('heading', { name: 'Olga Vidal', level: 1 }).waitFor();
    await page.getByLabel('Type', { exact: true }).selectOption('call');
    await page.getByLabel('Subject').fill('Call Olga back');
    // One hour from now, as the datetime-local input takes it (local time).
    await page.getByLabel('Due').fill(
      await page.evaluate(`(() => {
      const at = new Date(Date.now() + 3600e3);
      at.setMinutes(at.getMinutes() - at.getTimezoneOffset());
      return at.toISOString().slice(0, 16);
    })()`),
    );
    await page.getByRole('button', { name: 'Add activity' }).click();
    await page.getByText('Activity added.').waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My agenda' }).click();
    await page.getByRole('heading', { name: 'My agenda', level: 1 }).waitFor();
    const item = page.getByRole('listitem').filter({ hasText: 'Call Olga back' });
    await item.waitFor();
    await expectAccessible(page, 'agenda');
    await item.getByRole('button', { name: 'Mark done: Call Olga back' }).click();
    await page.getByText('“Call Olga back” is done.').waitFor();
    await expect.poll(() => item.count(), { timeout: 20_000 }).toBe(0);
    expectNoErrors(consolePage);
  });

  it('lists cases with their SLA, creates one and resolves one', async () => {
    const page = consolePage?.page;
    if (!page) throw new Error('the first test opens the page');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await page.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Late delivery' });
    await row.getByText(/Due in \d+ hours/).waitFor();
    await expectAccessible(page, 'cases');

    await page.getByRole('button', { name: 'New case' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Subject').fill('Wrong invoice');
    await dialog.getByLabel('Find a contact').fill('Olga');
    await expect
      .poll(() => dialog.getByLabel('Contact', { exact: true }).inputValue(), { timeout: 20_000 })
      .toBe(contactId);
    await dialog.getByRole('button', { name: 'Create case' }).click();
    await page.getByRole('row').filter({ hasText: 'Wrong invoice' }).waitFor();

    await row.getByRole('button', { name: 'Resolve: Late delivery' }).click();
    await page.getByRole('dialog').getByLabel('Resolution').fill('Sent again by courier');
    await page.getByRole('dialog').getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('The case is resolved.').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close', exact: true }).last().click();
    await expect.poll(() => row.getByRole('cell').nth(1).textContent(), { timeout: 20_000 }).toBe('Resolved');
    await row
      .getByText(/Resolved/)
      .first()
      .waitFor();
    expectNoErrors(consolePage as ConsolePage);
  });
});
