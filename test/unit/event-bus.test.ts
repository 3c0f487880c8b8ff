import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DomainEvent, domainEventId } from '#shared/domain/domain-events';
import { busEntry, callsOf, EVENT_SOURCE, entrySize, MAX_REQUEST_BYTES } from '#shared/events/bus';
import { eventBridgeBus, MAX_PUT_ATTEMPTS } from '#shared/events/eventbridge-bus';
import { localEventBus, recordedEvents } from '#shared/events/local-bus';
import { logOutput } from '../support/log-output.ts';
import { streamRecord } from '../support/stream-records.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.AWS_REGION = 'us-east-1';
process.env.EVENT_BUS_NAME = 'crm-events';
process.env.EVENT_BUS_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/crm-events-dlq';
// The stand-in keeps events in memory here. Under `npm test` the workers inherit the test runtime's
// environment (test/support/global-setup.ts), whose LOCAL_EVENTS_FILE would send them to its file.
process.env.EVENT_BUS = 'local';
delete process.env.LOCAL_EVENTS_FILE;

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => {
  eventBridge.reset();
  sqs.reset();
  dynamo.reset();
  vi.restoreAllMocks();
});

const event = (n: number, data: Record<string, unknown> = {}, tenantId = 't1'): DomainEvent => ({
  id: domainEventId(`src-${n}`, 'contact.created'),
  type: 'contact.created',
  tenantId,
  occurredAt: '2026-03-01T10:00:00.000Z',
  data: { id: `c${n}`, ...data },
});
const bus = () =>
  eventBridgeBus({
    eventBridge: new EventBridgeClient({}),
    sqs: new SQSClient({}),
    sleep: async () => undefined,
  });
const putCalls = () =>
  eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
const dlqBodies = () =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => JSON.parse(entry.MessageBody ?? '{}'));
const accepted = (count: number) => ({
  FailedEntryCount: 0,
  Entries: Array.from({ length: count }, (_, index) => ({ EventId: `e${index}` })),
});

describe('entries and calls', () => {
  it('an entry: source crm, the type as detail-type, the event as detail, the bus by name, the event time', () => {
    const { entry, truncated } = busEntry(event(1), 'crm-events');
    expect(truncated).toBe(false);
    expect(entry).toEqual({
      Source: EVENT_SOURCE,
      DetailType: 'contact.created',
      Detail: JSON.stringify(event(1)),
      Time: new Date('2026-03-01T10:00:00.000Z'),
      EventBusName: 'crm-events',
    });
  });

  it('calls hold at most 10 entries and 256 KB', () => {
    const small = Array.from({ length: 25 }, (_, n) => busEntry(event(n), 'b').entry);
    expect(callsOf(small, entrySize).map((call) => call.length)).toEqual([10, 10, 5]);
    const big = Array.from(
      { length: 5 },
      (_, n) => busEntry(event(n, { notes: 'x'.repeat(100_000) }), 'b').entry,
    );
    const calls = callsOf(big, entrySize);
    expect(calls.map((call) => call.length)).toEqual([2, 2, 1]);
    for (const call of calls)
      expect(call.reduce((sum, entry) => sum + entrySize(entry), 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });

  it('an event over the limit on its own goes with its data cut to the id', () => {
    const { entry, truncated } = busEntry(event(1, { notes: 'x'.repeat(300_000) }), 'b');
    expect(truncated).toBe(true);
    expect(JSON.parse(entry.Detail).data).toEqual({ id: 'c1', truncated: true });
    expect(entrySize(entry)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });
});

describe('the EventBridge adapter under faults', () => {
  it('sends 23 events in calls of 10, 10 and 3', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input) => accepted(input.Entries.length));
    await bus().publish(Array.from({ length: 23 }, (_, n) => event(n)));
    expect(putCalls().map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('retries only the entries PutEvents reports as failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: 'a' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
          { EventId: 'c' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
        ],
      })
      .resolves(accepted(2));
    const events = [event(0), event(1), event(2), event(3)];
    await bus().publish(events);
    const calls = putCalls();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.map((entry) => JSON.parse(entry.Detail ?? '{}').id)).toEqual([
      events[1]?.id,
      events[3]?.id,
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('after the last attempt sends what still fails to the DLQ, with the reason, and logs it', async () => {
    const logged = logOutput();
    eventBridge.on(PutEventsCommand).callsFake((input) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((entry: { Detail: string }) =>
        JSON.parse(entry.Detail).data.id === 'c1'
          ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }
          : { EventId: 'ok' },
      ),
    }));
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }] });
    await bus().publish([event(0), event(1), event(2)]);
    expect(putCalls().map((entries) => entries.length)).toEqual([3, ...Array(MAX_PUT_ATTEMPTS - 1).fill(1)]);
    expect(dlqBodies()).toEqual([
      {
        event: event(1),
        error: 'ThrottlingException: slow down',
        attempts: MAX_PUT_ATTEMPTS,
        failedAt: expect.any(String),
      },
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(
      process.env.EVENT_BUS_DLQ_URL,
    );
    expect(logged.mock.calls.map(([line]) => line).join('')).toContain('sent to its DLQ');
  });

  it('an entry error no retry mends goes to the DLQ at once', async () => {
    logOutput();
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' }],
    });
    sqs.on(SendMessageBatchCommand).resolves({});
    await bus().publish([event(0)]);
    expect(putCalls()).toHaveLength(1);
    expect(dlqBodies().map((letter) => [letter.error, letter.attempts])).toEqual([
      ['MalformedDetail: bad', 1],
    ]);
  });

  it('retries a whole call that was throttled', async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(
        Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .resolves(accepted(2));
    await bus().publish([event(0), event(1)]);
    expect(putCalls().map((entries) => entries.length)).toEqual([2, 2]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('a call that keeps being throttled ends in the DLQ; a denied call goes there at once', async () => {
    logOutput();
    sqs.on(SendMessageBatchCommand).resolves({});
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    eventBridge.on(PutEventsCommand).rejects(throttled);
    await bus().publish([event(0)]);
    expect(putCalls()).toHaveLength(MAX_PUT_ATTEMPTS);
    expect(dlqBodies().map((letter) => letter.error)).toEqual(['ThrottlingException: Rate exceeded']);
    eventBridge.reset();
    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({});
    const denied = Object.assign(new Error('not allowed'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    eventBridge.on(PutEventsCommand).rejects(denied);
    await bus().publish([event(0)]);
    expect(putCalls()).toHaveLength(1);
    expect(dlqBodies().map((letter) => letter.error)).toEqual(['AccessDeniedException: not allowed']);
  });

  it('rejects when the DLQ keeps refusing too, so the stream retries the records', async () => {
    logOutput();
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail' }] });
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await expect(bus().publish([event(0)])).rejects.toThrow(/DLQ kept refusing/);
  });
});

describe('the local stand-in', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-events-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('records one JSON line per event and reads them back by tenant and type', async () => {
    const file = join(dir, 'events.jsonl');
    const local = localEventBus({ file });
    const deal = { ...event(2), type: 'deal.won' as const, id: domainEventId('src-2', 'deal.won') };
    await local.publish([event(1), deal, event(3, {}, 'other')]);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(3);
    expect((await recordedEvents({ tenantId: 't1' }, file)).map((entry) => entry.detail.id)).toEqual([
      event(1).id,
      deal.id,
    ]);
    const won = await recordedEvents({ tenantId: 't1', type: 'deal.won' }, file);
    expect(won).toEqual([
      { sentAt: expect.any(String), source: 'crm', detailType: 'deal.won', detail: deal },
    ]);
    expect(await recordedEvents({ tenantId: 't1' }, join(dir, 'none.jsonl'))).toEqual([]);
  });
});

describe('the stream consumer', () => {
  const tenant = `t-consumer-${Date.now()}`;
  const contactItem = (id: string) => ({
    pk: `T#${tenant}#CONTACT#${id}`,
    sk: 'A',
    entity: 'contact',
    tenantId: tenant,
    id,
    firstName: 'Ana',
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z',
    version: 1,
    archived: false,
  });

  it('publishes the events of records without a marker, then marks them: one write per record', async () => {
    const { handler } = await import('#functions/stream/tableChanges');
    dynamo.on(BatchWriteCommand).resolves({});
    // The webhook fan-out (after the bus) reads the tenant's enabled webhooks: it has none.
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(BatchGetCommand).callsFake((input) => {
      const keys =
        Object.values(input.RequestItems as Record<string, { Keys: { pk: string }[] }>)[0]?.Keys ?? [];
      // The first record was published before (a replay): its marker is there.
      const marked = keys.filter((key) => key.pk.endsWith('#rec-1'));
      return { Responses: { 'crm-test': marked.map(() => ({ tenantId: tenant, eventId: 'rec-1' })) } };
    });
    logOutput();
    const result = await handler({
      Records: [
        streamRecord({ eventId: 'rec-1', new: contactItem('c1') }),
        streamRecord({ eventId: 'rec-2', new: contactItem('c2') }),
        // A last-activity stamp: no event, no marker.
        streamRecord({
          eventId: 'rec-3',
          old: contactItem('c2'),
          new: { ...contactItem('c2'), lastActivityAt: 'x' },
        }),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    const published = await recordedEvents({ tenantId: tenant });
    expect(published.map((entry) => [entry.detailType, entry.detail.data.id])).toEqual([
      ['contact.created', 'c2'],
    ]);
    const markers = dynamo
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => Object.values(call.args[0].input.RequestItems ?? {}).flat())
      .map((request) => request.PutRequest?.Item)
      .filter((item) => item?.sk === 'EVENTS');
    expect(markers.map((item) => item?.pk)).toEqual([`T#${tenant}#STREAM#rec-2`]);
  });
});

describe('the README', () => {
  it('documents an event pattern for every type', async () => {
    const { domainEventTypes } = await import('#shared/domain/domain-events');
    const readme = await readFile(join(import.meta.dirname, '../../README.md'), 'utf8');
    for (const type of domainEventTypes)
      expect(readme, type).toContain(
        `| \`${type}\` | \`{"source": ["${EVENT_SOURCE}"], "detail-type": ["${type}"]}\` |`,
      );
  });
});
