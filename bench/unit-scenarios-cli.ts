import { intFromEnv } from './run-info.ts';
import { scenarioSizes } from './unit-run.ts';
import { runUnitScenarios, writeScenarioResults } from './unit-scenarios.ts';

/**
 * `node --import tsx bench/unit-scenarios-cli.ts <quick|full>`: the runtime scenarios of the unit
 * counts in a process of their own, the results as JSON in BENCH_REPORT_FILE (bench/unit-run.ts).
 * BENCH_UNITS_PORT=p runs the local runtime on ports p to p+4 (API, DynamoDB Local, SES, S3, SMTP);
 * free ports otherwise.
 */
async function main(): Promise<void> {
  const mode = process.argv[2] === 'quick' ? 'quick' : 'full';
  const base = intFromEnv('BENCH_UNITS_PORT', 0);
  const port = (offset: number) => (base === 0 ? 0 : base + offset);
  const results = await runUnitScenarios({
    sizes: scenarioSizes[mode],
    ports: { api: port(0), dynamo: port(1), ses: port(2), s3: port(3), smtp: port(4) },
    log: (line) => console.log(`[bench] ${line}`),
  });
  const file = process.env.BENCH_REPORT_FILE;
  if (file) await writeScenarioResults(file, results);
  else console.log(JSON.stringify(results, null, 2));
}

// Exits explicitly: idle keep-alive sockets of the SDK clients must not hold the process open.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[bench] unit scenarios failed:', error);
    process.exit(1);
  },
);
