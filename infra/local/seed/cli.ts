import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCK_FILE, processIsAlive } from '../data-lock.ts';
import { defaultDataDir } from '../paths.ts';
import { mintToken } from '../tokens.ts';
import { type SeedScale, seedScales } from './plan.ts';

/**
 * `npm run seed -- [--tenant demo] [--seed 1] [--scale small|default] [--batch 1]`:
 * fills a tenant of the running `npm start` (found through the lock file of
 * its data folder, LOCAL_DATA_DIR as for `npm start`) with two years of
 * history, then prints a summary.
 */
const usage = `Usage: npm run seed -- [--tenant <tenant>] [--seed <number>] [--scale small|default] [--batch <n>]

Fills a tenant of the running local CRM (npm start, in another terminal) with two years of demo history.
  --tenant  the tenant to fill (default: demo, the tenant npm start prints a token for)
  --seed    the random seed: the same seed builds the same history (default: 1)
  --scale   small (about a hundred records) or default (about two thousand)
  --batch   1 for the first fill; a tenant already seeded refuses unless given the next batch number,
            which adds a second batch with its own team names, domains and campaign`;

function fail(problem: string): never {
  process.stderr.write(`${problem}\n\n${usage}\n`);
  process.exit(1);
}

function options() {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: {
        tenant: { type: 'string' },
        seed: { type: 'string' },
        scale: { type: 'string' },
        batch: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const { tenant = 'demo', seed = '1', scale = 'default', batch = '1' } = values as Record<string, string>;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(tenant)) fail('--tenant must be letters, digits, - or _');
  if (!/^\d{1,9}$/.test(seed)) fail('--seed must be a whole number');
  if (!seedScales.includes(scale as SeedScale)) fail(`--scale must be one of ${seedScales.join(', ')}`);
  if (!/^[1-9]\d{0,2}$/.test(batch)) fail('--batch must be a whole number from 1');
  return { tenant, seed: Number(seed), scale: scale as SeedScale, batch: Number(batch) };
}

interface RunningCrm {
  readonly apiUrl: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
}

/** The running `npm start` of this data folder, from its lock file; exits with a hint when there is none. */
async function runningCrm(dataDir: string): Promise<RunningCrm> {
  let lock: Record<string, unknown>;
  try {
    lock = JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8')) as Record<string, unknown>;
  } catch {
    fail(`No local CRM runs on ${dataDir}: start it with \`npm start\` in another terminal first`);
  }
  const { pid, apiUrl, dynamoEndpoint, tableName } = lock;
  if (typeof pid !== 'number' || !processIsAlive(pid))
    fail(`The local CRM of ${dataDir} is not running (a stale lock): start it with \`npm start\``);
  if (typeof apiUrl !== 'string' || typeof dynamoEndpoint !== 'string' || typeof tableName !== 'string')
    fail('The local CRM is still starting: run the seed again once it prints "Local CRM ready"');
  return { apiUrl, dynamoEndpoint, tableName };
}

const { tenant, seed, scale, batch } = options();
const dataDir = defaultDataDir();
const crm = await runningCrm(dataDir);
// The store reads these, as the handlers do under npm start; set before it is loaded.
Object.assign(process.env, {
  TABLE_NAME: crm.tableName,
  AWS_ENDPOINT_URL_DYNAMODB: crm.dynamoEndpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  // As under npm start: the SDK's notice about Node 20 is noise in a local tool.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
});
const [{ AlreadySeededError, seedTenant }, { progressLine }, { formatSummary }] = await Promise.all([
  import('./seed.ts'),
  import('./progress.ts'),
  import('./summary.ts'),
]);
const adminId = `admin-${tenant}`;
const token = await mintToken(dataDir, { tenant, role: 'admin', user: adminId });
process.stderr.write(
  `Seeding tenant ${tenant} (scale ${scale}, seed ${seed}, batch ${batch}) on ${crm.apiUrl}\n`,
);
try {
  const summary = await seedTenant({
    apiUrl: crm.apiUrl,
    token,
    adminId,
    tenantId: tenant,
    seed,
    scale,
    batch,
    progress: (total) => progressLine(total),
  });
  process.stdout.write(`${formatSummary(summary, crm.apiUrl)}\n`);
} catch (error) {
  if (error instanceof AlreadySeededError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`\nThe seed failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
