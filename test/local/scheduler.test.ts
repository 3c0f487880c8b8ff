import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localScheduler } from '#shared/schedule/local-scheduler';
import type { ScheduleTargetEvent } from '#shared/schedule/request';
import type { ScheduleRequest, Scheduler, ScheduleTarget } from '#shared/schedule/scheduler';
import {
  ensureScheduleTable,
  type LocalSchedulerLoop,
  type LocalSchedulerLoopOptions,
  type ScheduleHandler,
  startLocalScheduler,
} from '../../infra/local/scheduler.ts';
import { eventually } from '../support/api.ts';
import { collectingLogger, startTestDynamo } from './helpers.ts';

/**
 * The scheduler stand-in against DynamoDB Local, on an injected clock: nothing here waits
 * for a schedule's time or depends on how fast a busy machine runs.
 */
let local: Awaited<ReturnType<typeof startTestDynamo>>;
let dynamodb: DynamoDBClient;
let dir: { path: string };
const loops: LocalSchedulerLoop[] = [];
let tableCounter = 0;

beforeAll(async () => {
  local = await startTestDynamo();
  ({ dynamodb, dir } = local);
});

afterAll(async () => {
  await Promise.all(loops.map((loop) => loop.stop()));
  await local?.stop();
});

const t0 = new Date('2030-01-01T09:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const minutes = (n: number) => n * 60_000;

interface Call {
  readonly target: ScheduleTarget;
  readonly event: ScheduleTargetEvent;
}

/** A fresh schedule table, the handler-side adapter on it, and a loop without background firing. */
async function setup(
  behaviour: (call: Call, calls: Call[]) => Promise<void> | void = () => undefined,
  extra: Partial<LocalSchedulerLoopOptions> = {},
) {
  const tableName = `schedules-${++tableCounter}`;
  expect(await ensureScheduleTable(dynamodb, tableName)).toBe('created');
  expect(await ensureScheduleTable(dynamodb, tableName)).toBe('unchanged');
  const calls: Call[] = [];
  const log = collectingLogger();
  const failureFile = join(dir.path, `${tableName}-failures.jsonl`);
  const scheduler: Scheduler = localScheduler({ tableName, client: dynamodb });
  const loop = startLocalScheduler({
    dynamodb,
    tableName,
    region: 'us-east-1',
    log,
    failureFile,
    autoFire: false,
    loadHandler: async (target) => async (event) => {
      const call = { target, event };
      calls.push(call);
      await behaviour(call, calls);
    },
    ...extra,
  });
  loops.push(loop);
  return { tableName, scheduler, loop, calls, log, failureFile };
}

const reminder = (name: string, when: Date, tenantId = 'acme'): ScheduleRequest => ({
  name,
  at: when,
  target: 'reminder',
  payload: { tenantId, activityId: name, count: 2, flag: true },
});

const failures = async (file: string) =>
  (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe('the local scheduler stand-in’s recurring schedules', () => {
  it('runs each one on the first pass, then once per interval of its clock, and goes on after a failure', async () => {
    let clock = t0;
    let failNext = true;
    const { scheduler, calls, log } = await setup(
      (call) => {
        if (call.target === 'alertScan' && failNext) {
          failNext = false;
          throw new Error('tenant table unreachable');
        }
      },
      {
        autoFire: true,
        pollMs: 10,
        now: () => clock,
        recurring: [{ name: 'alert-scan', target: 'alertScan', everyMinutes: 60 }],
      },
    );
    const ticks = () => calls.filter((call) => call.target === 'alertScan').map((call) => call.event);
    // A pass has run once a one-time schedule due by then has fired (passes never overlap).
    const passAt = async (name: string, now: Date) => {
      clock = now;
      await scheduler.schedule(reminder(name, now));
      await eventually(() => expect(calls.some((call) => call.event.activityId === name)).toBe(true));
      await scheduler.schedule(reminder(`${name}-after`, now));
      await eventually(() =>
        expect(calls.some((call) => call.event.activityId === `${name}-after`)).toBe(true),
      );
    };

    await passAt('first', t0);
    expect(ticks()).toEqual([{ recurring: 'alert-scan', scheduledAt: t0.toISOString() }]);
    expect(log.errors.map((entry) => entry.message)).toEqual([
      expect.stringContaining('recurring alert-scan (alertScan) failed; next run in 60 minutes'),
    ]);

    await passAt('before', at(minutes(59)));
    expect(ticks()).toHaveLength(1);

    await passAt('due', at(minutes(60)));
    expect(ticks()).toEqual([
      { recurring: 'alert-scan', scheduledAt: t0.toISOString() },
      { recurring: 'alert-scan', scheduledAt: at(minutes(60)).toISOString() },
    ]);
    expect(log.errors).toHaveLength(1);
  });
});

describe('the local scheduler stand-in', () => {
  it('fires a schedule once when its time comes, with the payload plus scheduledAt, then deletes it', async () => {
    const { scheduler, loop, calls } = await setup();
    await scheduler.schedule(reminder('reminder-a', at(minutes(60))));
    expect(await loop.fireDue({ now: at(minutes(59)) })).toEqual([]);
    expect(calls).toEqual([]);

    const fired = await loop.fireDue({ now: at(minutes(60)) });
    expect(fired).toEqual([
      {
        name: 'reminder-a',
        target: 'reminder',
        tenantId: 'acme',
        scheduledAt: at(minutes(60)).toISOString(),
        outcome: 'fired',
        attempts: 0,
      },
    ]);
    expect(calls).toEqual([
      {
        target: 'reminder',
        event: {
          tenantId: 'acme',
          activityId: 'reminder-a',
          count: 2,
          flag: true,
          scheduledAt: at(minutes(60)).toISOString(),
        },
      },
    ]);
    expect(await loop.fireDue({ now: at(minutes(120)) })).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(await loop.pending()).toEqual([]);
  });

  it('fires overdue schedules in time order on the next pass', async () => {
    const { scheduler, loop, calls } = await setup();
    await scheduler.schedule(reminder('reminder-late', at(minutes(30))));
    await scheduler.schedule({ ...reminder('sla-early', at(minutes(10))), target: 'slaCheck' });
    await scheduler.schedule(reminder('reminder-future', at(minutes(90))));
    const fired = await loop.fireDue({ now: at(minutes(60)) });
    expect(fired.map((firing) => firing.name)).toEqual(['sla-early', 'reminder-late']);
    expect(calls.map((call) => call.target)).toEqual(['slaCheck', 'reminder']);
    expect((await loop.pending()).map((schedule) => schedule.name)).toEqual(['reminder-future']);
  });

  it('fires a moved schedule at its new time only (later or earlier)', async () => {
    const { scheduler, loop, calls } = await setup();
    await scheduler.schedule(reminder('reminder-later', at(minutes(10))));
    await scheduler.schedule(reminder('reminder-later', at(minutes(50))));
    await scheduler.schedule(reminder('reminder-earlier', at(minutes(40))));
    await scheduler.schedule(reminder('reminder-earlier', at(minutes(20))));

    expect((await loop.fireDue({ now: at(minutes(10)) })).map((firing) => firing.name)).toEqual([]);
    expect((await loop.fireDue({ now: at(minutes(20)) })).map((firing) => firing.name)).toEqual([
      'reminder-earlier',
    ]);
    expect((await loop.fireDue({ now: at(minutes(45)) })).map((firing) => firing.name)).toEqual([]);
    expect((await loop.fireDue({ now: at(minutes(50)) })).map((firing) => firing.name)).toEqual([
      'reminder-later',
    ]);
    expect(calls.map((call) => [call.event.activityId, call.event.scheduledAt])).toEqual([
      ['reminder-earlier', at(minutes(20)).toISOString()],
      ['reminder-later', at(minutes(50)).toISOString()],
    ]);
  });

  it('never fires a canceled schedule; canceling a missing one is no error', async () => {
    const { scheduler, loop, calls } = await setup();
    await scheduler.schedule(reminder('reminder-canceled', at(minutes(5))));
    await scheduler.cancel('reminder-canceled');
    await scheduler.cancel('reminder-canceled');
    await scheduler.cancel('reminder-never-created');
    expect(await loop.fireDue({ now: at(minutes(60 * 24 * 365)) })).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('retries a failing target with backoff, then writes it to the failure file and deletes it', async () => {
    const { scheduler, loop, calls, failureFile, log } = await setup(
      () => {
        throw new Error('SES is down');
      },
      { maxAttempts: 3, retryBaseMs: 1000 },
    );
    await scheduler.schedule(reminder('reminder-failing', at(0)));

    expect(await loop.fireDue({ now: at(0) })).toEqual([
      expect.objectContaining({ outcome: 'retrying', attempts: 1, error: 'SES is down' }),
    ]);
    expect((await loop.pending())[0]).toMatchObject({ at: at(1000).toISOString(), attempts: 1 });
    expect(await loop.fireDue({ now: at(999) })).toEqual([]);
    expect(await loop.fireDue({ now: at(1000) })).toEqual([
      expect.objectContaining({ outcome: 'retrying', attempts: 2 }),
    ]);
    // Doubled: the third attempt comes 2 s after the second.
    expect(await loop.fireDue({ now: at(2999) })).toEqual([]);
    expect(await loop.fireDue({ now: at(3000) })).toEqual([
      expect.objectContaining({ outcome: 'failed', attempts: 3, error: 'SES is down' }),
    ]);

    expect(calls).toHaveLength(3);
    // Every attempt gets the same event: the time it was scheduled for, not the retry's.
    expect(new Set(calls.map((call) => call.event.scheduledAt))).toEqual(new Set([at(0).toISOString()]));
    expect(await failures(failureFile)).toEqual([
      expect.objectContaining({
        name: 'reminder-failing',
        target: 'reminder',
        scheduledAt: at(0).toISOString(),
        attempts: 3,
        reason: 'SES is down',
        event: calls[0]?.event,
      }),
    ]);
    expect(await loop.pending()).toEqual([]);
    expect(log.errors.some(({ message }) => message.includes('given up'))).toBe(true);
  });

  it('fires a target that recovers on a retry once more only', async () => {
    const { scheduler, loop, calls, failureFile } = await setup(
      (_call, all) => {
        if (all.length === 1) throw new Error('throttled');
      },
      { retryBaseMs: 500 },
    );
    await scheduler.schedule(reminder('reminder-flaky', at(0)));
    await loop.fireDue({ now: at(0) });
    expect(await loop.fireDue({ now: at(500) })).toEqual([
      expect.objectContaining({ outcome: 'fired', attempts: 1 }),
    ]);
    expect(await loop.fireDue({ now: at(minutes(60)) })).toEqual([]);
    expect(calls).toHaveLength(2);
    expect(await failures(failureFile)).toEqual([]);
  });

  it('keeps a schedule that was moved while its target ran, and fires it at the new time', async () => {
    const name = 'reminder-moved-during-run';
    let scheduler: Scheduler | undefined;
    const setupResult = await setup(async (_call, all) => {
      if (all.length === 1) await scheduler?.schedule(reminder(name, at(minutes(30))));
    });
    scheduler = setupResult.scheduler;
    const { loop, calls } = setupResult;
    await scheduler.schedule(reminder(name, at(0)));
    expect((await loop.fireDue({ now: at(0) }))[0]?.outcome).toBe('fired');
    expect((await loop.pending()).map((schedule) => schedule.scheduledAt)).toEqual([
      at(minutes(30)).toISOString(),
    ]);
    await loop.fireDue({ now: at(minutes(30)) });
    expect(calls.map((call) => call.event.scheduledAt)).toEqual([
      at(0).toISOString(),
      at(minutes(30)).toISOString(),
    ]);
    expect(await loop.pending()).toEqual([]);
  });

  it('fires again after a crash between the invocation and the delete (targets must be idempotent)', async () => {
    const { scheduler, loop, calls, failureFile } = await setup();
    await scheduler.schedule(reminder('reminder-crash', at(0)));
    const send = dynamodb.send.bind(dynamodb);
    const spy = vi.spyOn(dynamodb, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof DeleteItemCommand && command.input.ConditionExpression) {
        spy.mockRestore();
        return Promise.reject(new Error('process killed before the delete'));
      }
      return send(command as never);
    }) as typeof dynamodb.send);

    await expect(loop.fireDue({ now: at(0) })).rejects.toThrow('process killed before the delete');
    expect(calls).toHaveLength(1);
    expect((await loop.pending()).map((schedule) => schedule.name)).toEqual(['reminder-crash']);

    expect(await loop.fireDue({ now: at(1) })).toEqual([expect.objectContaining({ outcome: 'fired' })]);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.event).toEqual(calls[0]?.event);
    expect(await loop.pending()).toEqual([]);
    expect(await failures(failureFile)).toEqual([]);
  });

  it('tolerates two runners firing the same schedule at once (at-least-once delivery)', async () => {
    // Each target waits until both runners are inside one: the overlap is made, not hoped for.
    let entered = 0;
    let bothInside: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => {
      bothInside = resolve;
    });
    const meet = async () => {
      if (++entered === 2) bothInside();
      await barrier;
    };
    const first = await setup(meet);
    const calls: ScheduleTargetEvent[] = [];
    const second = startLocalScheduler({
      dynamodb,
      tableName: first.tableName,
      region: 'us-east-1',
      log: collectingLogger(),
      failureFile: first.failureFile,
      autoFire: false,
      loadHandler: async () => async (event) => {
        calls.push(event);
        await meet();
      },
    });
    loops.push(second);
    await first.scheduler.schedule(reminder('reminder-twice', at(0)));
    const [a, b] = await Promise.all([first.loop.fireDue({ now: at(0) }), second.fireDue({ now: at(0) })]);
    expect([...(a ?? []), ...(b ?? [])].map((firing) => firing.outcome)).toEqual(['fired', 'fired']);
    expect(first.calls.map((call) => call.event)).toEqual(calls);
    expect(await first.loop.pending()).toEqual([]);
    expect(await failures(first.failureFile)).toEqual([]);
  });

  it('fires only the tenant or the name asked for', async () => {
    const { scheduler, loop } = await setup();
    await scheduler.schedule(reminder('reminder-acme-1', at(0), 'acme'));
    await scheduler.schedule(reminder('reminder-acme-2', at(0), 'acme'));
    await scheduler.schedule(reminder('reminder-globex', at(0), 'globex'));
    expect(
      (await loop.fireDue({ now: at(0), tenantId: 'acme', name: 'reminder-acme-2' })).map((f) => f.name),
    ).toEqual(['reminder-acme-2']);
    expect((await loop.fireDue({ now: at(0), tenantId: 'globex' })).map((f) => f.name)).toEqual([
      'reminder-globex',
    ]);
    expect((await loop.pending({ tenantId: 'acme' })).map((s) => s.name)).toEqual(['reminder-acme-1']);
    expect(await loop.pending({ tenantId: 'globex' })).toEqual([]);
  });

  it('counts no attempt while the target module cannot be loaded', async () => {
    let broken = true;
    const handler: ScheduleHandler = async () => undefined;
    const { scheduler, loop, log } = await setup(undefined, {
      maxAttempts: 1,
      loadHandler: async () => {
        if (broken) throw new Error('SyntaxError in functions/schedule/reminder.ts');
        return handler;
      },
    });
    await scheduler.schedule(reminder('reminder-module', at(0)));
    expect(await loop.fireDue({ now: at(0) })).toEqual([
      expect.objectContaining({ outcome: 'retrying', attempts: 0 }),
    ]);
    await loop.fireDue({ now: at(0) });
    expect(log.errors.filter(({ message }) => message.includes('could not be loaded'))).toHaveLength(1);
    broken = false;
    expect(await loop.fireDue({ now: at(0) })).toEqual([expect.objectContaining({ outcome: 'fired' })]);
  });

  it('refuses names EventBridge would refuse', async () => {
    const { scheduler } = await setup();
    await expect(scheduler.schedule(reminder('reminder/with/slashes', at(0)))).rejects.toThrow(
      /Invalid schedule name/,
    );
  });

  it('fires in the background on its own, on its clock, and never before the time', async () => {
    let clock = at(0);
    let clockReads = 0;
    const { scheduler, calls } = await setup(undefined, {
      autoFire: true,
      pollMs: 20,
      now: () => {
        clockReads++;
        return clock;
      },
    });
    await scheduler.schedule(reminder('reminder-background', at(minutes(1))));
    // Passes that start after the write read the clock first: three of them, before the time, fire nothing.
    const readsBefore = clockReads;
    await eventually(() => expect(clockReads).toBeGreaterThanOrEqual(readsBefore + 3), { intervalMs: 20 });
    expect(calls).toEqual([]);
    clock = at(minutes(1));
    await eventually(
      () => expect(calls.map((call) => call.event.activityId)).toEqual(['reminder-background']),
      {
        intervalMs: 20,
      },
    );
    expect(calls[0]?.event.scheduledAt).toBe(at(minutes(1)).toISOString());
  });
});
