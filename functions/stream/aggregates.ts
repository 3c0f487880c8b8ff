import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { overviewChange } from '#shared/domain/overview';
import { applyCountedEvents, type CountedEvent, MAX_EVENTS_PER_TRANSACTION } from '#shared/store/aggregates';
import { applyCampaignStats } from './campaign-stats.ts';
import { applyCollaboration, type StreamChange } from './collaboration.ts';
import { applyContactActivity } from './contact-activity.ts';
import { applyIsolated, describeError, type Failures, isPermanent, UndecodableRecord } from './isolation.ts';
import { applySequenceExits } from './sequence-exits.ts';
import { type SetAsideRecord, setAside } from './set-aside.ts';
import { applyTeamMoves } from './team-moves.ts';

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

const imageOf = (image: Image | undefined) =>
  image ? unmarshall(image as Record<string, AttributeValue>) : undefined;

/** The image, or undefined when it cannot be read (a record being set aside for that). */
const readable = (image: Image | undefined) => {
  try {
    return imageOf(image);
  } catch {
    return undefined;
  }
};

/**
 * The table-stream consumer: per-tenant aggregates, then timelines and
 * notifications (collaboration.ts), contacts' last activity, sequence exits,
 * campaign stats and records following their owner's team (team-moves.ts). Delivery is at least once, so every step is idempotent.
 *
 * Each record succeeds or fails on its own (isolation.ts): a record that
 * fails only for reasons its content will cause again (isPermanent) is set
 * aside with the reasons (set-aside.ts) and not reported, so it holds up
 * nobody; a record that failed for a passing reason is reported in
 * batchItemFailures and Lambda retries from the earliest of them.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const records = new Map<string, DynamoDBRecord>();
  const changes: (StreamChange & { sequenceNumber: string })[] = [];
  const failures = new Map<string, Record<string, unknown>>();
  const collect = (consumer: string, failed: Failures) => {
    for (const [eventId, error] of failed)
      failures.set(eventId, { ...failures.get(eventId), [consumer]: error });
  };
  for (const record of event.Records) {
    const eventId = record.eventID;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    // A batch can carry the same event twice; it is applied once.
    if (!eventId || !sequenceNumber || records.has(eventId)) continue;
    records.set(eventId, record);
    try {
      changes.push({
        eventId,
        sequenceNumber,
        before: imageOf(record.dynamodb?.OldImage),
        after: imageOf(record.dynamodb?.NewImage),
      });
    } catch (error) {
      collect('decode', new Map([[eventId, new UndecodableRecord(describeError(error))]]));
    }
  }

  collect('aggregates', await applyAggregates(changes));
  collect('timeline and notifications', await applyCollaboration(changes));
  collect('contact activity', await applyContactActivity(changes));
  collect('sequence exits', await applySequenceExits(changes));
  collect('campaign stats', await applyCampaignStats(changes));
  collect('team moves', await applyTeamMoves(changes));
  return { batchItemFailures: await settleFailures(records, failures) };
}

/** Per tenant, chunks of one transaction each; a failed chunk is split until the failing events stand alone. */
async function applyAggregates(changes: readonly StreamChange[]): Promise<Failures> {
  const byTenant = new Map<string, CountedEvent[]>();
  for (const { eventId, before, after } of changes) {
    const change = overviewChange(before, after);
    if (!change) continue;
    const list = byTenant.get(change.tenantId) ?? [];
    list.push({ eventId, deltas: change.deltas });
    byTenant.set(change.tenantId, list);
  }
  const failed: Failures = new Map();
  for (const [tenantId, events] of byTenant) {
    for (let start = 0; start < events.length; start += MAX_EVENTS_PER_TRANSACTION) {
      const chunk = events.slice(start, start + MAX_EVENTS_PER_TRANSACTION);
      const failures = await applyIsolated(chunk, async (group) => {
        await applyCountedEvents(tenantId, group);
      });
      for (const { item, error } of failures) {
        console.error(
          JSON.stringify({
            level: 'error',
            message: 'aggregate update failed',
            tenantId,
            eventId: item.eventId,
            error: describeError(error),
          }),
        );
        failed.set(item.eventId, error);
      }
    }
  }
  return failed;
}

/**
 * Sets aside the records that failed only permanently, and returns the rest
 * of the failures for Lambda to retry (all of them, if setting aside fails).
 */
async function settleFailures(
  records: ReadonlyMap<string, DynamoDBRecord>,
  failures: ReadonlyMap<string, Record<string, unknown>>,
): Promise<DynamoDBBatchResponse['batchItemFailures']> {
  const retry: string[] = [];
  const poison: SetAsideRecord[] = [];
  for (const [eventId, byConsumer] of failures) {
    const record = records.get(eventId);
    const sequenceNumber = record?.dynamodb?.SequenceNumber;
    if (!record || !sequenceNumber) continue;
    if (!Object.values(byConsumer).every(isPermanent)) {
      retry.push(sequenceNumber);
      continue;
    }
    const image = readable(record.dynamodb?.NewImage ?? record.dynamodb?.OldImage);
    const keys = readable(record.dynamodb?.Keys as Image | undefined);
    poison.push({
      eventId,
      sequenceNumber,
      ...(record.eventSourceARN ? { eventSourceArn: record.eventSourceARN } : {}),
      ...(typeof image?.tenantId === 'string' ? { tenantId: image.tenantId } : {}),
      ...(keys ? { keys } : {}),
      reasons: Object.fromEntries(
        Object.entries(byConsumer).map(([consumer, error]) => [consumer, describeError(error)]),
      ),
    });
  }
  try {
    await setAside(poison);
    for (const record of poison)
      console.error(JSON.stringify({ level: 'error', message: 'stream record set aside', ...record }));
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'error',
        message: 'setting records aside failed',
        error: describeError(error),
      }),
    );
    retry.push(...poison.map((record) => record.sequenceNumber));
  }
  return retry.map((itemIdentifier) => ({ itemIdentifier }));
}
