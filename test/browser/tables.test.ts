import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { expectAccessible, expectFitsPhone, expectNoErrors, openBrowser, signedInPage } from './harness.ts';

/**
 * The record lists: the New form and its field errors, search, paging through a small page size,
 * saved views, what a rep may see, tenant isolation, accessibility and a phone screen.
 */
let browser: Browser;
const tenant = uniqueTenant('tables');
const otherTenant = uniqueTenant('tables-other');
const admin = { tenant, role: 'admin' as const, user: 'admin-1' };
const repA = { tenant, role: 'rep' as const, user: 'rep-a', team: 'team-a' };
const repB = { tenant, role: 'rep' as const, user: 'rep-b', team: 'team-b' };
const pagedNames: string[] = [];

beforeAll(async () => {
  const adminApi = api(await tokenFor(admin));
  const otherApi = api(await tokenFor({ tenant: otherTenant, role: 'admin', user: 'admin-x' }));
  const repAApi = api(await tokenFor(repA));
  const repBApi = api(await tokenFor(repB));
  for (let index = 0; index < 30; index++) pagedNames.push(`Paged${String(index).padStart(2, '0')}`);
  const created = await Promise.all([
    ...pagedNames.map((firstName) =>
      adminApi.post('/contacts', { firstName, lastName: 'Row', tags: ['paged'] }),
    ),
    repAApi.post('/contacts', { firstName: 'Alpha', lastName: 'Hidden', email: 'alpha@example.com' }),
    repBApi.post('/contacts', { firstName: 'Bravo', lastName: 'Own', email: 'bravo@example.com' }),
    otherApi.post('/contacts', { firstName: 'Elsewhere', lastName: 'Tenant', tags: ['paged'] }),
  ]);
  for (const response of created) expect(response.status, JSON.stringify(response.body)).toBe(201);
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** The names linked in the table's first column, in the order shown. */
async function rowNames(page: Page): Promise<string[]> {
  return page.getByRole('table').locator('tbody th a').allTextContents();
}

describe('record tables', () => {
  it('creates a contact through the form, shows a field error next to its input, finds it and opens it', async () => {
    const consolePage = await signedInPage(browser, admin, '/contacts');
    const { page } = consolePage;
    await page.getByRole('table', { name: 'Contacts' }).waitFor();
    await expectAccessible(page, 'contacts');
    await page.getByRole('button', { name: 'New contact' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New contact' });
    await dialog.getByLabel('First name').fill('Quentin');
    await dialog.getByLabel('Last name').fill('Formfill');
    const email = dialog.getByLabel('Email');
    await email.fill('not-an-email');
    await dialog.getByRole('button', { name: 'Create' }).click();
    // The API's message for `email` is under the input and read with it (aria-describedby).
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await email.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent()).toMatch(/email/i);
    await expectAccessible(page, 'new contact with an error');
    await email.fill('quentin@example.com');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/app\/contacts\/[0-9A-Z]+$/);
    const id = new URL(page.url()).pathname.split('/').pop();

    await page.goto(page.url().replace(/\/contacts\/.*$/, '/contacts'));
    await page.getByRole('searchbox', { name: 'Search' }).fill('Quentin');
    await page.waitForURL(/q=Quentin/);
    // The name search reads an index that follows writes within moments: reload until it has it.
    await eventually(
      async () => {
        if ((await rowNames(page)).length === 0) {
          await page.reload();
          await page.getByRole('table', { name: 'Contacts' }).or(page.getByText('Nothing matches')).waitFor();
        }
        expect(await rowNames(page)).toEqual(['Quentin Formfill']);
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    await page.getByRole('link', { name: 'Quentin Formfill' }).click();
    await page.waitForURL(new RegExp(`/app/contacts/${id}$`));
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('pages through a small page size without losing or repeating a row, and keeps the filter in the URL', async () => {
    const consolePage = await signedInPage(browser, admin, '/contacts?tag=paged&limit=7');
    const { page } = consolePage;
    await page.getByRole('table', { name: 'Contacts' }).waitFor();
    const more = page.getByRole('button', { name: 'Load more' });
    for (let clicks = 0; clicks < 10 && (await more.count()) > 0; clicks++) {
      const before = (await rowNames(page)).length;
      await more.click();
      // Each click adds rows, or ends the list (the last page may hold no match).
      await expect
        .poll(async () => (await more.count()) === 0 || (await rowNames(page)).length > before)
        .toBe(true);
    }
    const names = await rowNames(page);
    expect(names).toHaveLength(30);
    expect(new Set(names).size).toBe(30);
    expect([...names].sort()).toEqual(pagedNames.map((name) => `${name} Row`));
    expect(names).not.toContain('Elsewhere Tenant');

    // Sorting by a header reorders the loaded rows and says so in aria-sort.
    const header = page.getByRole('columnheader', { name: 'Name', exact: true });
    await header.getByRole('button').click();
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('ascending');
    await header.getByRole('button').press('Enter');
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('descending');
    expect((await rowNames(page))[0]).toBe('Paged29 Row');

    // Reload keeps the filter and the sort (they live in the URL).
    await page.reload();
    await page.getByRole('table', { name: 'Contacts' }).waitFor();
    expect(await page.getByLabel('Tag', { exact: true }).inputValue()).toBe('paged');
    expect(
      await page.getByRole('columnheader', { name: 'Name', exact: true }).getAttribute('aria-sort'),
    ).toBe('descending');
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('saves a view with a filter and columns, and applies it from the picker', async () => {
    const consolePage = await signedInPage(browser, admin, '/contacts?tag=paged');
    const { page } = consolePage;
    await page.getByRole('table', { name: 'Contacts' }).waitFor();
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('group', { name: 'Columns to show' }).getByLabel('Email').uncheck();
    await expect.poll(() => page.getByRole('columnheader', { name: 'Email' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Save view' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save view' });
    await dialog.getByLabel('View name').fill('Paged, no email');
    // An admin outside any team may not share with "My team": the API says so next to the select.
    await dialog.getByLabel('Who sees it').selectOption('team');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.getByLabel('Who sees it').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('Who sees it').selectOption('private');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/view=/);

    await page.goto(page.url().replace(/\/contacts.*$/, '/contacts'));
    await page.getByRole('table', { name: 'Contacts' }).waitFor();
    await page.getByLabel('Saved view').selectOption({ label: 'Paged, no email (Only me)' });
    await page.waitForURL(/tag=paged/);
    await expect.poll(async () => (await rowNames(page)).length).toBe(30);
    expect(await page.getByRole('columnheader', { name: 'Email' }).count()).toBe(0);
    expect(await page.getByLabel('Tag', { exact: true }).inputValue()).toBe('paged');
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('shows a rep only what the API lets that rep see, and the API refuses a rep a tenant-wide view', async () => {
    const fromApi = await api(await tokenFor(repB)).get('/contacts?limit=100');
    const apiNames = (fromApi.body.items as { firstName: string; lastName?: string }[])
      .map((contact) => [contact.firstName, contact.lastName].filter(Boolean).join(' '))
      .sort();
    expect(apiNames).toContain('Bravo Own');
    expect(apiNames).not.toContain('Alpha Hidden');

    const consolePage = await signedInPage(browser, repB, '/contacts');
    const { page } = consolePage;
    await page.getByRole('table', { name: 'Contacts' }).waitFor();
    const more = page.getByRole('button', { name: 'Load more' });
    while ((await more.count()) > 0) {
      const before = (await rowNames(page)).length;
      await more.click();
      await expect
        .poll(async () => (await more.count()) === 0 || (await rowNames(page)).length > before)
        .toBe(true);
    }
    expect((await rowNames(page)).sort()).toEqual(apiNames);

    await page.getByRole('button', { name: 'Save view' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save view' });
    await dialog.getByLabel('View name').fill('Everyone sees this');
    await dialog.getByLabel('Who sees it').selectOption('tenant');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').textContent()).not.toBe('');
    expect(page.url()).not.toMatch(/view=/);
    await consolePage.context.close();
  });

  it('never shows another tenant’s records', async () => {
    const consolePage = await signedInPage(browser, admin, '/contacts?q=Elsewhere');
    const { page } = consolePage;
    await page.getByText('Nothing matches this search and these filters.').waitFor();
    expect(await page.getByText('Elsewhere Tenant').count()).toBe(0);
    await consolePage.context.close();
  });

  it('gives each list an accessible page, an empty state that says what to do, and fits a phone', async () => {
    const consolePage = await signedInPage(browser, admin, '/companies');
    const { page } = consolePage;
    await page.getByText('No companies yet — add one or import a CSV.').waitFor();
    expect(await page.getByRole('link', { name: 'Import a CSV' }).getAttribute('href')).toBe('/app/imports');
    await expectAccessible(page, 'companies (empty)');
    await page.goto(page.url().replace('/companies', '/leads'));
    await page.getByText('No leads yet — add one or import a CSV.').waitFor();
    await expectAccessible(page, 'leads (empty)');
    await page.goto(page.url().replace('/leads', '/deals'));
    await page.getByText('No deals yet — add one or import a CSV.').waitFor();
    await page.getByRole('button', { name: 'New deal' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New deal' });
    await dialog.getByLabel('Name').fill('First deal');
    await dialog.getByLabel('Amount').fill('1200');
    await expect.poll(() => dialog.getByLabel('Stage').inputValue()).not.toBe('');
    await expectAccessible(page, 'new deal');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/app\/deals\/[0-9A-Z]+$/);
    await consolePage.context.close();

    const phone = await signedInPage(browser, admin, '/contacts?tag=paged', { viewport: 'phone' });
    await phone.page.getByRole('table', { name: 'Contacts' }).waitFor();
    await expectFitsPhone(phone.page, 'contacts');
    await expectAccessible(phone.page, 'contacts (phone)');
    const spanish = await signedInPage(browser, admin, '/deals', { locale: 'es-ES' });
    await spanish.page.getByRole('table', { name: 'Oportunidades' }).waitFor();
    await expectAccessible(spanish.page, 'deals (es)');
    expectNoErrors(phone);
    expectNoErrors(spanish);
    await phone.context.close();
    await spanish.context.close();
  });
});
