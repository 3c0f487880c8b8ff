import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTenant } from '../support/api.ts';
import {
  expectAccessible,
  expectFitsPhone,
  expectNoErrors,
  openBrowser,
  signedInPage,
  signedOutPage,
} from './harness.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('console shell', () => {
  it('signs in to the demo tenant from the sign-in page and out again', async () => {
    const consolePage = await signedOutPage(browser);
    const { page } = consolePage;
    await expectAccessible(page, 'sign-in');
    await page.getByLabel('Role').selectOption('manager');
    await page.getByRole('button', { name: 'Sign in to the demo tenant' }).click();
    await expect.poll(() => page.getByText('Signed in as').textContent()).toContain('(Manager)');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('refuses a pasted string that is not a token, next to the input', async () => {
    const consolePage = await signedOutPage(browser);
    const { page } = consolePage;
    await page.getByLabel('Or paste a token').fill('not-a-token');
    await page.getByRole('button', { name: 'Use this token' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not a valid');
    await consolePage.context.close();
  });

  it('hides the admin pages from a rep and switches to Spanish', async () => {
    const consolePage = await signedInPage(browser, {
      tenant: uniqueTenant(),
      role: 'rep',
      user: 'rep-1',
      team: 'team-1',
    });
    const { page } = consolePage;
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Contacts' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page.getByLabel('Language').selectOption('es');
    await page
      .getByRole('navigation', { name: 'Principal' })
      .getByRole('link', { name: 'Contactos' })
      .waitFor();
    await expectAccessible(page, 'shell (es)');
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('fits a 375 px phone screen with the menu behind a button', async () => {
    const consolePage = await signedInPage(browser, { tenant: uniqueTenant(), role: 'admin' }, '/', {
      viewport: 'phone',
    });
    const { page } = consolePage;
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.waitFor();
    await expectFitsPhone(page, 'shell');
    await menu.click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).waitFor();
    await consolePage.context.close();
  });
});
