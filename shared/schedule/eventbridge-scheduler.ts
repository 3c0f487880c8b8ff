import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { config } from '../config.ts';
import { assertValidScheduleRequest, scheduleInput } from './request.ts';
import type { ScheduleRequest, Scheduler } from './scheduler.ts';

/** One client per container. */
const defaultClient = new SchedulerClient({});

/**
 * EventBridge Scheduler rejects an `at()` in the past; a schedule for a time already gone
 * (a reminder set for "now", an SLA already breached) fires this long after the call.
 */
export const PAST_SCHEDULE_DELAY_MS = 5_000;

/**
 * Delivery retries by EventBridge Scheduler itself (throttled or failed invoke calls).
 * Lambda's asynchronous invocation then has its own retries and on-failure destination
 * (infra/stacks/schedule-stack.ts); both end in the schedule DLQ.
 */
export const scheduleRetryPolicy = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 10 } as const;

export interface EventBridgeSchedulerOptions {
  readonly client?: SchedulerClient;
  /** The clock that decides whether `at` is in the past. */
  readonly now?: () => Date;
}

/**
 * The AWS adapter: one-time `at()` schedules in UTC in this deployment's group, without a
 * flexible window, deleted by EventBridge after they fire. The target receives the payload
 * plus `scheduledAt` (the requested time, ISO 8601) as its event. Group, role, DLQ and the
 * target ARNs come from the environment CDK sets (shared/config.ts `scheduleEnv`).
 */
export function eventBridgeScheduler(options: EventBridgeSchedulerOptions = {}): Scheduler {
  const client = options.client ?? defaultClient;
  const now = options.now ?? (() => new Date());

  return {
    async schedule(request) {
      assertValidScheduleRequest(request);
      const input = createScheduleInput(request, now());
      // Create, or move the existing one. A schedule that fired (and deleted itself) between
      // the conflict and the update is simply created again.
      for (let attempt = 1; ; attempt++) {
        try {
          await client.send(new CreateScheduleCommand(input));
          return;
        } catch (error) {
          if (!(error instanceof ConflictException)) throw error;
        }
        try {
          await client.send(new UpdateScheduleCommand(input));
          return;
        } catch (error) {
          if (!(error instanceof ResourceNotFoundException) || attempt >= 3) throw error;
        }
      }
    },

    async cancel(name) {
      try {
        await client.send(new DeleteScheduleCommand({ Name: name, GroupName: config.scheduleGroup }));
      } catch (error) {
        // Already fired (ActionAfterCompletion DELETE), canceled before, or never created.
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}

/** The CreateSchedule (and UpdateSchedule: same shape) input for `request`, given the current time. */
export function createScheduleInput(request: ScheduleRequest, now: Date): CreateScheduleInput {
  return {
    Name: request.name,
    GroupName: config.scheduleGroup,
    ScheduleExpression: atExpression(request.at, now),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: {
      Arn: config.scheduleTargetArn(request.target),
      RoleArn: config.schedulerRoleArn,
      Input: scheduleInput(request),
      RetryPolicy: { ...scheduleRetryPolicy },
      DeadLetterConfig: { Arn: config.scheduleDlqArn },
    },
  };
}

/**
 * `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the whole second so it never fires early;
 * a time not at least PAST_SCHEDULE_DELAY_MS ahead is moved to that.
 */
export function atExpression(at: Date, now: Date): string {
  const earliest = now.getTime() + PAST_SCHEDULE_DELAY_MS;
  const when = new Date(Math.ceil(Math.max(at.getTime(), earliest) / 1000) * 1000);
  return `at(${when.toISOString().slice(0, 19)})`;
}
