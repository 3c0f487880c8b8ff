import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
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
    /** The local S3-compatible server and its buckets (shared/storage), for tests that read or write files. */
    s3Endpoint: string;
    s3Buckets: { imports: string; exports: string };
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
  const runtime = await startLocalRuntime({
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
  project.provide('s3Buckets', { ...runtime.s3.buckets });
  return async () => {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
