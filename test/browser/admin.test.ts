import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, tokenFor, uniqueTenant } from '../support/api.ts';
import { expectAccessible, expectFitsPhone, expectNoErrors, openBrowser, signedInPage } from './harness.ts';

/** The admin pages: teams (create, rename) and users (create with field errors, role and team). */
let browser: Browser;
const tenant = uniqueTenant('admin');
const admin = { tenant, role: 'admin' as const, user: 'admin-1' };

beforeAll(async () => {
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('admin pages', () => {
  it('creates and renames a team, then adds a user to it and changes the user’s role', async () => {
    const consolePage = await signedInPage(browser, admin, '/admin/teams');
    const { page } = consolePage;
    await page.getByText('No teams yet').waitFor();
    await expectAccessible(page, 'teams (empty)');
    await page.getByRole('button', { name: 'New team' }).first().click();
    let dialog = page.getByRole('dialog', { name: 'New team' });
    await dialog.getByLabel('Team name').fill('North');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Rename North' }).click();
    dialog = page.getByRole('dialog', { name: 'Rename North' });
    await dialog.getByLabel('Team name').fill('North East');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('rowheader', { name: 'North East' }).waitFor();
    await expectAccessible(page, 'teams');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'New user' }).click();
    dialog = page.getByRole('dialog', { name: 'New user' });
    const email = dialog.getByLabel('Email');
    await email.fill('not-an-email');
    await dialog.getByLabel('Name').fill('Eva Nuñez');
    await dialog.getByLabel('Role').selectOption('rep');
    await dialog.getByLabel('Team').selectOption({ label: 'North East' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'new user with an error');
    await email.fill('eva@example.com');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('rowheader', { name: 'Eva Nuñez' }).waitFor();
    expect(await page.getByLabel('Team of Eva Nuñez').inputValue()).not.toBe('');

    await page.getByLabel('Role of Eva Nuñez').selectOption('manager');
    await page.getByText('Eva Nuñez was updated.').waitFor();
    const users = await api(await tokenFor(admin)).get('/users');
    const eva = (users.body.items as { name: string; role: string }[]).find(
      (user) => user.name === 'Eva Nuñez',
    );
    expect(eva?.role).toBe('manager');
    await expectAccessible(page, 'users');
    expectNoErrors(consolePage);
    await consolePage.context.close();
  });

  it('tells a rep that only an admin manages users, and fits a phone', async () => {
    const consolePage = await signedInPage(
      browser,
      { tenant, role: 'rep', user: 'rep-1', team: 'team-1' },
      '/admin/users',
      { viewport: 'phone' },
    );
    const { page } = consolePage;
    await page.getByText('Only an admin can add or change users and teams.').waitFor();
    expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0);
    await expectFitsPhone(page, 'users (rep)');
    await expectAccessible(page, 'users (rep)');
    await consolePage.context.close();
  });
});
