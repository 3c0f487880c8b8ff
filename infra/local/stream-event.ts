import type {
  AttributeValue as StreamsAttributeValue,
  _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/**
 * Turns a record read with the DynamoDB Streams API into the record Lambda's event
 * source mapping delivers: JSON wire format (binary as base64, creation time in
 * epoch seconds), the stream ARN as eventSourceARN, the function's region.
 */
export function toLambdaStreamRecord(
  record: StreamsRecord,
  streamArn: string,
  region: string,
): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const created = data.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(created === undefined
        ? {}
        : { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) }),
      ...(data.Keys ? { Keys: toWireImage(data.Keys) } : {}),
      ...(data.NewImage ? { NewImage: toWireImage(data.NewImage) } : {}),
      ...(data.OldImage ? { OldImage: toWireImage(data.OldImage) } : {}),
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType,
    },
    eventSourceARN: streamArn,
    // Present for deletions by TTL ({type: 'Service', principalId: 'dynamodb.amazonaws.com'}).
    ...(record.userIdentity ? { userIdentity: { ...record.userIdentity } } : {}),
  };
}

function toWireImage(image: Record<string, StreamsAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toWireValue(value)]));
}

function toWireValue(value: StreamsAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toWireValue) };
  if (value.M !== undefined) return { M: toWireImage(value.M) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  // The SDK reads an empty map `{"M":{}}` as `{}`; nothing else comes out empty.
  if (Object.keys(value).length === 0) return { M: {} };
  // Never throw here: a record that cannot be converted would stall its shard for good.
  return value as unknown as AttributeValue;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
