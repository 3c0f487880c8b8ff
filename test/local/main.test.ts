import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataFolder } from '../../infra/local/data-lock.ts';
import { repoRoot } from '../../infra/local/paths.ts';
import { tempDir } from './helpers.ts';

const startScript = (
  JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  }
).scripts.start;

/** `npm start` as a developer runs it (the command of package.json's start script), ports and data folder from the environment. */
function startMain(env: Record<string, string>): {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  /** Resolves once stdout holds `text`, or rejects with the output once the process has exited without it. */
  printed: (text: string) => Promise<void>;
} {
  const [command, ...args] = startScript.split(' ');
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    // No demo seed unless a test asks for one: its requests in the background would race these tests'
    // stops (a handler still loading when the emulators stop is left behind, as documented).
    env: { ...process.env, SEED_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a terminal's foreground job, so a test can Ctrl-C the whole group.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.once('exit', wake);
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.includes(text)) resolve();
        else if (child.exitCode !== null || child.signalCode !== null)
          reject(
            new Error(
              `exited (${child.exitCode ?? child.signalCode}) before printing "${text}":\n${stdout}\n${stderr}`,
            ),
          );
        else return;
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { child, output: () => ({ stdout, stderr }), printed };
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((done) => {
    if (child.exitCode !== null) done(child.exitCode);
    else child.once('exit', (code) => done(code));
  });

/** Java processes serving this data folder (there must be none once main.ts has exited). */
const javaFor = (dataDir: string) =>
  new Promise<string>((done) =>
    execFile('pgrep', ['-f', `DynamoDBLocal.jar -dbPath ${dataDir}`], (_, stdout) => done(stdout.trim())),
  );

describe('npm start (infra/local/main.ts)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.remove());

  it('prints the URLs and an admin token, serves, and stops everything on SIGINT with exit code 0', {
    timeout: 300_000,
  }, async () => {
    const { child, output, printed } = startMain({
      LOCAL_DATA_DIR: dir.path,
      PORT: '0',
      DYNAMODB_PORT: '0',
      SES_PORT: '0',
      S3_PORT: '0',
      SMTP_PORT: '0',
    });
    try {
      // No deadline of its own: a loaded machine may take long to start Java; the test's timeout bounds it.
      await printed('Press Ctrl-C to stop.');
      const { stdout } = output();
      const apiUrl = /API\s+(http:\/\/localhost:\d+)/.exec(stdout)?.[1];
      expect(apiUrl).toBeDefined();
      expect(stdout).toMatch(/Email inbox\s+http:\/\/localhost:\d+\//);
      expect(stdout).toMatch(/S3\s+http:\/\/127\.0\.0\.1:\d+\s/);
      // The inbound SMTP listener, and where the demo tenant's mail is logged.
      expect(stdout).toMatch(/SMTP\s+smtp:\/\/127\.0\.0\.1:\d+\s.*log-[0-9a-f]{24}@inbound\.localhost/);
      expect(stdout).toContain(`Data folder  ${dir.path}`);
      const token = /export TOKEN=(\S+)/.exec(stdout)?.[1];
      expect(token?.split('.')).toHaveLength(3);
      expect(stdout).toContain('npm run --silent token -- --tenant demo --role rep');
      // Gateway behaviour that needs no handler: unknown route, and the token check.
      expect((await fetch(`${apiUrl}/definitely/not/a/route`)).status).toBe(404);
      expect((await fetch(`${apiUrl}/me`)).status).toBe(401);
      expect(await javaFor(dir.path)).not.toBe('');
    } finally {
      // Ctrl-C under npm: the terminal's SIGINT to the whole foreground group, and npm's forwarded copy.
      process.kill(-(child.pid as number), 'SIGINT');
      child.kill('SIGINT');
    }
    expect(await exitOf(child)).toBe(0);
    expect(output().stdout).toContain('stopping the local CRM');
    expect(output().stdout).toContain('Stopped.');
    // Java is stopped last, in order, not killed by the terminal's signal under the stream poller.
    expect(`${output().stdout}${output().stderr}`).not.toMatch(/exited unexpectedly|ECONNREFUSED/);
    expect(await javaFor(dir.path)).toBe('');
  });

  it('stops at once on SIGINT while still starting: exit code 0, no java left, never "ready"', async () => {
    const { child, output, printed } = startMain({
      LOCAL_DATA_DIR: dir.path,
      PORT: '0',
      DYNAMODB_PORT: '0',
      SES_PORT: '0',
      S3_PORT: '0',
      SMTP_PORT: '0',
    });
    await printed('Starting the local CRM');
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(0);
    expect(output().stdout).not.toContain('Local CRM ready');
    expect(await javaFor(dir.path)).toBe('');
  });

  it('exits 1 with one clear line when the API port is busy', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, done));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const { child, output } = startMain({
        LOCAL_DATA_DIR: dir.path,
        PORT: String(port),
        DYNAMODB_PORT: '0',
        SES_PORT: '0',
        S3_PORT: '0',
        SMTP_PORT: '0',
      });
      expect(await exitOf(child)).toBe(1);
      expect(output().stderr.trim()).toBe(`API port ${port} is in use; set PORT=... to use another port`);
      expect(await javaFor(dir.path)).toBe('');
    } finally {
      blocker.close();
    }
  });

  it.each([
    ['DYNAMODB_PORT', 'DynamoDB Local port'],
    ['SES_PORT', 'SES port'],
    ['S3_PORT', 'S3 port'],
    ['SMTP_PORT', 'SMTP port'],
  ])('exits 1 with one clear line when %s is pinned to a port another server holds', async (envVar, what) => {
    // Answers 200 to anything, as another DynamoDB Local would to the readiness probe.
    let requests = 0;
    const other = createServer((_, response) => {
      requests++;
      response.end('{"TableNames":[]}');
    });
    await new Promise<void>((done) => other.listen(0, done));
    const port = (other.address() as AddressInfo).port;
    try {
      const { child, output } = startMain({
        LOCAL_DATA_DIR: dir.path,
        PORT: '0',
        DYNAMODB_PORT: '0',
        SES_PORT: '0',
        S3_PORT: '0',
        SMTP_PORT: '0',
        [envVar]: String(port),
      });
      expect(await exitOf(child)).toBe(1);
      expect(output().stderr.trim()).toBe(`${what} ${port} is in use; set ${envVar}=... to use another port`);
      expect(output().stdout).not.toContain('Local CRM ready');
      expect(requests).toBe(0);
      expect(await javaFor(dir.path)).toBe('');
    } finally {
      other.close();
    }
  });
});

describe('npm start and the data folder it holds', () => {
  const dirs: Awaited<ReturnType<typeof tempDir>>[] = [];
  const freshDir = async () => {
    const dir = await tempDir();
    dirs.push(dir);
    return dir.path;
  };
  afterAll(async () => {
    for (const dir of dirs) await dir.remove();
  });
  const env = (dataDir: string) => ({
    LOCAL_DATA_DIR: dataDir,
    PORT: '0',
    DYNAMODB_PORT: '0',
    SES_PORT: '0',
    S3_PORT: '0',
    SMTP_PORT: '0',
  });
  const lockIn = async (dataDir: string) =>
    JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8').catch(() => 'null')) as {
      pid: number;
      apiUrl?: string;
    } | null;
  /** Ctrl-C under npm, as in the first test. */
  const interrupt = (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-(child.pid as number), 'SIGINT');
    child.kill('SIGINT');
  };

  it('refuses a second start on a folder a running one holds: one line, exit 1, before Java', async () => {
    const dataDir = await freshDir();
    const first = await lockDataFolder(dataDir);
    await first.update({ apiUrl: 'http://localhost:3000' });
    const { child, output } = startMain(env(dataDir));
    try {
      expect(await exitOf(child)).toBe(1);
      expect(output().stderr.trim()).toBe(
        `The data folder ${dataDir} is in use by another local CRM (pid ${process.pid}, API http://localhost:3000); stop it first, or give a second one its own folder: LOCAL_DATA_DIR=<another folder> npm start`,
      );
      // Nothing started: not even the "Starting" line or a moved port's notice.
      expect(output().stdout).toBe('');
      expect(await javaFor(dataDir)).toBe('');
      expect(await lockIn(dataDir)).toMatchObject({ pid: process.pid, apiUrl: 'http://localhost:3000' });
    } finally {
      child.kill('SIGKILL');
      await first.release();
    }
  });

  it("takes over a killed runtime's lock, and releases it on Ctrl-C so the next start finds the folder free", async () => {
    const dataDir = await freshDir();
    const { pid: deadPid } = spawnSync(process.execPath, ['-e', '']);
    await writeFile(
      join(dataDir, LOCK_FILE),
      JSON.stringify({ pid: deadPid, id: 'killed', startedAt: new Date(0).toISOString() }),
    );
    const { child, output, printed } = startMain(env(dataDir));
    try {
      await printed('Press Ctrl-C to stop.');
      const { stdout } = output();
      expect(stdout).toContain(
        `Took over the data folder ${dataDir} from a local CRM that is no longer running (pid ${deadPid})`,
      );
      const apiUrl = /API\s+(http:\/\/localhost:\d+)/.exec(stdout)?.[1];
      // With its DynamoDB endpoint and table, which `npm run seed` writes to.
      expect(await lockIn(dataDir)).toMatchObject({
        pid: child.pid,
        apiUrl,
        javaPid: expect.any(Number),
        dynamoEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        tableName: 'crm',
      });
    } finally {
      interrupt(child);
    }
    expect(await exitOf(child)).toBe(0);
    expect(await lockIn(dataDir)).toBeNull();
    const next = await lockDataFolder(dataDir);
    expect(next.tookOverFrom).toBeUndefined();
    await next.release();
  });

  it('seeds the demo tenant in the background on the first start, and not again on the next', async () => {
    const dataDir = await freshDir();
    const first = startMain({ ...env(dataDir), SEED_DEMO: '1' });
    let apiUrl: string | undefined;
    let token: string | undefined;
    try {
      await first.printed('Press Ctrl-C to stop.');
      apiUrl = /API\s+(http:\/\/localhost:\d+)/.exec(first.output().stdout)?.[1];
      token = /export TOKEN=(\S+)/.exec(first.output().stdout)?.[1];
      expect(first.output().stdout).toMatch(
        /Demo data\s+seeded into tenant demo on its first start \(scale small;/,
      );
      // The API is ready before the seed starts, and answers while it runs.
      await first.printed('Seeding the demo tenant in the background (scale small)');
      expect((await fetch(`${apiUrl}/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        200,
      );
      await first.printed('Seeded the demo tenant in ');
      const { stdout } = first.output();
      expect(stdout).toMatch(
        /Seeded the demo tenant in [\d.]+ s: 2 teams, 4 users, \d+ companies, \d+ contacts, /,
      );
      // The seed's own calls stay out of the request log.
      expect(stdout).not.toMatch(/^POST \/teams /m);
      const overview = (await (
        await fetch(`${apiUrl}/reports/overview`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Record<string, number>;
      expect(overview).toMatchObject({ teams: 2, users: 4 });
      expect(overview.contacts).toBeGreaterThan(0);
      expect(overview.deals).toBeGreaterThan(0);
    } finally {
      interrupt(first.child);
    }
    expect(await exitOf(first.child)).toBe(0);

    const second = startMain({ ...env(dataDir), SEED_DEMO: '1' });
    try {
      await second.printed('Demo tenant: it has data already, so nothing is seeded');
      expect(second.output().stdout).not.toContain('Seeding the demo tenant');
      const secondUrl = /API\s+(http:\/\/localhost:\d+)/.exec(second.output().stdout)?.[1];
      const overview = (await (
        await fetch(`${secondUrl}/reports/overview`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Record<string, number>;
      expect(overview).toMatchObject({ teams: 2, users: 4 });
    } finally {
      interrupt(second.child);
    }
    expect(await exitOf(second.child)).toBe(0);
  });

  it('of two starts at the same instant on one folder, exactly one runs', async () => {
    const dataDir = await freshDir();
    const starts = [startMain(env(dataDir)), startMain(env(dataDir))];
    try {
      // Done once one has exited, or (the fault) once both are ready.
      await Promise.race([
        ...starts.map(({ child }) => exitOf(child)),
        Promise.all(starts.map(({ printed }) => printed('Press Ctrl-C to stop.'))).catch(() => undefined),
      ]);
      const losers = starts.filter(({ child }) => child.exitCode !== null);
      expect(losers).toHaveLength(1);
      const [loser] = losers;
      const winner = starts.find((start) => start !== loser);
      expect(loser?.child.exitCode).toBe(1);
      expect(loser?.output().stderr.trim()).toMatch(
        new RegExp(
          `^The data folder \\S+ is in use by another local CRM \\(pid ${winner?.child.pid}, [^)]+\\); .*LOCAL_DATA_DIR=`,
        ),
      );
      expect(loser?.output().stdout).toBe('');
      await winner?.printed('Press Ctrl-C to stop.');
      expect((await javaFor(dataDir)).split('\n')).toHaveLength(1);
      expect((await lockIn(dataDir))?.pid).toBe(winner?.child.pid);
    } finally {
      for (const { child } of starts) interrupt(child);
    }
    for (const { child } of starts) expect([0, 1]).toContain(await exitOf(child));
    expect(await lockIn(dataDir)).toBeNull();
  });
});
