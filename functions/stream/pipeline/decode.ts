import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ChangeKind, FailedIds, Image, TableChange } from './change.ts';
import { describeError, UndecodableRecord } from './isolation.ts';

/** What a set-aside entry names a record by (set-aside.ts): never its images. */
export interface RecordOrigin {
  readonly eventId: string;
  readonly sequenceNumber: string;
  readonly eventSourceArn?: string;
  readonly tenantId?: string;
  readonly keys?: Image;
}

export interface DecodedBatch {
  /** One per distinct, readable record, in stream order. */
  readonly changes: TableChange[];
  /** Every distinct record (readable or not), by eventId. */
  readonly origins: Map<string, RecordOrigin>;
  /** The records whose images cannot be read, each with an UndecodableRecord. */
  readonly failed: FailedIds;
}

type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

const imageOf = (image: StreamImage | undefined): Image | undefined =>
  image ? unmarshall(image as Record<string, AttributeValue>) : undefined;

/** The image, or undefined when it cannot be read (its record is then set aside for that). */
const readable = (image: StreamImage | undefined) => {
  try {
    return imageOf(image);
  } catch {
    return undefined;
  }
};

const kinds: Readonly<Record<string, ChangeKind>> = { INSERT: 'insert', MODIFY: 'modify', REMOVE: 'remove' };

/** From eventName; a record without one (a hand-made event) is read from which images it carries. */
const kindOf = (eventName: string | undefined, old: Image | undefined, next: Image | undefined): ChangeKind =>
  (eventName ? kinds[eventName] : undefined) ?? (!next ? 'remove' : old ? 'modify' : 'insert');

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Decodes a stream batch (NEW_AND_OLD_IMAGES) once for every consumer. A
 * record without an eventID or a SequenceNumber is skipped, and one whose
 * eventID came earlier in the batch is dropped, so each event is applied
 * once. `tenantId` and `entity` come from the new image (the old one for a
 * removal). A record whose old or new image cannot be unmarshalled fails here
 * (UndecodableRecord, permanent) and reaches no consumer; unreadable Keys only
 * leave `keys` undefined.
 */
export function decodeRecords(records: readonly DynamoDBRecord[]): DecodedBatch {
  const changes: TableChange[] = [];
  const origins = new Map<string, RecordOrigin>();
  const failed: FailedIds = new Map();
  for (const record of records) {
    const eventId = record.eventID;
    const stream = record.dynamodb;
    const sequenceNumber = stream?.SequenceNumber;
    if (!eventId || !sequenceNumber || origins.has(eventId)) continue;
    const keys = readable(stream?.Keys as StreamImage | undefined);
    const origin = (image: Image | undefined): RecordOrigin => {
      const tenantId = text(image?.tenantId);
      return {
        eventId,
        sequenceNumber,
        ...(record.eventSourceARN ? { eventSourceArn: record.eventSourceARN } : {}),
        ...(tenantId ? { tenantId } : {}),
        ...(keys ? { keys } : {}),
      };
    };
    let old: Image | undefined;
    let next: Image | undefined;
    try {
      old = imageOf(stream?.OldImage);
      next = imageOf(stream?.NewImage);
    } catch (error) {
      origins.set(eventId, origin(readable(stream?.NewImage ?? stream?.OldImage)));
      failed.set(eventId, new UndecodableRecord(describeError(error)));
      continue;
    }
    const image = next ?? old;
    origins.set(eventId, origin(image));
    const created = stream?.ApproximateCreationDateTime;
    changes.push({
      eventId,
      sequenceNumber,
      tenantId: text(image?.tenantId),
      entity: text(image?.entity),
      keys,
      old,
      new: next,
      kind: kindOf(record.eventName, old, next),
      ...(typeof created === 'number' && Number.isFinite(created)
        ? { streamedAt: new Date(created * 1000).toISOString() }
        : {}),
    });
  }
  return { changes, origins, failed };
}
