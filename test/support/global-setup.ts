import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureConsoleBuilt } from '../../infra/local/console-build.ts';
import type { Logger } from '../../infra/local/logger.ts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    dataDir: string;
    sesEndpoint: string;
    inboxUrl: string;
    dynamoEndpoint: string;
    tableName: string;
    /** The S3-compatible server and the imports bucket (for tests that run the import worker directly). */
    s3Endpoint: string;
    importsBucket: string;
    /** The exports bucket (for tests that run the export worker directly). */
    exportsBucket: string;
    /** The inbound email SMTP listener, the raw-mail bucket and the logging addresses' domain. */
    smtpPort: number;
    inboundBucket: string;
    inboundEmailDomain: string;
  }
}

/** Failures (a handler that throws, a stream record skipped) show up in the test output; chatter does not. */
const testLogger: Logger = {
  info: () => undefined,
  error: (message, error) =>
    console.error(`[local runtime] ${message}`, ...(error === undefined ? [] : [error])),
};

interface SharedRuntime {
  readonly runtime: LocalRuntime;
  readonly dataDir: string;
  /** Resolves with console/dist once a project that drives the console asks for it. */
  readonly consoleBuilt: (dir: string) => void;
  users: number;
}

/**
 * One runtime per test process, whichever projects run: the runtime sets the handlers'
 * process.env (table, endpoints), so a second one in the same process would point the first
 * one's handlers at its own emulators. The browser project builds the console and serves it
 * from the same runtime at /app; integration-only runs never build it.
 */
const holder = globalThis as { crmTestRuntime?: Promise<SharedRuntime> | undefined };

async function startShared(): Promise<SharedRuntime> {
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-test-'));
  let consoleBuilt: (dir: string) => void = () => undefined;
  const consoleDistDir = new Promise<string>((resolve) => {
    consoleBuilt = resolve;
  });
  const runtime = await startLocalRuntime({
    consoleDistDir,
    dataDir,
    inMemory: true,
    port: 0,
    dynamoPort: 0,
    sesPort: 0,
    streamPollMs: 50,
    log: testLogger,
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  return { runtime, dataDir, consoleBuilt, users: 0 };
}

/**
 * Runs the whole local runtime once for the integration and browser tests: a fresh data folder,
 * DynamoDB Local in memory, free ports everywhere so parallel runs never collide.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // globalThis, not a module variable: each project may load this file as a module of its own.
  holder.crmTestRuntime ??= startShared();
  const current = await holder.crmTestRuntime;
  current.users += 1;
  // The browser tests drive the web console at /app, built as `npm start` builds it.
  if (project.name === 'browser') current.consoleBuilt(await ensureConsoleBuilt(testLogger));
  const { runtime } = current;
  project.provide('apiUrl', runtime.apiUrl);
  project.provide('dataDir', runtime.dataDir);
  project.provide('sesEndpoint', runtime.sesEndpoint);
  project.provide('inboxUrl', runtime.inboxUrl);
  project.provide('dynamoEndpoint', runtime.dynamoEndpoint);
  project.provide('tableName', runtime.tableName);
  project.provide('s3Endpoint', runtime.s3.endpoint);
  project.provide('importsBucket', runtime.s3.buckets.imports);
  project.provide('exportsBucket', runtime.s3.buckets.exports);
  project.provide('smtpPort', runtime.smtp.port);
  project.provide('inboundBucket', runtime.s3.buckets.inbound);
  project.provide('inboundEmailDomain', runtime.inboundEmailDomain);
  return async () => {
    current.users -= 1;
    if (current.users > 0) return;
    holder.crmTestRuntime = undefined;
    await runtime.stop();
    await rm(current.dataDir, { recursive: true, force: true });
  };
}
