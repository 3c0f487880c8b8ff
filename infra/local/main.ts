import { mkdir } from 'node:fs/promises';
import { ensureConsoleBuilt } from './console-build.ts';
import { type DataFolderLock, lockDataFolder } from './data-lock.ts';
import { DEMO_SEED_USER_AGENT, type DemoSeedSetting, demoSeedSetting } from './demo-seed.ts';
import { StartupError } from './errors.ts';
import { onLauncherExit } from './launcher-watch.ts';
import { consoleLogger } from './logger.ts';
import { defaultDataDir } from './paths.ts';
import { choosePort, movedPortNotice, type PortRequest } from './ports.ts';
import { type LocalRuntime, startLocalRuntime } from './runtime.ts';

/**
 * `npm start`: the whole CRM on this machine until Ctrl-C. PORT, DYNAMODB_PORT, SES_PORT, S3_PORT
 * and SMTP_PORT pin the API's, the emulators' and the inbound SMTP listener's ports (a pinned port
 * in use stops start-up with one clear line; 0 takes any free port); unset, they default to 3000,
 * 8000, 8005, 8006 and 2525, and a default in use moves to a free port with one line saying so.
 */
const ports: readonly PortRequest[] = [
  { envVar: 'PORT', defaultPort: 3000, what: 'API' },
  { envVar: 'DYNAMODB_PORT', defaultPort: 8000, what: 'DynamoDB Local' },
  { envVar: 'SES_PORT', defaultPort: 8005, what: 'SES' },
  { envVar: 'S3_PORT', defaultPort: 8006, what: 'S3' },
  { envVar: 'SMTP_PORT', defaultPort: 2525, what: 'SMTP' },
];
let runtime: LocalRuntime | undefined;
let stopping = false;
/** Ctrl-C while starting: stops Java's start at once instead of waiting for it. */
const starting = new AbortController();
/** Ctrl-C while the demo tenant is being seeded: the seed stops between two writes. */
const seeding = new AbortController();
/** The runtime's stop is bounded (handlers get a grace period, Java a SIGKILL); this only guards against a bug. */
const STOP_CAP_MS = 30_000;

async function shutdown(signal: NodeJS.Signals) {
  if (stopping) {
    // One Ctrl-C often arrives twice: from the terminal and forwarded by npm. The stop is
    // bounded, so a repeat is ignored rather than turned into an abrupt exit.
    return;
  }
  stopping = true;
  if (!runtime) {
    starting.abort(); // Still starting: the start fails fast, stops what it started, and main() exits.
    return;
  }
  process.stdout.write(`\n${signal}: stopping the local CRM...\n`);
  seeding.abort();
  setTimeout(() => {
    process.stderr.write(`The local CRM did not stop within ${STOP_CAP_MS / 1000} s; exiting anyway\n`);
    process.exit(1);
  }, STOP_CAP_MS).unref();
  await runtime.stop();
  process.stdout.write('Stopped.\n');
  process.exit(0);
}

process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGHUP', (signal) => void shutdown(signal));
onLauncherExit(() => void shutdown('SIGTERM'));

async function main() {
  const dataDir = defaultDataDir();
  let lock: DataFolderLock | undefined;
  let demoSeed: DemoSeedSetting;
  try {
    demoSeed = demoSeedSetting();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  try {
    // First of all: a data folder another running `npm start` holds stops this one with one line.
    await mkdir(dataDir, { recursive: true });
    lock = await lockDataFolder(dataDir, { log: consoleLogger });
    process.stdout.write('Starting the local CRM: DynamoDB Local (Java), SES, S3, API...\n');
    const [api, dynamo, ses, s3, smtp] = await Promise.all(
      ports.map(async (request) => {
        const choice = await choosePort(request);
        const notice = movedPortNotice(request, choice);
        if (notice) process.stdout.write(`${notice}\n`);
        return choice.port;
      }),
    );
    // The console builds (when its sources changed) while Java starts; /app waits for it.
    const consoleDist = ensureConsoleBuilt(consoleLogger);
    consoleDist.catch((error: unknown) => consoleLogger.error('The web console could not be built', error));
    runtime = await startLocalRuntime({
      consoleDistDir: consoleDist,
      dataDir,
      port: api ?? 0,
      dynamoPort: dynamo ?? 0,
      sesPort: ses ?? 0,
      s3Port: s3 ?? 0,
      smtpPort: smtp ?? 0,
      log: consoleLogger,
      // The demo seed's own calls would drown the log; every other request gets its line.
      logRequests: (request) => request.headers['user-agent'] !== DEMO_SEED_USER_AGENT,
      signal: starting.signal,
      dataFolderLock: lock,
    });
  } catch (error) {
    if (!runtime) await lock?.release(); // The runtime releases it on a failed start too; harmless twice.
    if (stopping) process.exit(0); // Ctrl-C while starting also stops Java, which failed the start.
    if (error instanceof StartupError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`The local CRM could not start: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  }
  if (stopping) {
    await runtime.stop();
    process.exit(0);
  }

  const { DEFAULT_TOKEN_TTL_SECONDS, mintToken } = await import('./tokens.ts');
  const token = await mintToken(dataDir, { tenant: 'demo', role: 'admin', user: 'admin-demo' });
  const hours = DEFAULT_TOKEN_TTL_SECONDS / 3600;
  const { apiUrl, inboxUrl, dynamoEndpoint, tableName } = runtime;
  const loggingAddress = await demoLoggingAddress(apiUrl, token);
  process.stdout.write(
    [
      '',
      `Local CRM ready in ${process.uptime().toFixed(1)} s (table ${tableName} ${runtime.tableSetup})`,
      '',
      `  Web console  ${apiUrl}/app   (sign in to the demo tenant there)`,
      `  API          ${apiUrl}   (its front page ${apiUrl}/ links the docs and the inbox)`,
      `  Email inbox  ${inboxUrl}`,
      `  DynamoDB     ${dynamoEndpoint}   (table ${tableName})`,
      `  S3           ${runtime.s3.endpoint}   (uploads for imports, finished exports)`,
      `  SMTP         ${runtime.smtp.url}   (inbound email; tenant demo logs mail sent to ${loggingAddress})`,
      `  Data folder  ${runtime.dataDir}`,
      `  Demo data    ${demoSeed.seed ? `seeded into tenant demo on its first start (scale ${demoSeed.scale}; SEED_DEMO=0 skips it)` : 'not seeded (SEED_DEMO=0); npm run seed fills tenant demo by hand'}`,
      '',
      `Admin token (tenant demo, user admin-demo, valid ${hours} h):`,
      '',
      `  export TOKEN=${token}`,
      `  curl -H "Authorization: Bearer $TOKEN" ${apiUrl}/me`,
      '',
      'More tokens (same key; roles admin, manager, rep):',
      '  TOKEN=$(npm run --silent token -- --tenant demo --role rep --user rep-1 --team team-1)',
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  if (demoSeed.seed) {
    // In the background: the API is ready and serving while the seed writes.
    const { seedDemoTenant } = await import('./demo-seed.ts');
    void seedDemoTenant({
      apiUrl,
      dataDir,
      scale: demoSeed.scale,
      say: (line) => process.stdout.write(`${line}\n`),
      signal: seeding.signal,
    });
  }
}

process.on('uncaughtException', (error) => {
  consoleLogger.error('Local CRM: unexpected error', error);
  void (runtime?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
});

await main();

/** The demo tenant's logging address, through the API as any client would read it (made on first read). */
async function demoLoggingAddress(apiUrl: string, token: string): Promise<string> {
  try {
    const response = await fetch(`${apiUrl}/settings/inbound-email`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { address?: unknown };
    return typeof body.address === 'string' ? body.address : `(unknown: ${response.status})`;
  } catch (error) {
    return `(unknown: ${(error as Error).message})`;
  }
}
