import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import type { Role } from '../../shared/domain/access.ts';
import { tokenFor } from '../support/api.ts';

/**
 * The browser tests' harness: Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) driven by
 * playwright-core against the console that the test runtime serves at /app. Each test file
 * opens one browser (`openBrowser` in beforeAll, `close` in afterAll) and a page per user.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a closed network (no background requests to Google's hosts) as root in CI. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
];

export function consoleUrl(path = '/'): string {
  return new URL(`/app${path === '/' ? '/' : path}`, inject('apiUrl')).toString();
}

export function openBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

export interface SignedInUser {
  readonly tenant: string;
  readonly role: Role;
  readonly user?: string;
  readonly team?: string;
  readonly email?: string;
}

export interface ConsolePage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Page errors, failed API answers (5xx) and CSP refusals seen so far; `expectNoErrors` checks it. */
  readonly errors: string[];
}

/**
 * A page already signed in as `user` (its dev token put in sessionStorage before the console
 * starts), at `path`. `viewport` defaults to a laptop; `phone` is 375 × 740.
 */
export async function signedInPage(
  browser: Browser,
  user: SignedInUser,
  path = '/',
  options: { viewport?: 'laptop' | 'phone'; locale?: string } = {},
): Promise<ConsolePage> {
  const token = await tokenFor({
    tenant: user.tenant,
    role: user.role,
    ...(user.user ? { user: user.user } : {}),
    ...(user.team ? { team: user.team } : {}),
    ...(user.email ? { email: user.email } : {}),
  });
  const context = await browser.newContext({
    viewport: options.viewport === 'phone' ? { width: 375, height: 740 } : { width: 1280, height: 800 },
    locale: options.locale ?? 'en-US',
    timezoneId: 'Europe/Madrid',
  });
  await context.addInitScript({
    content: `sessionStorage.setItem('crm.session', ${JSON.stringify(token)});`,
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(consoleUrl(path));
  return { page, context, errors };
}

/** A page at the sign-in screen (no session). */
export async function signedOutPage(browser: Browser, path = '/'): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(consoleUrl(path));
  return { page, context, errors };
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      errors.push(`CSP: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500)
      errors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return errors;
}

/** Fails with every error the page saw (uncaught exceptions, CSP refusals, 5xx answers). */
export function expectNoErrors(consolePage: ConsolePage): void {
  expect(consolePage.errors).toEqual([]);
}

let axeSource: Promise<string> | undefined;

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now and fails on any
 * serious or critical violation, naming the rule and the elements. axe is evaluated through the
 * DevTools protocol, so the console's CSP stays on.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  await page.evaluate(source);
  // A string, not a function: this project's types have no DOM, and the page has axe as a global.
  const violations = (await page.evaluate(`(async () => {
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
  })()`)) as { id: string; impact: string; help: string; targets: string[] }[];
  const serious = violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  expect(serious, `${label}: ${JSON.stringify(serious, null, 2)}`).toEqual([]);
}

/** On a 375 px wide screen nothing but tables' own scroll areas may be wider than the viewport. */
export async function expectFitsPhone(page: Page, label: string): Promise<void> {
  const overflow = (await page.evaluate(
    'document.documentElement.scrollWidth - window.innerWidth',
  )) as number;
  expect(overflow, `${label}: the page is ${overflow} px wider than the screen`).toBeLessThanOrEqual(0);
}
