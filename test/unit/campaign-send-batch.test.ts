import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type SESv2Client,
  type SendBulkEmailCommandInput,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAIM_SEND_WINDOW_MS, type DeliveryRef } from '../../shared/domain/delivery.ts';
import { classifySendError, settleOpenClaim } from '../../shared/mail/deliver.ts';
import { type BatchDelivery, sendDeliveryBatch } from '../../shared/mail/deliver-batch.ts';
import type { Mailer, OutgoingEmail } from '../../shared/mail/mailer.ts';
import { type SendBudget, UNLIMITED_GRANT } from '../../shared/mail/send-budget.ts';
import {
  type BulkEmail,
  type BulkEntryResult,
  type BulkMailer,
  MAX_BULK_REQUEST_BYTES,
  MAX_REPLACEMENT_TEMPLATE_DATA,
  sesBulkMailer,
} from '../../shared/mail/ses-mailer.ts';
import { putNewDeliveries } from '../../shared/store/deliveries.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.AWS_REGION = 'us-east-1';

const dynamoMock = mockClient(DynamoDBDocumentClient);
const tenantId = 't-1';
const campaignId = '01J0000000000000000000000A';

/**
 * The deliveries of one campaign as DynamoDB would keep them: each update of
 * the sender applied only if its condition holds (`:pending` → the claim,
 * `:claim` → the claim's record), a transaction all or nothing with a reason
 * per action. `failNext` makes the next write of a kind fail as a crash would.
 */
class Deliveries {
  readonly items = new Map<string, Record<string, unknown>>();
  /** Transactions cancelled once with TransactionConflict on their first action. */
  conflicts = 0;
  failNext: 'record' | undefined;

  constructor(contactIds: readonly string[]) {
    for (const contactId of contactIds) this.items.set(contactId, { contactId, status: 'pending' });
  }

  status(contactId: string) {
    return this.items.get(contactId)?.status;
  }

  private holds(input: Update): boolean {
    const item = this.items.get(input.Key.sk);
    const values = input.ExpressionAttributeValues ?? {};
    if (!item) return false;
    if (':pending' in values)
      return item.status === 'pending' || (':held' in values && item.status === 'held');
    if (':claim' in values) return item.status === 'sending' && item.claimId === values[':claim'];
    return true;
  }

  private apply(input: Update): void {
    const item = this.items.get(input.Key.sk) as Record<string, unknown>;
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const [set = '', remove = ''] = input.UpdateExpression.replace(/^SET /, '').split(' REMOVE ');
    for (const assignment of set.split(', ')) {
      const [name, value] = assignment.split(' = ');
      if (name && value?.startsWith(':')) item[names[name] ?? name] = values[value];
    }
    for (const name of remove ? remove.split(', ') : []) delete item[names[name] ?? name];
  }

  update(input: Update) {
    if (input.ConditionExpression?.includes(':claim') && this.failNext === 'record') {
      this.failNext = undefined;
      throw Object.assign(new Error('connection reset'), { name: 'TimeoutError' });
    }
    if (!this.holds(input)) throw new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
    this.apply(input);
    return { Attributes: this.items.get(input.Key.sk) };
  }

  transact(actions: { Update: Update }[]) {
    if (actions.some((action) => action.Update.ConditionExpression?.includes(':claim')) && this.failNext) {
      this.failNext = undefined;
      throw Object.assign(new Error('connection reset'), { name: 'TimeoutError' });
    }
    const reasons = actions.map((action) => ({
      Code: this.holds(action.Update) ? 'None' : 'ConditionalCheckFailed',
    }));
    if (this.conflicts > 0) {
      this.conflicts--;
      reasons[0] = { Code: 'TransactionConflict' };
    }
    if (reasons.some((reason) => reason.Code !== 'None'))
      throw new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: reasons,
      });
    for (const action of actions) this.apply(action.Update);
    return {};
  }
}

interface Update {
  Key: { pk: string; sk: string };
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

let table: Deliveries;

function useTable(contactIds: readonly string[]) {
  table = new Deliveries(contactIds);
  dynamoMock.on(UpdateCommand).callsFake((input: Update) => table.update(input));
  dynamoMock
    .on(TransactWriteCommand)
    .callsFake((input: { TransactItems: { Update: Update }[] }) => table.transact(input.TransactItems));
}

/** SES as the tests need it: every entry answered by `answer`, each accepted address remembered. */
function ses(
  answer: (to: string, call: number) => BulkEntryResult | 'throttle-call' = () => ({
    status: 'sent',
    messageId: 'm',
  }),
) {
  const accepted: string[] = [];
  const calls: BulkEmail[] = [];
  const mailer: BulkMailer = {
    sendBulk: async (email) => {
      calls.push(email);
      const answers = email.entries.map((entry) => answer(entry.to, calls.length));
      if (answers.includes('throttle-call'))
        throw new TooManyRequestsException({ message: 'Maximum sending rate exceeded', $metadata: {} });
      return answers.map((result, index) => {
        const entry = email.entries[index];
        if (result !== 'throttle-call' && result.status === 'sent' && entry) accepted.push(entry.to);
        return result as BulkEntryResult;
      });
    },
  };
  return { mailer, accepted, calls };
}

let takes: number[] = [];
const budget: SendBudget = {
  rate: async () => undefined,
  take: async (count = 1) => {
    takes.push(count);
    return UNLIMITED_GRANT;
  },
};

const ids = Array.from({ length: 12 }, (_, index) => `contact-${String(index).padStart(2, '0')}`);
const ref = (contactId: string): DeliveryRef => ({ kind: 'campaign', campaignId, contactId });
const batch = (contactIds: readonly string[]): BatchDelivery[] =>
  contactIds.map((contactId) => ({
    ref: ref(contactId),
    email: {
      to: `${contactId}@example.com`,
      subject: `Hi ${contactId}`,
      text: 'T',
      html: '<p>T</p>',
      headers: { 'List-Unsubscribe': `<https://x.test/u/${contactId}>` },
    },
  }));
const sender = { from: 'news@example.com' };
const send = (contactIds: readonly string[], mailer: BulkMailer, extra = {}) =>
  sendDeliveryBatch(tenantId, sender, batch(contactIds), {
    bulkMailer: mailer,
    budget,
    backoffMs: 1,
    ...extra,
  });

/** Every address emailed exactly once, and every delivery sent. */
function everyoneOnce(accepted: readonly string[]) {
  expect([...accepted].sort()).toEqual(ids.map((id) => `${id}@example.com`));
  expect(ids.map((id) => table.status(id))).toEqual(ids.map(() => 'sent'));
}

beforeEach(() => {
  takes = [];
  useTable(ids);
});
afterEach(() => dynamoMock.reset());

describe('sending a batch in one claim transaction, one SendBulkEmail and one record transaction', () => {
  it('claims, sends and records twelve recipients in three requests, each email its own rendering, headers and claim', async () => {
    const { mailer, accepted, calls } = ses();
    expect(await send(ids, mailer)).toEqual({
      sent: 12,
      failed: 0,
      skipped: 0,
      released: 0,
      unknown: 0,
      stopped: [],
    });
    everyoneOnce(accepted);
    expect(dynamoMock.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(calls).toHaveLength(1);
    expect(takes).toEqual([12]);
    const entry = calls[0]?.entries[3];
    expect(entry).toMatchObject({
      to: 'contact-03@example.com',
      subject: 'Hi contact-03',
      headers: { 'List-Unsubscribe': '<https://x.test/u/contact-03>' },
      tags: { tenant: tenantId, kind: 'campaign', campaign: campaignId, contact: 'contact-03' },
    });
    // Each email names its own claim: SES's record of it is evidence for that delivery alone.
    const claims = new Set(calls[0]?.entries.map((sent) => sent.tags?.claim));
    expect(claims.size).toBe(12);
  });

  it('asks before every group after the first, and leaves the rest untouched when told to stop', async () => {
    const { mailer, calls } = ses();
    let asked = 0;
    const result = await send(ids, mailer, {
      budget: { ...budget, rate: async () => 5 },
      proceed: async () => ++asked < 2,
    });
    expect(calls.map((call) => call.entries.length)).toEqual([5, 5]);
    expect(result).toMatchObject({ sent: 10 });
    expect(result.stopped.map((stopped) => (stopped as { contactId: string }).contactId)).toEqual(
      ids.slice(10),
    );
    expect(ids.slice(10).map((id) => table.status(id))).toEqual(['pending', 'pending']);
  });

  it('sends groups of at most one second of the rate', async () => {
    const { mailer, accepted, calls } = ses();
    await send(ids, mailer, { budget: { ...budget, rate: async () => 5 } });
    expect(calls.map((call) => call.entries.length)).toEqual([5, 5, 2]);
    expect(takes).toEqual([5, 5, 2]);
    everyoneOnce(accepted);
  });
});

describe('a batch when something goes wrong: nobody emailed twice, nobody lost', () => {
  it('SES throttles some entries mid-batch: those go back to pending and the next attempt sends only them', async () => {
    const throttled = new Set(['contact-02', 'contact-07']);
    const { mailer, accepted, calls } = ses((to, call) =>
      call === 1 && throttled.has(to.split('@')[0] ?? '')
        ? { status: 'not_sent', reason: 'ACCOUNT_THROTTLED' }
        : { status: 'sent', messageId: `m-${to}` },
    );
    expect(await send(ids, mailer)).toMatchObject({ sent: 10, released: 2 });
    expect(table.status('contact-02')).toBe('pending');
    // The message comes back (its outcome was `retry`): everyone is offered again.
    expect(await send(ids, mailer)).toMatchObject({ sent: 2, skipped: 10 });
    expect(calls[1]?.entries.map((entry) => entry.to)).toEqual([
      'contact-02@example.com',
      'contact-07@example.com',
    ]);
    everyoneOnce(accepted);
  });

  it('SES throttles the whole call: retried with a budget token per attempt, then sent once', async () => {
    const { mailer, accepted, calls } = ses((_, call) =>
      call < 3 ? 'throttle-call' : { status: 'sent', messageId: `m-${call}` },
    );
    expect(await send(ids, mailer)).toMatchObject({ sent: 12 });
    expect(calls).toHaveLength(3);
    expect(takes).toEqual([12, 12, 12]);
    everyoneOnce(accepted);
  });

  it('SES keeps throttling: every claim is released unsent, and a later attempt sends them once', async () => {
    let throttling = true;
    const { mailer, accepted } = ses(() =>
      throttling ? 'throttle-call' : { status: 'sent', messageId: 'm' },
    );
    expect(await send(ids, mailer, { attempts: 2 })).toMatchObject({ released: 12, sent: 0 });
    expect(ids.every((id) => table.status(id) === 'pending')).toBe(true);
    throttling = false;
    expect(await send(ids, mailer)).toMatchObject({ sent: 12 });
    everyoneOnce(accepted);
  });

  it('a crash between SES answer and the record: claims stay open, a replay sends nothing, evidence settles them', async () => {
    const { mailer, accepted, calls } = ses((to) => ({ status: 'sent', messageId: `m-${to}` }));
    table.failNext = 'record';
    expect(await send(ids, mailer)).toMatchObject({ unknown: 12, sent: 0 });
    expect(ids.every((id) => table.status(id) === 'sending')).toBe(true);

    // The message is redelivered: every claim is held, so nothing is claimed and nothing sent.
    expect(await send(ids, mailer)).toMatchObject({ skipped: 12, sent: 0 });
    expect(calls).toHaveLength(1);

    // Whoever finds the open claims asks SES's record (the `claim` tag): sent, never sent again.
    const claimOf = new Map(calls[0]?.entries.map((entry) => [entry.tags?.contact, entry.tags?.claim]));
    for (const id of ids) {
      const delivery = table.items.get(id) as { status: 'sending'; claimId: string; claimedAt: string };
      expect(delivery.claimId).toBe(claimOf.get(id));
      const settled = await settleOpenClaim(tenantId, ref(id), delivery, {
        ledger: { lookup: async () => ({ accepted: `m-${id}@example.com` }) },
      });
      expect(settled).toEqual({ state: 'sent' });
    }
    everyoneOnce(accepted);
    expect(table.items.get('contact-05')?.messageId).toBe('m-contact-05@example.com');
  });

  it('a replayed message (some recipients sent, one claimed by a live sender) sends only those still pending', async () => {
    const { mailer, accepted } = ses();
    await send(ids.slice(0, 5), mailer);
    const live = table.items.get('contact-06') as Record<string, unknown>;
    Object.assign(live, { status: 'sending', claimId: 'someone-else', claimedAt: new Date().toISOString() });
    expect(await send(ids, mailer)).toMatchObject({ sent: 6, skipped: 6 });
    expect(accepted).not.toContain('contact-06@example.com');
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(table.status('contact-06')).toBe('sending');
  });

  it('a transaction cancelled by a conflict is tried again; nobody is left out or claimed twice', async () => {
    const { mailer, accepted } = ses();
    table.conflicts = 2; // the claim transaction, then the record transaction, each cancelled once
    expect(await send(ids, mailer)).toMatchObject({ sent: 12 });
    everyoneOnce(accepted);
  });

  it('an entry SES says nothing about keeps its claim open (it may have gone out): never sent again', async () => {
    const { mailer, accepted } = ses((to) =>
      to.startsWith('contact-04') ? { status: 'unknown' } : { status: 'sent', messageId: 'm' },
    );
    expect(await send(ids, mailer)).toMatchObject({ sent: 11, unknown: 1 });
    expect(table.status('contact-04')).toBe('sending');
    expect(await send(ids, mailer)).toMatchObject({ skipped: 12 });
    expect(accepted).toHaveLength(11);
  });

  it('a refused entry fails alone, with the reason SES gave', async () => {
    const { mailer } = ses((to) =>
      to.startsWith('contact-01')
        ? { status: 'refused', reason: 'MESSAGE_REJECTED: bad address' }
        : { status: 'sent', messageId: 'm' },
    );
    expect(await send(ids, mailer)).toMatchObject({ sent: 11, failed: 1 });
    expect(table.items.get('contact-01')).toMatchObject({
      status: 'failed',
      reason: 'MESSAGE_REJECTED: bad address',
    });
  });

  it('starts no SES call once the claims are older than the send window: released unsent', async () => {
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const { mailer, calls } = ses(() => 'throttle-call');
    const result = await send(ids, mailer, {
      now: () => {
        clock += CLAIM_SEND_WINDOW_MS / 4;
        return new Date(clock);
      },
      attempts: 10,
    });
    expect(result).toMatchObject({ released: 12 });
    expect(calls.length).toBeLessThan(3);
  });

  it('the freeze writes every recipient once when DynamoDB leaves some of a BatchWriteItem unprocessed', async () => {
    const written: string[] = [];
    let first = true;
    dynamoMock
      .on(BatchWriteCommand)
      .callsFake((input: { RequestItems: Record<string, { PutRequest: { Item: { sk: string } } }[]> }) => {
        const requests = Object.values(input.RequestItems)[0] ?? [];
        // The first call writes half and hands the rest back, as DynamoDB does under load.
        const kept = first ? requests.slice(0, 5) : requests;
        const left = first ? requests.slice(5) : [];
        first = false;
        written.push(...kept.map((request) => request.PutRequest.Item.sk));
        return { UnprocessedItems: left.length > 0 ? { 'crm-test': left } : {} };
      });
    await putNewDeliveries(
      tenantId,
      ids.map((contactId) => ({ ref: ref(contactId), email: `${contactId}@example.com`, status: 'pending' })),
    );
    expect([...written].sort()).toEqual(ids);
  });
});

describe("a batch within SES's sizes: each recipient emailed once, nobody lost", () => {
  /** SendEmail as the tests need it: each accepted address remembered with the email it got. */
  function singleSes() {
    const sent: OutgoingEmail[] = [];
    /** The claim the table held for each recipient when its email went out. */
    const heldClaims: unknown[] = [];
    const mailer: Mailer = {
      send: async (email) => {
        sent.push(email);
        heldClaims.push(table.items.get(email.to.split('@')[0] ?? '')?.claimId);
        return `single-${email.to}`;
      },
    };
    return { mailer, sent, heldClaims };
  }

  it('a rendering over 262,144 characters of replacement data goes alone by SendEmail, under the claim of its group', async () => {
    const { mailer: bulk, accepted, calls } = ses();
    const { mailer: single, sent, heldClaims } = singleSes();
    const deliveries = batch(ids);
    const huge = deliveries[4] as BatchDelivery;
    deliveries[4] = { ...huge, email: { ...huge.email, text: 'x'.repeat(MAX_REPLACEMENT_TEMPLATE_DATA) } };
    const result = await sendDeliveryBatch(tenantId, sender, deliveries, {
      bulkMailer: bulk,
      mailer: single,
      budget,
    });
    expect(result).toMatchObject({ sent: 12, failed: 0, released: 0, unknown: 0 });
    // One claim transaction and one grant for the twelve; eleven in the bulk call, one alone.
    expect(takes).toEqual([12]);
    expect(calls.map((call) => call.entries.length)).toEqual([11]);
    expect(sent.map((email) => email.to)).toEqual(['contact-04@example.com']);
    expect(sent[0]?.text).toHaveLength(MAX_REPLACEMENT_TEMPLATE_DATA);
    // Its email names the claim its group's transaction took for it.
    expect(sent[0]?.tags?.claim).toEqual(expect.any(String));
    expect(heldClaims).toEqual([sent[0]?.tags?.claim]);
    expect(table.items.get('contact-04')?.messageId).toBe('single-contact-04@example.com');
    everyoneOnce([...accepted, ...sent.map((email) => email.to)]);
  });

  it('a group whose request would pass 40 MB is cut: each SendBulkEmail within the size, everyone once', async () => {
    // The longest replacement data SES takes, in characters of three UTF-8 bytes each,
    // and a 16 KB header: fifty of them come to 40.1 MB, over MAX_BULK_REQUEST_BYTES.
    const text = '中'.repeat(
      MAX_REPLACEMENT_TEMPLATE_DATA - JSON.stringify({ subject: 'Hi', text: '' }).length,
    );
    const many = Array.from({ length: 50 }, (_, index) => `big-${String(index).padStart(2, '0')}`);
    useTable(many);
    const requests: { entries: number; bytes: number; to: string[] }[] = [];
    const client = {
      send: async (command: { input: SendBulkEmailCommandInput }) => {
        const entries = command.input.BulkEmailEntries ?? [];
        requests.push({
          entries: entries.length,
          bytes: Buffer.byteLength(JSON.stringify(command.input)),
          to: entries.flatMap((entry) => entry.Destination?.ToAddresses ?? []),
        });
        return {
          BulkEmailEntryResults: entries.map((_, index) => ({ Status: 'SUCCESS', MessageId: `m-${index}` })),
        };
      },
    } as unknown as SESv2Client;
    const deliveries = many.map(
      (contactId): BatchDelivery => ({
        ref: ref(contactId),
        email: {
          to: `${contactId}@example.com`,
          subject: 'Hi',
          text,
          headers: { 'X-Campaign-Note': 'n'.repeat(16 * 1024) },
        },
      }),
    );
    const result = await sendDeliveryBatch(tenantId, sender, deliveries, {
      bulkMailer: sesBulkMailer({ client }),
      budget,
    });
    expect(result).toMatchObject({ sent: 50, failed: 0, released: 0, unknown: 0 });
    expect(requests.length).toBe(2);
    for (const request of requests) expect(request.bytes).toBeLessThanOrEqual(MAX_BULK_REQUEST_BYTES);
    // The first request is full up to the size: the next recipient would not have fitted.
    expect(requests[0]?.bytes).toBeGreaterThan(MAX_BULK_REQUEST_BYTES - 900_000);
    const to = requests.flatMap((request) => request.to);
    expect([...to].sort()).toEqual(many.map((id) => `${id}@example.com`));
    expect(many.every((id) => table.status(id) === 'sent')).toBe(true);
  });

  it("a bulk request over SES's sizes is refused before it leaves, as SES would refuse it", async () => {
    let called = false;
    const client = {
      send: async () => {
        called = true;
        return {};
      },
    } as unknown as SESv2Client;
    const error = await sesBulkMailer({ client })
      .sendBulk({
        kind: 'campaign',
        entries: [{ to: 'a@example.com', subject: 'Hi', text: 'x'.repeat(MAX_REPLACEMENT_TEMPLATE_DATA) }],
      })
      .catch((caught: unknown) => caught);
    expect(called).toBe(false);
    expect(classifySendError(error)).toBe('refused');
  });
});
