import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from './errors.ts';
import type { Logger } from './logger.ts';

/**
 * One running local runtime per data folder. Two DynamoDB Local processes on one data file
 * corrupt it, and two runtimes would also work the same schedules, queue messages, stream
 * records and SES state twice. The runtime that starts first creates `runtime.lock` in the
 * folder (exclusively: of two starts at the same instant exactly one creates it) with its pid
 * and, once it listens, its API URL; a later start finds it and stops before anything else
 * starts. A lock whose process is gone (killed, crashed) is taken over.
 */
export const LOCK_FILE = 'runtime.lock';
/** Held for the few milliseconds it takes to replace a dead runtime's lock, so only one start does it. */
const TAKEOVER_FILE = 'runtime.lock.takeover';
/** A lock file still empty after this long was left by a start that died between creating and writing it. */
const UNWRITTEN_LOCK_MS = 2000;

interface LockContent {
  readonly pid: number;
  /** Tells apart two runtimes of one process (tests), which share the pid. */
  readonly id: string;
  readonly startedAt: string;
  readonly apiUrl?: string;
  /** Its DynamoDB Local, which outlives a killed runtime by a few seconds (dynamodb-local.ts). */
  readonly javaPid?: number;
  /** Where its DynamoDB Local listens and the table's name, for tools that write to it (`npm run seed`). */
  readonly dynamoEndpoint?: string;
  readonly tableName?: string;
  /** The program it runs under (`node`), to tell it from another process that got its pid. */
  readonly program: string;
}

/** What a start found in the lock file. `pid` is missing when the file was left unwritten. */
interface Holder {
  readonly raw: string;
  readonly mtimeMs: number;
  readonly pid?: number;
  readonly apiUrl?: string;
  readonly javaPid?: number;
  readonly program?: string;
}

export class DataFolderInUseError extends StartupError {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
    readonly holderApiUrl: string | undefined,
  ) {
    super(
      `The data folder ${dataDir} is in use by another local CRM (pid ${holderPid}, ${
        holderApiUrl ? `API ${holderApiUrl}` : 'still starting'
      }); stop it first, or give a second one its own folder: LOCAL_DATA_DIR=<another folder> npm start`,
    );
  }
}

export interface DataFolderLock {
  readonly dataDir: string;
  readonly file: string;
  /** The pid of the dead runtime whose lock this start replaced, if it did. */
  readonly tookOverFrom: number | undefined;
  /** Records the API URL (for the message a second start prints) and the java pid. Never fails. */
  update(
    patch:
      | Pick<LockContent, 'apiUrl'>
      | Pick<LockContent, 'javaPid'>
      | Pick<LockContent, 'dynamoEndpoint' | 'tableName'>,
  ): Promise<void>;
  /** Removes the lock file if it is still this runtime's. */
  release(): Promise<void>;
}

/** Whether a process with this pid runs (EPERM: it does, as another user's). */
export function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const isPid = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

/**
 * Whether the process with this pid is still the one a lock names, by its command line (`what`):
 * after a reboot, say, the pid may belong to anything. Where the command line cannot be read,
 * whether the pid runs.
 */
async function stillRuns(pid: number, what: string | undefined): Promise<boolean> {
  if (!processIsAlive(pid)) return false;
  if (pid === process.pid || !what || process.platform === 'win32') return true;
  return new Promise((done) =>
    execFile('ps', ['-p', String(pid), '-o', 'command='], (error, stdout) =>
      // ps exits 1 for a pid it does not find; any other failure (no ps) says nothing.
      done(error ? (error as { code?: unknown }).code !== 1 : stdout.includes(what)),
    ),
  );
}

/** How long a start waits for a killed runtime's DynamoDB Local, which its guard stops within seconds. */
const LEFTOVER_JAVA_WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function createExclusive(file: string, text: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return true;
}

/** The lock's holder, or undefined once there is no lock file. Waits out a start that is still writing it. */
async function readHolder(file: string): Promise<Holder | undefined> {
  for (;;) {
    let raw: string;
    let mtimeMs: number;
    try {
      [raw, { mtimeMs }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const content = JSON.parse(raw) as Partial<LockContent>;
      if (isPid(content.pid)) {
        return {
          raw,
          mtimeMs,
          pid: content.pid,
          ...(typeof content.apiUrl === 'string' ? { apiUrl: content.apiUrl } : {}),
          ...(isPid(content.javaPid) ? { javaPid: content.javaPid } : {}),
          ...(typeof content.program === 'string' ? { program: content.program } : {}),
        };
      }
    } catch {
      // Empty or cut short: being written right now, or left so by a start that died meanwhile.
    }
    if (Date.now() - mtimeMs > UNWRITTEN_LOCK_MS) return { raw, mtimeMs };
    await sleep(25);
  }
}

const sameHolder = (a: Holder | undefined, b: Holder) =>
  a !== undefined && a.raw === b.raw && a.mtimeMs === b.mtimeMs;

/**
 * Runs `work` holding the takeover file, so that of several starts finding the same dead
 * lock only one replaces it (another's unlink could otherwise remove the new one).
 */
async function withTakeover(dataDir: string, work: () => Promise<void>): Promise<void> {
  const file = join(dataDir, TAKEOVER_FILE);
  const text = JSON.stringify({ pid: process.pid });
  for (;;) {
    if (await createExclusive(file, text)) break;
    const holder = await readHolder(file);
    if (holder && (holder.pid === undefined || !processIsAlive(holder.pid))) {
      // Its start died within the few milliseconds it held it.
      await unlink(file).catch(() => undefined);
    } else {
      await sleep(25);
    }
  }
  try {
    await work();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

/**
 * Makes this process the data folder's one runtime, or throws DataFolderInUseError naming the
 * live runtime that holds it. A dead runtime's lock is taken over, with one line to `log`.
 */
export async function lockDataFolder(
  dataDir: string,
  options: { log?: Logger } = {},
): Promise<DataFolderLock> {
  const file = join(dataDir, LOCK_FILE);
  const content: LockContent = {
    pid: process.pid,
    id: randomUUID(),
    startedAt: new Date().toISOString(),
    program: process.argv0,
  };
  let tookOverFrom: number | undefined;
  let stale: Holder | undefined;
  for (let attempt = 0; ; attempt++) {
    if (await createExclusive(file, JSON.stringify(content))) break;
    if (attempt >= 20)
      throw new StartupError(`Could not take the lock ${file}; remove it if no local CRM runs`);
    const holder = await readHolder(file);
    if (!holder) continue; // Released meanwhile.
    if (holder.pid !== undefined && (await stillRuns(holder.pid, holder.program)))
      throw new DataFolderInUseError(dataDir, holder.pid, holder.apiUrl);
    await withTakeover(dataDir, async () => {
      // Still the same dead lock? Only then is it ours to remove (another start may have replaced it).
      if (sameHolder(await readHolder(file), holder)) await unlink(file).catch(() => undefined);
    });
    stale = holder;
  }
  if (stale) {
    tookOverFrom = stale.pid;
    options.log?.info(
      `Took over the data folder ${dataDir} from a local CRM that is no longer running (${
        stale.pid === undefined ? 'its lock was never written' : `pid ${stale.pid}`
      })`,
    );
  }

  let current = content;
  let pending: Promise<unknown> = Promise.resolve();
  /** Updates and the release one after the other, so a late update never brings a released lock back. */
  const serially = (work: () => Promise<void>) => {
    const done = pending.then(work).catch(() => undefined);
    pending = done;
    return done;
  };
  const stillOurs = async () => {
    try {
      const found = JSON.parse(await readFile(file, 'utf8')) as Partial<LockContent>;
      return found.pid === content.pid && found.id === content.id;
    } catch {
      return false;
    }
  };
  const lock: DataFolderLock = {
    dataDir,
    file,
    tookOverFrom,
    update: (patch) =>
      serially(async () => {
        if (!(await stillOurs())) return;
        current = { ...current, ...patch };
        // Written aside and renamed over, so a start reading it never sees half of it.
        const aside = `${file}.${process.pid}.${content.id}`;
        await writeFile(aside, JSON.stringify(current));
        await rename(aside, file);
      }),
    release: () =>
      serially(async () => {
        if (await stillOurs()) await unlink(file);
      }),
  };

  // A runtime killed just now leaves its java for a few seconds more, still on the data file.
  const leftover = stale?.javaPid;
  if (leftover !== undefined && (await stillRuns(leftover, 'DynamoDBLocal'))) {
    options.log?.info(`Waiting for its DynamoDB Local (pid ${leftover}) to exit...`);
    const deadline = Date.now() + LEFTOVER_JAVA_WAIT_MS;
    while (await stillRuns(leftover, 'DynamoDBLocal')) {
      if (Date.now() > deadline) {
        await lock.release();
        throw new StartupError(
          `DynamoDB Local (pid ${leftover}) of a local CRM that is no longer running still uses ${dataDir}; stop it (kill ${leftover}) and start again`,
        );
      }
      await sleep(100);
    }
  }
  return lock;
}
