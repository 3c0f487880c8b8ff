import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '#shared/store/table';
import { PortInUseError } from '../../infra/local/errors.ts';
import { moduleHandlerLoader } from '../../infra/local/handler-loader.ts';
import { ensureTable } from '../../infra/local/local-table.ts';
import { findFreePort } from '../../infra/local/ports.ts';
import { localRoute } from '../../infra/local/routes.ts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { mintToken } from '../../infra/local/tokens.ts';
import { eventually } from '../support/api.ts';
import { collectingLogger, tempDir } from './helpers.ts';

const fixtureRoutes = [
  localRoute('hello', { method: 'GET', path: '/hello' }),
  localRoute('hello', { method: 'GET', path: '/public-hello', public: true }),
  localRoute('no-handler', { method: 'GET', path: '/broken', public: true }),
];
const received = globalThis as typeof globalThis & { streamFixtureRecords?: DynamoDBRecord[] };

let dir: Awaited<ReturnType<typeof tempDir>>;
let runtime: LocalRuntime;
let dynamodb: DynamoDBClient;
const log = collectingLogger();

beforeAll(async () => {
  dir = await tempDir();
  runtime = await startLocalRuntime({
    dataDir: dir.path,
    inMemory: true,
    port: 0,
    streamPollMs: 50,
    log,
    routes: fixtureRoutes,
    loadHttpHandler: moduleHandlerLoader(async (name) =>
      name === 'hello' ? 'test/local/fixtures/http/hello.ts' : 'test/local/fixtures/no-handler.ts',
    ),
    loadStreamHandler: () =>
      moduleHandlerLoader<never>(async () => 'test/local/fixtures/stream-recorder.ts')('stream'),
  });
  dynamodb = new DynamoDBClient({
    endpoint: runtime.dynamoEndpoint,
    region: runtime.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  dynamodb?.destroy();
  await runtime?.stop();
  await dir?.remove();
});

describe('the local runtime', () => {
  it('serves a handler module with the environment a Lambda would get, behind the token check', async () => {
    expect((await fetch(`${runtime.apiUrl}/hello`)).status).toBe(401);
    const token = await mintToken(runtime.dataDir, { tenant: 'acme', role: 'admin' });
    const response = await fetch(`${runtime.apiUrl}/hello`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      routeKey: string;
      claims: Record<string, string>;
      envAtImport: Record<string, string>;
    };
    expect(body.routeKey).toBe('GET /hello');
    expect(body.claims['custom:tenantId']).toBe('acme');
    expect(body.envAtImport).toEqual({
      TABLE_NAME: runtime.tableName,
      USER_DIRECTORY: 'local',
      SIGNING_SECRET: expect.stringMatching(/^[0-9a-f]{64}$/),
      AWS_ENDPOINT_URL_DYNAMODB: runtime.dynamoEndpoint,
      AWS_ENDPOINT_URL_SESV2: runtime.sesEndpoint,
      AWS_REGION: runtime.region,
    });
    expect(runtime.handlerEnv.SIGNING_SECRET).toBe(body.envAtImport.SIGNING_SECRET);
    expect((await fetch(`${runtime.apiUrl}/public-hello`)).status).toBe(200);
  });

  it('answers 500 for a module without a handler and says why in the log', async () => {
    const response = await fetch(`${runtime.apiUrl}/broken`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(
      log.errors.some(({ error }) =>
        String((error as Error)?.message).includes('does not export a function named handler'),
      ),
    ).toBe(true);
  });

  it('creates the table from the shared definition: keys, every index, the stream and TTL', async () => {
    expect(runtime.tableSetup).toBe('created');
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: runtime.tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      tableDefinition.indexes.map((index) => index.name).sort(),
    );
    for (const index of tableDefinition.indexes) {
      const actual = Table?.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === index.name);
      expect(actual?.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ]);
      expect(actual?.Projection?.ProjectionType).toBe('ALL');
    }
    expect(Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: tableDefinition.stream,
    });
    const { TimeToLiveDescription } = await dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: runtime.tableName }),
    );
    expect(TimeToLiveDescription?.AttributeName).toBe(tableDefinition.timeToLiveAttribute);
  });

  it('brings an existing table up to the definition: missing indexes, stream and TTL', async () => {
    const name = 'older-table';
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: tableDefinition.partitionKey, AttributeType: 'S' },
          { AttributeName: tableDefinition.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
    expect(await ensureTable(dynamodb, name, tableDefinition, collectingLogger())).toBe('updated');
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.GlobalSecondaryIndexes).toHaveLength(tableDefinition.indexes.length);
    expect(Table?.StreamSpecification?.StreamEnabled).toBe(true);
    expect(await ensureTable(dynamodb, name, tableDefinition, collectingLogger())).toBe('unchanged');
  });

  it('feeds table writes to the stream handler module', async () => {
    await dynamodb.send(
      new PutItemCommand({
        TableName: runtime.tableName,
        Item: { pk: { S: 'T#acme#CONTACT#1' }, sk: { S: 'A' } },
      }),
    );
    await eventually(() =>
      expect(received.streamFixtureRecords?.map((record) => record.dynamodb?.Keys?.pk?.S)).toContain(
        'T#acme#CONTACT#1',
      ),
    );
  });

  it('runs a local SES that accepts SES v2 sends and shows them in its inbox', async () => {
    const ses = new SESv2Client({
      endpoint: runtime.sesEndpoint,
      region: runtime.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { MessageId } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'crm@example.com',
        Destination: { ToAddresses: ['ann@example.com'] },
        Content: { Simple: { Subject: { Data: 'Hello from the test' }, Body: { Text: { Data: 'Hi Ann' } } } },
      }),
    );
    ses.destroy();
    expect(MessageId).toEqual(expect.any(String));
    const inbox = await fetch(runtime.inboxUrl);
    expect(inbox.status).toBe(200);
    expect(inbox.headers.get('content-type')).toContain('text/html');
    const store = (await (await fetch(`${runtime.sesEndpoint}/store`)).json()) as {
      emails: { subject: string }[];
    };
    expect(store.emails.map((email) => email.subject)).toContain('Hello from the test');
  });
});

describe('starting next to a busy port', () => {
  let blocker: Server;
  let blockerPort: number;
  let requestsToBlocker = 0;
  beforeAll(async () => {
    // Stands in for another DynamoDB Local or SES: answers 200 to anything.
    blocker = createServer((_, response) => {
      requestsToBlocker++;
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{"TableNames":[]}');
    });
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    blockerPort = (blocker.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  /** Java serving a port, if any (there must be none after a failed start). */
  const javaOn = (port: number) =>
    new Promise<string>((done) =>
      execFile('pgrep', ['-f', `DynamoDBLocal.jar.*-port ${port}( |$)`], (_, stdout) => done(stdout.trim())),
    );

  async function startWith(ports: { port?: number; dynamoPort?: number; sesPort?: number }) {
    const other = await tempDir();
    try {
      return await startLocalRuntime({
        dataDir: other.path,
        inMemory: true,
        port: 0,
        log: collectingLogger(),
        ...ports,
      }).catch((error: unknown) => error);
    } finally {
      await other.remove();
    }
  }

  it('fails with a clear message naming PORT when the API port is taken, leaving nothing running', async () => {
    const dynamoPort = await findFreePort();
    const failure = await startWith({ port: blockerPort, dynamoPort });
    expect(failure).toBeInstanceOf(PortInUseError);
    expect((failure as Error).message).toBe(
      `API port ${blockerPort} is in use; set PORT=... to use another port`,
    );
    expect(await javaOn(dynamoPort)).toBe('');
  });

  it('refuses a DynamoDB port another server holds instead of taking its answers as ready', async () => {
    const before = requestsToBlocker;
    const failure = await startWith({ dynamoPort: blockerPort });
    expect(failure).toBeInstanceOf(PortInUseError);
    expect((failure as Error).message).toBe(
      `DynamoDB Local port ${blockerPort} is in use; set DYNAMODB_PORT=... to use another port`,
    );
    expect(requestsToBlocker).toBe(before);
    expect(await javaOn(blockerPort)).toBe('');
  });

  it('refuses an SES port another server holds', async () => {
    const dynamoPort = await findFreePort();
    const failure = await startWith({ sesPort: blockerPort, dynamoPort });
    expect(failure).toBeInstanceOf(PortInUseError);
    expect((failure as Error).message).toBe(
      `SES port ${blockerPort} is in use; set SES_PORT=... to use another port`,
    );
    expect(await javaOn(dynamoPort)).toBe('');
  });
});
