import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { testContext as context, httpEvent as event } from '../support/http-event.ts';
import { logOutput } from '../support/log-output.ts';
import { streamRecord } from '../support/stream-records.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.SIGNING_SECRET = 'unit-test-secret';
process.env.AWS_REGION = 'us-east-1';

const dynamoMock = mockClient(DynamoDBDocumentClient);
afterEach(() => {
  dynamoMock.reset();
  vi.restoreAllMocks();
});

describe('HTTP handlers under DynamoDB faults', () => {
  let contacts: typeof import('#functions/http/contacts');
  beforeAll(async () => {
    contacts = await import('#functions/http/contacts');
  });

  it('answers 429 with Retry-After when DynamoDB keeps throttling', async () => {
    dynamoMock
      .on(GetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const response = await contacts.handler(
      event('GET /contacts/{id}', '/contacts/01ARZ3NDEKTSV4RRFFQ69G5FAV'),
      context,
    );
    expect(response.statusCode).toBe(429);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });

  it('answers a 500 that tells nothing of the internals, and logs the error', async () => {
    const log = logOutput();
    // A create reads the entity's custom field definitions first: none.
    dynamoMock.on(GetCommand).resolves({});
    dynamoMock
      .on(TransactWriteCommand)
      .rejects(new Error('socket hang up at 10.0.0.12:443 secret-stack-detail'));
    const response = await contacts.handler(
      event('POST /contacts', '/contacts', { firstName: 'Ann', email: 'ann@example.com' }),
      context,
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('socket');
    expect(JSON.parse(String(response.body))).toMatchObject({ status: 500, title: 'Internal server error' });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('secret-stack-detail'));
  });

  it('retries a transaction cancelled by a concurrent one, then reports the conflict', async () => {
    const conflict = () =>
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      });
    dynamoMock.on(GetCommand).resolves({}); // no custom field definitions
    dynamoMock.on(TransactWriteCommand).rejectsOnce(conflict()).resolves({});
    const created = await contacts.handler(
      event('POST /contacts', '/contacts', { firstName: 'A', email: 'a@example.com' }),
      context,
    );
    expect(created.statusCode).toBe(201);
    expect(dynamoMock.commandCalls(TransactWriteCommand)).toHaveLength(2);

    dynamoMock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );
    const duplicate = await contacts.handler(
      event('POST /contacts', '/contacts', { firstName: 'B', email: 'a@example.com' }),
      context,
    );
    expect(duplicate.statusCode).toBe(409);
  });

  it('maps a lost optimistic-lock race without If-Match to a retry on fresh state', async () => {
    const stored = {
      id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      firstName: 'Ann',
      ownerId: 'u1',
      version: 1,
      archived: false,
      tags: [],
      customFields: {},
      marketingStatus: 'subscribed',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    dynamoMock
      .on(GetCommand)
      .resolvesOnce({ Item: stored })
      .resolves({ Item: { ...stored, version: 2 } });
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    dynamoMock
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }))
      .resolves({});
    const response = await contacts.handler(
      event('PATCH /contacts/{id}', `/contacts/${stored.id}`, { title: 'CEO' }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.body))).toMatchObject({ title: 'CEO', version: 3 });
  });

  it('re-reads and applies a PATCH whose transactions keep being cancelled by concurrent ones', async () => {
    // Two words: the change is a transaction (the record and its search word).
    const stored = {
      id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      firstName: 'Ann',
      lastName: 'Lee',
      ownerId: 'u1',
      version: 1,
      archived: false,
      tags: [],
      customFields: {},
      marketingStatus: 'subscribed',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    dynamoMock.on(GetCommand).resolves({ Item: stored });
    const conflict = new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
    });
    // The store retries a conflict 4 times; the fifth cancellation reaches the update loop.
    let calls = 0;
    dynamoMock.on(TransactWriteCommand).callsFake(() => {
      calls++;
      if (calls <= 5) throw conflict;
      return {};
    });
    const response = await contacts.handler(
      event('PATCH /contacts/{id}', `/contacts/${stored.id}`, { title: 'CEO' }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.body))).toMatchObject({ title: 'CEO', version: 2 });
    expect(calls).toBe(6);
  });
});

describe('stream consumer under DynamoDB faults', () => {
  const record = (id: string, sequence: string): DynamoDBRecord =>
    streamRecord({
      eventId: id,
      sequenceNumber: sequence,
      new: { entity: 'contact', tenantId: id.split(':')[0], archived: false },
    });

  it('reports the records of a tenant whose update failed, and only those', async () => {
    const { handler } = await import('#functions/stream/tableChanges');
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    dynamoMock.on(BatchWriteCommand).resolves({});
    // The domain events' markers: none yet.
    dynamoMock.on(BatchGetCommand).resolves({ Responses: {} });
    dynamoMock
      .on(TransactWriteCommand)
      .callsFake((input: { TransactItems: { Put?: { Item: { tenantId: string } } }[] }) => {
        if (input.TransactItems[0]?.Put?.Item.tenantId === 'broken') {
          throw new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} });
        }
        return {};
      });
    const result = await handler({
      Records: [
        record('ok:1', '100'),
        record('broken:2', '101'),
        record('broken:3', '102'),
        record('ok:4', '103'),
      ],
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '101' }, { itemIdentifier: '102' }]);
  });
});
