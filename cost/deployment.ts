import { defaults } from '../infra/config.ts';
import { type LambdaSpec, lambdas, lambdasOf } from '../infra/lambdas.ts';
import { recurringSchedules } from '../shared/schedule/scheduler.ts';
import type { FixedResources } from './bill.ts';

/**
 * What the deployment itself says about cost: each function's memory (infra/lambdas.ts), the
 * recurring schedules (shared/schedule/scheduler.ts), the log retention (infra/config.ts), and
 * the fixed resources the stacks create. test/unit/cost-deployment.test.ts reads infra/stacks to
 * keep the counts below true.
 */

/** crm-function.ts's default when a catalogue entry names no memory. */
export const DEFAULT_MEMORY_MB = 512;

/** The memory of function `name`; throws for a name the catalogue does not have (a stale counts file). */
export function memoryOf(name: string): number {
  const spec = (lambdas as readonly LambdaSpec[]).find((candidate) => candidate.name === name);
  if (!spec) throw new Error(`The counts name a function ${name} that infra/lambdas.ts does not have`);
  return spec.memoryMb ?? DEFAULT_MEMORY_MB;
}

/** Minutes in the 30-day month the bill is for. */
export const MINUTES_PER_MONTH = 30 * 24 * 60;

export const fixedResources: FixedResources = {
  // CrmData's signing key (infra/stacks/data-stack.ts); queues and buckets use AWS-managed encryption.
  secrets: 1,
  recurring: recurringSchedules.map((schedule) => ({
    name: schedule.name,
    target: schedule.target,
    perMonth: MINUTES_PER_MONTH / schedule.everyMinutes,
  })),
  kmsKeys: 0,
  alarms: 0,
  dashboards: 0,
};

export const logRetentionDays: number = defaults.logRetentionDays;

/** Queues a Lambda event source mapping polls (one per queue consumer in the catalogue). */
export const polledQueues = lambdasOf('queue').length;

/**
 * The custom metrics (shared/observability/metrics.ts) and the functions that publish them: one
 * CloudWatch metric per metric name and `service` dimension, billed for the months it is published.
 */
export const metricPublishers: Readonly<Record<string, readonly string[]>> = {
  // shared/mail/deliver.ts (the campaign sender and the sequence step) and the reminder.
  EmailsSent: ['campaignSend', 'sequenceStep', 'reminder'],
  StreamLag: ['tableChanges'],
  // Defined, but no function records it yet.
  ImportedRecords: [],
};

/** Metric series published in a month where the functions in `running` ran. */
export function metricSeries(running: ReadonlySet<string>): number {
  return Object.values(metricPublishers)
    .flat()
    .filter((fn) => running.has(fn)).length;
}
