import { execFileSync, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OperationsReport } from './operations.ts';
import { compareUnitCounts, describeComparison } from './unit-check.ts';
import {
  type BenchMode,
  UNIT_COUNTS_FILE,
  UNIT_COUNTS_SCHEMA,
  type UnitCounts,
  type UnitCountsFile,
  type UnitCountsRun,
  writeUnitCountsRun,
} from './unit-counts.ts';
import type { ScenarioResults, ScenarioSizes } from './unit-scenarios.ts';

/**
 * What `npm run bench` and `npm run bench:units` share: the mode, the sizes of the unit scenarios
 * in each mode, the scenario child process, and recording a run in bench/unit-counts.json after
 * the regression check against the committed run of the same mode.
 */

const root = fileURLToPath(new URL('..', import.meta.url));

/** The runtime scenarios' sizes per mode: a few hundred recipients in full, enough for a mean in quick. */
export const scenarioSizes: Record<BenchMode, ScenarioSizes> = {
  full: {
    recipients: 300,
    importRows: 1000,
    reminders: 50,
    webhookDeliveries: 50,
    sequenceSteps: 50,
    storageRecords: 20,
    imaged: 20,
  },
  quick: {
    recipients: 100,
    importRows: 200,
    reminders: 30,
    webhookDeliveries: 30,
    sequenceSteps: 30,
    storageRecords: 5,
    imaged: 5,
  },
};

/** The operations bench's sizes for the unit counts in each mode (`npm run bench` uses its own in full). */
export const operationSizes: Record<
  BenchMode,
  { iterations: number; warmup: number; streamBatches: number }
> = {
  full: { iterations: 200, warmup: 20, streamBatches: 20 },
  quick: { iterations: 20, warmup: 10, streamBatches: 3 },
};

/** The units the operations bench measured: each API operation, the stream batches, per unit. */
export function operationUnits(report: OperationsReport): Record<string, UnitCounts> {
  return Object.fromEntries([
    ...report.operations.map((operation) => [operation.unit, operation.unitCounts] as const),
    ...report.stream.map((batch) => [batch.unit, batch.unitCounts] as const),
  ]);
}

/**
 * Runs bench/unit-scenarios.ts in a child process with its own local runtime (this process's
 * shared clients point at the operations table). BENCH_UNITS_PORT=p puts it on ports p to p+4.
 */
export async function scenariosInChild(
  mode: BenchMode,
  log: (line: string) => void,
): Promise<ScenarioResults> {
  const reportFile = join(tmpdir(), `crm-bench-units-${process.pid}.json`);
  log(`units: the runtime scenarios (${mode}), a child process with its own runtime`);
  await new Promise<void>((resolveRun, rejectRun) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench/unit-scenarios-cli.ts'), mode],
      {
        cwd: root,
        env: { ...process.env, BENCH_REPORT_FILE: reportFile },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('error', rejectRun);
    child.on('exit', (code) =>
      code === 0 ? resolveRun() : rejectRun(new Error(`bench/unit-scenarios-cli.ts exited with ${code}`)),
    );
  });
  const results = JSON.parse(await readFile(reportFile, 'utf8')) as ScenarioResults;
  await rm(reportFile, { force: true });
  return results;
}

/** The committed file (HEAD), so a second run compares with what the repository holds, not the last run. */
function committedFile(): UnitCountsFile {
  try {
    const text = execFileSync('git', ['show', `HEAD:${UNIT_COUNTS_FILE}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const file = JSON.parse(text) as UnitCountsFile;
    return file.schema === UNIT_COUNTS_SCHEMA ? file : { schema: UNIT_COUNTS_SCHEMA, runs: {} };
  } catch {
    return { schema: UNIT_COUNTS_SCHEMA, runs: {} };
  }
}

/**
 * Compares `run` with the committed run of its mode, writes it to bench/unit-counts.json (whatever
 * the outcome, so it can be inspected) and returns the increases: each a failed expectation.
 */
export async function recordUnitCounts(run: UnitCountsRun, log: (line: string) => void): Promise<string[]> {
  const committed = committedFile().runs[run.mode];
  const comparison = compareUnitCounts(committed, run);
  for (const line of describeComparison(comparison, run.mode)) log(`units: ${line}`);
  if (!committed) log(`units: no committed ${run.mode} run to compare with`);
  await writeUnitCountsRun(join(root, UNIT_COUNTS_FILE), run);
  log(
    `units: ${Object.keys(run.units).length} units and ${Object.keys(run.storage).length} record kinds written to ${UNIT_COUNTS_FILE} (${run.mode})`,
  );
  return comparison.increases.map(
    (change) => `${change.unit} ${change.figure}: ${change.before} → ${change.after} per unit`,
  );
}
