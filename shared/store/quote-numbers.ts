import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { quoteCounterKey } from './keys.ts';
import type { TransactItem } from './transactions.ts';

/**
 * Quote numbers without gaps: the creator reads the year's counter, then
 * writes the quote and raises the counter from the value read in ONE
 * transaction. A number is used only if its quote is written, and two
 * creators that read the same value cannot both succeed (the loser's
 * condition fails and it reads again). Incrementing first and writing the
 * quote after would be simpler but leaves a gap whenever the put fails or
 * the function dies between the two.
 */

/** The last number given in `year` (0 before the first), read strongly consistent. */
export async function lastQuoteNumber(tenantId: string, year: number): Promise<number> {
  const output = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: quoteCounterKey(tenantId, year),
      ConsistentRead: true,
    }),
  );
  const last = output.Item?.last;
  return typeof last === 'number' ? last : 0;
}

/** The counter update that claims `last + 1`, failing its condition if someone claimed it first. */
export function claimQuoteNumber(tenantId: string, year: number, last: number): TransactItem {
  return {
    Update: {
      TableName: config.tableName,
      Key: quoteCounterKey(tenantId, year),
      UpdateExpression: 'SET #last = :next, entity = :entity, tenantId = :tenant',
      ConditionExpression: last === 0 ? 'attribute_not_exists(pk)' : '#last = :last',
      ExpressionAttributeNames: { '#last': 'last' },
      ExpressionAttributeValues: {
        ':next': last + 1,
        ':entity': 'quote-counter',
        ':tenant': tenantId,
        ...(last === 0 ? {} : { ':last': last }),
      },
    },
  };
}
