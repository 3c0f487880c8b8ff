import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Runs a transaction and, when DynamoDB cancels it, says which items' conditions
 * failed (by index) so callers can answer 409/412/400 precisely.
 */
export type TransactionOutcome = { ok: true } | { ok: false; failedConditions: number[] };

const attempts = 4;

/**
 * Writes the items atomically. A lone Put goes out as a conditional PutItem:
 * same guarantee, half the write capacity of a transaction.
 */
export async function transact(items: TransactItem[]): Promise<TransactionOutcome> {
  const [only] = items;
  if (items.length === 1 && only?.Put) return conditionalPut(only.Put);
  for (let attempt = 1; ; attempt++) {
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failedConditions = reasons.flatMap((reason, index) =>
        reason.Code === 'ConditionalCheckFailed' ? [index] : [],
      );
      if (failedConditions.length > 0) return { ok: false, failedConditions };
      // Two transactions touching the same item (say, racing for one email) cancel
      // each other with TransactionConflict, which the SDK does not retry: retry here.
      const conflicted = reasons.some((reason) => reason.Code === 'TransactionConflict');
      if (!conflicted || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
    }
  }
}

/** Whether a transaction was cancelled only because another one touched the same items at once. */
export const isTransactionConflict = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict') &&
  (error.CancellationReasons ?? []).every(
    (reason) => reason.Code === 'TransactionConflict' || reason.Code === 'None',
  );

async function conditionalPut(put: NonNullable<TransactItem['Put']>): Promise<TransactionOutcome> {
  return (await conditionHeld(() => dynamo.send(new PutCommand(put))))
    ? { ok: true }
    : { ok: false, failedConditions: [0] };
}
