import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { observed } from '#shared/observability/invocation';
import { streamLag } from '#shared/observability/metrics';
import { aggregates } from './consumers/aggregates.ts';
import { alertWatches } from './consumers/alert-watches.ts';
import { campaignStats } from './consumers/campaign-stats.ts';
import { contactActivity } from './consumers/contact-activity.ts';
import { contactClicks } from './consumers/contact-clicks.ts';
import { dealActivity } from './consumers/deal-activity.ts';
import { erasure } from './consumers/erasure.ts';
import { eventBus } from './consumers/event-bus.ts';
import { notifications } from './consumers/notifications.ts';
import { sequenceExits } from './consumers/sequence-exits.ts';
import { teamMoves } from './consumers/team-moves.ts';
import { timeline } from './consumers/timeline.ts';
import type { Consumer } from './pipeline/change.ts';
import { decodeRecords } from './pipeline/decode.ts';
import { type BatchFailures, collectFailures, runConsumers } from './pipeline/run.ts';
import { settleFailures } from './pipeline/settle.ts';

/**
 * What the table's changes drive, in this order: report counters, timelines,
 * notifications, the erasure cascade after a contact's removal, contacts'
 * last activity, sequence exits, campaign stats, records following their
 * owner's team, contacts' last campaign click (deal attribution), deals'
 * last activity, the alert job's watch items, and the domain events on the
 * deployment's bus (last: by the time subscribers hear of a change, the other
 * consumers have applied it).
 */
export const consumers: readonly Consumer[] = [
  aggregates,
  timeline,
  notifications,
  erasure,
  contactActivity,
  sequenceExits,
  campaignStats,
  teamMoves,
  contactClicks,
  dealActivity,
  alertWatches,
  eventBus,
];

/**
 * The table-stream consumer: decode each record once (pipeline/decode.ts),
 * run the consumers over the batch (pipeline/run.ts), then settle the
 * failures (pipeline/settle.ts): permanent ones set aside, the rest reported
 * in batchItemFailures for Lambda to retry. Delivery is at least once, so
 * every consumer is idempotent.
 */
export const handler = observed(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  recordStreamLag(event.Records);
  const { changes, origins, failed } = decodeRecords(event.Records);
  const failures: BatchFailures = new Map();
  collectFailures(failures, 'decode', failed);
  await runConsumers(consumers, changes, failures);
  return { batchItemFailures: await settleFailures(origins, failures) };
});

/**
 * How far behind the table this batch runs: now minus the oldest record's
 * ApproximateCreationDateTime (epoch seconds, so whole-second resolution), in ms.
 */
function recordStreamLag(records: DynamoDBStreamEvent['Records'], now = Date.now()): void {
  const created = records.flatMap((record) => {
    const at = record.dynamodb?.ApproximateCreationDateTime;
    return typeof at === 'number' && Number.isFinite(at) ? [at * 1000] : [];
  });
  if (created.length > 0) streamLag(now - Math.min(...created));
}
