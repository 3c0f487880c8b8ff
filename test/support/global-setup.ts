import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureConsoleBuilt } from '../../infra/local/console-build.ts';
import type { Logger } from '../../infra/local/logger.ts';
import { startLocalRuntime } from '../../infra/local/runtime.ts';

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
  }
}

/** Failures (a handler that throws, a stream record skipped) show up in the test output; chatter does not. */
const testLogger: Logger = {
  info: () => undefined,
  error: (message, error) =>
    console.error(`[local runtime] ${message}`, ...(error === undefined ? [] : [error])),
};

/**
 * Runs the whole local runtime once for the integration tests: a fresh data folder,
 * DynamoDB Local in memory, free ports everywhere so parallel runs never collide.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-test-'));
  // The browser tests drive the web console at /app, built as `npm start` builds it.
  const consoleDistDir = project.name === 'browser' ? await ensureConsoleBuilt(testLogger) : undefined;
  const runtime = await startLocalRuntime({
    ...(consoleDistDir ? { consoleDistDir } : {}),
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
  project.provide('apiUrl', runtime.apiUrl);
  project.provide('dataDir', runtime.dataDir);
  project.provide('sesEndpoint', runtime.sesEndpoint);
  project.provide('inboxUrl', runtime.inboxUrl);
  project.provide('dynamoEndpoint', runtime.dynamoEndpoint);
  project.provide('tableName', runtime.tableName);
  project.provide('s3Endpoint', runtime.s3.endpoint);
  project.provide('importsBucket', runtime.s3.buckets.imports);
  project.provide('exportsBucket', runtime.s3.buckets.exports);
  return async () => {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
