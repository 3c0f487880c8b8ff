import {
  BadRequestException,
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLAIM_SEND_START_MS,
  CLAIM_SEND_WINDOW_MS,
  SES_EVENTS_HORIZON_MS,
  type SendEvidence,
} from '../../shared/domain/delivery.ts';
import { compileTemplateSpecs, packSpecs } from '../../shared/domain/template-save.ts';
import { processCampaignMessage } from '../../shared/mail/campaign-send.ts';
import { classifySendError, DeliveryOutcomeUnknown, sendDelivery } from '../../shared/mail/deliver.ts';
import type { SendBudget } from '../../shared/mail/send-budget.ts';
import { sesMailer } from '../../shared/mail/ses-mailer.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.AWS_REGION = 'us-east-1';
process.env.SIGNING_SECRET = 'unit-test-secret';

const dynamoMock = mockClient(DynamoDBDocumentClient);
const sesMock = mockClient(SESv2Client);
const mailer = sesMailer({ client: new SESv2Client({}) });

const tenantId = 't-1';
const ref = {
  kind: 'campaign',
  campaignId: '01J0000000000000000000000A',
  contactId: '01J0000000000000000000000B',
} as const;
const email = { to: 'ann@example.com', subject: 'S', text: 'T', html: '<p>T</p>' };

let takes = 0;
const budget: SendBudget = {
  take: async () => {
    takes++;
  },
};
const options = { mailer, budget, backoffMs: 1 };

/** The conditional updates deliveries.ts makes, told apart by their condition. */
const updates = () =>
  dynamoMock.commandCalls(UpdateCommand).map((call) => {
    const input = call.args[0].input;
    const set = input.ExpressionAttributeValues ?? {};
    const condition = input.ConditionExpression ?? '';
    const kind = condition.includes(':pending')
      ? 'claim'
      : condition.includes('claimedAt < :before')
        ? 'abandon'
        : Object.values(set).includes('pending')
          ? 'release'
          : Object.values(set).includes('failed')
            ? 'fail'
            : Object.values(set).includes('sent')
              ? 'sent'
              : 'other';
    return { kind, values: set };
  });

const claimed = {
  Attributes: { pk: 'x', sk: ref.contactId, status: 'sending', claimId: 'claim-1', contactId: ref.contactId },
};

beforeEach(() => {
  takes = 0;
  dynamoMock
    .on(UpdateCommand)
    .callsFake((input: { ConditionExpression?: string }) =>
      input.ConditionExpression?.includes(':pending') ? claimed : { Attributes: { status: 'whatever' } },
    );
});
afterEach(() => {
  dynamoMock.reset();
  sesMock.reset();
});

const throttle = () =>
  new TooManyRequestsException({ message: 'Maximum sending rate exceeded', $metadata: {} });

describe('sending one delivery when SES misbehaves', () => {
  it('retries throttling with backoff, taking a budget token per attempt, then releases the claim', async () => {
    sesMock.on(SendEmailCommand).rejects(throttle());
    const outcome = await sendDelivery(tenantId, ref, email, { ...options, attempts: 4 });
    expect(outcome).toEqual({ outcome: 'released' });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(4);
    expect(takes).toBe(4);
    expect(updates().map((update) => update.kind)).toEqual(['claim', 'release']);
    expect(updates()[1]?.values[':claim']).toBe('claim-1');
  });

  it('sends after a throttle clears, with the SES tags of the delivery', async () => {
    sesMock.on(SendEmailCommand).rejectsOnce(throttle()).resolves({ MessageId: 'm-1' });
    const outcome = await sendDelivery(tenantId, ref, email, options);
    expect(outcome).toEqual({ outcome: 'sent', messageId: 'm-1' });
    const input = sesMock.commandCalls(SendEmailCommand)[1]?.args[0].input;
    expect(input?.EmailTags).toEqual([
      { Name: 'tenant', Value: 't-1' },
      { Name: 'kind', Value: 'campaign' },
      { Name: 'campaign', Value: ref.campaignId },
      { Name: 'contact', Value: ref.contactId },
      // SES's record of the message names the claim it went out under: evidence after a crash.
      { Name: 'claim', Value: 'claim-1' },
    ]);
    expect(updates().map((update) => update.kind)).toEqual(['claim', 'sent']);
  });

  it('marks a refused message failed with the reason SES gave', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified', $metadata: {} }));
    const outcome = await sendDelivery(tenantId, ref, email, options);
    expect(outcome).toMatchObject({
      outcome: 'failed',
      reason: 'MessageRejected: Email address is not verified',
    });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    const failed = updates()[1];
    expect(failed?.kind).toBe('fail');
    expect(Object.values(failed?.values ?? {})).toContain('MessageRejected: Email address is not verified');
  });

  it('leaves the claim alone when SES may have accepted the email (a timeout)', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await expect(sendDelivery(tenantId, ref, email, options)).rejects.toBeInstanceOf(DeliveryOutcomeUnknown);
    expect(updates().map((update) => update.kind)).toEqual(['claim']);
  });

  it('starts no SES call once the claim is older than the send window: released unsent', async () => {
    sesMock.on(SendEmailCommand).rejects(throttle());
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const slowBudget: SendBudget = {
      take: async () => {
        clock += CLAIM_SEND_START_MS;
      },
    };
    const outcome = await sendDelivery(tenantId, ref, email, {
      ...options,
      budget: slowBudget,
      now: () => new Date(clock),
      attempts: 10,
    });
    expect(outcome).toEqual({ outcome: 'released' });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(updates().map((update) => update.kind)).toEqual(['claim', 'release']);
  });

  it('sends nothing when the delivery is not pending', async () => {
    dynamoMock.on(UpdateCommand).resolves({});
    expect(await sendDelivery(tenantId, ref, email, options)).toEqual({ outcome: 'skipped' });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('tells throttles, refusals and unknown outcomes apart', () => {
    expect(classifySendError(throttle())).toBe('throttled');
    expect(classifySendError({ name: 'LimitExceededException' })).toBe('throttled');
    expect(classifySendError({ name: 'SendingPausedException' })).toBe('throttled');
    expect(classifySendError(new BadRequestException({ message: 'bad', $metadata: {} }))).toBe('refused');
    expect(classifySendError({ name: 'AccountSuspendedException' })).toBe('refused');
    expect(
      classifySendError({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } }),
    ).toBe('unknown');
    expect(classifySendError(new Error('ECONNRESET'))).toBe('unknown');
  });
});

describe('a crash between the send and the state write', () => {
  const campaign = {
    pk: `T#${tenantId}#CAMPAIGN#${ref.campaignId}`,
    sk: 'A',
    id: ref.campaignId,
    status: 'sending',
    phase: 'queued',
    fromEmail: 'news@example.com',
    linkBaseUrl: 'https://api.example.com',
    // An owner without a USER item: the rights recorded when the campaign was scheduled apply.
    ownerId: 'owner-1',
    ownerRights: { role: 'admin' },
    snapshot: {
      template: { name: 'T', subject: 'Hi', html: '<p>Hi {{contact.firstName}}</p>' },
      segment: { name: 'S', filter: {} },
    },
    // The template as compiled when saved, which the start copies into the campaign when it freezes it.
    compiled: {
      template: packSpecs(compileTemplateSpecs({ subject: 'Hi', html: '<p>Hi {{contact.firstName}}</p>' })),
    },
  };
  const message = { tenantId, campaignId: ref.campaignId, contactIds: [ref.contactId] };

  function deliveryIs(delivery: Record<string, unknown>) {
    dynamoMock.on(GetCommand).resolves({});
    dynamoMock.on(GetCommand, { Key: { pk: campaign.pk, sk: 'A' } }).resolves({ Item: campaign });
    dynamoMock
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
        const keys = Object.values(input.RequestItems)[0]?.Keys ?? [];
        const items = keys.flatMap((key): Record<string, unknown>[] => {
          if (key.pk.endsWith('#RECIPIENTS'))
            return [
              {
                ...key,
                kind: 'campaign',
                campaignId: ref.campaignId,
                contactId: ref.contactId,
                email: 'ann@example.com',
                ...delivery,
              },
            ];
          if (key.pk.includes('#CONTACT#'))
            return [{ ...key, id: ref.contactId, firstName: 'Ann', marketingStatus: 'subscribed' }];
          return [];
        });
        return { Responses: { 'crm-test': items } };
      });
  }

  /** A stand-in for SES's record of what it accepted, by claim id. */
  const ledgerSaying = (evidence: SendEvidence) => ({ lookup: async () => evidence });

  it('settles a claim a crash left open by evidence: SES has it → sent, never sent again', async () => {
    // First delivery of the message: SES accepts, then writing `sent` fails.
    deliveryIs({ status: 'pending' });
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    dynamoMock.on(UpdateCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.includes(':pending')) return claimed;
      throw Object.assign(new Error('connection reset'), { name: 'TimeoutError' });
    });
    process.env.SEND_RATE_PER_SECOND = 'unlimited';
    expect(await processCampaignMessage(message)).toBe('retry');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);

    // Redelivered: SES's record has a message under the claim, so it is sent, whatever its age.
    dynamoMock.reset();
    sesMock.reset();
    const now = new Date();
    deliveryIs({
      status: 'sending',
      claimId: 'claim-1',
      claimedAt: new Date(now.getTime() - 1000).toISOString(),
    });
    dynamoMock.on(UpdateCommand).resolves({ Attributes: { status: 'sent' } });
    const settle = { ledger: ledgerSaying({ accepted: 'm-1' }) };
    expect(await processCampaignMessage(message, { now: () => now, settle })).toBe('done');
    expect(updates().map((update) => update.kind)).toEqual(['sent']);
    expect(updates()[0]?.values).toMatchObject({ ':claim': 'claim-1' });
    expect(Object.values(updates()[0]?.values ?? {})).toContain('m-1');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('waits while a sender may still be calling SES, then releases and sends a claim SES never saw', async () => {
    const now = new Date();
    const claimedAgo = (ms: number) =>
      deliveryIs({
        status: 'sending',
        claimId: 'claim-1',
        claimedAt: new Date(now.getTime() - ms).toISOString(),
      });
    const settle = { ledger: ledgerSaying('none') };

    // Fresh claim: its sender may be mid-call. Nothing changes.
    claimedAgo(1000);
    dynamoMock.on(UpdateCommand).resolves({});
    expect(await processCampaignMessage(message, { now: () => now, settle })).toBe('retry');
    expect(updates()).toEqual([]);

    // Past the window with no message under the claim: nothing reached SES; released and sent now.
    dynamoMock.reset();
    claimedAgo(CLAIM_SEND_WINDOW_MS + 1000);
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    dynamoMock
      .on(UpdateCommand)
      .callsFake((input: { ConditionExpression?: string }) =>
        input.ConditionExpression?.includes(':pending') ? claimed : { Attributes: { status: 'whatever' } },
      );
    expect(await processCampaignMessage(message, { now: () => now, settle })).toBe('done');
    expect(updates().map((update) => update.kind)).toEqual(['release', 'claim', 'sent']);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('where SES cannot be asked (AWS), waits for the Send event horizon before releasing', async () => {
    const now = new Date();
    const settle = { ledger: ledgerSaying('unknown') };
    deliveryIs({
      status: 'sending',
      claimId: 'claim-1',
      claimedAt: new Date(now.getTime() - CLAIM_SEND_WINDOW_MS - 1000).toISOString(),
    });
    dynamoMock.on(UpdateCommand).resolves({});
    expect(await processCampaignMessage(message, { now: () => now, settle })).toBe('retry');
    expect(updates()).toEqual([]);

    dynamoMock.reset();
    deliveryIs({
      status: 'sending',
      claimId: 'claim-1',
      claimedAt: new Date(now.getTime() - SES_EVENTS_HORIZON_MS - 1000).toISOString(),
    });
    dynamoMock.on(UpdateCommand).resolves({});
    await processCampaignMessage(message, { now: () => now, settle });
    expect(updates()[0]?.kind).toBe('release');
  });

  it('settles instead of sending when the contact opted out after the freeze', async () => {
    deliveryIs({ status: 'pending' });
    dynamoMock
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
        const keys = Object.values(input.RequestItems)[0]?.Keys ?? [];
        return {
          Responses: {
            'crm-test': keys.flatMap((key): Record<string, unknown>[] =>
              key.pk.endsWith('#RECIPIENTS')
                ? [
                    {
                      ...key,
                      kind: 'campaign',
                      campaignId: ref.campaignId,
                      contactId: ref.contactId,
                      email: 'ann@example.com',
                      status: 'pending',
                    },
                  ]
                : key.pk.includes('#CONTACT#')
                  ? [{ ...key, id: ref.contactId, firstName: 'Ann', marketingStatus: 'unsubscribed' }]
                  : [],
            ),
          },
        };
      });
    dynamoMock.on(UpdateCommand).resolves({ Attributes: { status: 'suppressed' } });
    expect(await processCampaignMessage(message)).toBe('done');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(
      Object.values(dynamoMock.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues ?? {}),
    ).toEqual(expect.arrayContaining(['suppressed', 'not_subscribed']));
  });

  it("settles instead of sending when the contact left the owner's sight after the freeze", async () => {
    deliveryIs({ status: 'pending' });
    // The owner is now a rep of the red team; the contact belongs to someone on the blue team.
    dynamoMock.on(GetCommand, { Key: { pk: `T#${tenantId}#USER#owner-1`, sk: 'A' } }).resolves({
      Item: { id: 'owner-1', role: 'rep', teamId: 'red', active: true, ownerId: 'owner-1', archived: false },
    });
    dynamoMock
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
        const keys = Object.values(input.RequestItems)[0]?.Keys ?? [];
        return {
          Responses: {
            'crm-test': keys.flatMap((key): Record<string, unknown>[] =>
              key.pk.endsWith('#RECIPIENTS')
                ? [
                    {
                      ...key,
                      kind: 'campaign',
                      contactId: ref.contactId,
                      email: 'ann@example.com',
                      status: 'pending',
                    },
                  ]
                : key.pk.includes('#CONTACT#')
                  ? [
                      {
                        ...key,
                        id: ref.contactId,
                        ownerId: 'someone',
                        teamId: 'blue',
                        marketingStatus: 'subscribed',
                      },
                    ]
                  : [],
            ),
          },
        };
      });
    dynamoMock.on(UpdateCommand).resolves({ Attributes: { status: 'suppressed' } });
    expect(await processCampaignMessage(message)).toBe('done');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(
      Object.values(dynamoMock.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues ?? {}),
    ).toEqual(expect.arrayContaining(['suppressed', 'not_readable']));
  });
});

describe('the truth of an open claim (claimVerdict)', () => {
  const at = new Date('2026-03-01T10:00:00.000Z');
  const claimedAgo = (ms: number) => ({ claimedAt: new Date(at.getTime() - ms).toISOString() });

  it('believes positive evidence at once, and absence only once no send under the claim can reach SES', async () => {
    const { claimVerdict } = await import('../../shared/domain/delivery.ts');
    expect(claimVerdict(claimedAgo(0), { accepted: 'm-1' }, at)).toEqual({
      verdict: 'sent',
      messageId: 'm-1',
    });
    expect(claimVerdict({ ...claimedAgo(0), messageId: 'm-0' }, 'none', at)).toEqual({
      verdict: 'sent',
      messageId: 'm-0',
    });
    expect(claimVerdict(claimedAgo(1000), 'none', at)).toEqual({
      verdict: 'wait',
      untilMs: CLAIM_SEND_WINDOW_MS - 1000,
    });
    expect(claimVerdict(claimedAgo(CLAIM_SEND_WINDOW_MS), 'none', at)).toEqual({ verdict: 'release' });
    expect(claimVerdict(claimedAgo(CLAIM_SEND_WINDOW_MS), 'unknown', at).verdict).toBe('wait');
    expect(claimVerdict(claimedAgo(SES_EVENTS_HORIZON_MS), 'unknown', at)).toEqual({ verdict: 'release' });
    // A claim without a readable time is as old as can be.
    expect(claimVerdict({}, 'none', at)).toEqual({ verdict: 'release' });
    // The window holds the start limit, one bounded call and a margin.
    expect(CLAIM_SEND_WINDOW_MS).toBeGreaterThan(CLAIM_SEND_START_MS);
  });
});
