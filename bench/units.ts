import {
  benchLog as log,
  benchRoot as root,
  runWhenMain,
  useBenchEnvironment,
  withBenchTable,
} from './bench-env.ts';
import { benchMode } from './mode.ts';
import { gitCommit, intFromEnv } from './run-info.ts';
import type { UnitCountsRun } from './unit-counts.ts';
import { operationSizes, operationUnits, recordUnitCounts, scenariosInChild } from './unit-run.ts';

/**
 * `npm run bench:units [-- --quick]`: only the per-unit counts of bench/unit-counts.json, at the
 * sizes `npm run bench` measures them in the same mode: every API operation and stream batch of
 * bench/operations.ts (in process, against DynamoDB Local), then the runtime scenarios
 * (bench/unit-scenarios.ts, a child process). Fails when a unit's request counts rose against the
 * committed run of the mode. BENCH_ITERATIONS and BENCH_STREAM_BATCHES override the operations' sizes.
 */

async function main(): Promise<number> {
  const started = Date.now();
  const mode = benchMode();
  const sizes = operationSizes[mode];
  useBenchEnvironment();
  log(`unit counts (${mode}): starting DynamoDB Local for the operations`);
  const units: UnitCountsRun['units'] = await withBenchTable({ log }, async (table, meter) => {
    const { ServiceMeter } = await import('./service-meters.ts');
    const services = new ServiceMeter();
    await services.install();
    const { runOperations } = await import('./operations.ts');
    const operations = await runOperations(meter, {
      iterations: intFromEnv('BENCH_ITERATIONS', sizes.iterations),
      warmup: sizes.warmup,
      listTenantContacts: 500,
      streamBatches: intFromEnv('BENCH_STREAM_BATCHES', sizes.streamBatches),
      streamBatchSize: 100,
      tableName: table.tableName,
      log,
      services,
    });
    const { measureMixedBatch } = await import('./unit-mixed-batch.ts');
    log('units: the mixed stream batch of bench/reports.ts');
    const mixed = await measureMixedBatch({
      meter,
      services,
      tableName: table.tableName,
      batches: intFromEnv('BENCH_STREAM_BATCHES', sizes.streamBatches),
    });
    return { ...operationUnits(operations), 'stream.record.mixed': mixed };
  });
  const scenarios = await scenariosInChild(mode, log);
  const increases = await recordUnitCounts(
    {
      mode,
      date: new Date().toISOString(),
      commit: gitCommit(root),
      units: { ...units, ...scenarios.units },
      storage: scenarios.storage,
    },
    log,
  );
  log(`unit counts done in ${Math.round((Date.now() - started) / 1000)} s`);
  if (increases.length > 0) {
    console.error(`[bench] REQUEST COUNTS ROSE (${increases.length}):`);
    for (const line of increases) console.error(`[bench]   ${line}`);
    return 1;
  }
  return 0;
}

runWhenMain(import.meta.url, main);
