import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { uniqueKey } from './keys.ts';

/** The id of the record holding a unique value (an exact-email lookup is two GetItems, no index). */
export async function holderOf(tenantId: string, name: string, value: string): Promise<string | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: config.tableName, Key: uniqueKey(tenantId, name, value) }),
  );
  return typeof Item?.refId === 'string' ? Item.refId : undefined;
}
