/**
 * One-time schedules (reminders, SLA checks, campaign starts, sequence steps). In AWS an EventBridge Scheduler `at()` schedule invokes the target
 * function with `payload` plus `scheduledAt` (the requested time, ISO 8601) as
 * its event and deletes itself after firing; under `npm start` a stand-in keeps
 * schedules in a local-only table of DynamoDB Local (not the CRM table) and
 * fires them on time, also after a restart. Targets must be idempotent: a
 * schedule may fire twice or late.
 */
export const scheduleTargets = [
  'reminder',
  'slaCheck',
  'campaignStart',
  'sequenceStep',
  'alertScan',
  'sequenceSweep',
] as const;
export type ScheduleTarget = (typeof scheduleTargets)[number];

/**
 * The Lambda timeout of each target, which the local stand-in applies too. A
 * campaign start resolves the segment and writes every recipient; the others
 * read and write a few items and send at most one email.
 */
export const scheduleTargetTimeoutMs: Readonly<Record<ScheduleTarget, number>> = {
  reminder: 30_000,
  slaCheck: 30_000,
  campaignStart: 5 * 60_000,
  sequenceStep: 30_000,
  // Pages through every tenant listed for alerts.
  alertScan: 5 * 60_000,
  // The same tenants, one Query each for overdue steps, and a few writes per stuck step.
  sequenceSweep: 5 * 60_000,
};

/**
 * Recurring schedules: the target runs every `everyMinutes` for every tenant
 * at once (its event carries no tenant; the target finds its tenants). In AWS
 * a `rate()` schedule of the group (infra/stacks/schedule-stack.ts); under
 * `npm start` the local scheduler stand-in runs the target on the same
 * interval, first at start.
 */
export interface RecurringSchedule {
  /** Unique among schedules ([0-9A-Za-z-_.]). */
  readonly name: string;
  readonly target: ScheduleTarget;
  readonly everyMinutes: number;
}

export const recurringSchedules: readonly RecurringSchedule[] = [
  /** Stale deals and missed SLA breaches (functions/schedule/alertScan.ts). */
  { name: 'alert-scan', target: 'alertScan', everyMinutes: 60 },
  /** Sequence steps left pending by a firing that died (functions/schedule/sequenceSweep.ts). */
  { name: 'sequence-sweep', target: 'sequenceSweep', everyMinutes: 60 },
];

/** What a target receives; `tenantId` comes from the code that scheduled it, never from a client. */
export interface SchedulePayload {
  readonly tenantId: string;
  readonly [key: string]: string | number | boolean;
}

export interface ScheduleRequest {
  /** Unique per purpose, e.g. `reminder-<activityId>`; [0-9A-Za-z-_.], at most 64 characters. */
  readonly name: string;
  readonly at: Date;
  readonly target: ScheduleTarget;
  readonly payload: SchedulePayload;
}

export interface Scheduler {
  /** Creates the schedule, or moves it if one with this name exists. */
  schedule(request: ScheduleRequest): Promise<void>;
  /** Deletes the schedule; a missing one is not an error. */
  cancel(name: string): Promise<void>;
}
