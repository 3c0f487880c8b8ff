import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo } from '../store/client.ts';
import { conditionHeld } from '../store/conditional.ts';
import { sendBudgetKey } from '../store/keys.ts';

/**
 * The SES sending rate is per AWS account, so every concurrent sender (all
 * campaign batches, all sequence steps) draws from one budget per wall-clock
 * second: a counter item per second in the table, raised with a conditional
 * `ADD` that fails once the second's budget is spent. A token belongs to its
 * second: the SES call it pays for must start before `useBy` (`marginMs`
 * before that second ends), so the request reaches SES inside it. A token
 * granted too late, or not used in time (a claim write or a busy event loop
 * came in between), is dropped — the budget is under-used, never exceeded —
 * and the sender takes another. Clocks of Lambda hosts are NTP-synchronised
 * to well under the margin.
 */
export interface SendBudget {
  /** Resolves when `count` sends may happen now; waits for a later second when this one is spent. */
  take(count?: number): Promise<SendGrant>;
  /** Sends per second now (undefined: no limit): the most one `take` may ask for. */
  rate(): Promise<number | undefined>;
}

/** Leave to start `count` SES sends, valid until `useBy`. */
export interface SendGrant {
  /** Epoch ms (the budget's clock) after which the grant is void: a send started later could land in the next second. */
  readonly useBy: number;
  /** Whether an SES call may start now under this grant. */
  valid(): boolean;
}

/** The grant of an unlimited budget: never void. */
export const UNLIMITED_GRANT: SendGrant = { useBy: Number.POSITIVE_INFINITY, valid: () => true };

/** The shared counter behind the budget: adds `count` to `second`'s total unless it would exceed `max`. */
export interface BudgetCounter {
  tryAdd(second: number, count: number, max: number): Promise<boolean>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface SendBudgetOptions {
  /** Sends per second; undefined means no limit. */
  readonly rate: () => Promise<number | undefined>;
  readonly counter?: BudgetCounter;
  readonly clock?: Clock;
  /** A token granted later than this before the end of its second is not used. Default 150 ms. */
  readonly marginMs?: number;
}

const DEFAULT_MARGIN_MS = 150;
/** Budget items are only needed for their second; TTL removes them. */
const BUDGET_TTL_SECONDS = 3600;

export const dynamoBudgetCounter: BudgetCounter = {
  async tryAdd(second, count, max) {
    return conditionHeld(() =>
      dynamo.send(
        new UpdateCommand({
          TableName: config.tableName,
          Key: sendBudgetKey(second),
          UpdateExpression: 'ADD used :n SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :limit',
          ExpressionAttributeValues: {
            ':n': count,
            ':limit': max - count,
            ':expires': second + BUDGET_TTL_SECONDS,
          },
        }),
      ),
    );
  },
};

export function createSendBudget(options: SendBudgetOptions): SendBudget {
  const counter = options.counter ?? dynamoBudgetCounter;
  const clock = options.clock ?? realClock;
  const margin = options.marginMs ?? DEFAULT_MARGIN_MS;
  return {
    rate: options.rate,
    async take(count = 1) {
      const rate = await options.rate();
      if (rate === undefined) return UNLIMITED_GRANT;
      if (count > rate) throw new Error(`Cannot take ${count} sends at once from a budget of ${rate}/s`);
      for (;;) {
        const now = clock.now();
        const second = Math.floor(now / 1000);
        const end = (second + 1) * 1000;
        if (end - now > margin) {
          const granted = await counter.tryAdd(second, count, rate);
          const useBy = end - margin;
          // The grant only counts if it came back in time to reach SES within its second.
          if (granted && clock.now() < useBy) return { useBy, valid: () => clock.now() < useBy };
        }
        // Spent (or too late in the second): wait for the next second, spread a little so
        // that a crowd of waiting senders does not hit the counter in the same millisecond.
        const wait = end - clock.now() + Math.floor(Math.random() * 20);
        await clock.sleep(Math.max(1, wait));
      }
    },
  };
}

/** SEND_RATE_PER_SECOND: a number, or `0` / `unlimited` for no limit (local benches). */
export function configuredRate(value: string | undefined): number | 'unlimited' | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'unlimited' || text === '0') return 'unlimited';
  const rate = Number(text);
  if (!Number.isFinite(rate) || rate < 0)
    throw new Error(`SEND_RATE_PER_SECOND must be a number, got "${value}"`);
  return Math.max(1, Math.floor(rate));
}

let accountRate: Promise<number> | undefined;
let sesClient: SESv2Client | undefined;

/** SES's MaxSendRate for this account, read once per container. */
function sesAccountRate(): Promise<number> {
  accountRate ??= (async () => {
    sesClient ??= new SESv2Client({});
    const account = await sesClient.send(new GetAccountCommand({}));
    const max = account.SendQuota?.MaxSendRate;
    if (typeof max !== 'number' || max <= 0) throw new Error('SES GetAccount returned no MaxSendRate');
    return Math.max(1, Math.floor(max));
  })().catch((error: unknown) => {
    accountRate = undefined;
    throw error;
  });
  return accountRate;
}

/** The rate senders use: SEND_RATE_PER_SECOND (read on each call) if set, else the SES account's. */
export async function sendRate(): Promise<number | undefined> {
  const configured = configuredRate(config.sendRatePerSecond);
  if (configured === 'unlimited') return undefined;
  return configured ?? sesAccountRate();
}

let defaultBudget: SendBudget | undefined;

/** The account-wide budget every sender in this container uses. */
export function sharedSendBudget(): SendBudget {
  defaultBudget ??= createSendBudget({ rate: sendRate });
  return defaultBudget;
}
