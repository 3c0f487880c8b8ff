import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './client.ts';
import type { PageKey } from './page.ts';

type Item = Record<string, unknown>;

/** One Query's answer: its items, how many matched (`Select: 'COUNT'` returns no items) and where the next starts. */
export interface QueryPage {
  readonly items: Item[];
  readonly count: number;
  /** DynamoDB's LastEvaluatedKey: undefined on the last page. */
  readonly lastKey: PageKey | undefined;
}

/** The table's query condition without the paging position, which the helpers below own. */
export type QueryInput = Omit<QueryCommandInput, 'ExclusiveStartKey'>;

/** One page of a query from `startKey` (from the first item without one), e.g. a list route's page. */
export async function queryPage(input: QueryInput, startKey?: PageKey | undefined): Promise<QueryPage> {
  const output = await dynamo.send(
    new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
  );
  return {
    items: (output.Items ?? []) as Item[],
    count: output.Count ?? 0,
    lastKey: output.LastEvaluatedKey as PageKey | undefined,
  };
}

/**
 * Every page of a query, one Query each, until DynamoDB reports no more; a
 * caller that needs only some stops iterating and no further page is read.
 */
export async function* queryAnswers(input: QueryInput): AsyncGenerator<QueryPage> {
  let startKey: PageKey | undefined;
  do {
    const page = await queryPage(input, startKey);
    yield page;
    startKey = page.lastKey;
  } while (startKey);
}

/** Every item of a query, page by page (for reading a whole partition or index key). */
export async function* queryPages(input: QueryInput): AsyncGenerator<Item[]> {
  for await (const page of queryAnswers(input)) yield page.items;
}
