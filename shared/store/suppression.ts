import { config } from '../config.ts';
import { emailHash, type SuppressionReason } from '../domain/suppression.ts';
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
