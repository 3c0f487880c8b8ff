import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Activity, User } from '#shared/store/entities';
import { logOutput } from '../support/log-output.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.AWS_REGION = 'us-east-1';
delete process.env.MAIL_FROM;

const dynamoMock = mockClient(DynamoDBDocumentClient);
const sesMock = mockClient(SESv2Client);

const tenantId = 'acme';
const activityId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const remindAt = '2030-06-15T12:00:00.000Z';
const activityKey = { pk: `T#${tenantId}#ACTIVITY#${activityId}`, sk: 'A' };
const userKey = { pk: `T#${tenantId}#USER#u1`, sk: 'A' };
const event = { tenantId, activityId, remindAt, scheduledAt: remindAt };

const activity = (overrides: Partial<Activity> = {}): Activity => ({
  id: activityId,
  createdAt: '2030-06-01T00:00:00.000Z',
  updatedAt: '2030-06-01T00:00:00.000Z',
  version: 3,
  ownerId: 'u1',
  teamId: 'red',
  archived: false,
  type: 'call',
  // One word: the write is one conditional PutItem, which the faults below target (more words add search-word items in a transaction).
  subject: 'Renewal',
  assigneeId: 'u1',
  status: 'open',
  remindAt,
  reminderState: 'pending',
  ...overrides,
});

const user: User = {
  id: 'u1',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
  version: 1,
  ownerId: 'u1',
  archived: false,
  email: 'ana.rep@example.com',
  name: 'Ana',
  role: 'rep',
  active: true,
};

/** The Puts the handler made, by what they wrote. */
const puts = () => dynamoMock.commandCalls(PutCommand).map((call) => call.args[0].input);
const claims = () => puts().filter((input) => input.Item?.entity === 'activity');
const notifications = () => puts().filter((input) => input.Item?.entity === 'notification');

let reminder: typeof import('#functions/schedule/reminder');
beforeAll(async () => {
  reminder = await import('#functions/schedule/reminder');
});

beforeEach(() => {
  dynamoMock.on(GetCommand, { Key: userKey }).resolves({ Item: user });
  dynamoMock.on(PutCommand).resolves({});
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

afterEach(() => {
  dynamoMock.reset();
  sesMock.reset();
  vi.restoreAllMocks();
});

describe('reminder handler', () => {
  it('claims the reminder, notifies the assignee and emails them once', async () => {
    dynamoMock.on(GetCommand, { Key: activityKey }).resolves({ Item: activity() });
    await expect(reminder.handler(event)).resolves.toBe('sent');

    const [claim] = claims();
    expect(claims()).toHaveLength(1);
    expect(claim?.ConditionExpression).toBe('version = :version');
    expect(claim?.ExpressionAttributeValues).toEqual({ ':version': 3 });
    expect(claim?.Item).toMatchObject({ reminderState: 'sent', version: 4, updatedBy: 'system' });
    expect(claim?.Item?.remindedAt).toEqual(expect.any(String));

    expect(notifications()).toHaveLength(1);
    expect(notifications()[0]?.Item).toMatchObject({
      pk: `T#${tenantId}#USER#u1#NOTIFICATIONS`,
      sk: `N#${remindAt}#reminder:${activityId}`,
      kind: 'reminder',
      title: 'Reminder: Renewal',
      record: { type: 'activity', id: activityId },
    });

    const sent = sesMock.commandCalls(SendEmailCommand);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.args[0].input).toMatchObject({
      FromEmailAddress: 'crm@localhost.test',
      Destination: { ToAddresses: ['ana.rep@example.com'] },
      Content: { Simple: { Subject: { Data: 'Reminder: Renewal' } } },
      EmailTags: [
        { Name: 'kind', Value: 'reminder' },
        { Name: 'tenant', Value: 'acme' },
        { Name: 'activity', Value: activityId },
      ],
    });
  });

  it('sends nothing when another firing claimed it first', async () => {
    dynamoMock
      .on(GetCommand, { Key: activityKey })
      .resolvesOnce({ Item: activity() })
      .resolves({ Item: activity({ version: 4, reminderState: 'sent', remindedAt: remindAt }) });
    dynamoMock
      .on(PutCommand, { Item: { entity: 'activity' } })
      .rejects(new ConditionalCheckFailedException({ message: 'version', $metadata: {} }));
    await expect(reminder.handler(event)).resolves.toBe('already-sent');
    expect(notifications()).toHaveLength(0);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('never fires for a done, canceled, archived, erased or moved activity', async () => {
    const cases: [Activity | undefined, string][] = [
      [activity({ status: 'done', reminderState: 'none' }), 'closed'],
      [activity({ status: 'canceled', reminderState: 'none' }), 'closed'],
      [activity({ archived: true, reminderState: 'none' }), 'archived'],
      [undefined, 'missing'],
      [activity({ remindAt: '2030-06-15T13:00:00.000Z' }), 'moved'],
      [activity({ reminderState: 'sent', remindedAt: remindAt }), 'already-sent'],
    ];
    for (const [item, outcome] of cases) {
      dynamoMock.on(GetCommand, { Key: activityKey }).resolves(item ? { Item: item } : {});
      await expect(reminder.handler(event)).resolves.toBe(outcome);
    }
    expect(puts()).toHaveLength(0);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('throws when SES throttles, after giving the claim back, so the scheduler retries and sends', async () => {
    let stored = activity();
    dynamoMock.on(GetCommand, { Key: activityKey }).callsFake(() => ({ Item: stored }));
    dynamoMock.on(PutCommand, { Item: { entity: 'activity' } }).callsFake((input) => {
      stored = Object.fromEntries(
        Object.entries(input.Item).filter(([key]) => !key.startsWith('gsi') && key !== 'pk' && key !== 'sk'),
      ) as unknown as Activity;
      return {};
    });
    sesMock
      .on(SendEmailCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Maximum sending rate exceeded', $metadata: {} }))
      .resolves({ MessageId: 'm-2' });

    await expect(reminder.handler(event)).rejects.toThrow('Maximum sending rate exceeded');
    expect(stored).toMatchObject({ reminderState: 'pending', version: 5 });
    expect(stored).not.toHaveProperty('remindedAt');

    await expect(reminder.handler(event)).resolves.toBe('sent');
    expect(stored).toMatchObject({ reminderState: 'sent', version: 6 });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(2);
    // The retry's notification is the same item, written once (attribute_not_exists).
    expect(new Set(notifications().map((input) => input.Item?.sk)).size).toBe(1);
    expect(notifications().every((input) => input.ConditionExpression === 'attribute_not_exists(pk)')).toBe(
      true,
    );

    // A third, duplicate firing finds it sent.
    await expect(reminder.handler(event)).resolves.toBe('already-sent');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it('keeps the claim when SES fails in a way that may have sent: at most once', async () => {
    logOutput();
    dynamoMock.on(GetCommand, { Key: activityKey }).resolves({ Item: activity() });
    sesMock
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified', $metadata: {} }));
    await expect(reminder.handler(event)).resolves.toBe('email-failed');
    expect(claims()).toHaveLength(1);
  });

  it('gives the claim back and throws when the notification cannot be written', async () => {
    let stored = activity();
    dynamoMock.on(GetCommand, { Key: activityKey }).callsFake(() => ({ Item: stored }));
    dynamoMock.on(PutCommand, { Item: { entity: 'activity' } }).callsFake((input) => {
      stored = input.Item as Activity;
      return {};
    });
    dynamoMock.on(PutCommand, { Item: { entity: 'notification' } }).rejects(new Error('DynamoDB is down'));
    await expect(reminder.handler(event)).rejects.toThrow('DynamoDB is down');
    expect(stored.reminderState).toBe('pending');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('notifies but emails no one when the assignee has no user with an address', async () => {
    dynamoMock.on(GetCommand, { Key: activityKey }).resolves({ Item: activity() });
    dynamoMock.on(GetCommand, { Key: userKey }).resolves({});
    await expect(reminder.handler(event)).resolves.toBe('notified');
    expect(notifications()).toHaveLength(1);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('drops an event that is not a reminder', async () => {
    const log = logOutput();
    for (const bad of [
      undefined,
      {},
      { ...event, tenantId: 'a b' },
      { ...event, activityId: 'x' },
      { ...event, remindAt: 'soon' },
    ]) {
      await expect(reminder.handler(bad)).resolves.toBe('invalid');
    }
    expect(log).toHaveBeenCalled();
    expect(dynamoMock.calls()).toHaveLength(0);
  });
});

describe('SES mailer', () => {
  it('sends simple content from MAIL_FROM with sanitised tags and returns the message id', async () => {
    const { sesMailer, sesTagPart } = await import('#shared/mail/ses-mailer');
    const mailer = sesMailer({ from: 'crm@acme.example' });
    const id = await mailer.send({
      to: 'a@example.com',
      subject: 'Hi',
      text: 'Plain',
      html: '<p>Rich</p>',
      tags: { 'tenant id': 'acme.eu/1', kind: '' },
    });
    expect(id).toBe('m-1');
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      FromEmailAddress: 'crm@acme.example',
      Destination: { ToAddresses: ['a@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Hi', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'Plain', Charset: 'UTF-8' },
            Html: { Data: '<p>Rich</p>', Charset: 'UTF-8' },
          },
          Headers: [{ Name: 'X-CRM-Mail', Value: 'crm' }],
        },
      },
      EmailTags: [
        { Name: 'tenant_id', Value: 'acme_eu_1' },
        { Name: 'kind', Value: '_' },
      ],
    });
    expect(sesTagPart('x'.repeat(300))).toHaveLength(256);

    process.env.MAIL_FROM = 'reminders@acme.example';
    process.env.SES_CONFIGURATION_SET = 'crm-events';
    try {
      await sesMailer().send({ to: 'b@example.com', subject: 'S', text: 'T' });
      expect(sesMock.commandCalls(SendEmailCommand)[1]?.args[0].input).toMatchObject({
        FromEmailAddress: 'reminders@acme.example',
        ConfigurationSetName: 'crm-events',
      });
      expect(sesMock.commandCalls(SendEmailCommand)[1]?.args[0].input).not.toHaveProperty('EmailTags');
    } finally {
      delete process.env.MAIL_FROM;
      delete process.env.SES_CONFIGURATION_SET;
    }
  });
});
