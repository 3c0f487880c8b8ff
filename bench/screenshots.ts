import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * The README's screenshots of the web console: `npm run screenshots -- [API URL]` (or CRM_API;
 * default http://localhost:3000) against a running `npm start` whose demo tenant is seeded
 * (`npm run seed`). It signs in through the sign-in page as a manager of the demo tenant (the
 * first seeded manager, with their user and team) and saves PNGs in docs/screenshots/: 1280 × 800
 * at device scale 1, and 375 px wide for the phone. So that every page has something to show, it
 * first leaves a comment on the contact it pictures and, when the tenant has no import yet,
 * imports a small CSV through the imports page. A page still loading, an error banner, an
 * uncaught error or a 5xx answer fails the run. CHROMIUM_PATH (default /usr/bin/chromium) is the
 * browser.
 */

const apiUrl = process.argv[2] ?? process.env.CRM_API ?? 'http://localhost:3000';
const outDir = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const laptop = { width: 1280, height: 800 };
const phone = { width: 375, height: 812 };
/** Above this a picture weighs too much for the README; the run says so. */
const MAX_BYTES = 150_000;

const log = (line: string) => console.log(`[screenshots] ${line}`);
const url = (path: string) => new URL(path, apiUrl).toString();

interface User {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly teamId?: string;
}

/** A dev token from the local runtime's sign-in endpoint, as the sign-in page gets one. */
async function devToken(body: Record<string, string>): Promise<string> {
  const response = await fetch(url('/app/local/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { token?: string };
  if (!response.ok || !answer.token)
    throw new Error(`POST /app/local/token answered ${response.status}: is npm start running at ${apiUrl}?`);
  return answer.token;
}

function client(token: string) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(url(path), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok)
      throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
}

type Call = ReturnType<typeof client>;

/** The first seeded manager and a rep of their team (to mention). */
async function people(admin: Call): Promise<{ manager: User; rep: User | undefined }> {
  const { items } = await admin<{ items: User[] }>('GET', '/users?limit=100');
  const managers = items.filter((user) => user.role === 'manager' && user.teamId);
  // Ids sort by creation time: the earliest manager is the seed's first team's.
  const manager = managers.sort((a, b) => a.id.localeCompare(b.id))[0];
  if (!manager) throw new Error('The demo tenant has no manager: seed it first (npm run seed)');
  const rep = items.find((user) => user.role === 'rep' && user.teamId === manager.teamId);
  return { manager, rep };
}

interface TimelineEntry {
  readonly kind: string;
}

/** Of the manager's first contacts, the one with the fullest timeline, with a comment left on it. */
async function contactToShow(call: Call, rep: User | undefined): Promise<string> {
  const { items } = await call<{ items: { id: string }[] }>('GET', '/contacts?limit=20');
  if (items.length === 0) throw new Error('The manager sees no contact: seed the demo tenant first');
  let best = { id: items[0]?.id ?? '', entries: [] as TimelineEntry[] };
  for (const { id } of items) {
    const { items: entries } = await call<{ items: TimelineEntry[] }>(
      'GET',
      `/contacts/${id}/timeline?limit=50`,
    );
    if (entries.length > best.entries.length) best = { id, entries };
  }
  if (!best.entries.some((entry) => entry.kind.includes('comment'))) {
    const mention = rep ? `@[${rep.id}] ` : '';
    await call('POST', `/contacts/${best.id}/comments`, {
      body: `${mention}they asked for the renewal terms before the end of the month; can you send them the offer?`,
    });
  }
  return best.id;
}

/** The sent campaign with the most clicks: the fullest report. */
async function campaignToShow(call: Call): Promise<string> {
  const { items } = await call<{ items: { id: string; status: string }[] }>('GET', '/campaigns?limit=50');
  let best: { id: string; clicked: number } | undefined;
  for (const { id, status } of items) {
    if (status !== 'sent') continue;
    const { clicked } = await call<{ clicked: number }>('GET', `/campaigns/${id}/stats`);
    if (!best || clicked > best.clicked) best = { id, clicked };
  }
  if (!best) throw new Error('The demo tenant has no sent campaign: seed it first (npm run seed)');
  return best.id;
}

/** Waits until nothing loads: no spinner for a moment, and fails on an error banner. */
/** Scrolls to the end and back: the dashboard draws a chart only once it is near the viewport. */
async function scrollThrough(page: Page): Promise<void> {
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  for (let y = 0; y < height; y += 500) {
    await page.evaluate(`window.scrollTo(0, ${y})`);
    await page.waitForTimeout(150);
  }
  await page.evaluate('window.scrollTo(0, 0)');
}

async function settle(page: Page, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let quiet = 0;
  while (quiet < 3) {
    if (Date.now() > deadline) throw new Error(`${what}: still loading after a minute`);
    const alert = page.locator('.banner-error');
    if (await alert.count()) throw new Error(`${what}: ${await alert.first().innerText()}`);
    quiet = (await page.locator('.spinner, .loading').count()) === 0 ? quiet + 1 : 0;
    await page.waitForTimeout(250);
  }
}

/**
 * Saves the viewport, cut at the end of the page's content; a picture over MAX_BYTES (a long
 * table of text) is cut shorter, a tenth at a time, down to half the viewport.
 */
async function shoot(page: Page, name: string): Promise<void> {
  await settle(page, name);
  const viewport = page.viewportSize() ?? laptop;
  // What is left of the page below the point it is scrolled to.
  // Strings: this module has no DOM types, and they run in the page.
  const content = await page.evaluate<number>('document.documentElement.scrollHeight - window.scrollY');
  const file = join(outDir, `${name}.png`);
  let height = Math.min(viewport.height, content);
  for (;;) {
    await page.screenshot({ path: file, clip: { x: 0, y: 0, width: viewport.width, height } });
    const { size } = await stat(file);
    if (size <= MAX_BYTES) {
      log(`${name}.png ${viewport.width}×${height} ${Math.round(size / 1000)} kB`);
      return;
    }
    const shorter = Math.round(height * 0.9);
    if (shorter < viewport.height * 0.5)
      throw new Error(`${name}.png weighs ${size} bytes at ${height} px high, more than ${MAX_BYTES}`);
    height = shorter;
  }
}

/** A tab signed in through the sign-in page as `manager`, in `locale`. */
async function signIn(browser: Browser, manager: User, locale: string) {
  const context = await browser.newContext({
    viewport: laptop,
    deviceScaleFactor: 1,
    locale,
    timezoneId: 'Europe/Madrid',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 500) errors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(url('/app/'));
  const english = locale.startsWith('en');
  await page.getByLabel(english ? 'Role' : 'Rol', { exact: true }).selectOption('manager');
  await page.getByLabel(english ? 'User id' : 'Id de usuario', { exact: true }).fill(manager.id);
  await page.getByLabel(english ? 'Team id' : 'Id de equipo', { exact: true }).fill(manager.teamId ?? '');
  await page.locator('form.card button[type="submit"]').first().click();
  await page.locator('nav').first().waitFor();
  return { context, page, errors };
}

async function main(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const admin = client(await devToken({ role: 'admin' }));
  const { manager, rep } = await people(admin);
  log(`signing in as ${manager.name} (manager, team ${manager.teamId}) at ${apiUrl}`);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const { context, page, errors } = await signIn(browser, manager, 'en-US');
    const token = await page.evaluate<string | null>("sessionStorage.getItem('crm.session')");
    if (!token) throw new Error('The sign-in page left no session');
    const call = client(token);
    const contactId = await contactToShow(call, rep);

    await page.goto(url('/app/'));
    await page.locator('.kpi-value').first().waitFor();
    await scrollThrough(page);
    await shoot(page, 'dashboard');

    await page.goto(url('/app/contacts'));
    await page.locator('table tbody tr').first().waitFor();
    await shoot(page, 'contacts');

    await page.goto(url(`/app/contacts/${contactId}`));
    await page.locator('.timeline > li').first().waitFor();
    await settle(page, 'contact');
    // The comment box and the timeline are below the fold: the picture starts just above them.
    await page.evaluate(
      "window.scrollTo(0, document.getElementById('record-comment').closest('section').getBoundingClientRect().top + window.scrollY - 200)",
    );
    await shoot(page, 'contact');

    await page.goto(url('/app/pipeline'));
    await shoot(page, 'pipeline');

    await page.goto(url('/app/segments'));
    await page.getByRole('table', { name: 'Segments' }).getByRole('link').first().click();
    await page.getByText('Contacts in this segment').waitFor();
    await shoot(page, 'segment');

    await page.goto(url(`/app/campaigns/${await campaignToShow(call)}`));
    await page.getByRole('heading', { name: 'Report' }).waitFor();
    await shoot(page, 'campaign-report');

    await page.goto(url('/app/imports'));
    await settle(page, 'imports');
    if (await page.getByText('No imports yet').count()) await importSample(page);
    else await page.getByRole('table', { name: 'Past imports' }).getByRole('link').first().click();
    await page.getByRole('table', { name: 'Rows not imported' }).waitFor();
    await shoot(page, 'imports');

    await page.setViewportSize(phone);
    await page.goto(url('/app/contacts'));
    await page.locator('table tbody tr').first().waitFor();
    await shoot(page, 'phone-contacts');
    await page.goto(url('/app/'));
    await page.locator('.kpi-value').first().waitFor();
    await scrollThrough(page);
    await shoot(page, 'phone-dashboard');
    await context.close();

    const spanish = await signIn(browser, manager, 'es-ES');
    await spanish.page.goto(url('/app/'));
    await spanish.page.locator('.kpi-value').first().waitFor();
    await scrollThrough(spanish.page);
    await shoot(spanish.page, 'dashboard-es');
    await spanish.context.close();

    const seen = [...errors, ...spanish.errors];
    if (seen.length) throw new Error(`The console reported errors:\n${seen.join('\n')}`);
  } finally {
    await browser.close();
  }
}

/** Three contacts, one with a bad email, so the picture shows the counts and the error report. */
async function importSample(page: Page): Promise<void> {
  const csv = [
    'firstName,lastName,email,city',
    'Lucía,Romero,lucia.romero@import.example,Sevilla',
    'Tomás,Ibáñez,tomas.ibanez@import,Bilbao',
    'Greta,Lind,greta.lind@import.example,Malmö',
  ].join('\n');
  await page.getByLabel('CSV file').setInputFiles({
    name: 'contacts.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await page.getByRole('status').filter({ hasText: 'Finished' }).waitFor({ timeout: 120_000 });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
