import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scheduleEnv } from '#shared/config';
import {
  atExpression,
  eventBridgeScheduler,
  PAST_SCHEDULE_DELAY_MS,
  scheduleRetryPolicy,
} from '#shared/schedule/eventbridge-scheduler';
import { type ScheduleRequest, scheduleTargets } from '#shared/schedule/scheduler';

const scheduler = mockClient(SchedulerClient);

/** The service's own exception classes, as the SDK throws them. */
const conflict = (message: string) => new ConflictException({ message, Message: message, $metadata: {} });
const notFound = (message: string) =>
  new ResourceNotFoundException({ message, Message: message, $metadata: {} });
const throttled = (message: string) => new ThrottlingException({ message, Message: message, $metadata: {} });
afterEach(() => scheduler.reset());

const env: Record<string, string> = {
  [scheduleEnv.group]: 'crm-test',
  [scheduleEnv.roleArn]: 'arn:aws:iam::123456789012:role/scheduler',
  [scheduleEnv.dlqArn]: 'arn:aws:sqs:eu-west-1:123456789012:schedule-dlq',
  [scheduleEnv.targetArn('reminder')]: 'arn:aws:lambda:eu-west-1:123456789012:function:reminder',
  [scheduleEnv.targetArn('slaCheck')]: 'arn:aws:lambda:eu-west-1:123456789012:function:sla',
  [scheduleEnv.targetArn('campaignStart')]: 'arn:aws:lambda:eu-west-1:123456789012:function:campaign-start',
  [scheduleEnv.targetArn('sequenceStep')]: 'arn:aws:lambda:eu-west-1:123456789012:function:sequence-step',
  [scheduleEnv.targetArn('alertScan')]: 'arn:aws:lambda:eu-west-1:123456789012:function:alert-scan',
  [scheduleEnv.targetArn('sequenceSweep')]: 'arn:aws:lambda:eu-west-1:123456789012:function:sequence-sweep',
};
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const [name, value] of Object.entries(env)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});
afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const now = new Date('2030-05-01T10:00:00.000Z');
const adapter = eventBridgeScheduler({ now: () => now });
const reminder: ScheduleRequest = {
  name: 'reminder-01J0000000000000000000000A',
  at: new Date('2030-05-01T12:30:00.000Z'),
  target: 'reminder',
  payload: { tenantId: 'acme', activityId: '01J0000000000000000000000A', attempt: 1, urgent: false },
};

describe('EventBridge Scheduler adapter', () => {
  it('creates a one-time UTC schedule in the group that invokes the target with the payload', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    await adapter.schedule(reminder);
    const calls = scheduler.commandCalls(CreateScheduleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      Name: reminder.name,
      GroupName: 'crm-test',
      ScheduleExpression: 'at(2030-05-01T12:30:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: env[scheduleEnv.targetArn('reminder')],
        RoleArn: env[scheduleEnv.roleArn],
        Input: expect.any(String),
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 10 },
        DeadLetterConfig: { Arn: env[scheduleEnv.dlqArn] },
      },
    });
    expect(JSON.parse(calls[0]?.args[0].input.Target?.Input ?? '')).toEqual({
      tenantId: 'acme',
      activityId: '01J0000000000000000000000A',
      attempt: 1,
      urgent: false,
      scheduledAt: '2030-05-01T12:30:00.000Z',
    });
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it.each(scheduleTargets)('sends %s schedules to the ARN named by its own variable', async (target) => {
    scheduler.on(CreateScheduleCommand).resolves({});
    await adapter.schedule({ ...reminder, name: `${target}-1`, target });
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Target?.Arn).toBe(
      env[scheduleEnv.targetArn(target)],
    );
  });

  it('moves an existing schedule: CreateSchedule conflicts, UpdateSchedule replaces it', async () => {
    scheduler.on(CreateScheduleCommand).rejects(conflict('Schedule already exists'));
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    const moved = { ...reminder, at: new Date('2030-05-02T08:00:00.000Z') };
    await adapter.schedule(moved);
    const [update] = scheduler.commandCalls(UpdateScheduleCommand);
    expect(update?.args[0].input).toEqual(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input);
    expect(update?.args[0].input.ScheduleExpression).toBe('at(2030-05-02T08:00:00)');
    expect(JSON.parse(update?.args[0].input.Target?.Input ?? '').scheduledAt).toBe(
      '2030-05-02T08:00:00.000Z',
    );
  });

  it('creates again when the conflicting schedule fired and deleted itself before the update', async () => {
    scheduler.on(CreateScheduleCommand).rejectsOnce(conflict('exists')).resolves({});
    scheduler.on(UpdateScheduleCommand).rejects(notFound('gone'));
    await adapter.schedule(reminder);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(2);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(1);
  });

  it('passes other errors on (the caller decides; nothing is retried blindly)', async () => {
    scheduler.on(CreateScheduleCommand).rejects(throttled('slow down'));
    await expect(adapter.schedule(reminder)).rejects.toBeInstanceOf(ThrottlingException);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('deletes a schedule by name in the group', async () => {
    scheduler.on(DeleteScheduleCommand).resolves({});
    await adapter.cancel(reminder.name);
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      Name: reminder.name,
      GroupName: 'crm-test',
    });
  });

  it('treats a missing schedule as canceled (fired, canceled before, or never created)', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(notFound('none'));
    await expect(adapter.cancel('reminder-missing')).resolves.toBeUndefined();
    scheduler.on(DeleteScheduleCommand).rejects(throttled('slow down'));
    await expect(adapter.cancel('reminder-missing')).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('refuses names and payloads EventBridge would refuse, before calling it', async () => {
    const bad: ScheduleRequest[] = [
      { ...reminder, name: 'reminder:01J' },
      { ...reminder, name: 'x'.repeat(65) },
      { ...reminder, at: new Date('not a date') },
      { ...reminder, payload: { tenantId: '' } },
      { ...reminder, payload: { tenantId: 'acme', note: 'x'.repeat(9000) } },
      { ...reminder, target: 'campaign' as ScheduleRequest['target'] },
    ];
    for (const request of bad) await expect(adapter.schedule(request)).rejects.toThrow(/Schedule|schedule/);
    expect(scheduler.calls()).toHaveLength(0);
  });

  it('fails clearly when CDK did not set the environment', async () => {
    const group = process.env[scheduleEnv.group];
    delete process.env[scheduleEnv.group];
    try {
      await expect(adapter.schedule(reminder)).rejects.toThrow(
        `Missing environment variable ${scheduleEnv.group}`,
      );
    } finally {
      process.env[scheduleEnv.group] = group;
    }
  });
});

describe('at() expressions', () => {
  it('are UTC wall time to the second, rounded up so a schedule never fires early', () => {
    expect(atExpression(new Date('2030-05-01T12:30:00.000Z'), now)).toBe('at(2030-05-01T12:30:00)');
    expect(atExpression(new Date('2030-05-01T12:30:00.001Z'), now)).toBe('at(2030-05-01T12:30:01)');
    expect(atExpression(new Date('2030-12-31T23:59:59.500+00:00'), now)).toBe('at(2031-01-01T00:00:00)');
  });

  it('clamp a time in the past (or too close) to a few seconds from now, so it fires at once', async () => {
    const clamped = `at(${new Date(now.getTime() + PAST_SCHEDULE_DELAY_MS).toISOString().slice(0, 19)})`;
    expect(atExpression(new Date('2020-01-01T00:00:00Z'), now)).toBe(clamped);
    expect(atExpression(now, now)).toBe(clamped);
    scheduler.on(CreateScheduleCommand).resolves({});
    const overdue = { ...reminder, at: new Date('2030-05-01T09:00:00.000Z') };
    await adapter.schedule(overdue);
    const input = scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
    expect(input?.ScheduleExpression).toBe(clamped);
    // The target still learns the time it was meant for.
    expect(JSON.parse(input?.Target?.Input ?? '').scheduledAt).toBe('2030-05-01T09:00:00.000Z');
  });

  it('keep a sensible retry policy', () => {
    expect(scheduleRetryPolicy.MaximumRetryAttempts).toBeLessThanOrEqual(185);
    expect(scheduleRetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(86_400);
  });
});
