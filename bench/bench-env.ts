import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DynamoMeter } from './dynamo-meter.ts';
import { type LocalTable, startLocalTable, startOwnDynamo } from './local-dynamo.ts';
import { type MarkedSection, writeSection } from './markdown-section.ts';
import { modeLine, type SectionName, type SectionSizes, sectionSizes } from './mode.ts';
import { gitCommit } from './run-info.ts';

/**
 * What every bench script does before and after its measurement: the offline SDK environment,
 * a metered table, its section's sizes and mode line, the load average over the run, and the
 * splice of its section into BENCHMARKS.md.
 */

export const benchRoot = fileURLToPath(new URL('..', import.meta.url));
export const benchmarksFile = join(benchRoot, 'BENCHMARKS.md');
export const benchLog = (line: string) => console.log(`[bench] ${line}`);

/**
 * Quiet, offline SDK settings for the handlers; call before any handler module is imported (the
 * shared clients read them at import). `logLevel` sets POWERTOOLS_LOG_LEVEL unless it is set.
 */
export function useBenchEnvironment(options: { logLevel?: string } = {}): void {
  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    USER_DIRECTORY: 'local',
    SIGNING_SECRET: 'bench-signing-secret-0123456789abcdef',
  });
  if (options.logLevel) process.env.POWERTOOLS_LOG_LEVEL ??= options.logLevel;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

/**
 * Starts a table, points the handlers' shared DynamoDB client at it (TABLE_NAME and the endpoint,
 * set before the client's module is imported), attaches a meter and runs `body`; stops the table
 * afterwards. `own` names a table on the bench's own DynamoDB Local; without it the project's local
 * runtime starts the table as `npm start` does (bench/local-dynamo.ts startLocalTable).
 */
export async function withBenchTable<T>(
  options: { own?: string; log?: (line: string) => void },
  body: (table: LocalTable, meter: DynamoMeter) => Promise<T>,
): Promise<T> {
  const table = options.own
    ? await startOwnDynamo(options.own)
    : await startLocalTable(options.log ?? benchLog);
  try {
    Object.assign(process.env, { TABLE_NAME: table.tableName, AWS_ENDPOINT_URL_DYNAMODB: table.endpoint });
    const { meterSharedClient } = await import('./dynamo-meter.ts');
    return await body(table, await meterSharedClient());
  } finally {
    await table.stop();
  }
}

/** One section's run: its sizes in this process's mode, and what its header records. */
export interface SectionRun<S extends SectionName> {
  readonly sizes: SectionSizes<S>;
  /** The 1-minute load average at the start and now: "1.20 at the start, 2.01 at the end, 2 CPUs". */
  load(): string;
  /** The mode line for under the section's heading (mode, sizes, commit, date). */
  modeLine(): string;
  /** Splices the rendered section into BENCHMARKS.md and rebuilds the header's list of modes. */
  write(section: string, markers: MarkedSection): Promise<void>;
}

/** Starts the bookkeeping of `section`: call first, so the load average is taken at the start. */
export function sectionRun<S extends SectionName>(section: S): SectionRun<S> {
  const loadAtStart = loadavg()[0] ?? 0;
  const startedAt = new Date().toISOString();
  const sizes = sectionSizes(section);
  return {
    sizes,
    load: () =>
      `${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end, ${cpus().length} CPUs`,
    modeLine: () => modeLine(sizes, { commit: gitCommit(benchRoot), date: startedAt }),
    write: (text, markers) => writeSection(benchmarksFile, text, markers),
  };
}

/**
 * Runs a section script's `main` when the module is the process's entry (`import.meta.url`) and
 * exits with the code it returns (0, or 1 when an expectation failed; 2 when it threw): idle SDK
 * sockets must not hold the process open.
 */
export function runWhenMain(moduleUrl: string, main: () => Promise<number>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error('[bench] failed:', error);
      process.exit(2);
    },
  );
}
