import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { alertTenantKey, alertWatchKey } from '#shared/store/keys';
import { type ApiClient, api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { createWorld, type Member, unique, type World } from './world.ts';

type AlertScanModule = typeof import('#functions/schedule/alertScan');
type SlaCheck = typeof import('#functions/schedule/slaCheck').handler;

let world: World;
let scan: AlertScanModule;
let slaCheck: SlaCheck;
let stage: (kind: 'open' | 'won' | 'lost', nth?: number) => string;
/** An admin of another tenant, whose tenant id the tests need (the world's stranger does not say). */
let other: { tenant: string; member: Member };

const DAY = 24 * 60 * 60 * 1000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms);

beforeAll(async () => {
  world = await createWorld();
  useTestTable();
  scan = await import('#functions/schedule/alertScan');
  slaCheck = (await import('#functions/schedule/slaCheck')).handler;
  const otherTenant = uniqueTenant();
  other = {
    tenant: otherTenant,
    member: {
      id: 'other-admin',
      client: api(await tokenFor({ tenant: otherTenant, role: 'admin', user: 'other-admin' })),
    },
  };
  const pipeline = (await world.admin.client.get('/pipelines')).body.items[0];
  stage = (kind, nth = 0) =>
    pipeline.stages.filter((s: { kind: string }) => s.kind === kind)[nth].id as string;
});

interface Notification {
  kind: string;
  title: string;
  record?: { type: string; id: string; name?: string };
  alert?: { kind: string; reason: string };
  occurredAt: string;
}

/** A member's alert notifications about one record, through the API. */
async function alertsAbout(member: Member, recordId: string): Promise<Notification[]> {
  const response = await member.client.get('/me/notifications?limit=200');
  expect(response.status).toBe(200);
  return (response.body.items as Notification[]).filter(
    (item) => item.record?.id === recordId && item.alert !== undefined,
  );
}

/** The watch item of a record, straight from the table (undefined when there is none). */
async function watchAt(tenant: string, kind: string, recordId: string): Promise<string | undefined> {
  const { Item } = await dynamoClient().send(
    new GetItemCommand({
      TableName: inject('tableName'),
      Key: {
        pk: { S: alertWatchKey(tenant, kind, recordId).pk },
        sk: { S: alertWatchKey(tenant, kind, recordId).sk },
      },
      ConsistentRead: true,
    }),
  );
  return Item?.at?.S;
}

async function newDeal(client: ApiClient, name = unique('Fleet renewal')) {
  const response = await client.post('/deals', { name, amount: 1000, currency: 'EUR' });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; createdAt: string; ownerId: string };
}

/** What the records the API lists say is stale at `now`: open, live, last activity (else creation) too old. */
async function expectedStale(client: ApiClient, now: Date, days: number): Promise<string[]> {
  const listed = (await client.get('/deals?limit=100')).body.items as {
    id: string;
    status: string;
    createdAt: string;
    lastActivityAt?: string;
  }[];
  const cutoff = now.getTime() - days * DAY;
  return listed
    .filter((deal) => {
      const baseline = [deal.createdAt, deal.lastActivityAt ?? deal.createdAt].sort().at(-1) as string;
      return deal.status === 'open' && Date.parse(baseline) < cutoff;
    })
    .map((deal) => deal.id)
    .sort();
}

describe('alert settings', () => {
  it('default to 14 days and 70 for anyone in the tenant, and only an admin changes them', async () => {
    for (const member of [world.repRed, world.managerRed, world.admin]) {
      const response = await member.client.get('/settings/alerts');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ staleDealDays: 14, churnRiskThreshold: 70 });
    }
    for (const member of [world.repRed, world.managerRed]) {
      const response = await member.client.put('/settings/alerts', { staleDealDays: 3 });
      expect(response.status).toBe(403);
    }
    const put = await world.admin.client.put('/settings/alerts', { staleDealDays: 10 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ staleDealDays: 10, churnRiskThreshold: 70, updatedBy: world.admin.id });
    expect((await world.repRed.client.get('/settings/alerts')).body).toMatchObject({
      staleDealDays: 10,
      churnRiskThreshold: 70,
    });
    // Another tenant keeps its own (default) settings.
    expect((await world.stranger.client.get('/settings/alerts')).body).toMatchObject({
      staleDealDays: 14,
      churnRiskThreshold: 70,
    });
  });

  it('refuse values out of range, fractions, strings and unknown fields with a 400 problem', async () => {
    for (const body of [
      { staleDealDays: 0 },
      { staleDealDays: 366 },
      { staleDealDays: 2.5 },
      { staleDealDays: '14' },
      { churnRiskThreshold: 0 },
      { churnRiskThreshold: 101 },
      { churnRiskThreshold: null },
      { staleDays: 10 },
    ]) {
      const response = await world.admin.client.put('/settings/alerts', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await world.admin.client.get('/settings/alerts')).body.staleDealDays).toBe(10);
  });
});

describe('stale-deal alerts', () => {
  it('alert the owner once per episode, from the watch index, and again after new activity goes stale', async () => {
    const { repRed, managerRed, admin } = world;
    const quiet = await newDeal(repRed.client);
    const busy = await newDeal(repRed.client);
    const won = await newDeal(repRed.client);
    const archived = await newDeal(repRed.client);
    expect((await admin.client.patch(`/deals/${won.id}`, { stageId: stage('won') })).status).toBe(200);
    expect((await repRed.client.delete(`/deals/${archived.id}`)).status).toBe(204);

    // The stream keeps a watch only for the open, live deals.
    await eventually(async () => {
      expect(await watchAt(world.tenant, 'stale_deal', quiet.id)).toBe(quiet.createdAt);
      expect(await watchAt(world.tenant, 'stale_deal', busy.id)).toBe(busy.createdAt);
      expect(await watchAt(world.tenant, 'stale_deal', won.id)).toBeUndefined();
      expect(await watchAt(world.tenant, 'stale_deal', archived.id)).toBeUndefined();
    });

    const days = (await admin.client.get('/settings/alerts')).body.staleDealDays as number;
    // Not yet stale the day before: nothing.
    const early = plus(quiet.createdAt, (days - 1) * DAY);
    expect((await scan.scanTenant(world.tenant, early)).stale_deal).toBe(0);
    expect(await alertsAbout(repRed, quiet.id)).toEqual([]);

    const later = plus(busy.createdAt, (days + 1) * DAY);
    const stale = await expectedStale(admin.client, later, days);
    expect(stale).toEqual([quiet.id, busy.id].sort());
    expect((await scan.scanTenant(world.tenant, later)).stale_deal).toBe(stale.length);
    for (const deal of [quiet, busy]) {
      const alerts = await alertsAbout(repRed, deal.id);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        kind: 'alert',
        record: { type: 'deal', id: deal.id },
        alert: { kind: 'stale_deal', reason: expect.stringContaining(`No activity for ${days + 1} days`) },
      });
      expect(alerts[0]?.title).toContain('No activity');
      // Only the owner hears of a deal.
      expect(await alertsAbout(managerRed, deal.id)).toEqual([]);
      // Alerted for this episode: the watch is gone until new activity.
      expect(await watchAt(world.tenant, 'stale_deal', deal.id)).toBeUndefined();
    }
    for (const deal of [won, archived]) expect(await alertsAbout(repRed, deal.id)).toEqual([]);

    // The job fired twice, or later, with the deal still stale: no second alert.
    expect((await scan.scanTenant(world.tenant, later)).stale_deal).toBe(0);
    expect((await scan.scanTenant(world.tenant, plus(later.toISOString(), 5 * DAY))).stale_deal).toBe(0);
    for (const deal of [quiet, busy]) expect(await alertsAbout(repRed, deal.id)).toHaveLength(1);

    // Activity on one deal (a call about it) starts a new episode: its last activity moves forward.
    const call = await repRed.client.post('/activities', {
      type: 'call',
      subject: unique('Chase'),
      related: { type: 'deal', id: busy.id },
    });
    expect(call.status).toBe(201);
    const activityAt = call.body.createdAt as string;
    await eventually(async () => {
      expect((await repRed.client.get(`/deals/${busy.id}`)).body.lastActivityAt).toBe(activityAt);
      expect(await watchAt(world.tenant, 'stale_deal', busy.id)).toBe(activityAt);
    });
    // Not stale again until staleDealDays after that activity; then alerted once more.
    expect((await scan.scanTenant(world.tenant, plus(activityAt, (days - 1) * DAY))).stale_deal).toBe(0);
    expect(await alertsAbout(repRed, busy.id)).toHaveLength(1);
    const again = plus(activityAt, (days + 2) * DAY);
    expect(await expectedStale(admin.client, again, days)).toEqual([quiet.id, busy.id].sort());
    expect((await scan.scanTenant(world.tenant, again)).stale_deal).toBe(1);
    const alerts = await alertsAbout(repRed, busy.id);
    expect(alerts).toHaveLength(2);
    expect(alerts.map((alert) => alert.alert?.reason)).toContain(
      `No activity for ${days + 2} days (last on ${activityAt.slice(0, 10)})`,
    );
    // The quiet deal's episode never ended: still one alert.
    expect(await alertsAbout(repRed, quiet.id)).toHaveLength(1);
  });

  it('count a stage change as activity, and a closed deal is no longer watched', async () => {
    const { repRed, admin } = world;
    const deal = await newDeal(repRed.client);
    await eventually(async () =>
      expect(await watchAt(world.tenant, 'stale_deal', deal.id)).toBe(deal.createdAt),
    );
    const moved = await repRed.client.patch(`/deals/${deal.id}`, { stageId: stage('open', 1) });
    expect(moved.status).toBe(200);
    const movedAt = moved.body.updatedAt as string;
    await eventually(async () => {
      expect((await repRed.client.get(`/deals/${deal.id}`)).body.lastActivityAt).toBe(movedAt);
      expect(await watchAt(world.tenant, 'stale_deal', deal.id)).toBe(movedAt);
    });
    // The deal's version did not move with its last activity: the owner's If-Match still holds.
    const current = (await repRed.client.get(`/deals/${deal.id}`)).body;
    expect(current.version).toBe(moved.body.version);

    expect((await admin.client.patch(`/deals/${deal.id}`, { stageId: stage('won') })).status).toBe(200);
    await eventually(async () => expect(await watchAt(world.tenant, 'stale_deal', deal.id)).toBeUndefined());
    await scan.scanTenant(world.tenant, plus(movedAt, 400 * DAY));
    expect(await alertsAbout(repRed, deal.id)).toEqual([]);
  });
});

describe('watch items', () => {
  it('never go back to an older state when stream records are replayed or come late', async () => {
    const { alertWatches } = await import('#functions/stream/consumers/alert-watches');
    const { repRed } = world;
    const deal = await newDeal(repRed.client);
    const stored = (await repRed.client.get(`/deals/${deal.id}`)).body as Record<string, unknown>;
    const image = { ...stored, entity: 'deal', tenantId: world.tenant };
    const call = await repRed.client.post('/activities', {
      type: 'meeting',
      subject: unique('Demo'),
      related: { type: 'deal', id: deal.id },
    });
    const activityAt = call.body.createdAt as string;
    await eventually(async () => expect(await watchAt(world.tenant, 'stale_deal', deal.id)).toBe(activityAt));

    let n = 0;
    const change = (old: Record<string, unknown> | undefined, next: Record<string, unknown> | undefined) =>
      ({
        eventId: `replay-${deal.id}-${++n}`,
        sequenceNumber: String(n),
        tenantId: world.tenant,
        entity: 'deal',
        keys: undefined,
        old,
        new: next,
        kind: old ? (next ? 'modify' : 'remove') : 'insert',
      }) as const;
    // The creation replayed (same version, earlier activity), twice; a stale "closed" of an older version.
    const replays = [
      change(undefined, image),
      change(undefined, image),
      change({ ...image, version: 0 }, { ...image, version: 0, status: 'won' }),
    ];
    expect((await alertWatches.apply(replays)).size).toBe(0);
    expect(await watchAt(world.tenant, 'stale_deal', deal.id)).toBe(activityAt);
    // The current state replayed changes nothing either.
    const current = { ...image, lastActivityAt: activityAt };
    expect((await alertWatches.apply([change(image, current), change(image, current)])).size).toBe(0);
    expect(await watchAt(world.tenant, 'stale_deal', deal.id)).toBe(activityAt);
  });

  it('follow the changes of one record in a batch in order: a creation and its closing leave no watch', async () => {
    const { alertWatches } = await import('#functions/stream/consumers/alert-watches');
    const id = `D${Date.now().toString(36)}`;
    const at = new Date().toISOString();
    const open = {
      entity: 'deal',
      tenantId: world.tenant,
      id,
      status: 'open',
      archived: false,
      version: 1,
      createdAt: at,
      ownerId: world.repRed.id,
    };
    const won = { ...open, status: 'won', version: 2 };
    const keys = { pk: `deal-${id}`, sk: 'A' };
    const batch = [
      {
        eventId: `${id}-1`,
        sequenceNumber: '1',
        tenantId: world.tenant,
        entity: 'deal',
        keys,
        old: undefined,
        new: open,
        kind: 'insert',
      },
      {
        eventId: `${id}-2`,
        sequenceNumber: '2',
        tenantId: world.tenant,
        entity: 'deal',
        keys,
        old: open,
        new: won,
        kind: 'modify',
      },
    ] as const;
    // Many times over: applied at once, the delete could overtake the put it undoes.
    for (let round = 0; round < 20; round++) {
      expect((await alertWatches.apply(batch)).size).toBe(0);
      expect(await watchAt(world.tenant, 'stale_deal', id)).toBeUndefined();
    }
  });
});

describe('SLA-breach alerts', () => {
  let contactId: string;
  beforeAll(async () => {
    const contact = await world.repRed.client.post('/contacts', { firstName: unique('Sol') });
    expect(contact.status).toBe(201);
    contactId = contact.body.id;
  });

  async function newCase() {
    const response = await world.repRed.client.post('/cases', {
      subject: unique('Printer jammed'),
      type: 'complaint',
      contactId,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: string; slaDueAt: string };
  }

  it('catch a breach whose one-time check did not run, and the late check then notifies nobody again', async () => {
    const { repRed, managerRed, repBlue } = world;
    const lost = await newCase();
    const resolved = await newCase();
    expect((await repRed.client.post(`/cases/${resolved.id}/resolve`, { resolution: 'Done' })).status).toBe(
      200,
    );
    await eventually(async () => {
      expect(await watchAt(world.tenant, 'sla_breach', lost.id)).toBe(lost.slaDueAt);
      expect(await watchAt(world.tenant, 'sla_breach', resolved.id)).toBeUndefined();
    });

    // Before the due time: nothing.
    expect((await scan.scanTenant(world.tenant, plus(lost.slaDueAt, -60_000))).sla_breach).toBe(0);
    const after = plus(lost.slaDueAt, 60_000);
    expect((await scan.scanTenant(world.tenant, after)).sla_breach).toBe(1);
    expect((await repRed.client.get(`/cases/${lost.id}`)).body.slaBreachedAt).toBe(lost.slaDueAt);
    for (const member of [repRed, managerRed]) {
      const alerts = await alertsAbout(member, lost.id);
      expect(alerts, member.id).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        kind: 'sla_breach',
        occurredAt: lost.slaDueAt,
        record: { type: 'case', id: lost.id },
        alert: { kind: 'sla_breach', reason: expect.stringContaining(lost.slaDueAt) },
      });
    }
    expect(await alertsAbout(repBlue, lost.id)).toEqual([]);
    expect(await alertsAbout(repRed, resolved.id)).toEqual([]);

    // The one-time check fires late (at least once), and the job runs again: still one notification each.
    expect(await slaCheck({ tenantId: world.tenant, caseId: lost.id, slaDueAt: lost.slaDueAt })).toBe(
      'notified',
    );
    await eventually(async () => expect(await watchAt(world.tenant, 'sla_breach', lost.id)).toBeUndefined());
    expect((await scan.scanTenant(world.tenant, after)).sla_breach).toBe(0);
    for (const member of [repRed, managerRed]) expect(await alertsAbout(member, lost.id)).toHaveLength(1);
  });

  it('let the one-time check alert first; the job then adds nothing', async () => {
    const { repRed, managerRed } = world;
    const record = await newCase();
    await eventually(async () =>
      expect(await watchAt(world.tenant, 'sla_breach', record.id)).toBe(record.slaDueAt),
    );
    expect(await slaCheck({ tenantId: world.tenant, caseId: record.id, slaDueAt: record.slaDueAt })).toBe(
      'notified',
    );
    // Whether or not the stream has removed the watch yet, the job notifies nobody again.
    await scan.scanTenant(world.tenant, plus(record.slaDueAt, DAY));
    for (const member of [repRed, managerRed]) expect(await alertsAbout(member, record.id)).toHaveLength(1);
    await eventually(async () =>
      expect(await watchAt(world.tenant, 'sla_breach', record.id)).toBeUndefined(),
    );
  });
});

describe('the alert job', () => {
  it('checks only the tenant it is given: another tenant’s records are not alerted', async () => {
    const foreign = await newDeal(other.member.client);
    await eventually(async () =>
      expect(await watchAt(other.tenant, 'stale_deal', foreign.id)).toBe(foreign.createdAt),
    );
    await scan.scanTenant(world.tenant, plus(foreign.createdAt, 400 * DAY));
    expect(await alertsAbout(other.member, foreign.id)).toEqual([]);
    expect(await watchAt(other.tenant, 'stale_deal', foreign.id)).toBe(foreign.createdAt);
    // The other tenant's admin sees none of this tenant's alerts.
    const theirs = (await other.member.client.get('/me/notifications?limit=200')).body
      .items as Notification[];
    expect(theirs.filter((item) => item.alert)).toEqual([]);
    // Its own scan alerts its own deal, to its owner only.
    await scan.scanTenant(other.tenant, plus(foreign.createdAt, 400 * DAY));
    expect(await alertsAbout(other.member, foreign.id)).toHaveLength(1);
    expect(await alertsAbout(world.repRed, foreign.id)).toEqual([]);
  });

  it('lists tenants once their first record is watched, and goes on past a tenant that fails', async () => {
    const registered = await dynamoClient().send(
      new GetItemCommand({
        TableName: inject('tableName'),
        Key: {
          pk: { S: alertTenantKey(world.tenant).pk },
          sk: { S: alertTenantKey(world.tenant).sk },
        },
        ConsistentRead: true,
      }),
    );
    expect(registered.Item?.tenantId?.S).toBe(world.tenant);
    const listed: string[] = [];
    const { alertTenants } = await import('#shared/store/alerts');
    for await (const page of alertTenants()) listed.push(...page);
    expect(listed).toEqual(expect.arrayContaining([world.tenant, other.tenant]));

    const deal = await newDeal(world.repRed2.client);
    await eventually(async () =>
      expect(await watchAt(world.tenant, 'stale_deal', deal.id)).toBe(deal.createdAt),
    );
    // A tenant id no key can hold makes its Query fail; the next tenant is still checked.
    async function* tenants() {
      yield ['x'.repeat(3000)];
      yield [world.tenant];
    }
    const summary = await scan.scanAlerts(plus(deal.createdAt, 400 * DAY), tenants());
    expect(summary.failedTenants).toEqual(['x'.repeat(3000)]);
    expect(summary.tenants).toBe(2);
    expect(await alertsAbout(world.repRed2, deal.id)).toHaveLength(1);
  });

  it('runs as the schedule target over every listed tenant, idempotently', async () => {
    const first = await scan.handler({ recurring: 'alert-scan' });
    expect(first.failedTenants).toEqual([]);
    expect(first.tenants).toBeGreaterThanOrEqual(2);
    const second = await scan.handler({ recurring: 'alert-scan' });
    expect(second.failedTenants).toEqual([]);
    expect(second.tenants).toBeGreaterThanOrEqual(first.tenants);
  });
});

describe('churn-risk alerts', () => {
  it('alert the company owner once per episode, and again after the risk fell below the threshold and rose', async () => {
    const { admin, repRed } = world;
    const company = await repRed.client.post('/companies', { name: unique('Quiet customer') });
    expect(company.status).toBe(201);
    const deal = await repRed.client.post('/deals', {
      name: unique('First order'),
      amount: 300,
      currency: 'EUR',
      companyId: company.body.id,
    });
    expect((await admin.client.patch(`/deals/${deal.body.id}`, { stageId: stage('won') })).status).toBe(200);
    const risk = await eventually(async () => {
      const rows = (await admin.client.get('/reports/customers?limit=200')).body.items as {
        companyId: string;
        churnRisk: number;
      }[];
      const row = rows.find((item) => item.companyId === company.body.id);
      expect(row).toBeDefined();
      return row?.churnRisk ?? 0;
    });
    // A new customer without any activity has some risk; a threshold at it makes it an episode.
    expect(risk).toBeGreaterThan(0);
    const threshold = async (value: number) =>
      expect(
        (await admin.client.put('/settings/alerts', { staleDealDays: 14, churnRiskThreshold: value })).status,
      ).toBe(200);
    const now = () => new Date();

    await threshold(Math.min(100, risk + 1));
    expect((await scan.scanTenant(world.tenant, now())).churn_risk).toBe(0);
    expect(await alertsAbout(repRed, company.body.id)).toEqual([]);

    await threshold(risk);
    expect((await scan.scanTenant(world.tenant, now())).churn_risk).toBeGreaterThanOrEqual(1);
    const first = await alertsAbout(repRed, company.body.id);
    expect(first).toHaveLength(1);
    expect(first[0]?.alert).toEqual({
      kind: 'churn_risk',
      reason: `Churn risk ${risk} reached the threshold ${risk}`,
    });
    const episode = await watchAt(world.tenant, 'churn_risk', company.body.id);
    expect(episode).toBeDefined();
    // Still at risk: the same episode, nothing new.
    await scan.scanTenant(world.tenant, now());
    expect(await alertsAbout(repRed, company.body.id)).toHaveLength(1);

    // Below the threshold ends the episode; reaching it again is a new one.
    await threshold(Math.min(100, risk + 1));
    await scan.scanTenant(world.tenant, now());
    expect(await watchAt(world.tenant, 'churn_risk', company.body.id)).toBeUndefined();
    await threshold(risk);
    await scan.scanTenant(world.tenant, now());
    expect(await alertsAbout(repRed, company.body.id)).toHaveLength(2);
    // Nobody else in the tenant, and nobody of another tenant, hears of it.
    expect(await alertsAbout(world.repBlue, company.body.id)).toEqual([]);
    expect(await alertsAbout(other.member, company.body.id)).toEqual([]);
    await threshold(70);
  });
});
