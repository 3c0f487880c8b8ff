import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  boundedEntry,
  boundedText,
  boundedValue,
  MAX_ENTRY_BYTES,
  MAX_VALUE_BYTES,
} from '#shared/domain/bounded';
import { logger } from '#shared/observability/logger';
import { streamRecord } from '../support/stream-records.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.AWS_REGION = 'us-east-1';

/** DynamoDB's own refusal of an item over 400 KB or a key over 2 KB. */
const validation = (message = 'Item size has exceeded the maximum allowed size') =>
  Object.assign(new Error(message), { name: 'ValidationException', $fault: 'client', $metadata: {} });

const dynamoMock = mockClient(DynamoDBDocumentClient);
let dir: string;
let failureFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stream-isolation-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  failureFile = join(dir, `failures-${Math.random().toString(36).slice(2)}.jsonl`);
  process.env.LOCAL_STREAM_FAILURE_FILE = failureFile;
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  dynamoMock.on(GetCommand).resolves({});
  // Users' names and current teams: none known here.
  dynamoMock.on(BatchGetCommand).resolves({ Responses: {} });
  dynamoMock.on(QueryCommand).resolves({ Items: [] });
  dynamoMock.on(UpdateCommand).resolves({});
  dynamoMock.on(PutCommand).resolves({});
  dynamoMock.on(TransactWriteCommand).resolves({});
  dynamoMock.on(BatchWriteCommand).resolves({});
});
afterEach(() => {
  dynamoMock.reset();
  vi.restoreAllMocks();
  delete process.env.LOCAL_STREAM_FAILURE_FILE;
});

const setAsideLines = async (): Promise<Record<string, unknown>[]> => {
  try {
    return (await readFile(failureFile, 'utf8'))
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    return [];
  }
};

/** A contact created by its owner (no notification): one timeline entry, one overview count. */
function contactRecord(tenantId: string, id: string, sequence: string, extra: Record<string, unknown> = {}) {
  const at = '2026-03-01T10:00:00.000Z';
  return streamRecord({
    eventId: `${tenantId}-${id}-${sequence}`,
    sequenceNumber: sequence,
    new: {
      pk: `T#${tenantId}#CONTACT#${id}`,
      sk: 'A',
      entity: 'contact',
      tenantId,
      id,
      firstName: 'Ana',
      ownerId: 'u1',
      createdBy: 'u1',
      updatedBy: 'u1',
      archived: false,
      version: 1,
      createdAt: at,
      updatedAt: at,
      ...extra,
    },
  });
}

type Puts = { RequestItems: Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]> };
const tenantsIn = (input: Puts) =>
  Object.values(input.RequestItems)
    .flat()
    .map((request) => request.PutRequest?.Item.tenantId);

describe('bounded derived items', () => {
  it('keeps small values as they are and summarises large ones by their start and size', () => {
    expect(boundedValue({ plan: 'gold' })).toEqual({ value: { plan: 'gold' }, summarised: false });
    const notes = 'x'.repeat(250_000);
    const { value, summarised } = boundedValue({ notes });
    expect(summarised).toBe(true);
    expect(typeof value).toBe('string');
    expect(value as string).toMatch(/^\{"notes":"xxx/);
    expect(value as string).toMatch(/… \(244\.\d KB in all\)$/);
    expect(Buffer.byteLength(value as string)).toBeLessThanOrEqual(MAX_VALUE_BYTES);
    // Multi-byte text is never cut inside a character.
    const emoji = boundedValue('😀'.repeat(2000)).value as string;
    expect(emoji).not.toMatch(/\uFFFD/);
    expect(emoji.startsWith('😀😀')).toBe(true);
    expect(boundedText('añoñ'.repeat(100), 10)).toHaveLength(10);
    expect(boundedText('short', 10)).toBe('short');
  });

  it('bounds a timeline entry built from two 250 KB values, and marks the change summarised', () => {
    const entry = {
      kind: 'updated',
      summary: 'Ana',
      changes: [
        { field: 'customFields', from: { notes: 'a'.repeat(250_000) }, to: { notes: 'b'.repeat(250_000) } },
        { field: 'title', from: 'CTO', to: 'CEO' },
      ],
    };
    const bounded = boundedEntry(entry);
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(bounded.changes?.[0]).toMatchObject({ field: 'customFields', summarised: true });
    expect(bounded.changes?.[1]).toEqual({ field: 'title', from: 'CTO', to: 'CEO' });
    const small = { kind: 'updated', changes: [{ field: 'title', from: 'a', to: 'b' }] };
    expect(boundedEntry(small)).toBe(small);
  });

  it('bounds an entry of many fields, each under the value limit, within the entry limit', () => {
    const many = Array.from({ length: 60 }, (_, index) => ({
      field: `f${index}`,
      from: 'x'.repeat(1500),
      to: 'y'.repeat(1500),
    }));
    const bounded = boundedEntry({ kind: 'updated', changes: many });
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(bounded.changes).toHaveLength(60);
  });

  it('cuts notification titles', async () => {
    const { notificationItems, MAX_TITLE_CHARS } = await import('#shared/store/notifications');
    const [item] = notificationItems('t1', ['u2'], {
      kind: 'mention',
      title: `You were mentioned on contact ${'Ana '.repeat(10_000)}`,
      occurredAt: '2026-03-01T10:00:00.000Z',
      key: 'mention:c1',
    });
    expect([...String(item?.Put?.Item?.title)]).toHaveLength(MAX_TITLE_CHARS);
  });
});

describe('the stream consumer isolates each record', () => {
  it("sets aside a record whose timeline entry DynamoDB refuses; another tenant's record in the batch is written", async () => {
    const { handler } = await import('#functions/stream/tableChanges');
    dynamoMock.on(BatchWriteCommand).callsFake((input: Puts) => {
      if (tenantsIn(input).includes('poison')) throw validation();
      return {};
    });
    const result = await handler({
      Records: [
        contactRecord('innocent', 'c1', '100'),
        contactRecord('poison', 'c2', '101'),
        contactRecord('innocent2', 'c3', '102'),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    // Tried together, then apart: both innocent tenants' entries were written on their own.
    const lone = dynamoMock
      .commandCalls(BatchWriteCommand)
      .map((call) => tenantsIn(call.args[0].input as Puts))
      .filter((tenants) => !tenants.includes('poison'));
    expect(lone.flat()).toEqual(expect.arrayContaining(['innocent', 'innocent2']));
    const lines = await setAsideLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      eventId: 'poison-c2-101',
      sequenceNumber: '101',
      tenantId: 'poison',
      keys: { pk: 'T#poison#CONTACT#c2', sk: 'A' },
      reasons: { 'timeline and notifications': expect.stringContaining('ValidationException') },
    });
    // Never the images: they hold personal data.
    expect(JSON.stringify(lines[0])).not.toContain('Ana');
  });

  it('splits an aggregate transaction so a poison event of the same tenant fails alone', async () => {
    const { handler } = await import('#functions/stream/tableChanges');
    type Transact = { TransactItems: { Put?: { Item: Record<string, unknown> } }[] };
    const applied: string[][] = [];
    dynamoMock.on(TransactWriteCommand).callsFake((input: Transact) => {
      const markers = input.TransactItems.flatMap((item) => (item.Put ? [String(item.Put.Item.pk)] : []));
      if (markers.some((sk) => sk.includes('t1-bad'))) throw validation('Item size to update has exceeded');
      applied.push(markers);
      return {};
    });
    const result = await handler({
      Records: [
        contactRecord('t1', 'good1', '200'),
        contactRecord('t1', 'bad', '201'),
        contactRecord('t1', 'good2', '202'),
        contactRecord('t1', 'good3', '203'),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    const appliedEvents = applied.flat().join(' ');
    for (const good of ['t1-good1-200', 't1-good2-202', 't1-good3-203'])
      expect(appliedEvents).toContain(good);
    const lines = await setAsideLines();
    expect(lines.map((line) => line.eventId)).toEqual(['t1-bad-201']);
    expect(lines[0]?.reasons).toEqual({ aggregates: expect.stringContaining('ValidationException') });
  });

  it('isolates a poison event inside a transaction cancelled with a ValidationError reason', async () => {
    const { handler } = await import('#functions/stream/tableChanges');
    type Transact = { TransactItems: { Put?: { Item: Record<string, unknown> } }[] };
    dynamoMock.on(TransactWriteCommand).callsFake((input: Transact) => {
      const reasons = input.TransactItems.map((item) => ({
        Code: String(item.Put?.Item.pk ?? '').includes('t1-bad') ? 'ValidationError' : 'None',
      }));
      if (reasons.some((reason) => reason.Code === 'ValidationError'))
        throw new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: reasons,
        });
      return {};
    });
    const result = await handler({
      Records: [contactRecord('t1', 'bad', '300'), contactRecord('t1', 'good', '301')],
    });
    expect(result.batchItemFailures).toEqual([]);
    expect((await setAsideLines()).map((line) => line.eventId)).toEqual(['t1-bad-300']);
  });

  it('reports a passing failure for retry, only for the records it hit, and sets nothing aside', async () => {
    const { handler } = await import('#functions/stream/tableChanges');
    dynamoMock.on(BatchWriteCommand).callsFake((input: Puts) => {
      if (tenantsIn(input).includes('busy'))
        throw new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} });
      return {};
    });
    const result = await handler({
      Records: [contactRecord('calm', 'c1', '400'), contactRecord('busy', 'c2', '401')],
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '401' }]);
    expect(await setAsideLines()).toEqual([]);
  });

  it('sets aside a record whose image cannot be read, and applies the rest of the batch', async () => {
    const { handler } = await import('#functions/stream/tableChanges');
    const unreadable = contactRecord('broken', 'c9', '600');
    (unreadable.dynamodb?.NewImage as Record<string, unknown>).version = { Z: 'no such type' };
    const result = await handler({ Records: [unreadable, contactRecord('fine', 'c1', '601')] });
    expect(result.batchItemFailures).toEqual([]);
    const lines = await setAsideLines();
    expect(lines.map((line) => line.eventId)).toEqual(['broken-c9-600']);
    expect(lines[0]?.reasons).toEqual({ decode: expect.stringContaining('UndecodableRecord') });
    const tenants = dynamoMock
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => tenantsIn(call.args[0].input as Puts));
    // Its timeline entry and its domain events' marker; nothing of the unreadable record.
    expect([...new Set(tenants)]).toEqual(['fine']);
  });

  it('reports a poison record for retry when it cannot be set aside', async () => {
    const { handler } = await import('#functions/stream/tableChanges');
    delete process.env.LOCAL_STREAM_FAILURE_FILE;
    delete process.env.STREAM_FAILURE_QUEUE_URL;
    dynamoMock.on(BatchWriteCommand).callsFake((input: Puts) => {
      if (tenantsIn(input).includes('poison')) throw validation();
      return {};
    });
    const result = await handler({
      Records: [contactRecord('innocent', 'c1', '500'), contactRecord('poison', 'c2', '501')],
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '501' }]);
  });
});

describe('the set-aside destination in AWS', () => {
  it('sends each record to the stream failure queue with its reasons, and throws when SQS refuses', async () => {
    const { SendMessageBatchCommand, SQSClient } = await import('@aws-sdk/client-sqs');
    const sqsMock = mockClient(SQSClient);
    delete process.env.LOCAL_STREAM_FAILURE_FILE;
    process.env.STREAM_FAILURE_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/stream-failures';
    try {
      const { setAside } = await import('#functions/stream/pipeline/set-aside');
      sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
      const record = {
        eventId: 'e1',
        sequenceNumber: '7',
        tenantId: 't1',
        keys: { pk: 'T#t1#CONTACT#c1', sk: 'A' },
        reasons: { timeline: 'ValidationException: too big' },
      };
      await setAside([record]);
      const input = sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input;
      expect(input?.QueueUrl).toBe(process.env.STREAM_FAILURE_QUEUE_URL);
      expect(JSON.parse(input?.Entries?.[0]?.MessageBody ?? '{}')).toMatchObject(record);

      sqsMock.on(SendMessageBatchCommand).resolves({
        Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }],
        Successful: [],
      });
      await expect(setAside([record])).rejects.toThrow(/refused/);
    } finally {
      delete process.env.STREAM_FAILURE_QUEUE_URL;
      sqsMock.restore();
    }
  });
});
