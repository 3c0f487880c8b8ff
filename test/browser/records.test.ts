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

/**
 * Record pages: inline edit with If-Match and the conflict message, comments with a mention that
 * reaches the mentioned colleague, follow, lead conversion, a rep kept out of another team's
 * record, axe on each record page and the contact page on a phone.
 */
let browser: Browser;
const tenant = uniqueTenant('rec');
let manager: { tenant: string; role: 'manager'; user: string; team: string };
let admin: ApiClient;
let ana: { id: string; name: string };
let contactId: string;
let companyId: string;
let leadId: string;
let dealId: string;
let caseId: string;
const opened: ConsolePage[] = [];

async function open(
  path: string,
  user: Parameters<typeof signedInPage>[1] = manager,
  options: Parameters<typeof signedInPage>[3] = {},
) {
  const consolePage = await signedInPage(browser, user, path, options);
  opened.push(consolePage);
  return consolePage;
}

const editButton = (page: Page, field: string) => page.getByRole('button', { name: `Edit ${field}:` });
/** The value an in-place field shows. */
const shownValue = (page: Page, field: string) =>
  editButton(page, field).locator('.inline-shown').textContent();

beforeAll(async () => {
  browser = await openBrowser();
  admin = api(await tokenFor({ tenant, role: 'admin' }));
  const team = await admin.post('/teams', { name: 'Team A' });
  expect(team.status).toBe(201);
  manager = { tenant, role: 'manager', user: 'mgr-1', team: team.body.id };
  const mgr = api(await tokenFor(manager));
  await admin.put('/settings/fields/contacts', [{ key: 'shoeSize', label: 'Shoe size', type: 'number' }]);
  const user = await admin.post('/users', {
    name: 'Ana Ruiz',
    email: 'ana.ruiz@example.com',
    role: 'rep',
    teamId: team.body.id,
  });
  expect(user.status).toBe(201);
  ana = { id: user.body.id, name: user.body.name };
  const company = await mgr.post('/companies', { name: 'Acme Tools' });
  companyId = company.body.id;
  const contact = await mgr.post('/contacts', {
    firstName: 'Marta',
    lastName: 'Gil',
    email: 'marta@example.com',
    companyId,
  });
  contactId = contact.body.id;
  leadId = (await mgr.post('/leads', { firstName: 'Leo', lastName: 'Park', email: 'leo@example.com' })).body
    .id;
  dealId = (
    await mgr.post('/deals', {
      name: 'Acme renewal',
      amount: 5000,
      currency: 'EUR',
      companyId,
      contactIds: [contactId],
    })
  ).body.id;
  caseId = (
    await mgr.post('/cases', { subject: 'Printer jam', type: 'complaint', priority: 'high', contactId })
  ).body.id;
  expect([contactId, leadId, dealId, caseId, ana.id].every(Boolean)).toBe(true);
});

afterAll(async () => {
  for (const consolePage of opened) await consolePage.context.close().catch(() => undefined);
  await browser?.close();
});

describe('record pages', () => {
  it('edits a field in place, and Escape leaves it as it was', async () => {
    const consolePage = await open(`/contacts/${contactId}`);
    const { page } = consolePage;
    await page.getByRole('heading', { name: 'Marta Gil', level: 1 }).waitFor();
    await expectAccessible(page, 'contact page');
    await editButton(page, 'Job title').click();
    await page.getByLabel('Job title').fill('Buyer');
    await page.getByLabel('Job title').press('Enter');
    await expect.poll(() => shownValue(page, 'Job title')).toBe('Buyer');
    expect((await admin.get(`/contacts/${contactId}`)).body.title).toBe('Buyer');
    await editButton(page, 'Shoe size').click();
    await page.getByLabel('Shoe size').fill('41');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => shownValue(page, 'Shoe size')).toBe('41');
    expect((await admin.get(`/contacts/${contactId}`)).body.customFields.shoeSize).toBe(41);
    await editButton(page, 'City').click();
    await page.getByLabel('City').fill('Nowhere');
    await page.getByLabel('City').press('Escape');
    await expect.poll(() => shownValue(page, 'City')).toBe('Not set');
    expectNoErrors(consolePage);
  });

  it('stops a change made over someone else’s and shows theirs after Reload', async () => {
    const { page } = await open(`/contacts/${contactId}`);
    await editButton(page, 'City').waitFor();
    // Changed by its owner elsewhere (another tab): the page's ETag is now stale.
    await api(await tokenFor(manager)).patch(`/contacts/${contactId}`, { city: 'Madrid' });
    await editButton(page, 'City').click();
    await page.getByLabel('City').fill('Sevilla');
    await page.getByLabel('City').press('Enter');
    await page
      .getByRole('alert')
      .filter({ hasText: 'Someone changed this record since you opened it' })
      .waitFor();
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => shownValue(page, 'City')).toBe('Madrid');
    expect((await admin.get(`/contacts/${contactId}`)).body.city).toBe('Madrid');
  });

  it('mentions a colleague, who sees the notification and the unread badge; follows', async () => {
    const { page } = await open(`/contacts/${contactId}`);
    const box = page.getByLabel('Write a comment');
    await box.waitFor();
    await box.pressSequentially('Please call her @Ana');
    await page.getByRole('option', { name: /Ana Ruiz/ }).waitFor();
    await box.press('Enter');
    await box.pressSequentially('today');
    expect(await box.inputValue()).toBe('Please call her @Ana Ruiz today');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.getByText('Comment posted.').waitFor();
    await page.getByText('commented: Please call her @Ana Ruiz today').waitFor();
    await page.getByRole('button', { name: 'Follow' }).click();
    await page.getByRole('button', { name: 'Unfollow' }).waitFor();

    const anaUser = { tenant, role: 'rep' as const, user: ana.id, team: manager.team };
    const anaApi = api(await tokenFor(anaUser));
    await eventually(async () => {
      const unread = await anaApi.get('/me/notifications?unread=true');
      expect(unread.body.items.length).toBeGreaterThan(0);
    });
    const inbox = await open('/notifications', anaUser);
    const badge = inbox.page.getByRole('link', { name: 'Notifications, 1 unread' });
    await badge.waitFor();
    const link = inbox.page.getByRole('link', { name: /Marta Gil/ }).first();
    await link.waitFor();
    await inbox.page.getByRole('button', { name: 'Mark all as read' }).click();
    await inbox.page.getByRole('link', { name: 'Notifications', exact: true }).waitFor();
    await inbox.page.getByText('All notifications are read.').waitFor();
    await expectAccessible(inbox.page, 'notifications');
    expectNoErrors(inbox);
  });

  it('converts a lead and opens the new deal', async () => {
    const { page } = await open(`/leads/${leadId}`);
    await page.getByRole('heading', { name: 'Leo Park', level: 1 }).waitFor();
    await expectAccessible(page, 'lead page');
    await page.getByRole('button', { name: 'Convert' }).click();
    await page.getByLabel('Deal name (optional)').fill('Park deal');
    await page.getByRole('dialog').getByRole('button', { name: 'Convert' }).click();
    await page.waitForURL(/\/app\/deals\//);
    await page.getByRole('heading', { name: 'Park deal', level: 1 }).waitFor();
  });

  it('shows a deal with its stage and quotes, a company with its contacts, a case with its SLA', async () => {
    const deal = await open(`/deals/${dealId}`);
    await deal.page.getByRole('heading', { name: 'Acme renewal', level: 1 }).waitFor();
    await deal.page.getByText('No quotes for this deal yet.').waitFor();
    await editButton(deal.page, 'Stage').waitFor();
    await expectAccessible(deal.page, 'deal page');
    const company = await open(`/companies/${companyId}`);
    await company.page.getByRole('link', { name: 'Marta Gil' }).waitFor();
    await expectAccessible(company.page, 'company page');
    const kase = await open(`/cases/${caseId}`);
    await kase.page.getByText(/Due in \d+ hours/).waitFor();
    await expectAccessible(kase.page, 'case page');
    expectNoErrors(deal);
    expectNoErrors(company);
    expectNoErrors(kase);
  });

  it('tells a rep of another team they may not see the record', async () => {
    const { page } = await open(`/contacts/${contactId}`, {
      tenant,
      role: 'rep',
      user: 'rep-b',
      team: 'team-b',
    });
    await page
      .getByRole('alert')
      .filter({ hasText: /may not see/ })
      .waitFor();
    await page.getByRole('link', { name: 'Back to the list' }).waitFor();
    await expectAccessible(page, 'forbidden record');
  });

  it('fits the contact page on a 375 px phone', async () => {
    const { page } = await open(`/contacts/${contactId}`, manager, { viewport: 'phone' });
    await page.getByRole('heading', { name: 'Marta Gil', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await expectFitsPhone(page, 'contact page');
  });
});
