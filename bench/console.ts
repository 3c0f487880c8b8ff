import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleDir } from '../infra/local/console-build.ts';
import { silentLogger } from '../infra/local/logger.ts';
import { runWhenMain, sectionRun } from './bench-env.ts';
import {
  type AssetGroup,
  distPath,
  groupAssets,
  initialScripts,
  sizeOf,
  totalBytes,
  totalGzip,
} from './console-assets.ts';
import { median } from './stats.ts';

/**
 * The web console in the bench: the production build's files, raw and gzip, grouped as what
 * /app/ loads up front ("initial") and what each lazy page chunk adds (mapped to its routes
 * through Vite's manifest); then Lighthouse (mobile preset: simulated slow 4G and a 4× slower
 * CPU) on the dashboard (/app/) and the contacts list (/app/contacts) of that build served by
 * the local runtime, signed in as the demo tenant's admin over a small seeded history, each
 * page three times, reporting the median performance and accessibility scores and the
 * largest opportunities of the median run.
 *
 * Lighthouse 12 opens its own tab (core/gather/navigation-runner.js) and sessionStorage
 * belongs to a tab, so the session token cannot be set from outside it: the bench opens the
 * tab itself through the DevTools protocol (puppeteer-core, which Lighthouse uses) with a
 * script that stores the token before the console's own scripts run, and hands it to
 * Lighthouse. Nothing in the console changes for it.
 *
 * One section of BENCHMARKS.md. `npm run bench` runs it with the rest; `npm run bench:console`
 * runs only this section and rewrites only it. The runs per page in each mode (and
 * BENCH_CONSOLE_RUNS): bench/mode.ts; CHROMIUM_PATH (default /usr/bin/chromium) the browser; BENCH_CONSOLE_SEED=0 measures
 * an empty tenant.
 */

export const SECTION_START = '<!-- console-bench: bench/console.ts writes this section -->';
export const SECTION_END = '<!-- /console-bench -->';

export const TARGET_PERFORMANCE = 90;
export const TARGET_ACCESSIBILITY = 95;
export const INITIAL_BUDGET_GZIP = 120_000;

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.log(`[bench] ${line}`);

const pages = [
  { name: 'dashboard', path: '/app/' },
  { name: 'contacts', path: '/app/contacts' },
] as const;

/** The sign-in page's h1 (console/src/i18n/en.ts, signin.title): a run that shows it was not signed in. */
const SIGN_IN_HEADING = 'Sign in';

const chromeFlags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export interface Opportunity {
  readonly id: string;
  readonly title: string;
  readonly savingsMs: number;
  readonly savingsBytes: number;
}

export interface PageScores {
  readonly name: string;
  readonly path: string;
  readonly performance: number[];
  readonly accessibility: number[];
  /** The h1 the page showed after each run: proves the run was signed in (not the sign-in page). */
  readonly headings: string[];
  /** Of the run with the median performance score. */
  readonly metrics: Readonly<Record<string, string>>;
  readonly opportunities: readonly Opportunity[];
  /** The largest layout shifts of the median run: the element that moved most, and the shift's score. */
  readonly layoutShifts: readonly { readonly element: string; readonly score: number }[];
  readonly failedAccessibility: readonly string[];
}

export interface ConsoleBenchReport {
  readonly groups: readonly AssetGroup[];
  /** What index.html loads up front (JS), as the budget test counts it. */
  readonly initialJsGzip: number;
  readonly pages: readonly PageScores[];
  readonly runs: number;
  readonly seeded: boolean;
  readonly lighthouseVersion: string;
  readonly chromeVersion: string;
}

/** Builds the console as `npm start` does, into a folder of its own with Vite's manifest (which is not deployed). */
async function buildConsole(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: join(consoleDir, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, manifest: true },
  });
}

async function routeFiles(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const areas = await readdir(join(consoleDir, 'src/pages'), { withFileTypes: true });
  return areas
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(consoleDir, 'src/pages', entry.name, 'routes.ts'));
}

type LighthouseResult = import('lighthouse').Result;

function opportunitiesOf(result: LighthouseResult): Opportunity[] {
  return Object.values(result.audits)
    .flatMap((audit) => {
      const details = audit.details as
        | { type?: string; overallSavingsMs?: number; overallSavingsBytes?: number }
        | undefined;
      // A passed audit ("server response time was short") is no opportunity, whatever its details say.
      if (details?.type !== 'opportunity' || audit.score === null || audit.score >= 1) return [];
      const savingsMs = details.overallSavingsMs ?? 0;
      const savingsBytes = details.overallSavingsBytes ?? 0;
      if (savingsMs <= 0 && savingsBytes <= 0) return [];
      return [{ id: audit.id, title: audit.title, savingsMs, savingsBytes }];
    })
    .sort((a, b) => b.savingsMs - a.savingsMs || b.savingsBytes - a.savingsBytes)
    .slice(0, 5);
}

function layoutShiftsOf(result: LighthouseResult): { element: string; score: number }[] {
  const audit = result.audits['layout-shifts'];
  // Lighthouse 12.2 cannot attribute shifts in traces of newer Chromium (its RootCauses gatherer fails).
  if (audit?.errorMessage) return [];
  const details = audit?.details as
    | { items?: { node?: { selector?: string; nodeLabel?: string }; score?: number }[] }
    | undefined;
  return (details?.items ?? [])
    .map((item) => ({
      element: item.node?.selector ?? item.node?.nodeLabel ?? 'unknown element',
      score: item.score ?? 0,
    }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 3);
}

const metricIds = [
  'first-contentful-paint',
  'largest-contentful-paint',
  'total-blocking-time',
  'cumulative-layout-shift',
  'speed-index',
] as const;

/** Lighthouse on each page, signed in through a tab that stores the token before the console starts. */
async function runLighthouse(
  apiUrl: string,
  token: string,
  runs: number,
): Promise<{ pages: PageScores[]; chromeVersion: string }> {
  const [{ default: lighthouse }, chromeLauncher, { default: puppeteer }] = await Promise.all([
    import('lighthouse'),
    import('chrome-launcher'),
    import('puppeteer-core'),
  ]);
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    chromeFlags,
    logLevel: 'silent',
  });
  const browser = await puppeteer.connect({
    browserURL: `http://127.0.0.1:${chrome.port}`,
    defaultViewport: null,
  });
  try {
    const origin = new URL(apiUrl).origin;
    const results: PageScores[] = [];
    for (const { name, path } of pages) {
      const url = new URL(path, apiUrl).toString();
      const samples: { result: LighthouseResult; heading: string }[] = [];
      for (let run = 0; run < runs; run++) {
        const page = await browser.newPage();
        // A string: this module has no DOM types, and it runs in the page before the console does.
        await page.evaluateOnNewDocument(
          `if (location.origin === ${JSON.stringify(origin)}) sessionStorage.setItem('crm.session', ${JSON.stringify(token)});`,
        );
        const answer = await lighthouse(
          url,
          {
            port: chrome.port,
            output: 'json',
            logLevel: 'error',
            onlyCategories: ['performance', 'accessibility'],
          },
          undefined,
          page as unknown as Parameters<typeof lighthouse>[3],
        );
        if (!answer) throw new Error(`Lighthouse returned nothing for ${url}`);
        const heading = await page
          .evaluate("document.querySelector('h1')?.textContent?.trim() ?? ''")
          .then(String, () => '');
        await page.close();
        if (heading === SIGN_IN_HEADING)
          throw new Error(`Lighthouse on ${url} saw the sign-in page: the token did not reach the tab`);
        if (answer.lhr.runtimeError)
          throw new Error(`Lighthouse on ${url}: ${answer.lhr.runtimeError.message}`);
        samples.push({ result: answer.lhr, heading });
        const score = (id: string) => Math.round((answer.lhr.categories[id]?.score ?? 0) * 100);
        log(
          `lighthouse ${name} run ${run + 1}/${runs}: performance ${score('performance')}, accessibility ${score('accessibility')} (h1 "${heading}")`,
        );
      }
      const score = (result: LighthouseResult, id: string) =>
        Math.round((result.categories[id]?.score ?? 0) * 100);
      const byPerformance = [...samples].sort(
        (a, b) => score(a.result, 'performance') - score(b.result, 'performance'),
      );
      const middle = byPerformance[Math.floor(byPerformance.length / 2)]?.result as LighthouseResult;
      results.push({
        name,
        path,
        performance: samples.map((sample) => score(sample.result, 'performance')),
        accessibility: samples.map((sample) => score(sample.result, 'accessibility')),
        headings: samples.map((sample) => sample.heading),
        metrics: Object.fromEntries(metricIds.map((id) => [id, middle.audits[id]?.displayValue ?? 'n/a'])),
        opportunities: opportunitiesOf(middle),
        layoutShifts: layoutShiftsOf(middle),
        failedAccessibility: (middle.categories.accessibility?.auditRefs ?? [])
          .filter((ref) => ref.weight > 0 && middle.audits[ref.id]?.score === 0)
          .map((ref) => ref.id),
      });
    }
    return { pages: results, chromeVersion: await browser.version() };
  } finally {
    await browser.disconnect();
    chrome.kill();
  }
}

/** Seeds the tenant with the small history of `npm run seed -- --scale small`, so the pages show data. */
async function seedSmall(apiUrl: string, token: string, tenantId: string, adminId: string): Promise<void> {
  const { seedTenant } = await import('../infra/local/seed/seed.ts');
  const started = Date.now();
  const summary = await seedTenant({ apiUrl, token, adminId, tenantId, seed: 1, scale: 'small', batch: 1 });
  log(
    `seeded tenant ${tenantId} (small: ${summary.contacts} contacts, ${summary.deals.total} deals) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

export async function runConsoleBench(options: { runs: number; seed: boolean }): Promise<ConsoleBenchReport> {
  const outDir = await mkdtemp(join(tmpdir(), 'crm-bench-console-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-bench-console-data-'));
  try {
    log('console: building (vite, with its manifest)');
    await buildConsole(outDir);
    const groups = await groupAssets(outDir, consoleDir, await routeFiles());
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    const initialJs = await Promise.all(initialScripts(html).map((url) => sizeOf(outDir, distPath(url))));
    for (const group of groups)
      log(
        `${group.name}: ${group.assets.length} files, ${kB(totalBytes(group.assets))} raw, ${kB(totalGzip(group.assets))} gzip`,
      );

    const { startLocalRuntime } = await import('../infra/local/runtime.ts');
    const runtime = await startLocalRuntime({
      consoleDistDir: outDir,
      dataDir,
      inMemory: true,
      port: 0,
      dynamoPort: 0,
      sesPort: 0,
      s3Port: 0,
      log: silentLogger,
    });
    try {
      const { mintToken } = await import('../infra/local/tokens.ts');
      const tenant = 'demo';
      const adminId = 'admin-demo';
      const token = await mintToken(dataDir, { tenant, role: 'admin', user: adminId });
      if (options.seed) await seedSmall(runtime.apiUrl, token, tenant, adminId);
      const lighthouseVersion = (
        JSON.parse(await readFile(join(root, 'node_modules/lighthouse/package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
      const { pages, chromeVersion } = await runLighthouse(runtime.apiUrl, token, options.runs);
      return {
        groups,
        initialJsGzip: totalGzip(initialJs),
        pages,
        runs: options.runs,
        seeded: options.seed,
        lighthouseVersion,
        chromeVersion,
      };
    } finally {
      await runtime.stop();
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const medianOf = (values: readonly number[]) => Math.round(median([...values]));

export function renderConsoleSection(report: ConsoleBenchReport, header: string): string {
  // The initial files one by one; the lazy groups as totals (their files are printed by the run).
  const fileRows = report.groups
    .filter((group) => group.name === 'initial')
    .flatMap((group) =>
      group.assets.map((asset) => `| ${asset.file} | ${kB(asset.bytes)} | ${kB(asset.gzipBytes)} |`),
    );
  const groupRows = report.groups.map(
    (group) =>
      `| ${group.name} | ${group.assets.length} | ${kB(totalBytes(group.assets))} | ${kB(totalGzip(group.assets))} |`,
  );
  const pageRows = report.pages.map((page) => {
    const metrics = metricIds.map((id) => page.metrics[id] ?? 'n/a').join(' / ');
    return `| ${page.path} | ${medianOf(page.performance)} (${page.performance.join(', ')}) | ${medianOf(page.accessibility)} (${page.accessibility.join(', ')}) | ${metrics} |`;
  });
  const opportunities = report.pages.flatMap((page) => [
    `- ${page.path}: ${
      page.opportunities.length === 0
        ? 'none'
        : page.opportunities
            .map(
              (item) =>
                `${item.title} (${Math.round(item.savingsMs)} ms${item.savingsBytes > 0 ? `, ${kB(item.savingsBytes)}` : ''})`,
            )
            .join('; ')
    }${
      page.layoutShifts.length > 0
        ? `; layout shifts: ${page.layoutShifts.map((shift) => `\`${shift.element}\` ${shift.score.toFixed(3)}`).join(', ')}`
        : Number.parseFloat(page.metrics['cumulative-layout-shift'] ?? '0') > 0.1
          ? '; layout shifts not attributed to elements (Lighthouse 12.2 fails to read them from this Chromium)'
          : ''
    }${page.failedAccessibility.length > 0 ? `; failed accessibility audits: ${page.failedAccessibility.join(', ')}` : ''}`,
  ]);
  return [
    SECTION_START,
    '## Web console',
    '',
    header,
    '',
    `The production build (\`vite build console\`), gzip at level 9. "initial" is what /app/ loads before any page chunk (the`,
    `entry, its static imports and the stylesheet); each other group is what a lazy page chunk adds, named by its routes.`,
    `Initial JavaScript: ${kB(report.initialJsGzip)} gzip (budget ${kB(INITIAL_BUDGET_GZIP)}, test/browser/bundle.test.ts).`,
    '',
    '| Group | Files | Raw | Gzip |',
    '| --- | --- | --- | --- |',
    ...groupRows,
    '',
    '| Initial file | Raw | Gzip |',
    '| --- | --- | --- |',
    ...fileRows,
    '',
    `Lighthouse ${report.lighthouseVersion} (${report.chromeVersion}, headless), its default mobile mode: simulated slow 4G and a 4×`,
    `slower CPU, cold cache. The build served by the local runtime, signed in as the demo tenant's admin${report.seeded ? ' over the small seeded history' : ', empty tenant'};`,
    `median of ${report.runs} runs per page (each run's score in brackets). Targets: performance ≥ ${TARGET_PERFORMANCE}, accessibility ≥ ${TARGET_ACCESSIBILITY}.`,
    'The local runtime gzips the text files (level 6) as CloudFront compresses them.',
    '',
    '| Page | Performance | Accessibility | FCP / LCP / TBT / CLS / Speed Index (median run) |',
    '| --- | --- | --- | --- |',
    ...pageRows,
    '',
    'Largest opportunities (median run, estimated savings) and layout shifts (the element that moved most, its score):',
    '',
    ...opportunities,
    SECTION_END,
  ].join('\n');
}

/** `npm run bench:console [-- --quick]`: this section alone, spliced into BENCHMARKS.md; exits 1 when a target is missed. */
async function main(): Promise<number> {
  const run = sectionRun('console');
  const report = await runConsoleBench({
    runs: run.sizes.values.runs,
    seed: process.env.BENCH_CONSOLE_SEED !== '0',
  });
  const header = `${run.modeLine()}\n\nWritten by bench/console.ts (\`npm run bench\`, or this section alone: \`npm run bench:console\`) on ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}; load average ${run.load()} (Lighthouse simulates its throttling, so scores move less with load than wall times, but a busy machine still lowers them).`;
  await run.write(renderConsoleSection(report, header), { start: SECTION_START, end: SECTION_END });
  log('BENCHMARKS.md: the web console section rewritten');

  console.log('');
  console.log('Console files                                            raw        gzip');
  for (const group of report.groups) {
    console.log(`${group.name}`);
    for (const asset of group.assets)
      console.log(
        `  ${asset.file.padEnd(50)} ${kB(asset.bytes).padStart(10)} ${kB(asset.gzipBytes).padStart(10)}`,
      );
  }
  console.log(`Initial JavaScript ${kB(report.initialJsGzip)} gzip (budget ${kB(INITIAL_BUDGET_GZIP)})`);
  console.log('');
  const misses: string[] = [];
  if (report.initialJsGzip > INITIAL_BUDGET_GZIP)
    misses.push(`initial JavaScript ${kB(report.initialJsGzip)} gzip`);
  for (const page of report.pages) {
    const performance = medianOf(page.performance);
    const accessibility = medianOf(page.accessibility);
    console.log(
      `${page.path.padEnd(16)} performance ${performance} (${page.performance.join(', ')}), accessibility ${accessibility} (${page.accessibility.join(', ')}); h1 ${page.headings.map((h) => `"${h}"`).join(', ')}`,
    );
    for (const item of page.opportunities)
      console.log(
        `    ${item.title}: ${Math.round(item.savingsMs)} ms${item.savingsBytes > 0 ? `, ${kB(item.savingsBytes)}` : ''}`,
      );
    for (const shift of page.layoutShifts)
      console.log(`    layout shift ${shift.score.toFixed(3)}: ${shift.element}`);
    if (page.failedAccessibility.length > 0)
      console.log(`    failed accessibility audits: ${page.failedAccessibility.join(', ')}`);
    if (performance < TARGET_PERFORMANCE) misses.push(`${page.path} performance ${performance}`);
    if (accessibility < TARGET_ACCESSIBILITY) misses.push(`${page.path} accessibility ${accessibility}`);
  }
  if (misses.length > 0) {
    console.error(`!! CONSOLE TARGETS MISSED: ${misses.join('; ')}`);
    return 1;
  }
  console.log('Console targets hold.');
  return 0;
}

runWhenMain(import.meta.url, main);
