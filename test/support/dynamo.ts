import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
