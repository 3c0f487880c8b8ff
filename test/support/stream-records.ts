import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * DynamoDB stream records as Lambda receives them from the table's stream
 * (NEW_AND_OLD_IMAGES), built from plain item states, for the tests and the
 * bench. Images are marshalled with @aws-sdk/util-dynamodb (undefined values
 * dropped), so they decode as the table's own records do.
 */

type Item = Record<string, unknown>;

export interface StreamChangeInput {
  /** The item before the write; absent for an insert. */
  readonly old?: Item;
  /** The item after the write; absent for a removal. */
  readonly new?: Item;
  /** Default: `event-<sequence number>`. */
  readonly eventId?: string;
  /** Default: the next of an increasing 21-digit counter. A number is padded to 21 digits. */
  readonly sequenceNumber?: string | number;
  /** Default: `pk` and `sk` of the image (none when it has neither). */
  readonly keys?: Item;
  /** Names the stream in eventSourceARN. Default `crm`. */
  readonly tableName?: string;
  /** Default `us-east-1`. */
  readonly region?: string;
}

const image = (item: Item) =>
  marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;

let lastSequence = 10n ** 20n;
const nextSequence = () => {
  lastSequence += 1n;
  return lastSequence.toString();
};

/**
 * One stream record; eventName is inferred from the images (old only:
 * REMOVE, both: MODIFY, new only: INSERT). Throws when neither image is given.
 */
export function streamRecord(change: StreamChangeInput): DynamoDBRecord {
  const { old, new: next, tableName = 'crm', region = 'us-east-1' } = change;
  const current = next ?? old;
  if (!current) throw new Error('A stream record needs an old or a new image');
  const sequenceNumber =
    typeof change.sequenceNumber === 'number'
      ? String(change.sequenceNumber).padStart(21, '0')
      : (change.sequenceNumber ?? nextSequence());
  const keys =
    change.keys ??
    Object.fromEntries(Object.entries(current).filter(([name]) => name === 'pk' || name === 'sk'));
  const NewImage = next ? image(next) : undefined;
  const OldImage = old ? image(old) : undefined;
  return {
    eventID: change.eventId ?? `event-${sequenceNumber}`,
    eventName: !next ? 'REMOVE' : old ? 'MODIFY' : 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      ...(Object.keys(keys).length > 0 ? { Keys: image(keys) } : {}),
      ...(OldImage ? { OldImage } : {}),
      ...(NewImage ? { NewImage } : {}),
      SequenceNumber: sequenceNumber,
      SizeBytes: Buffer.byteLength(JSON.stringify([OldImage, NewImage])),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: `arn:aws:dynamodb:${region}:000000000000:table/${tableName}/stream/2025-01-01T00:00:00.000`,
  };
}

/** A batch as the stream delivers it to the function. */
export const streamEvent = (records: readonly DynamoDBRecord[]): DynamoDBStreamEvent => ({
  Records: [...records],
});

/** A batch of records built from plain item states, in the given order. */
export const streamEventOf = (changes: readonly StreamChangeInput[]): DynamoDBStreamEvent =>
  streamEvent(changes.map(streamRecord));
