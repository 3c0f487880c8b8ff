/**
 * Per-record isolation for the stream consumers. Consumers write many
 * records' effects together (a transaction of 99 markers, a BatchWriteItem of
 * 25 timeline entries); when such a shared write fails, the records are tried
 * again in halves until the ones that fail on their own are found, so one
 * record that cannot be written (a poison record) never fails the others.
 */

const transientNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
  'LimitExceededException',
  'TimeoutError',
]);
const transientCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
const transientReasons = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

type ErrorShape = {
  name?: string;
  code?: string;
  $retryable?: unknown;
  $fault?: string;
  CancellationReasons?: { Code?: string }[];
};

/**
 * An error that says "not now" (throttling, a conflict, a dropped connection,
 * a server fault): trying again later may succeed, and splitting the write
 * would not help.
 */
export function isTransient(error: unknown): boolean {
  const { name, code, $retryable, $fault, CancellationReasons } = (error ?? {}) as ErrorShape;
  if ((name && transientNames.has(name)) || (code && transientCodes.has(code))) return true;
  if ($retryable || $fault === 'server') return true;
  return (CancellationReasons ?? []).some((reason) => reason.Code && transientReasons.has(reason.Code));
}

/** A stream record whose images cannot be read: retrying cannot change that. */
export class UndecodableRecord extends Error {
  override readonly name = 'UndecodableRecord';
}

/**
 * An error that this record's content will cause on every attempt: an
 * image that cannot be read (UndecodableRecord), or DynamoDB
 * refused the write itself (an item over 400 KB, a key over 2 KB, a malformed
 * value), directly or as a cancellation reason of a transaction.
 */
export function isPermanent(error: unknown): boolean {
  if (error instanceof UndecodableRecord) return true;
  const { name, CancellationReasons } = (error ?? {}) as ErrorShape;
  if (name === 'ValidationException') return true;
  return (
    name === 'TransactionCanceledException' &&
    (CancellationReasons ?? []).some((reason) => reason.Code === 'ValidationError') &&
    !isTransient(error)
  );
}

/** One line saying what went wrong, for logs and the set-aside record. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 1000);
  return String(error).slice(0, 1000);
}

/**
 * Applies `items` with `apply` (one shared write). When it fails, whatever the
 * error, the halves are applied separately, recursively, so only the items
 * that fail alone are returned, each with its own error: a throttled tenant's
 * record is retried without the records that went through. `apply` must be
 * idempotent for items it may have partly written.
 */
export async function applyIsolated<T>(
  items: readonly T[],
  apply: (group: readonly T[]) => Promise<void>,
): Promise<{ item: T; error: unknown }[]> {
  if (items.length === 0) return [];
  try {
    await apply(items);
    return [];
  } catch (error) {
    if (items.length === 1) return items.map((item) => ({ item, error }));
    const middle = Math.ceil(items.length / 2);
    return [
      ...(await applyIsolated(items.slice(0, middle), apply)),
      ...(await applyIsolated(items.slice(middle), apply)),
    ];
  }
}
