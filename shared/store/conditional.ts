import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * Runs one conditional write (a PutItem, UpdateItem or DeleteItem with a
 * `ConditionExpression`) and resolves to its output, or to undefined when the
 * condition did not hold (`ConditionalCheckFailedException`). Use it where the
 * output is needed (`ReturnValues`, say); a command's output is always an
 * object, so undefined can only mean the condition failed. For a write whose
 * output is not read, `conditionHeld` says the same as a boolean.
 *
 * Only `ConditionalCheckFailedException` is absorbed. Every other error is
 * rethrown as it is, `TransactionCanceledException` included: a transaction's
 * cancellation reasons are read in transactions.ts, not here.
 *
 * @example
 * const output = await unlessConditionFails(() => dynamo.send(new UpdateCommand({ ..., ReturnValues: 'ALL_NEW' })));
 * if (!output) return undefined; // the condition did not hold
 */
export async function unlessConditionFails<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * Runs one conditional write and resolves to true when it was made, false when
 * its condition did not hold (`ConditionalCheckFailedException`). Awaited
 * without reading the result, it lets a write whose condition may be false (a
 * replay, a record already past the change) do nothing instead of throwing.
 *
 * Only `ConditionalCheckFailedException` is absorbed. Every other error is
 * rethrown as it is, `TransactionCanceledException` included: a transaction's
 * cancellation reasons are read in transactions.ts, not here.
 *
 * @example
 * if (!(await conditionHeld(() => dynamo.send(new PutCommand({ ..., ConditionExpression: 'attribute_not_exists(pk)' }))))) {
 *   return false; // it already existed
 * }
 */
export async function conditionHeld(write: () => Promise<unknown>): Promise<boolean> {
  const made = await unlessConditionFails(async () => {
    await write();
    return true;
  });
  return made ?? false;
}
