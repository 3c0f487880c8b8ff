import { StartupError } from './errors.ts';
import { onLauncherExit } from './launcher-watch.ts';
import { consoleLogger } from './logger.ts';
import { defaultDataDir } from './paths.ts';
import { portFromEnv, preferredPort } from './ports.ts';
import { type LocalRuntime, startLocalRuntime } from './runtime.ts';

/**
 * `npm start`: the whole CRM on this machine until Ctrl-C. PORT (default 3000) is the
 * API; DYNAMODB_PORT and SES_PORT pin the emulators (otherwise 8000 and 8005 when free).
 */
let runtime: LocalRuntime | undefined;
let stopping = false;

async function shutdown(signal: NodeJS.Signals) {
  if (stopping) {
    // A second Ctrl-C: leave now; the exit hook still terminates DynamoDB Local.
    process.exit(130);
  }
  stopping = true;
  if (!runtime) return; // Still starting: main() stops it as soon as it is up.
  process.stdout.write(`\n${signal}: stopping the local CRM...\n`);
  await runtime.stop();
  process.exit(0);
}

process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGHUP', (signal) => void shutdown(signal));
onLauncherExit(() => void shutdown('SIGTERM'));

async function main() {
  const dataDir = defaultDataDir();
  process.stdout.write('Starting the local CRM: DynamoDB Local (Java), SES, API...\n');
  try {
    runtime = await startLocalRuntime({
      dataDir,
      port: portFromEnv('PORT') ?? 3000,
      dynamoPort: portFromEnv('DYNAMODB_PORT') ?? (await preferredPort(8000)),
      sesPort: portFromEnv('SES_PORT') ?? (await preferredPort(8005)),
      log: consoleLogger,
      logRequests: true,
    });
  } catch (error) {
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
  process.stdout.write(
    [
      '',
      `Local CRM ready in ${process.uptime().toFixed(1)} s (table ${tableName} ${runtime.tableSetup})`,
      '',
      `  API          ${apiUrl}   (try ${apiUrl}/health, docs at ${apiUrl}/docs)`,
      `  Email inbox  ${inboxUrl}`,
      `  DynamoDB     ${dynamoEndpoint}   (table ${tableName})`,
      `  Data folder  ${runtime.dataDir}`,
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
}

process.on('uncaughtException', (error) => {
  consoleLogger.error('Local CRM: unexpected error', error);
  void (runtime?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
});

await main();
