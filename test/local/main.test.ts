import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/local/paths.ts';
import { tempDir } from './helpers.ts';

/** `npm start` as a developer runs it: tsx on main.ts, with ports and data folder from the environment. */
function startMain(env: Record<string, string>): {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
} {
  const child = spawn(
    process.execPath,
    [resolve(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'infra/local/main.ts'],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return { child, output: () => ({ stdout, stderr }) };
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

  it('prints the URLs and an admin token, serves, and stops everything on SIGINT with exit code 0', async () => {
    const { child, output } = startMain({
      LOCAL_DATA_DIR: dir.path,
      PORT: '0',
      DYNAMODB_PORT: '0',
      SES_PORT: '0',
    });
    try {
      const deadline = Date.now() + 45_000;
      while (
        !output().stdout.includes('Press Ctrl-C to stop.') &&
        Date.now() < deadline &&
        child.exitCode === null
      ) {
        await new Promise((done) => setTimeout(done, 100));
      }
      const { stdout, stderr } = output();
      expect(stdout, stderr).toContain('Press Ctrl-C to stop.');
      const apiUrl = /API\s+(http:\/\/localhost:\d+)/.exec(stdout)?.[1];
      expect(apiUrl).toBeDefined();
      expect(stdout).toMatch(/Email inbox\s+http:\/\/localhost:\d+\//);
      expect(stdout).toContain(`Data folder  ${dir.path}`);
      const token = /export TOKEN=(\S+)/.exec(stdout)?.[1];
      expect(token?.split('.')).toHaveLength(3);
      expect(stdout).toContain('npm run --silent token -- --tenant demo --role rep');
      // Gateway behaviour that needs no handler: unknown route, and the token check.
      expect((await fetch(`${apiUrl}/definitely/not/a/route`)).status).toBe(404);
      expect((await fetch(`${apiUrl}/me`)).status).toBe(401);
      expect(await javaFor(dir.path)).not.toBe('');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exitOf(child)).toBe(0);
    expect(output().stdout).toContain('stopping the local CRM');
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
      });
      expect(await exitOf(child)).toBe(1);
      expect(output().stderr.trim()).toBe(`Port ${port} is in use; set PORT=... to use another port`);
      expect(await javaFor(dir.path)).toBe('');
    } finally {
      blocker.close();
    }
  });
});
