import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localScheduler } from '#shared/schedule/local-scheduler';
import type { ScheduleTargetEvent } from '#shared/schedule/request';
import type { ScheduleTarget } from '#shared/schedule/scheduler';
import { getScheduler } from '#shared/schedule/select';
import type { HttpHandler } from '../../infra/local/handler-loader.ts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import type { LoadScheduleHandler } from '../../infra/local/scheduler.ts';
import { mintToken } from '../../infra/local/tokens.ts';
import { eventually } from '../support/api.ts';
import { collectingLogger, tempDir } from './helpers.ts';

/** The scheduler stand-in as `npm start` runs it: its table, handler env, clock, control routes, restarts. */
interface Call {
  readonly target: ScheduleTarget;
  readonly event: ScheduleTargetEvent;
}

function recorder(calls: Call[]): LoadScheduleHandler {
  return async (target) => async (event) => {
    calls.push({ target, event });
  };
}

const noHttp = async (): Promise<HttpHandler> => {
  throw new Error('no HTTP handlers in this test');
};

const clientFor = (runtime: LocalRuntime) =>
  new DynamoDBClient({
    endpoint: runtime.dynamoEndpoint,
    region: runtime.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const t0 = new Date('2030-03-01T08:00:00.000Z');
const hours = (n: number) => new Date(t0.getTime() + n * 3_600_000);

describe('the runtime with the scheduler stand-in', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let runtime: LocalRuntime;
  const calls: Call[] = [];

  beforeAll(async () => {
    dir = await tempDir();
    runtime = await startLocalRuntime({
      dataDir: dir.path,
      inMemory: true,
      port: 0,
      log: collectingLogger(),
      routes: [],
      loadHttpHandler: noHttp,
      loadScheduleHandler: recorder(calls),
      // Frozen at t0: only run-due moves time, so nothing fires behind the test's back.
      schedulerClock: () => t0,
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await dir?.remove();
  });

  it('gives handlers SCHEDULER=local and the local schedule table, so getScheduler() is the stand-in', async () => {
    expect(runtime.handlerEnv).toMatchObject({
      SCHEDULER: 'local',
      LOCAL_SCHEDULE_TABLE: runtime.scheduleTableName,
    });
    expect(runtime.scheduleTableName).toBe(`${runtime.tableName}-schedules`);
    const scheduler = await getScheduler();
    await scheduler.schedule({
      name: 'reminder-select',
      at: hours(1),
      target: 'reminder',
      payload: { tenantId: 'select', activityId: 'a1' },
    });
    expect((await runtime.scheduler.pending({ tenantId: 'select' })).map((s) => s.name)).toEqual([
      'reminder-select',
    ]);
    expect(await runtime.scheduler.fireDue({ now: hours(1), tenantId: 'select' })).toEqual([
      expect.objectContaining({ name: 'reminder-select', outcome: 'fired' }),
    ]);
    expect(calls.at(-1)).toEqual({
      target: 'reminder',
      event: { tenantId: 'select', activityId: 'a1', scheduledAt: hours(1).toISOString() },
    });
    await scheduler.cancel('reminder-select');
  });

  it("serves /__local/scheduler/* for the token's tenant only", async () => {
    const scheduler = await getScheduler();
    await scheduler.schedule({
      name: 'reminder-acme',
      at: hours(2),
      target: 'reminder',
      payload: { tenantId: 'acme', activityId: 'a2' },
    });
    await scheduler.schedule({
      name: 'sla-globex',
      at: hours(2),
      target: 'slaCheck',
      payload: { tenantId: 'globex', caseId: 'c1' },
    });
    const acme = await mintToken(dir.path, { tenant: 'acme', role: 'rep' });
    const globex = await mintToken(dir.path, { tenant: 'globex', role: 'admin' });
    const call = (method: string, path: string, token?: string) =>
      fetch(`${runtime.apiUrl}${path}`, {
        method,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });

    expect((await call('GET', '/__local/scheduler/schedules')).status).toBe(401);
    expect((await call('POST', '/__local/scheduler/run-due')).status).toBe(401);
    const bad = await call('POST', '/__local/scheduler/run-due?now=yesterday', acme);
    expect(bad.status).toBe(400);

    const listed = await call('GET', '/__local/scheduler/schedules', acme);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({
      items: [
        {
          name: 'reminder-acme',
          target: 'reminder',
          at: hours(2).toISOString(),
          scheduledAt: hours(2).toISOString(),
          payload: { tenantId: 'acme', activityId: 'a2' },
          attempts: 0,
        },
      ],
    });

    // Without `now` the runtime's clock (frozen at t0) decides: nothing is due yet.
    const early = await call('POST', '/__local/scheduler/run-due', acme);
    expect(await early.json()).toEqual({ now: t0.toISOString(), fired: [] });

    const ran = await call('POST', `/__local/scheduler/run-due?now=${hours(3).toISOString()}`, acme);
    expect(ran.status).toBe(200);
    expect(await ran.json()).toEqual({
      now: hours(3).toISOString(),
      fired: [
        {
          name: 'reminder-acme',
          target: 'reminder',
          tenantId: 'acme',
          scheduledAt: hours(2).toISOString(),
          outcome: 'fired',
          attempts: 0,
        },
      ],
    });
    // Another tenant's due schedule was neither fired nor shown.
    expect(calls.some((c) => c.event.tenantId === 'globex')).toBe(false);
    expect(await (await call('GET', '/__local/scheduler/schedules', acme)).json()).toEqual({ items: [] });
    const globexItems = (await (await call('GET', '/__local/scheduler/schedules', globex)).json()) as {
      items: { name: string }[];
    };
    expect(globexItems.items.map((item) => item.name)).toEqual(['sla-globex']);
  });
});

describe('a restart of a persisted runtime', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.remove());

  const start = (calls: Call[], now: () => Date) =>
    startLocalRuntime({
      dataDir: dir.path,
      port: 0,
      log: collectingLogger(),
      routes: [],
      loadHttpHandler: noHttp,
      loadScheduleHandler: recorder(calls),
      schedulerClock: now,
      schedulerPollMs: 50,
    });

  it('keeps pending schedules and fires the overdue ones on start', async () => {
    const firstCalls: Call[] = [];
    const first = await start(firstCalls, () => t0);
    const db = clientFor(first);
    const scheduler = localScheduler({ tableName: first.scheduleTableName, client: db });
    await scheduler.schedule({
      name: 'reminder-overdue-after-restart',
      at: hours(1),
      target: 'reminder',
      payload: { tenantId: 'acme', activityId: 'a3' },
    });
    await scheduler.schedule({
      name: 'reminder-still-future',
      at: hours(10),
      target: 'reminder',
      payload: { tenantId: 'acme', activityId: 'a4' },
    });
    db.destroy();
    await first.stop();
    expect(firstCalls).toEqual([]);

    // Down while the first one came due; the next start finds it overdue.
    const secondCalls: Call[] = [];
    const second = await start(secondCalls, () => hours(2));
    try {
      await eventually(() =>
        expect(secondCalls).toEqual([
          {
            target: 'reminder',
            event: { tenantId: 'acme', activityId: 'a3', scheduledAt: hours(1).toISOString() },
          },
        ]),
      );
      // The fired schedule is deleted just after its target returns.
      await eventually(async () =>
        expect((await second.scheduler.pending()).map((schedule) => schedule.name)).toEqual([
          'reminder-still-future',
        ]),
      );
    } finally {
      await second.stop();
    }
  });
});
