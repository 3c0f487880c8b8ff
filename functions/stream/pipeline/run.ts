import type { Consumer, FailedIds, TableChange } from './change.ts';
import { isPermanent } from './isolation.ts';

/**
 * A batch's failures, collected once for every step: per eventId, per step
 * (a consumer's `reportedAs ?? name`, or `decode`), the error. When two steps
 * report under one key, a passing error stands over a permanent one, so the
 * record is retried rather than set aside; otherwise the later error stands.
 */
export type BatchFailures = Map<string, Record<string, unknown>>;

/** Adds one step's failures to the batch's. */
export function collectFailures(into: BatchFailures, step: string, failed: FailedIds): void {
  for (const [eventId, error] of failed) {
    const steps = into.get(eventId);
    const earlier = steps?.[step];
    const kept = earlier !== undefined && !isPermanent(earlier) && isPermanent(error) ? earlier : error;
    into.set(eventId, { ...steps, [step]: kept });
  }
}

/**
 * Runs the consumers one after the other, in list order, each over every
 * change of the batch (a change one consumer failed still reaches the next:
 * they are independent, and each is idempotent for the retry). A consumer
 * that throws rejects the whole batch, for Lambda to retry.
 */
export async function runConsumers(
  consumers: readonly Consumer[],
  changes: readonly TableChange[],
  failures: BatchFailures,
): Promise<BatchFailures> {
  for (const consumer of consumers)
    collectFailures(failures, consumer.reportedAs ?? consumer.name, await consumer.apply(changes));
  return failures;
}
