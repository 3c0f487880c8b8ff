import {
  freeTiers as defaultFreeTiers,
  type FreeTier,
  lambdaTraceSampling,
  type PriceId,
  prices,
} from './prices.ts';
import { GB, type StoredKind, type Usage } from './usage.ts';

/**
 * The monthly bill: usage times list prices, line by line; what runs whatever the team does (the
 * idle cost) apart; the always-free allowances as a credit beside the list-price total, never
 * inside it (they are per account, and other workloads in the account use them too); SES apart.
 */

export interface BillLine {
  readonly price: PriceId;
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
}

/** What the stacks in infra/ run or keep whatever the team does (read from the catalogue and stacks). */
export interface FixedResources {
  /** Secrets Manager secrets (the signing key). */
  readonly secrets: number;
  /** Recurring schedules: each fires its target this many times a month. */
  readonly recurring: readonly {
    readonly name: string;
    readonly target: string;
    readonly perMonth: number;
  }[];
  /** KMS customer managed keys, CloudWatch alarms and dashboards the stacks create. */
  readonly kmsKeys: number;
  readonly alarms: number;
  readonly dashboards: number;
}

export interface BillInput {
  readonly usage: Usage;
  readonly stored: readonly StoredKind[];
  readonly fixed: FixedResources;
  /** People who sign in during the month (Cognito monthly active users). */
  readonly activeUsers: number;
  /** CloudWatch custom metric series the month's functions publish (metric × service dimension). */
  readonly metricSeries: number;
  /** Days the function logs are kept (the stacks' `logRetentionDays`). */
  readonly logRetentionDays: number;
  /** X-Ray active tracing of the functions (`-c tracing=active`); `disabled`, the deployment's default, records none. */
  readonly tracing: 'active' | 'disabled';
}

export interface FreeTierCredit {
  readonly tier: FreeTier;
  /** The part of the allowance this bill uses, in the price's unit. */
  readonly used: number;
  readonly usd: number;
}

export interface Bill {
  readonly activity: readonly BillLine[];
  readonly idle: readonly BillLine[];
  readonly ses: BillLine;
  /** AWS without SES, at list price: activity + idle. */
  readonly listUsd: number;
  readonly idleUsd: number;
  readonly credits: readonly FreeTierCredit[];
  readonly creditUsd: number;
}

/** One line: `quantity` in the price's unit at its list price. */
export function line(price: PriceId, quantity: number, item?: string): BillLine {
  const p = prices[price];
  return {
    price,
    service: p.service,
    item: item ?? p.item,
    quantity,
    unit: p.unit,
    usd: (quantity / p.per) * p.usd,
  };
}

const sum = (lines: readonly BillLine[]): number => lines.reduce((total, l) => total + l.usd, 0);

/** Lambda invocations of the month, every function. */
export const invocationsOf = (usage: Usage): number =>
  usage.functions.reduce((total, f) => total + f.invocations, 0);

/** Seconds in the 30-day month the bill is for. */
export const SECONDS_PER_MONTH = 30 * 24 * 60 * 60;

/**
 * The most traces active tracing can record in a month for functions invoked `invocations[i]` times
 * each (Lambda's sampling rule, `lambdaTraceSampling`: the first request each second, 5 % of the
 * rest). An upper bound whatever the reservoir's scope: it takes a reservoir per function and every
 * invocation as the first of its function in its second, up to one per second of the month, so a
 * function below one call a second on average counts every call. Calls that crowd into the same
 * seconds (a campaign's sends, an import's chunks, busy hours) record fewer.
 */
export function tracesAtMost(invocations: readonly number[], seconds = SECONDS_PER_MONTH): number {
  const { reservoirPerSecond, fixedRate } = lambdaTraceSampling;
  return invocations.reduce((total, n) => {
    const reservoir = Math.min(n, seconds * reservoirPerSecond);
    return total + reservoir + fixedRate * (n - reservoir);
  }, 0);
}

/**
 * The bill of `input`. Activity lines are the usage the workload drives; idle lines are what the
 * tenant costs with no activity at all: its stored data with continuous backups, the secret, the
 * recurring sweeps and their Lambda requests, Cognito at zero active users.
 */
export function bill(input: BillInput, tiers: readonly FreeTier[] = defaultFreeTiers): Bill {
  const { usage } = input;
  const logGb = usage.functions.reduce((total, f) => total + f.logBytes, 0) / GB;
  const activity: BillLine[] = [
    line('httpApiRequests', usage.httpApiRequests),
    line('lambdaRequests', invocationsOf(usage)),
    ...usage.functions.map((f) =>
      line(
        'lambdaArmGbSeconds',
        f.gbSeconds,
        `duration: ${f.function} (${f.memoryMb} MB × ${round(f.billedMs, 1)} ms billed)`,
      ),
    ),
    line('dynamoWriteUnits', usage.writeUnits),
    line('dynamoReadUnits', usage.readUnits),
    line('dynamoStreamReads', usage.streamRecords, 'stream records read by the Lambda trigger'),
    line('sqsRequests', usage.sqsRequests),
    line('schedulerInvocations', usage.schedulerInvocations),
    line('eventBridgeEvents', usage.eventBridgeEvents),
    line('s3PutRequests', usage.s3PutRequests),
    line('s3GetRequests', usage.s3GetRequests),
    line('logsIngestion', logGb, 'function log ingestion'),
    line(
      'logsStorage',
      (logGb * input.logRetentionDays) / 30,
      `function logs kept ${input.logRetentionDays} days`,
    ),
    line('customMetrics', input.metricSeries),
    ...(input.tracing === 'active'
      ? [
          line(
            'xrayTraces',
            tracesAtMost(usage.functions.map((f) => f.invocations)),
            'traces recorded, at most (1 a second per function, then 5 %)',
          ),
        ]
      : []),
    line('cognitoEssentialsMau', input.activeUsers),
  ];

  const storedGb = input.stored.reduce((total, kind) => total + kind.bytes, 0) / GB;
  const idle: BillLine[] = [
    line(
      'dynamoStorage',
      storedGb,
      `storage: ${input.stored.map((k) => `${Math.round(k.records).toLocaleString('en-US')} ${k.kind}`).join(', ')}`,
    ),
    line('dynamoPitr', storedGb),
    line('secrets', input.fixed.secrets, 'the signing key'),
    ...input.fixed.recurring.flatMap((r) => [
      line('schedulerInvocations', r.perMonth, `recurring schedule ${r.name}`),
      line('lambdaRequests', r.perMonth, `requests: ${r.target} (${r.name})`),
    ]),
    line('cognitoEssentialsMau', 0, 'monthly active users at rest'),
  ];

  const all = [...activity, ...idle];
  const credits = tiers
    .filter((tier) => tier.term === 'always')
    .map((tier) => {
      const usedQuantity = all
        .filter((l) => l.price === tier.price)
        .reduce((total, l) => total + l.quantity, 0);
      const used = Math.min(usedQuantity, tier.quantity);
      const p = prices[tier.price];
      return { tier, used, usd: (used / p.per) * p.usd };
    })
    .filter((credit) => credit.used > 0);

  return {
    activity,
    idle,
    ses: line('sesEmails', usage.sesEmails),
    listUsd: sum(all),
    idleUsd: sum(idle),
    credits,
    creditUsd: credits.reduce((total, c) => total + c.usd, 0),
  };
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
