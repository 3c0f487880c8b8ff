import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, api, tokenFor, uniqueTenant } from '../support/api.ts';
import { type ConsolePage, consoleUrl, expectNoErrors, openBrowser, signedInPage } from './harness.ts';

/**
 * Faults found by using the marketing and admin pages as their users would: actions the API
 * refuses, problem messages in the wrong language, an empty filter offered, a dialog's focus and a
 * refused session that left no word. One tenant and one browser for the file.
 */
let browser: Browser;
const tenant = uniqueTenant('mkf');
const adminUser = { tenant, role: 'admin' as const, user: 'admin-mkf' };
// A manager of another team than the records the admin creates (which have no team).
const managerUser = { tenant, role: 'manager' as const, user: 'manager-mkf', team: 'team-mkf' };
let admin: ApiClient;
let segmentId: string;
let templateId: string;
const opened: ConsolePage[] = [];

beforeAll(async () => {
  browser = await openBrowser();
  admin = api(await tokenFor(adminUser));
  const segment = await admin.post('/segments', {
    name: 'Admin segment',
    filter: { all: [{ field: 'city', op: 'eq', value: 'Madrid' }] },
  });
  expect(segment.status, segment.text).toBe(201);
  segmentId = segment.body.id;
  const template = await admin.post('/templates', {
    name: 'Admin template',
    subject: 'Hi {{contact.firstName}}',
    html: '<p>Hi</p>',
  });
  expect(template.status, template.text).toBe(201);
  templateId = template.body.id;
});

afterAll(async () => {
  for (const consolePage of opened) await consolePage.context.close();
  await browser?.close();
});

async function open(user: typeof adminUser | typeof managerUser, path: string, locale?: string) {
  const consolePage = await signedInPage(browser, user, path, locale ? { locale } : {});
  opened.push(consolePage);
  return consolePage;
}

describe('marketing and admin faults', () => {
  it('offers no save or delete on a segment or template the API would refuse to change', async () => {
    const consolePage = await open(managerUser, `/segments/${segmentId}`);
    const { page } = consolePage;
    await page.getByRole('note').filter({ hasText: 'not change it' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    await page.goto(page.url().replace(`/segments/${segmentId}`, `/templates/${templateId}`));
    await page.getByRole('note').filter({ hasText: 'not change it' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    expectNoErrors(consolePage);
  });

  it('does not offer to save a segment without conditions, which the API refuses', async () => {
    const { page } = await open(adminUser, '/segments/new');
    await page.getByLabel('Name', { exact: true }).fill('Nobody yet');
    await page.getByText('Add at least one condition').waitFor();
    expect(await page.getByRole('button', { name: 'Create segment' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Value of condition 1').fill('Madrid');
    expect(await page.getByRole('button', { name: 'Create segment' }).isDisabled()).toBe(false);
    // A nested group's add buttons say which group they add to, unlike the top group's.
    await page.getByRole('button', { name: 'Add group', exact: true }).click();
    await page.getByRole('button', { name: 'Add condition to Group 2', exact: true }).click();
    await page.getByLabel('Value of condition 2.2').waitFor();
    expect(await page.getByRole('button', { name: 'Add group to Group 2', exact: true }).count()).toBe(1);
  });

  it('goes Back past a created and then deleted segment, not to its form or its gone page', async () => {
    const { page } = await open(adminUser, '/segments');
    await page.getByRole('link', { name: 'New segment' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Back and forth');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Value of condition 1').fill('Madrid');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByRole('heading', { name: 'Back and forth' }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(/\/app\/segments$/);
    await page.goBack();
    // The entries of /new and of the deleted segment were replaced: Back leaves the new page.
    await page.waitForURL(/\/app\/segments$/);
    await page.getByRole('heading', { name: 'Segments', exact: true }).waitFor();
  });

  it("says a form's field errors in Spanish, not the API's English count", async () => {
    const { page } = await open(adminUser, '/segments/new', 'es-ES');
    await page.getByLabel('Nombre', { exact: true }).fill('Vacío');
    await page.getByRole('button', { name: 'Añadir condición' }).click();
    await page.getByRole('button', { name: 'Crear segmento' }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'Corrige los campos' });
    await banner.waitFor();
    expect(await page.getByText(/invalid field/).count()).toBe(0);
  });

  it('closes the confirmation and shows the state when the campaign moved on meanwhile (409)', async () => {
    const created = await admin.post('/campaigns', {
      name: 'Moved on',
      templateId,
      segmentId,
      fromEmail: 'news@example.com',
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    const consolePage = await open(adminUser, `/campaigns/${id}`);
    const { page } = consolePage;
    await page.getByRole('button', { name: 'Send now' }).waitFor();
    // Someone else schedules and cancels it while this page still shows the draft.
    const later = new Date(Date.now() + 86_400_000).toISOString();
    expect((await admin.post(`/campaigns/${id}/schedule`, { at: later })).status).toBe(200);
    expect((await admin.post(`/campaigns/${id}/cancel`)).status).toBe(200);
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Send now' }).click();
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(false);
    await page.getByText('Canceled', { exact: true }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Send now' }).count()).toBe(0);
    await page.getByRole('alert').first().waitFor();
    expectNoErrors(consolePage);
  });

  it("puts the focus on a dialog's first field", async () => {
    const { page } = await open(adminUser, '/admin/teams');
    await page.getByRole('button', { name: 'New team' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('input:focus, select:focus, textarea:focus').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => page.locator('button:focus').textContent()).toBe('New team');
  });

  it('says why the sign-in page shows again when the API refuses the session', async () => {
    const token = await tokenFor(adminUser);
    // The same claims with a signature that is not the API's: well-formed and unexpired, refused.
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(20)}`;
    const context = await browser.newContext({ locale: 'en-US' });
    await context.addInitScript({
      content: `sessionStorage.setItem('crm.session', ${JSON.stringify(forged)});`,
    });
    const page = await context.newPage();
    await page.goto(consoleUrl('/'));
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'did not accept your session' }).waitFor();
    await context.close();
  });
});
