import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './client.ts';

type Item = Record<string, unknown>;

/** Every item of a query, page by page (for reading a whole partition or index key). */
export async function* queryPages(input: QueryCommandInput): AsyncGenerator<Item[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await dynamo.send(
      new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    yield (output.Items ?? []) as Item[];
    startKey = output.LastEvaluatedKey;
  } while (startKey);
}
