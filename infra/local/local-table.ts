import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ResourceNotFoundException,
  type StreamViewType,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from './logger.ts';

/**
 * Brings the local table in line with the shared table definition: creates it when
 * missing; on an existing table (kept between runs) adds indexes the definition
 * gained, and turns on the stream and TTL. Key names come only from the definition.
 */
export interface TableShape {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly timeToLiveAttribute: string;
  readonly stream: string;
  readonly indexes: readonly {
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }[];
}

export type TableSetup = 'created' | 'updated' | 'unchanged';

export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  shape: TableShape,
  log: Logger,
): Promise<TableSetup> {
  let table = await describe(client, tableName);
  if (!table) {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: stringAttributes([
          shape.partitionKey,
          shape.sortKey,
          ...shape.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
        ]),
        KeySchema: keySchema(shape.partitionKey, shape.sortKey),
        GlobalSecondaryIndexes: shape.indexes.map(indexDefinition),
        StreamSpecification: { StreamEnabled: true, StreamViewType: shape.stream as StreamViewType },
      }),
    );
    await waitUntilActive(client, tableName);
    await ensureTimeToLive(client, tableName, shape);
    return 'created';
  }

  assertSameKeys(table, tableName, shape);
  let changed = false;
  const existing = new Map((table.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
  for (const index of shape.indexes) {
    const current = existing.get(index.name);
    if (current && sameKeys(current.KeySchema, index.partitionKey, index.sortKey)) continue;
    if (current) {
      // An index whose keys changed in the definition is rebuilt under the same name.
      log.info(`Table ${tableName}: rebuilding index ${index.name} with its new keys`);
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index.name } }],
        }),
      );
      await waitUntilActive(client, tableName);
    } else {
      log.info(`Table ${tableName}: adding index ${index.name}`);
    }
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: stringAttributes([index.partitionKey, index.sortKey]),
        GlobalSecondaryIndexUpdates: [{ Create: indexDefinition(index) }],
      }),
    );
    await waitUntilActive(client, tableName);
    changed = true;
  }

  table = (await describe(client, tableName)) ?? table;
  const stream = table.StreamSpecification;
  if (!stream?.StreamEnabled || stream.StreamViewType !== shape.stream) {
    if (stream?.StreamEnabled) {
      await client.send(
        new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }),
      );
      await waitUntilActive(client, tableName);
    }
    log.info(`Table ${tableName}: enabling its stream (${shape.stream})`);
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: shape.stream as StreamViewType },
      }),
    );
    await waitUntilActive(client, tableName);
    changed = true;
  }
  if (await ensureTimeToLive(client, tableName, shape)) changed = true;
  return changed ? 'updated' : 'unchanged';
}

async function ensureTimeToLive(
  client: DynamoDBClient,
  tableName: string,
  shape: TableShape,
): Promise<boolean> {
  const { TimeToLiveDescription: ttl } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const enabled = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
  if (enabled && ttl?.AttributeName === shape.timeToLiveAttribute) return false;
  if (enabled && ttl?.AttributeName) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: false, AttributeName: ttl.AttributeName },
      }),
    );
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: shape.timeToLiveAttribute },
    }),
  );
  return true;
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const table = await describe(client, tableName);
    const indexesReady = (table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (table?.TableStatus === 'ACTIVE' && indexesReady) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
}

function assertSameKeys(table: TableDescription, tableName: string, shape: TableShape) {
  if (!sameKeys(table.KeySchema, shape.partitionKey, shape.sortKey)) {
    throw new Error(
      `Local table ${tableName} has other primary keys than shared/store/table.ts; delete the local data folder's dynamodb/ to recreate it`,
    );
  }
}

function sameKeys(
  schema: readonly KeySchemaElement[] | undefined,
  partitionKey: string,
  sortKey: string,
): boolean {
  const hash = schema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
  const range = schema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
  return hash === partitionKey && range === sortKey;
}

function keySchema(partitionKey: string, sortKey: string): KeySchemaElement[] {
  return [
    { AttributeName: partitionKey, KeyType: 'HASH' },
    { AttributeName: sortKey, KeyType: 'RANGE' },
  ];
}

/** Every key attribute is a string in the definition (`T#tenant#...` values). */
function stringAttributes(names: readonly string[]): AttributeDefinition[] {
  return [...new Set(names)].map((name) => ({ AttributeName: name, AttributeType: 'S' }));
}

function indexDefinition(index: TableShape['indexes'][number]): GlobalSecondaryIndex {
  return {
    IndexName: index.name,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' },
  };
}
