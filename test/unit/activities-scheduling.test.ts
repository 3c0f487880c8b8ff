import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScheduleRequest, Scheduler } from '#shared/schedule/scheduler';
import type { Activity } from '#shared/store/entities';
import { testContext as context, httpEvent as event } from '../support/http-event.ts';
import { logOutput } from '../support/log-output.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.SIGNING_SECRET = 'unit-test-secret';
process.env.AWS_REGION = 'us-east-1';

/** Everything the handler did, in order: scheduler calls and table writes. */
const steps: string[] = [];
const scheduler = {
  schedule: vi.fn(async (request: ScheduleRequest) => {
    steps.push(`schedule ${request.name} ${request.payload.remindAt}`);
  }),
  cancel: vi.fn(async (name: string) => {
    steps.push(`cancel ${name}`);
  }),
} satisfies Scheduler;

vi.mock('#shared/schedule/select', () => ({ getScheduler: async () => scheduler }));

const dynamoMock = mockClient(DynamoDBDocumentClient);

const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const contactId = '01BX5ZZKBKACTAV9WEVGEMMVRZ';
const activityKey = { pk: `T#acme#ACTIVITY#${id}`, sk: 'A' };
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const inTwoHours = () => new Date(Date.now() + 7_200_000).toISOString();

const stored = (overrides: Partial<Activity> = {}): Activity => ({
  id,
  createdAt: '2030-06-01T00:00:00.000Z',
  updatedAt: '2030-06-01T00:00:00.000Z',
  version: 2,
  ownerId: 'u1',
  archived: false,
  type: 'task',
  // One word: the write is one conditional PutItem, which the faults below target (more words add search-word items in a transaction).
  subject: 'Proposal',
  assigneeId: 'u1',
  status: 'open',
  reminderState: 'none',
  ...overrides,
});

let activities: typeof import('#functions/http/activities');
beforeAll(async () => {
  activities = await import('#functions/http/activities');
});

beforeEach(() => {
  steps.length = 0;
  dynamoMock.on(PutCommand).callsFake((input) => {
    steps.push(`write ${input.Item.reminderState}`);
    return {};
  });
});

afterEach(() => {
  dynamoMock.reset();
  scheduler.schedule.mockClear();
  scheduler.cancel.mockClear();
  vi.restoreAllMocks();
});

const json = (response: { body?: string }) => JSON.parse(String(response.body));

describe('activity reminders and the scheduler', () => {
  it('schedules a reminder before writing the activity that relies on it', async () => {
    const remindAt = inAnHour();
    const response = await activities.handler(
      event('POST /activities', '/activities', { type: 'call', subject: 'Call', remindAt }),
      context,
    );
    expect(response.statusCode).toBe(201);
    const created = json(response);
    expect(created).toMatchObject({ reminderState: 'pending', remindAt, status: 'open', assigneeId: 'u1' });
    expect(steps).toEqual([`schedule reminder-${created.id} ${remindAt}`, 'write pending']);
    expect(scheduler.schedule).toHaveBeenCalledWith({
      name: `reminder-${created.id}`,
      at: new Date(remindAt),
      target: 'reminder',
      payload: {
        tenantId: 'acme',
        activityId: created.id,
        remindAt,
        linkBaseUrl: expect.stringMatching(/^https?:\/\//),
      },
    });
  });

  it('answers 503 and saves nothing when the scheduler fails', async () => {
    logOutput();
    scheduler.schedule.mockRejectedValueOnce(new Error('Scheduler unavailable'));
    const response = await activities.handler(
      event('POST /activities', '/activities', { type: 'call', subject: 'Call', remindAt: inAnHour() }),
      context,
    );
    expect(response.statusCode).toBe(503);
    expect(json(response).detail).toContain('nothing was saved');
    expect(dynamoMock.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('cancels the schedule again when the write fails', async () => {
    dynamoMock
      .on(GetCommand, { Key: { pk: `T#acme#CONTACT#${contactId}`, sk: 'A' } })
      .resolves({ Item: { id: contactId, ownerId: 'u2', archived: false } });
    dynamoMock.on(GetCommand, { Key: { sk: 'A' }, ConsistentRead: true }).resolves({});
    dynamoMock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );
    const response = await activities.handler(
      event('POST /activities', '/activities', {
        type: 'call',
        subject: 'Call',
        remindAt: inAnHour(),
        related: { type: 'contact', id: contactId },
      }),
      context,
    );
    expect(response.statusCode).toBe(400);
    expect(json(response).errors).toEqual([
      { path: 'related.id', message: 'is not a live contact of this tenant you can read' },
    ]);
    expect(steps.map((step) => step.split(' ')[0])).toEqual(['schedule', 'cancel']);
  });

  it('moves the schedule before the write and cancels it after finishing the activity', async () => {
    const first = inAnHour();
    const moved = inTwoHours();
    dynamoMock
      .on(GetCommand, { Key: activityKey })
      .resolves({ Item: stored({ remindAt: first, reminderState: 'pending' }) });
    const move = await activities.handler(
      event('PATCH /activities/{id}', `/activities/${id}`, { remindAt: moved }),
      context,
    );
    expect(move.statusCode).toBe(200);
    expect(steps).toEqual([`schedule reminder-${id} ${moved}`, 'write pending']);

    steps.length = 0;
    const done = await activities.handler(
      event('PATCH /activities/{id}', `/activities/${id}`, { status: 'done' }),
      context,
    );
    expect(done.statusCode).toBe(200);
    expect(json(done)).toMatchObject({
      status: 'done',
      reminderState: 'none',
      completedAt: expect.any(String),
    });
    expect(steps).toEqual(['write none', `cancel reminder-${id}`]);
  });

  it('puts the schedule back to what the table says when a move loses the race', async () => {
    const first = inAnHour();
    dynamoMock
      .on(GetCommand, { Key: activityKey })
      .resolves({ Item: stored({ remindAt: first, reminderState: 'pending' }) });
    dynamoMock.on(PutCommand).callsFake(() => {
      steps.push('write refused');
      throw new ConditionalCheckFailedException({ message: 'version', $metadata: {} });
    });
    const response = await activities.handler(
      event('PATCH /activities/{id}', `/activities/${id}`, { remindAt: inTwoHours() }, { 'if-match': '"2"' }),
      context,
    );
    expect(response.statusCode).toBe(412);
    expect(steps.at(-1)).toBe(`schedule reminder-${id} ${first}`);
  });

  it('still answers when a cancel fails: the stray firing finds the activity done', async () => {
    const log = logOutput();
    scheduler.cancel.mockRejectedValueOnce(new Error('Scheduler unavailable'));
    dynamoMock
      .on(GetCommand, { Key: activityKey })
      .resolves({ Item: stored({ remindAt: inAnHour(), reminderState: 'pending' }) });
    const response = await activities.handler(
      event('PATCH /activities/{id}', `/activities/${id}`, { status: 'canceled' }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('could not be canceled'));
  });

  it('cancels on archive and schedules again on restore while the time is ahead', async () => {
    const remindAt = inAnHour();
    dynamoMock
      .on(GetCommand, { Key: activityKey })
      .resolvesOnce({ Item: stored({ remindAt, reminderState: 'pending' }) })
      .resolves({ Item: stored({ remindAt, reminderState: 'none', archived: true, version: 3 }) });
    const archived = await activities.handler(event('DELETE /activities/{id}', `/activities/${id}`), context);
    expect(archived.statusCode).toBe(204);
    const restored = await activities.handler(
      event('POST /activities/{id}/restore', `/activities/${id}/restore`),
      context,
    );
    expect(restored.statusCode).toBe(200);
    expect(steps).toEqual([
      'write none',
      `cancel reminder-${id}`,
      `schedule reminder-${id} ${remindAt}`,
      'write pending',
    ]);
  });
});
