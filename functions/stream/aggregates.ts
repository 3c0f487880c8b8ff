import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { overviewChange } from '#shared/domain/overview';
import { applyCountedEvents, type CountedEvent, MAX_EVENTS_PER_TRANSACTION } from '#shared/store/aggregates';
import { applyCampaignStats } from './campaign-stats.ts';
import { applyCollaboration, type StreamChange } from './collaboration.ts';
import { applyContactActivity } from './contact-activity.ts';
import { applySequenceExits } from './sequence-exits.ts';
import { applyTeamMoves } from './team-moves.ts';

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

const imageOf = (image: Image | undefined) =>
  image ? unmarshall(image as Record<string, AttributeValue>) : undefined;

interface Pending extends CountedEvent {
  readonly sequenceNumber: string;
}

/**
 * The table-stream consumer: per-tenant aggregates, then timelines and
 * notifications (collaboration.ts). Delivery is at least once, so every step
 * is idempotent; a failure reports the failed records and Lambda retries from
 * the earliest of them.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const byTenant = new Map<string, Pending[]>();
  const seen = new Set<string>();
  for (const record of event.Records) {
    const change = overviewChange(imageOf(record.dynamodb?.OldImage), imageOf(record.dynamodb?.NewImage));
    const eventId = record.eventID;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    // A batch can carry the same event twice; one transaction may not write one marker twice.
    if (!change || !eventId || !sequenceNumber || seen.has(eventId)) continue;
    seen.add(eventId);
    const list = byTenant.get(change.tenantId) ?? [];
    list.push({ eventId, sequenceNumber, deltas: change.deltas });
    byTenant.set(change.tenantId, list);
  }

  const failed: string[] = [];
  for (const [tenantId, events] of byTenant) {
    for (let start = 0; start < events.length; start += MAX_EVENTS_PER_TRANSACTION) {
      const chunk = events.slice(start, start + MAX_EVENTS_PER_TRANSACTION);
      try {
        await applyCountedEvents(tenantId, chunk);
      } catch (error) {
        console.error(
          JSON.stringify({
            level: 'error',
            message: 'aggregate update failed',
            tenantId,
            error: String(error),
          }),
        );
        failed.push(...chunk.map((pending) => pending.sequenceNumber));
      }
    }
  }

  const handled = new Set<string>();
  const changes: (StreamChange & { sequenceNumber: string })[] = [];
  for (const record of event.Records) {
    const eventId = record.eventID;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (!eventId || !sequenceNumber || handled.has(eventId)) continue;
    handled.add(eventId);
    changes.push({
      eventId,
      sequenceNumber,
      before: imageOf(record.dynamodb?.OldImage),
      after: imageOf(record.dynamodb?.NewImage),
    });
  }
  const collaborationFailures = await applyCollaboration(changes);
  for (const change of changes)
    if (collaborationFailures.has(change.eventId)) failed.push(change.sequenceNumber);
  const activityFailures = await applyContactActivity(changes);
  for (const change of changes) if (activityFailures.has(change.eventId)) failed.push(change.sequenceNumber);
  const sequenceFailures = await applySequenceExits(changes);
  for (const change of changes) if (sequenceFailures.has(change.eventId)) failed.push(change.sequenceNumber);
  const campaignFailures = await applyCampaignStats(changes);
  for (const change of changes) if (campaignFailures.has(change.eventId)) failed.push(change.sequenceNumber);
  const teamFailures = await applyTeamMoves(changes);
  for (const change of changes) if (teamFailures.has(change.eventId)) failed.push(change.sequenceNumber);
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
