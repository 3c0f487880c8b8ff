import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { sendDelivery } from '../../shared/mail/deliver.ts';
import type { Mailer } from '../../shared/mail/mailer.ts';
import {
  type BudgetCounter,
  type Clock,
  configuredRate,
  createSendBudget,
  dynamoBudgetCounter,
  sendRate,
} from '../../shared/mail/send-budget.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.AWS_REGION = 'us-east-1';

const dynamoMock = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamoMock.reset());

/** A clock that only moves when someone sleeps, and a counter that takes a while to answer. */
function fakeWorld(latencyMs: number) {
  let now = 1_700_000_000_000 + 400;
  const sleepers: { at: number; wake: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => sleepers.push({ at: now + ms, wake: resolve })),
  };
  const used = new Map<number, number>();
  const counter: BudgetCounter = {
    async tryAdd(second, count, max) {
      await clock.sleep(latencyMs);
      const current = used.get(second) ?? 0;
      if (current + count > max) return false;
      used.set(second, current + count);
      return true;
    },
  };
  /** Runs until every task finished, waking sleepers in time order. */
  async function run<T>(tasks: Promise<T>[]): Promise<T[]> {
    let done = false;
    const all = Promise.all(tasks).finally(() => {
      done = true;
    });
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) break;
      sleepers.sort((a, b) => a.at - b.at);
      const next = sleepers.shift();
      if (!next) continue;
      now = Math.max(now, next.at);
      next.wake();
    }
    return all;
  }
  return { clock, counter, run, now: () => now };
}

describe('the shared send budget', () => {
  it('never grants more than the rate in any wall-clock second across concurrent senders', async () => {
    const world = fakeWorld(7);
    const budget = createSendBudget({ rate: async () => 14, counter: world.counter, clock: world.clock });
    const grants: number[] = [];
    const sender = async () => {
      for (let index = 0; index < 25; index++) {
        await budget.take(1);
        grants.push(world.now());
      }
    };
    await world.run(Array.from({ length: 8 }, sender));
    expect(grants).toHaveLength(200);
    const perSecond = new Map<number, number>();
    for (const at of grants)
      perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(14);
    // Busy seconds are used fully: 200 sends need about 200 / 14 seconds, not much more.
    expect(perSecond.size).toBeLessThanOrEqual(16);
    // Every grant leaves the margin before its second ends.
    expect(grants.every((at) => 1000 - (at % 1000) > 150)).toBe(true);
  });

  it('drops a token granted too late in its second and waits for the next one', async () => {
    const world = fakeWorld(500); // the first grant comes back 100 ms before its second ends
    const budget = createSendBudget({ rate: async () => 5, counter: world.counter, clock: world.clock });
    const started = world.now();
    const [granted] = await world.run([budget.take(1).then(() => world.now())]);
    expect(granted).toBeDefined();
    expect(1000 - ((granted ?? 0) % 1000)).toBeGreaterThan(150);
    expect(Math.floor((granted ?? 0) / 1000)).toBeGreaterThan(Math.floor(started / 1000));
  });

  it('never lets more than the rate reach SES in a second, however long the claim between grant and send takes', async () => {
    // The grant is taken before the claim write; a write that outlasts the margin once let a
    // token of second S reach SES in S+1, next to S+1's own (28 in one second at 14/s).
    const world = fakeWorld(7);
    let claims = 0;
    dynamoMock.on(UpdateCommand).callsFake(async (input: { ConditionExpression?: string }) => {
      if (!input.ConditionExpression?.includes(':pending')) return { Attributes: { status: 'sent' } };
      // Claim writes of 0 to 600 ms (a loaded DynamoDB, a busy event loop), in the fake clock.
      await world.clock.sleep((claims++ * 137) % 600);
      return { Attributes: { status: 'sending', claimId: `claim-${claims}` } };
    });
    const arrivals: number[] = [];
    const mailer: Mailer = {
      send: async () => {
        arrivals.push(world.now());
        return `m-${arrivals.length}`;
      },
    };
    const budget = createSendBudget({ rate: async () => 14, counter: world.counter, clock: world.clock });
    const ref = (index: number) =>
      ({ kind: 'campaign', campaignId: 'c', contactId: `contact-${index}` }) as const;
    const sender = (first: number) => async () => {
      for (let index = first; index < first + 20; index++)
        await sendDelivery(
          't-1',
          ref(index),
          { to: 'a@example.com', subject: 's', text: 't' },
          {
            mailer,
            budget,
            now: () => new Date(world.now()),
          },
        );
    };
    await world.run(Array.from({ length: 8 }, (_, index) => sender(index * 20)()));
    expect(arrivals).toHaveLength(160);
    const perSecond = new Map<number, number>();
    for (const at of arrivals)
      perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(14);
  });

  it('has no limit when the rate is unlimited', async () => {
    const budget = createSendBudget({
      rate: async () => undefined,
      counter: { tryAdd: () => Promise.reject(new Error('must not be called')) },
    });
    expect((await budget.take(1)).valid()).toBe(true);
  });

  it('reads SEND_RATE_PER_SECOND: a number, 0 or unlimited', async () => {
    expect(configuredRate('14')).toBe(14);
    expect(configuredRate(' 2.7 ')).toBe(2);
    expect(configuredRate('0')).toBe('unlimited');
    expect(configuredRate('unlimited')).toBe('unlimited');
    expect(configuredRate(undefined)).toBeUndefined();
    expect(() => configuredRate('fast')).toThrow();
    process.env.SEND_RATE_PER_SECOND = '9';
    expect(await sendRate()).toBe(9);
    process.env.SEND_RATE_PER_SECOND = 'unlimited';
    expect(await sendRate()).toBeUndefined();
    delete process.env.SEND_RATE_PER_SECOND;
  });
});

describe('the DynamoDB budget counter', () => {
  it('adds to the second with a condition that keeps the total within the rate', async () => {
    dynamoMock.on(UpdateCommand).resolves({});
    expect(await dynamoBudgetCounter.tryAdd(1_700_000_000, 1, 14)).toBe(true);
    const input = dynamoMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TableName: 'crm-test',
      Key: { pk: 'SEND_BUDGET#1700000000', sk: 'A' },
      ConditionExpression: 'attribute_not_exists(used) OR used <= :limit',
      ExpressionAttributeValues: { ':n': 1, ':limit': 13, ':expires': 1_700_003_600 },
    });
    dynamoMock
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'spent', $metadata: {} }));
    expect(await dynamoBudgetCounter.tryAdd(1_700_000_000, 1, 14)).toBe(false);
  });
});
