import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';

let client: DynamoDBClient | undefined;

/** A client on the test runtime's DynamoDB Local, for checks the API cannot make. */
export function dynamoClient(): DynamoDBClient {
  client ??= new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return client;
}

/** Points the shared store at the test table, for tests that invoke handlers directly. */
export function useTestTable(): void {
  process.env.TABLE_NAME = inject('tableName');
  process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamoEndpoint');
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
}

/**
 * Writes items straight to the test table, 25 a BatchWriteItem on four workers, resending
 * what DynamoDB leaves unprocessed: for tests that need hundreds of records the API would
 * take minutes to create. Uses the shared store's client (call useTestTable first).
 */
export async function writeItems(items: readonly Record<string, unknown>[]): Promise<void> {
  const { dynamo } = await import('#shared/store/client');
  const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  const tableName = inject('tableName');
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, n) =>
    items.slice(n * 25, n * 25 + 25),
  );
  await Promise.all(
    [0, 1, 2, 3].map(async (worker) => {
      for (let n = worker; n < batches.length; n += 4) {
        let requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string] = (batches[n] ?? []).map(
          (Item) => ({ PutRequest: { Item } }),
        );
        while (requests.length > 0) {
          const output = await dynamo.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
          );
          requests = output.UnprocessedItems?.[tableName] ?? [];
        }
      }
    }),
  );
}
