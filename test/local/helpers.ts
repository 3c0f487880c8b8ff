import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import type { HttpHandler } from '../../infra/local/handler-loader.ts';
import { type RunningHttpServer, startHttpServer } from '../../infra/local/http-server.ts';
import type { Logger } from '../../infra/local/logger.ts';
import { findFreePort } from '../../infra/local/ports.ts';
import { type LocalRoute, localRoute } from '../../infra/local/routes.ts';
import { verifyToken } from '../../infra/local/tokens.ts';

// The AWS SDK's notice about dropping Node 20 in 2027 is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** A temp folder removed by the returned cleanup. */
export async function tempDir(
  prefix = 'crm-local-test-',
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** DynamoDB Local in memory on a free port, a client for it and a temp folder; `stop` ends all three. */
export async function startTestDynamo(): Promise<{
  dynamodb: DynamoDBClient;
  dir: { path: string };
  stop: () => Promise<void>;
}> {
  const dir = await tempDir();
  const dynamo = await startDynamoDbLocal({ port: await findFreePort(), log: collectingLogger() });
  const dynamodb = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    dynamodb,
    dir,
    stop: async () => {
      dynamodb.destroy();
      await dynamo.stop();
      await dir.remove();
    },
  };
}

/** Collects log lines so tests can assert on what the runtime reported. */
export function collectingLogger(): Logger & {
  infos: string[];
  errors: { message: string; error: unknown }[];
} {
  const infos: string[] = [];
  const errors: { message: string; error: unknown }[] = [];
  return {
    infos,
    errors,
    info: (message) => infos.push(message),
    error: (message, error) => errors.push({ message, error }),
  };
}

/** The local API gateway on a free port with in-test handlers per function name. */
export async function startTestGateway(options: {
  dataDir: string;
  routes: Record<
    string,
    readonly { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; public?: boolean }[]
  >;
  handlers: Record<string, HttpHandler>;
  log?: Logger;
  handlerTimeoutMs?: number;
}): Promise<RunningHttpServer & { routes: LocalRoute[] }> {
  const routes = Object.entries(options.routes).flatMap(([name, defs]) =>
    defs.map((def) => localRoute(name, def)),
  );
  const server = await startHttpServer({
    routes,
    loadHandler: async (name) => {
      const handler = options.handlers[name];
      if (!handler) throw new Error(`no fixture handler ${name}`);
      return handler;
    },
    verifyToken: (token) => verifyToken(options.dataDir, token),
    port: 0,
    region: 'us-east-1',
    log: options.log ?? collectingLogger(),
    ...(options.handlerTimeoutMs ? { handlerTimeoutMs: options.handlerTimeoutMs } : {}),
  });
  return { ...server, routes };
}
