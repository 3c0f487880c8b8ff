import type { DynamoDBBatchResponse } from 'aws-lambda';
import { logger } from '#shared/observability/logger';
import type { RecordOrigin } from './decode.ts';
import { describeError, isPermanent } from './isolation.ts';
import type { BatchFailures } from './run.ts';
import { type SetAsideRecord, setAside } from './set-aside.ts';

/**
 * Turns a batch's failures into Lambda's partial batch response, in one place.
 * A record that failed only for reasons its content will cause again (every
 * error isPermanent) is set aside with its reasons (set-aside.ts) and not
 * reported, so it holds up nobody; the others are reported by SequenceNumber
 * and Lambda retries from the earliest of them. When setting aside fails, the
 * records it held are reported too.
 */
export async function settleFailures(
  origins: ReadonlyMap<string, RecordOrigin>,
  failures: BatchFailures,
): Promise<DynamoDBBatchResponse['batchItemFailures']> {
  const retry: string[] = [];
  const poison: SetAsideRecord[] = [];
  for (const [eventId, byStep] of failures) {
    const origin = origins.get(eventId);
    if (!origin) continue;
    if (!Object.values(byStep).every(isPermanent)) {
      retry.push(origin.sequenceNumber);
      continue;
    }
    poison.push({
      ...origin,
      reasons: Object.fromEntries(
        Object.entries(byStep).map(([step, error]) => [step, describeError(error)]),
      ),
    });
  }
  try {
    await setAside(poison);
    for (const record of poison) logger.error('stream record set aside', { ...record });
  } catch (error) {
    logger.error('setting records aside failed', { error: describeError(error) });
    retry.push(...poison.map((record) => record.sequenceNumber));
  }
  return retry.map((itemIdentifier) => ({ itemIdentifier }));
}
