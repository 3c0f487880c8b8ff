import { beforeAll, describe, expect, it } from 'vitest';
import { type AnyBody, type ApiClient, api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { listAll, replayIntoTenant } from './report-replay.ts';
import { createWorld, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

type GroupBy = 'owner' | 'type' | 'month';
const DAY = 86_400_000;
const dayOf = (iso: string) => new Date(Date.parse(iso)).toISOString().slice(0, 10);
const shiftDay = (day: string, days: number) =>
  new Date(Date.parse(day) + days * DAY).toISOString().slice(0, 10);
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/**
 * The activities report recomputed from activity records: created and done by
 * created day, overdue = open with a due time in the period before `now`.
 * Due times in these tests lie hours away from now, so minutes never matter.
 */
function expectedActivities(
  activities: readonly AnyBody[],
  groupBy: GroupBy,
  from: string,
  to: string,
  now: number,
) {
  const rows = new Map<string, { created: number; done: number; overdue: number }>();
  const row = (key: string) => {
    const found = rows.get(key) ?? { created: 0, done: 0, overdue: 0 };
    rows.set(key, found);
    return found;
  };
  const keyOf = (activity: AnyBody, day: string) =>
    groupBy === 'month' ? day.slice(0, 7) : groupBy === 'owner' ? activity.assigneeId : activity.type;
  for (const activity of activities) {
    const created = dayOf(activity.createdAt);
    if (created >= from && created <= to) {
      const counts = row(keyOf(activity, created));
      counts.created++;
      if (activity.status === 'done') counts.done++;
    }
    if (activity.status !== 'open' || !activity.dueAt) continue;
    const due = dayOf(activity.dueAt);
    if (due >= from && due <= to && Date.parse(activity.dueAt) < now) row(keyOf(activity, due)).overdue++;
  }
  return [...rows]
    .filter(([, counts]) => counts.created + counts.done + counts.overdue > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, counts]) => ({ key, ...counts }));
}

describe('activities report', () => {
  it('counts created and done by created day, and open activities past their due time as overdue', async () => {
    const { admin, managerRed, repRed, repRed2 } = world;
    const activity = async (client: ApiClient, type: string, body: Record<string, unknown> = {}) => {
      const response = await client.post('/activities', { type, subject: `A ${type}`, ...body });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body.id as string;
    };
    await activity(repRed.client, 'call', { dueAt: inDays(-2) });
    const done = await activity(repRed.client, 'task', { dueAt: inDays(-5) });
    await activity(repRed2.client, 'meeting', { dueAt: inDays(3) });
    const canceled = await activity(admin.client, 'email', { dueAt: inDays(-1), assigneeId: repRed2.id });
    await activity(managerRed.client, 'note');
    const archived = await activity(repRed.client, 'task', { dueAt: inDays(-1) });
    const reassigned = await activity(repRed.client, 'call', { dueAt: inDays(-3) });
    const postponed = await activity(repRed.client, 'call', { dueAt: inDays(-4) });
    expect((await repRed.client.patch(`/activities/${done}`, { status: 'done' })).status).toBe(200);
    expect((await admin.client.patch(`/activities/${canceled}`, { status: 'canceled' })).status).toBe(200);
    expect((await repRed.client.delete(`/activities/${archived}`)).status).toBe(204);
    expect((await admin.client.patch(`/activities/${reassigned}`, { assigneeId: repRed2.id })).status).toBe(
      200,
    );
    expect((await repRed.client.patch(`/activities/${postponed}`, { dueAt: inDays(2) })).status).toBe(200);

    const today = new Date().toISOString().slice(0, 10);
    const periods = [
      { from: shiftDay(today, -30), to: shiftDay(today, 1) },
      // Only the past days: nothing created, only overdue.
      { from: shiftDay(today, -4), to: shiftDay(today, -1) },
      // Only the coming days: nothing is overdue there yet.
      { from: shiftDay(today, 1), to: shiftDay(today, 10) },
    ];
    const activities = await listAll(admin.client, '/activities');
    expect(activities).toHaveLength(7);
    for (const { from, to } of periods) {
      for (const groupBy of ['owner', 'type', 'month'] as const) {
        await eventually(async () => {
          const response = await managerRed.client.get(
            `/reports/activities?groupBy=${groupBy}&from=${from}&to=${to}`,
          );
          expect(response.status).toBe(200);
          expect(response.body).toEqual({
            from,
            to,
            groupBy,
            items: expectedActivities(activities, groupBy, from, to, Date.now()),
          });
        });
      }
    }
    const { from, to } = periods[0] as { from: string; to: string };
    const byOwner = (await admin.client.get(`/reports/activities?groupBy=owner&from=${from}&to=${to}`)).body
      .items;
    expect(byOwner).toEqual(
      expect.arrayContaining([
        { key: repRed.id, created: 3, done: 1, overdue: 1 },
        { key: repRed2.id, created: 3, done: 0, overdue: 1 },
      ]),
    );
    const future = await admin.client.get(
      `/reports/activities?from=${periods[2]?.from}&to=${periods[2]?.to}`,
    );
    expect(future.body).toMatchObject({ groupBy: 'month', items: [] });
  });

  it('counts each stream event once, however often it is delivered, over activities of many days', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const live = await listAll(world.admin.client, '/activities');
    expect(live.length).toBeGreaterThan(0);
    // The same records spread over earlier days, due from 12 days before to 13 days after now (plus 90 minutes).
    const activities = live.map((activity, index) => ({
      ...activity,
      createdAt: new Date(Date.parse(activity.createdAt) - (index * 4 + 1) * DAY).toISOString(),
      dueAt: new Date(Date.now() + ((index % 6) * 5 - 12) * DAY + 90 * 60_000).toISOString(),
    }));
    const tenant = uniqueTenant();
    await replayIntoTenant(tenant, 'activity', activities);
    const admin = api(await tokenFor({ tenant, role: 'admin', user: 'replay-admin' }));
    const from = shiftDay(today, -60);
    const to = shiftDay(today, 20);
    for (const groupBy of ['owner', 'type', 'month'] as const) {
      const response = await admin.get(`/reports/activities?groupBy=${groupBy}&from=${from}&to=${to}`);
      expect(response.body.items).toEqual(expectedActivities(activities, groupBy, from, to, Date.now()));
    }
    const narrow = shiftDay(today, -8);
    const response = await admin.get(`/reports/activities?groupBy=type&from=${narrow}&to=${today}`);
    expect(response.body.items).toEqual(expectedActivities(activities, 'type', narrow, today, Date.now()));
    expect(expectedActivities(activities, 'month', from, to, Date.now()).some((row) => row.overdue > 0)).toBe(
      true,
    );
  });

  it('answers 400 for a bad period or grouping, 403 for a rep, and nothing of another tenant', async () => {
    const { admin } = world;
    for (const query of [
      'from=2026-02-29',
      'to=2026-03-01T00:00:00Z',
      'from=2026-03-02&to=2026-03-01',
      'from=2020-01-01&to=2025-01-02',
      'groupBy=status',
      'groupBy=',
      'assigneeId=x',
    ]) {
      const response = await admin.client.get(`/reports/activities?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await world.repBlue.client.get('/reports/activities')).status).toBe(403);
    const stranger = await world.stranger.client.get('/reports/activities?groupBy=owner');
    expect(stranger.status).toBe(200);
    expect(stranger.body.items).toEqual([]);
  });
});
