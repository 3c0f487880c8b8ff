import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataFolderInUseError, LOCK_FILE, lockDataFolder } from '../../infra/local/data-lock.ts';
import { repoRoot } from '../../infra/local/paths.ts';
import { collectingLogger, tempDir } from './helpers.ts';

/** The pid of a process that has exited: what a runtime killed with SIGKILL leaves in its lock. */
function deadPid(): number {
  const { pid, status } = spawnSync(process.execPath, ['-e', '']);
  expect(status).toBe(0);
  return pid as number;
}

const writeDeadLock = (dataDir: string, pid: number) =>
  writeFile(
    join(dataDir, LOCK_FILE),
    JSON.stringify({
      pid,
      id: 'crashed',
      startedAt: new Date(0).toISOString(),
      apiUrl: 'http://localhost:1',
    }),
  );

const lockContent = async (dataDir: string) =>
  JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8')) as { pid: number; apiUrl?: string };

const lockExists = (dataDir: string) =>
  readFile(join(dataDir, LOCK_FILE)).then(
    () => true,
    () => false,
  );

describe('the data folder lock (infra/local/data-lock.ts)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.remove());

  it('refuses a second runtime while the first holds the folder, naming the folder, the holder and LOCAL_DATA_DIR', async () => {
    const first = await lockDataFolder(dir.path);
    await first.update({ apiUrl: 'http://localhost:3412' });
    const refusal = lockDataFolder(dir.path);
    await expect(refusal).rejects.toBeInstanceOf(DataFolderInUseError);
    await expect(refusal).rejects.toThrow(
      `The data folder ${dir.path} is in use by another local CRM (pid ${process.pid}, API http://localhost:3412); stop it first, or give a second one its own folder: LOCAL_DATA_DIR=<another folder> npm start`,
    );
    expect(await lockContent(dir.path)).toMatchObject({ pid: process.pid, apiUrl: 'http://localhost:3412' });
    await first.release();
  });

  it('takes over the lock of a runtime that is gone, saying so in one line', async () => {
    const pid = deadPid();
    await writeDeadLock(dir.path, pid);
    const log = collectingLogger();
    const lock = await lockDataFolder(dir.path, { log });
    expect(lock.tookOverFrom).toBe(pid);
    expect(log.infos).toEqual([
      `Took over the data folder ${dir.path} from a local CRM that is no longer running (pid ${pid})`,
    ]);
    expect((await lockContent(dir.path)).pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock whose pid another program has got since (after a reboot, say)', async () => {
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      await writeFile(
        join(dir.path, LOCK_FILE),
        JSON.stringify({ pid: other.pid, id: 'before-reboot', startedAt: '', program: process.argv0 }),
      );
      const lock = await lockDataFolder(dir.path);
      expect(lock.tookOverFrom).toBe(other.pid);
      await lock.release();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it("waits for a killed runtime's DynamoDB Local to exit before taking its folder", async () => {
    // Stands in for the java the killed runtime left, which its guard stops a few seconds later.
    const java = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)', 'DynamoDBLocal.jar'], {
      stdio: 'ignore',
    });
    try {
      const pid = deadPid();
      await writeFile(
        join(dir.path, LOCK_FILE),
        JSON.stringify({ pid, id: 'killed', startedAt: '', javaPid: java.pid, program: process.argv0 }),
      );
      const log = collectingLogger();
      let taken = false;
      const locking = lockDataFolder(dir.path, { log }).then((lock) => {
        taken = true;
        return lock;
      });
      await waitFor(() => log.infos.length === 2);
      expect(log.infos[1]).toBe(`Waiting for its DynamoDB Local (pid ${java.pid}) to exit...`);
      expect(taken).toBe(false);
      java.kill('SIGKILL');
      const lock = await locking;
      expect(lock.tookOverFrom).toBe(pid);
      await lock.release();
    } finally {
      java.kill('SIGKILL');
    }
  });

  it('is released on a clean stop, so the next start takes it without a takeover', async () => {
    const first = await lockDataFolder(dir.path);
    await first.release();
    expect(await lockExists(dir.path)).toBe(false);
    const log = collectingLogger();
    const second = await lockDataFolder(dir.path, { log });
    expect(second.tookOverFrom).toBeUndefined();
    expect(log.infos).toEqual([]);
    // A release after another runtime took the folder leaves that one's lock alone.
    await first.release();
    expect(await lockExists(dir.path)).toBe(true);
    await second.release();
    expect(await lockExists(dir.path)).toBe(false);
  });

  it.each([
    ['a free folder', false],
    ['a folder a dead runtime left locked', true],
  ])('lets exactly one of several processes starting at the same instant have %s', async (_, stale) => {
    if (stale) await writeDeadLock(dir.path, deadPid());
    const go = join(dir.path, 'go');
    const contenders: { child: ChildProcess; output: () => string; exited: Promise<number | null> }[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'test/local/fixtures/lock-contender.ts', dir.path, go],
          { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
        contenders.push({ child, output: () => output, exited });
      }
      // All loaded and polling for the go file, then released together.
      await waitFor(() => contenders.every(({ output }) => output().includes('waiting')));
      await writeFile(go, '');
      await waitFor(() => contenders.every(({ output }) => /won|refused/.test(output())));
      const winners = contenders.filter(({ output }) => output().includes('won'));
      expect(winners).toHaveLength(1);
      const winner = winners[0]?.child.pid;
      for (const loser of contenders.filter(({ output }) => !output().includes('won'))) {
        expect(await loser.exited).toBe(3);
        expect(loser.output()).toContain(`is in use by another local CRM (pid ${winner}, still starting)`);
      }
      expect((await lockContent(dir.path)).pid).toBe(winner);
    } finally {
      for (const { child } of contenders) child.kill('SIGKILL');
    }
  });
});

/** Polls a condition; the test's own timeout bounds the wait. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((done) => setTimeout(done, 20));
}
