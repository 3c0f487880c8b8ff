import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { emailHash, type SuppressionReason } from '../domain/suppression.ts';
import { dynamo } from './client.ts';
import { suppressionKey } from './keys.ts';
import type { TransactItem } from './transactions.ts';

/** A suppression list entry; every writer stores the same shape. */
export const suppressionItem = (
  tenantId: string,
  email: string,
  reason: SuppressionReason,
  now = new Date(),
) => ({
  ...suppressionKey(tenantId, emailHash(tenantId, email)),
  entity: 'suppression',
  tenantId,
  reason,
  createdAt: now.toISOString(),
});

export function suppress(
  tenantId: string,
  email: string,
  reason: SuppressionReason,
  now = new Date(),
): TransactItem {
  return { Put: { TableName: config.tableName, Item: suppressionItem(tenantId, email, reason, now) } };
}

/**
 * A person's renewed consent (an API write setting `subscribed`) lifts an
 * unsubscribe from the suppression list, in the same transaction as the
 * contact, so the next send honours it. The condition fails for a bounce, a
 * complaint or an erasure, which only new evidence may lift: the write is then
 * refused as a whole.
 */
export function liftUnsubscribe(tenantId: string, email: string): TransactItem {
  return {
    Delete: {
      TableName: config.tableName,
      Key: suppressionKey(tenantId, emailHash(tenantId, email)),
      ConditionExpression: 'attribute_not_exists(pk) OR reason = :unsubscribed',
      ExpressionAttributeValues: { ':unsubscribed': 'unsubscribed' },
    },
  };
}

/** A condition that the address is not on the suppression list (a new contact that is to be mailed). */
export function notSuppressed(tenantId: string, email: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: config.tableName,
      Key: suppressionKey(tenantId, emailHash(tenantId, email)),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Why the address is suppressed, if it is (read consistently). */
export async function suppressionReason(
  tenantId: string,
  email: string,
): Promise<SuppressionReason | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: suppressionKey(tenantId, emailHash(tenantId, email)),
      ConsistentRead: true,
    }),
  );
  return typeof Item?.reason === 'string' ? (Item.reason as SuppressionReason) : undefined;
}
