import { readFileSync } from 'node:fs';
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { logOutput } from '../support/log-output.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.AWS_REGION = 'us-east-1';

type Json = Record<string, unknown>;
const dynamoMock = mockClient(DynamoDBDocumentClient);
let sesEvents: typeof import('#functions/events/sesEvents');

beforeAll(async () => {
  sesEvents = await import('#functions/events/sesEvents');
});
let log: ReturnType<typeof logOutput>;
beforeEach(() => {
  log = logOutput();
});
afterEach(() => {
  dynamoMock.reset();
  vi.restoreAllMocks();
});

const MESSAGE = '0102019a8f3c3b21-8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d-000000';
const EMAIL = 'no.such.user@example.org';

function bounce(
  tags: Json | null = { tenant: ['t1'], kind: ['campaign'], campaign: ['c1'], contact: ['p1'] },
) {
  const event = JSON.parse(
    readFileSync(new URL('../fixtures/ses-events/bounce-permanent.json', import.meta.url), 'utf8'),
  ) as Json;
  const mail = (event.detail as Json).mail as Json;
  if (tags) mail.tags = { ...(mail.tags as Json), ...tags };
  return event;
}

const delivery = (fields: Json = {}) => ({
  pk: 'T#t1#CAMPAIGN#c1#RECIPIENTS',
  sk: 'p1',
  tenantId: 't1',
  kind: 'campaign',
  campaignId: 'c1',
  contactId: 'p1',
  email: EMAIL,
  status: 'sent',
  messageId: MESSAGE,
  createdAt: '2026-11-20T10:15:00.000Z',
  updatedAt: '2026-11-20T10:15:58.000Z',
  ...fields,
});

const writes = () => [...dynamoMock.commandCalls(UpdateCommand), ...dynamoMock.commandCalls(PutCommand)];

describe('SES events handler: what it drops without touching the table', () => {
  it('malformed, untagged, first-party and unknown events resolve without a single DynamoDB call', async () => {
    const open = bounce();
    (open.detail as Json).eventType = 'Open';
    for (const input of [undefined, null, 'x', { detail: {} }, bounce(null), open]) {
      await expect(sesEvents.applySesEvent(input)).resolves.toBe('ignored');
    }
    await expect(sesEvents.handler(bounce(null))).resolves.toBeUndefined();
    expect(dynamoMock.calls()).toHaveLength(0);
  });
});

describe('SES events handler: unmatched events change nothing', () => {
  it('an unknown delivery (never sent, erased) is a logged no-op', async () => {
    dynamoMock.on(GetCommand).resolves({});
    await expect(sesEvents.applySesEvent(bounce())).resolves.toBe('unmatched');
    expect(writes()).toHaveLength(0);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/"level":"WARN".*matches no delivery/));
  });

  it("another message's event for the delivery (a foreign or stale message id) writes nothing", async () => {
    dynamoMock.on(GetCommand).resolves({ Item: delivery({ messageId: 'another-message' }) });
    await expect(sesEvents.applySesEvent(bounce())).resolves.toBe('unmatched');
    expect(writes()).toHaveLength(0);
  });

  it('an event about another address than the delivery went to writes nothing', async () => {
    dynamoMock.on(GetCommand).resolves({ Item: delivery({ email: 'someone@example.org' }) });
    await expect(sesEvents.applySesEvent(bounce())).resolves.toBe('unmatched');
    expect(writes()).toHaveLength(0);
  });

  it('a Reject for a delivery whose sender crashed is not proof of a send: nothing healed', async () => {
    dynamoMock.on(GetCommand).resolves({ Item: delivery({ status: 'sending', messageId: undefined }) });
    const reject = bounce();
    const detail = reject.detail as Json;
    delete detail.bounce;
    Object.assign(detail, { eventType: 'Reject', reject: { reason: 'Bad content' } });
    (detail.mail as Json).destination = [EMAIL];
    await expect(sesEvents.applySesEvent(reject)).resolves.toBe('unmatched');
    expect(writes()).toHaveLength(0);
  });
});

describe('SES events handler: faults', () => {
  it('a failing read rejects, so EventBridge and Lambda retry the event', async () => {
    dynamoMock
      .on(GetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(sesEvents.handler(bounce())).rejects.toThrow('slow down');
  });

  it('a failing suppression write rejects after the delivery write; the retry finishes the work', async () => {
    dynamoMock.on(GetCommand).resolves({ Item: delivery() });
    dynamoMock
      .on(UpdateCommand)
      .resolves({ Attributes: delivery({ bouncedAt: '2026-11-20T10:16:01.669Z' }) });
    dynamoMock.on(PutCommand).rejectsOnce(new Error('network down'));
    await expect(sesEvents.handler(bounce())).rejects.toThrow('network down');

    // The replay finds bouncedAt set (no second delivery write) and writes the suppression.
    dynamoMock.reset();
    dynamoMock
      .on(GetCommand, { Key: { pk: 'T#t1#CAMPAIGN#c1#RECIPIENTS', sk: 'p1' } })
      .resolves({ Item: delivery({ bouncedAt: '2026-11-20T10:16:01.669Z' }) })
      .on(GetCommand, { Key: { pk: 'T#t1#CONTACT#p1', sk: 'A' } })
      .resolves({});
    dynamoMock.on(PutCommand).resolves({});
    await expect(sesEvents.applySesEvent(bounce())).resolves.toBe('applied');
    expect(dynamoMock.commandCalls(UpdateCommand)).toHaveLength(0);
    const [suppression] = dynamoMock.commandCalls(PutCommand);
    expect(suppression?.args[0].input.Item).toMatchObject({
      entity: 'suppression',
      tenantId: 't1',
      reason: 'bounced',
    });
    // Only a hash of the address is stored.
    expect(JSON.stringify(suppression?.args[0].input)).not.toContain(EMAIL);
  });

  it('a suppression entry that already exists is not an error (duplicate event)', async () => {
    dynamoMock
      .on(GetCommand, { Key: { pk: 'T#t1#CAMPAIGN#c1#RECIPIENTS', sk: 'p1' } })
      .resolves({ Item: delivery({ bouncedAt: '2026-11-20T10:16:01.669Z' }) })
      .on(GetCommand, { Key: { pk: 'T#t1#CONTACT#p1', sk: 'A' } })
      .resolves({});
    dynamoMock
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    await expect(sesEvents.applySesEvent(bounce())).resolves.toBe('applied');
  });
});
