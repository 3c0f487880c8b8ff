import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tableDefinition } from '#shared/store/table';
import {
  type Consistency,
  type Item,
  readUnitsOfItem,
  readUnitsOfQueryPage,
  writeUnitsOfItem,
} from './capacity.ts';

/**
 * The item images bench/capacity.ts prices, read on a client of its own (no meter, no
 * ConsumedCapacity) from the document-level input and output the shared client's middleware sees.
 * Writes: each written item's key, read before and after the call. Reads: GetItem/BatchGetItem/
 * TransactGetItems read again whole (a ProjectionExpression does not lower the charge); a Query or
 * Scan page run again without its FilterExpression, ProjectionExpression and Select, from the same
 * start key and with the same Limit, which returns exactly the items the page evaluated (DynamoDB
 * charges a filtered Query for what it evaluated, not what it returned).
 */

export interface WriteTarget {
  readonly table: string;
  readonly key: Item;
  readonly transactional: boolean;
  /** A transaction's ConditionCheck: priced as a write of the checked item, which it does not change. */
  readonly check: boolean;
}

export interface WriteImages {
  readonly targets: readonly WriteTarget[];
  readonly items: readonly (Item | undefined)[];
}

const keyOf = (item: Record<string, unknown>): Item => ({
  [tableDefinition.partitionKey]: item[tableDefinition.partitionKey],
  [tableDefinition.sortKey]: item[tableDefinition.sortKey],
});

type Input = Record<string, unknown>;

/** The items a write request touches, in request order; none for a read. */
export function writeTargets(operation: string, input: Input): WriteTarget[] {
  const table = String(input.TableName ?? '');
  switch (operation) {
    case 'PutItem':
      return [{ table, key: keyOf(input.Item as Input), transactional: false, check: false }];
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ table, key: input.Key as Item, transactional: false, check: false }];
    case 'BatchWriteItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, Input[]>).flatMap(
        ([name, requests]) =>
          requests.map((request) => {
            const put = request.PutRequest as { Item: Input } | undefined;
            const del = request.DeleteRequest as { Key: Item } | undefined;
            return {
              table: name,
              key: put ? keyOf(put.Item) : (del?.Key ?? {}),
              transactional: false,
              check: false,
            };
          }),
      );
    case 'TransactWriteItems':
      return ((input.TransactItems ?? []) as Input[]).map((action) => {
        const [kind, body] = Object.entries(action)[0] as [string, Input];
        const key = kind === 'Put' ? keyOf(body.Item as Input) : (body.Key as Item);
        return { table: String(body.TableName), key, transactional: true, check: kind === 'ConditionCheck' };
      });
    default:
      return [];
  }
}

/** AWS write units of a write call from its images; `succeeded` false prices a failed condition or cancelled transaction. */
export function unitsOfWrite(
  _operation: string,
  before: WriteImages,
  after: WriteImages,
  succeeded: boolean,
): number {
  return before.targets.reduce((sum, target, index) => {
    const old = before.items[index];
    const kind = !succeeded ? 'failed' : target.check ? 'check' : 'write';
    return (
      sum +
      writeUnitsOfItem({ before: old, after: after.items[index], transactional: target.transactional, kind })
    );
  }, 0);
}

/** Names and values of an expression map that `expressions` still use (DynamoDB refuses unused ones). */
export function usedBy(map: unknown, expressions: readonly unknown[]): Input | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const text = expressions.filter((entry) => typeof entry === 'string').join(' ');
  const kept = Object.entries(map as Input).filter(([name]) =>
    new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`).test(text),
  );
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** AWS read units of a read call, from the whole items it read or evaluated. */
export async function unitsOfRead(
  operation: string,
  input: Input,
  output: Input,
  images: ImageReader,
): Promise<number> {
  const consistency = (consistent: unknown): Consistency => (consistent === true ? 'strong' : 'eventual');
  switch (operation) {
    case 'GetItem': {
      const [item] = await images.getAll([{ table: String(input.TableName), key: input.Key as Item }]);
      return readUnitsOfItem(item, consistency(input.ConsistentRead));
    }
    case 'BatchGetItem': {
      const unprocessed = (output.UnprocessedKeys ?? {}) as Record<string, { Keys?: Item[] }>;
      let units = 0;
      for (const [table, request] of Object.entries((input.RequestItems ?? {}) as Record<string, Input>)) {
        const skipped = new Set((unprocessed[table]?.Keys ?? []).map((key) => JSON.stringify(key)));
        const keys = ((request.Keys ?? []) as Item[]).filter((key) => !skipped.has(JSON.stringify(key)));
        const items = await images.getAll(keys.map((key) => ({ table, key })));
        for (const item of items) units += readUnitsOfItem(item, consistency(request.ConsistentRead));
      }
      return units;
    }
    case 'TransactGetItems': {
      const gets = ((input.TransactItems ?? []) as { Get: Input }[]).map(({ Get }) => ({
        table: String(Get.TableName),
        key: Get.Key as Item,
      }));
      const items = await images.getAll(gets);
      return items.reduce((sum, item) => sum + readUnitsOfItem(item, 'transactional'), 0);
    }
    case 'Query':
    case 'Scan': {
      const evaluated = await images.evaluated(operation, input);
      // A GSI is read eventually consistent whatever is asked.
      return readUnitsOfQueryPage(
        evaluated,
        input.IndexName ? 'eventual' : consistency(input.ConsistentRead),
      );
    }
    default:
      return 0;
  }
}

/** Reads items and pages on an unmetered client to the same endpoint (AWS_ENDPOINT_URL_DYNAMODB). */
export class ImageReader {
  private readonly client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });

  async read(targets: readonly WriteTarget[]): Promise<WriteImages> {
    return { targets, items: await this.getAll(targets) };
  }

  /** The items at the keys (undefined where none), consistently read, in the keys' order. */
  async getAll(keys: readonly { table: string; key: Item }[]): Promise<(Item | undefined)[]> {
    const found = new Map<string, Item>();
    const id = (table: string, key: Item) =>
      `${table}\u0000${String(key[tableDefinition.partitionKey])}\u0000${String(key[tableDefinition.sortKey])}`;
    const distinct = [...new Map(keys.map((entry) => [id(entry.table, entry.key), entry])).values()];
    for (let start = 0; start < distinct.length; start += 100) {
      let request: Record<string, { Keys: Item[]; ConsistentRead: true }> = {};
      for (const { table, key } of distinct.slice(start, start + 100)) {
        request[table] ??= { Keys: [], ConsistentRead: true };
        request[table].Keys.push(key);
      }
      while (Object.keys(request).length > 0) {
        const output = await this.client.send(new BatchGetCommand({ RequestItems: request }));
        for (const [table, items] of Object.entries(output.Responses ?? {}))
          for (const item of items) found.set(id(table, item), item);
        request = (output.UnprocessedKeys ?? {}) as typeof request;
      }
    }
    return keys.map(({ table, key }) => found.get(id(table, key)));
  }

  /** The items a Query or Scan page evaluated: the same page without filter, projection or Select. */
  async evaluated(operation: 'Query' | 'Scan', input: Input): Promise<Item[]> {
    const {
      FilterExpression: _filter,
      ProjectionExpression: _projection,
      Select: _select,
      ReturnConsumedCapacity: _capacity,
      AttributesToGet: _attributes,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...rest
    } = input;
    const still = [rest.KeyConditionExpression];
    const page = {
      ...rest,
      ...(usedBy(names, still) ? { ExpressionAttributeNames: usedBy(names, still) } : {}),
      ...(usedBy(values, still) ? { ExpressionAttributeValues: usedBy(values, still) } : {}),
    };
    const output =
      operation === 'Query'
        ? await this.client.send(new QueryCommand(page as ConstructorParameters<typeof QueryCommand>[0]))
        : await this.client.send(new ScanCommand(page as ConstructorParameters<typeof ScanCommand>[0]));
    return (output.Items ?? []) as Item[];
  }
}
