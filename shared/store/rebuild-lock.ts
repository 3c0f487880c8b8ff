import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { rebuildLockKey } from './keys.ts';

/**
 * One rebuild of a tenant at a time compares and corrects: corrections are
 * ADDs of the difference between what is stored and what the records sum to,
 * so two rebuilds reading the same drift would both correct it. The lease
 * lapses on its own (a crashed holder does not block the tenant for long).
 */

/** Longer than a synchronous rebuild may run (API Gateway's 29 s) and one correction phase of a job. */
const LEASE_MS = 120_000;

/** What a locked run gave: `work`'s value, or that another rebuild held the lease and `work` did not run. */
export type Locked<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

/**
 * Runs `work` holding the tenant's rebuild lease, or not at all when another
 * rebuild holds it. The lease is released afterwards, also when `work` throws.
 */
export async function withRebuildLock<T>(tenantId: string, work: () => Promise<T>): Promise<Locked<T>> {
  const owner = randomUUID();
  const now = Date.now();
  const taken = await conditionHeld(() =>
    dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...rebuildLockKey(tenantId),
          entity: 'report-rebuild-lock',
          tenantId,
          owner,
          leaseUntil: now + LEASE_MS,
          expiresAt: Math.floor((now + LEASE_MS) / 1000) + 3600,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
        ExpressionAttributeValues: { ':now': now },
      }),
    ),
  );
  if (!taken) return { ran: false };
  try {
    return { ran: true, value: await work() };
  } finally {
    await conditionHeld(() =>
      dynamo.send(
        new DeleteCommand({
          TableName: config.tableName,
          Key: rebuildLockKey(tenantId),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      ),
    );
  }
}

/** Waits for the lease (polling every second, up to `waitMs`), then runs `work`. */
export async function whenRebuildLockFree<T>(
  tenantId: string,
  work: () => Promise<T>,
  waitMs = LEASE_MS,
): Promise<Locked<T>> {
  const until = Date.now() + waitMs;
  for (;;) {
    const outcome = await withRebuildLock(tenantId, work);
    if (outcome.ran || Date.now() >= until) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
