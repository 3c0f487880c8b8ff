import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';

/**
 * The send budget's real counter in DynamoDB Local, under concurrent senders
 * in several "containers" (budget instances) with a finite rate. The check
 * reads the counter's own items, one per wall-clock second, not the clock.
 */
let budgetModule: typeof import('#shared/mail/send-budget');
let keys: typeof import('#shared/store/keys');
const table = `budget-${Date.now().toString(36)}`;

beforeAll(async () => {
  useTestTable();
  // A table of its own: nothing else writes budget items into it.
  await dynamoClient().send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  process.env.TABLE_NAME = table;
  budgetModule = await import('#shared/mail/send-budget');
  keys = await import('#shared/store/keys');
  expect(inject('tableName')).not.toBe(table);
});

afterAll(() => {
  process.env.TABLE_NAME = inject('tableName');
});

describe('the shared send budget in DynamoDB', () => {
  it('never grants more than the rate in any second to concurrent senders in several containers', {
    timeout: 120_000,
  }, async () => {
    const rate = 3;
    const containers = 3;
    const sendersPerContainer = 3;
    const sendsPerSender = 3;
    let grants = 0;
    const seconds = new Set<number>();
    // The real counter; the wrapper only notes which seconds it granted tokens in.
    const counter: import('#shared/mail/send-budget').BudgetCounter = {
      async tryAdd(second, count, max) {
        const granted = await budgetModule.dynamoBudgetCounter.tryAdd(second, count, max);
        if (granted) {
          grants += count;
          seconds.add(second);
        }
        return granted;
      },
    };
    let sends = 0;
    await Promise.all(
      Array.from({ length: containers }, () => {
        const budget = budgetModule.createSendBudget({ rate: async () => rate, counter });
        return Array.from({ length: sendersPerContainer }, async () => {
          for (let send = 0; send < sendsPerSender; send++) {
            await budget.take(1);
            sends += 1;
          }
        });
      }).flat(),
    );
    const total = containers * sendersPerContainer * sendsPerSender;
    expect(sends).toBe(total);
    // A token granted too late in its second is dropped, never used: grants may exceed sends.
    expect(grants).toBeGreaterThanOrEqual(total);

    let recorded = 0;
    for (const second of seconds) {
      const { Item } = await dynamoClient().send(
        new GetItemCommand({
          TableName: table,
          Key: toKey(keys.sendBudgetKey(second)),
          ConsistentRead: true,
        }),
      );
      const used = Item ? Number(unmarshall(Item).used) : 0;
      expect(used, `second ${second}`).toBeGreaterThan(0);
      expect(used, `second ${second}`).toBeLessThanOrEqual(rate);
      recorded += used;
    }
    // The items account for every grant, and the sends needed at least total / rate seconds.
    expect(recorded).toBe(grants);
    expect(seconds.size).toBeGreaterThanOrEqual(Math.ceil(total / rate));
  });
});

const toKey = (key: { pk: string; sk: string }) => ({ pk: { S: key.pk }, sk: { S: key.sk } });
