import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * How DynamoDB Local reports capacity, measured on small items written the two
 * ways the handlers write: a PutItem, and TransactWriteItems of one and of ten
 * actions. In AWS a transactional write costs twice a standard one per item;
 * this shows how far the emulator's figures follow that.
 */
export interface Calibration {
  readonly putUnits: number | undefined;
  /** The same item in a one-action TransactWriteItems. */
  readonly transactUnits: number | undefined;
  /** Ten such items in one TransactWriteItems. */
  readonly transactTenUnits: number | undefined;
}

type Transacted = { ConsumedCapacity?: { CapacityUnits?: number }[] };
const unitsOf = (output: Transacted) =>
  output.ConsumedCapacity?.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);

export async function calibrate(endpoint: string, tableName: string): Promise<Calibration> {
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const item = { pk: { S: 'BENCH#calibration' }, sk: { S: 'A' }, note: { S: 'small item' } };
  try {
    const put = await client.send(
      new PutItemCommand({ TableName: tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
    );
    await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }));
    const transact = await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: tableName, Item: item } }],
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }));
    const keys = Array.from({ length: 10 }, (_, index) => ({
      pk: { S: `BENCH#calibration#${index}` },
      sk: { S: 'A' },
    }));
    const transactTen = await client.send(
      new TransactWriteItemsCommand({
        TransactItems: keys.map((key) => ({ Put: { TableName: tableName, Item: { ...item, ...key } } })),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    for (const key of keys) await client.send(new DeleteItemCommand({ TableName: tableName, Key: key }));
    return {
      putUnits: put.ConsumedCapacity?.CapacityUnits,
      transactUnits: unitsOf(transact),
      transactTenUnits: unitsOf(transactTen),
    };
  } finally {
    client.destroy();
  }
}
