import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, tokenFor, uniqueTenant } from '../support/api.ts';
import { openBrowser } from './harness.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the API reference at /docs', () => {
  it('finds an operation by its path, summary or operationId, authorises with a token and runs it against the API', async () => {
    const tenant = uniqueTenant();
    const token = await tokenFor({ tenant, role: 'admin' });
    const created = await api(token).post('/contacts', { firstName: 'Ana', lastName: 'Ruiz' });
    expect(created.status).toBe(201);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('pageerror', (error) => refused.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    await page.goto(new URL('/docs', inject('apiUrl')).href);
    await page.getByRole('heading', { name: /Serverless CRM API/ }).waitFor({ timeout: 30_000 });

    // The filter matches paths, not only tags: one operation is left, shown under its open tag.
    const filter = page.locator('.operation-filter-input');
    expect(await filter.getAttribute('placeholder')).toBe('Filter by path, summary or operationId');
    await filter.fill('/deals/{id}/history');
    await expect.poll(() => page.locator('.opblock-tag').count()).toBe(1);
    await expect.poll(() => page.locator('.opblock').count()).toBe(1);
    await expect.poll(() => page.locator('.opblock-summary-path').textContent()).toBe('/deals/{id}/history');
    // Summaries too.
    await filter.fill('liveness check');
    await expect
      .poll(() => page.locator('.opblock-tag').allTextContents())
      .toEqual([expect.stringMatching(/^api/)]);
    // And operationIds: listContacts, not the other contact operations.
    await filter.fill('listContacts');
    await expect.poll(() => page.locator('.opblock-tag').count()).toBe(1);
    await expect.poll(() => page.locator('.opblock').count()).toBe(1);

    await page.locator('.auth-wrapper .authorize').click();
    await page.locator('.modal-ux input').fill(token);
    await page.locator('.modal-ux .auth-btn-wrapper .authorize').click();
    await page.locator('.modal-ux .btn-done').click();

    const operation = page.locator('#operations-contacts-listContacts');
    await operation.locator('.opblock-summary').click();
    // A deep link names the open operation.
    await expect.poll(() => new URL(page.url()).hash).toBe('#/contacts/listContacts');
    await operation.locator('.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await expect.poll(() => status.textContent()).toBe('200');
    const body = await operation
      .locator('.live-responses-table .response-col_description pre')
      .first()
      .textContent();
    expect(JSON.parse(body ?? '{}').items.map((contact: { id: string }) => contact.id)).toEqual([
      created.body.id,
    ]);

    expect(refused).toEqual([]);
    await context.close();
  }, 60_000);
});
