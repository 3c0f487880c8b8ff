import { fileURLToPath } from 'node:url';
import { startLocalTable } from './local-dynamo.ts';
import { gitCommit, intFromEnv } from './run-info.ts';
import type { UnitCountsRun } from './unit-counts.ts';
import { benchMode, operationSizes, operationUnits, recordUnitCounts, scenariosInChild } from './unit-run.ts';

/**
 * `npm run bench:units [-- --quick]`: only the per-unit counts of bench/unit-counts.json, at the
 * sizes `npm run bench` measures them in the same mode: every API operation and stream batch of
 * bench/operations.ts (in process, against DynamoDB Local), then the runtime scenarios
 * (bench/unit-scenarios.ts, a child process). Fails when a unit's request counts rose against the
 * committed run of the mode. BENCH_ITERATIONS and BENCH_STREAM_BATCHES override the operations' sizes.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.log(`[bench] ${line}`);

async function main(): Promise<number> {
  const started = Date.now();
  const mode = benchMode();
  const sizes = operationSizes[mode];
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

  log(`unit counts (${mode}): starting DynamoDB Local for the operations`);
  const table = await startLocalTable(log);
  let units: UnitCountsRun['units'];
  try {
    Object.assign(process.env, { TABLE_NAME: table.tableName, AWS_ENDPOINT_URL_DYNAMODB: table.endpoint });
    const { ServiceMeter } = await import('./service-meters.ts');
    const services = new ServiceMeter();
    await services.install();
    const { meterSharedClient } = await import('./dynamo-meter.ts');
    const { runOperations } = await import('./operations.ts');
    const meter = await meterSharedClient();
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
    units = { ...operationUnits(operations), 'stream.record.mixed': mixed };
  } finally {
    await table.stop();
  }
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[bench] failed:', error);
    process.exit(2);
  },
);
