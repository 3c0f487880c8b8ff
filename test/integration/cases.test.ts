import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { signCsatToken, verifyCsatToken } from '#shared/domain/csat-token';
import { loadOrCreateSigningSecret } from '../../infra/local/dev-secrets.ts';
import {
  type ApiClient,
  api,
  pendingSchedules,
  runDueSchedules,
  tokenFor,
  uniqueTenant,
} from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { createWorld, type Member, unique, type World } from './world.ts';

let world: World;
let adminToken: string;
let managerBlue: Member;
let managerRedInactive: Member;
/** Contacts owned by each rep (and so visible to their team). */
let contactRed: { id: string; companyId: string };
let contactBlue: string;
let signingKey: Buffer;
type SlaCheck = typeof import('#functions/schedule/slaCheck').handler;
let slaCheck: SlaCheck;

const HOUR = 60 * 60 * 1000;
const anonymous = () => api(undefined);

beforeAll(async () => {
  world = await createWorld();
  adminToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
  const member = async (name: string, teamId: string): Promise<Member> => {
    const email = `${name}@${world.tenant}.test`;
    const response = await world.admin.client.post('/users', { email, name, role: 'manager', teamId });
    expect(response.status).toBe(201);
    const id = response.body.id as string;
    return {
      id,
      client: api(await tokenFor({ tenant: world.tenant, role: 'manager', user: id, team: teamId })),
    };
  };
  managerBlue = await member('manager-blue', world.teams.blue);
  managerRedInactive = await member('manager-red-gone', world.teams.red);
  expect((await world.admin.client.patch(`/users/${managerRedInactive.id}`, { active: false })).status).toBe(
    200,
  );

  const company = await world.repRed.client.post('/companies', { name: unique('Casey Co') });
  expect(company.status).toBe(201);
  const red = await world.repRed.client.post('/contacts', { firstName: 'Rita', companyId: company.body.id });
  expect(red.status).toBe(201);
  contactRed = { id: red.body.id, companyId: company.body.id };
  const blue = await world.repBlue.client.post('/contacts', { firstName: 'Bruno' });
  expect(blue.status).toBe(201);
  contactBlue = blue.body.id;

  signingKey = Buffer.from(await loadOrCreateSigningSecret(inject('dataDir')), 'utf8');
  useTestTable();
  slaCheck = (await import('#functions/schedule/slaCheck')).handler;
});

async function newCase(client: ApiClient, body: Record<string, unknown> = {}) {
  const response = await client.post('/cases', {
    subject: unique('Printer on fire'),
    type: 'complaint',
    contactId: contactRed.id,
    ...body,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

async function scheduleOf(caseId: string) {
  return (await pendingSchedules(adminToken)).find((schedule) => schedule.name === `sla-${caseId}`);
}

/** SLA-breach notifications of one case in a user's notification partition, straight from the table. */
async function breachNotifications(userId: string, caseId: string) {
  const output = await dynamoClient().send(
    new QueryCommand({
      TableName: inject('tableName'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)',
      FilterExpression: 'kind = :kind AND #record.id = :case',
      ExpressionAttributeNames: { '#record': 'record' },
      ExpressionAttributeValues: {
        ':pk': { S: `T#${world.tenant}#USER#${userId}#NOTIFICATIONS` },
        ':n': { S: 'N#' },
        ':kind': { S: 'sla_breach' },
        ':case': { S: caseId },
      },
    }),
  );
  return output.Items ?? [];
}

async function storedCase(tenant: string, caseId: string) {
  const { Item } = await dynamoClient().send(
    new GetItemCommand({
      TableName: inject('tableName'),
      Key: { pk: { S: `T#${tenant}#CASE#${caseId}` }, sk: { S: 'A' } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

const tokenOf = (csatUrl: string) => csatUrl.replace(/^\/s\//, '');

describe('creating and reading cases', () => {
  it('opens a new case with defaults, a Location, an ETag, slaDueAt and its SLA schedule', async () => {
    const response = await world.repRed.client.post('/cases', {
      subject: 'Invoice is wrong',
      description: 'Charged twice',
      type: 'service_request',
      channel: 'email',
      contactId: contactRed.id,
    });
    expect(response.status).toBe(201);
    const record = response.body;
    expect(response.headers.get('location')).toBe(`/cases/${record.id}`);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(record).toMatchObject({
      subject: 'Invoice is wrong',
      type: 'service_request',
      channel: 'email',
      priority: 'normal',
      status: 'new',
      contactId: contactRed.id,
      companyId: contactRed.companyId,
      assigneeId: world.repRed.id,
      ownerId: world.repRed.id,
      teamId: world.teams.red,
      version: 1,
      archived: false,
    });
    expect(record.slaStartAt).toBe(record.createdAt);
    expect(record.slaDueAt).toBe(plus(record.createdAt, 24 * HOUR));
    expect(record).not.toHaveProperty('csatNonce');

    const read = await world.repRed.client.get(`/cases/${record.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(record);
    expect(read.headers.get('etag')).toBe('"1"');

    const schedule = await scheduleOf(record.id);
    expect(schedule).toMatchObject({
      target: 'slaCheck',
      scheduledAt: record.slaDueAt,
      payload: { tenantId: world.tenant, caseId: record.id, slaDueAt: record.slaDueAt },
    });
  });

  it('lets the assignee own the case: reps assign only themselves, managers their team, admins anyone', async () => {
    const byManager = await newCase(world.managerRed.client, { assigneeId: world.repRed2.id });
    expect(byManager).toMatchObject({
      assigneeId: world.repRed2.id,
      ownerId: world.repRed2.id,
      teamId: world.teams.red,
    });
    const byAdmin = await newCase(world.admin.client, {
      assigneeId: world.repBlue.id,
      contactId: contactBlue,
    });
    expect(byAdmin).toMatchObject({ assigneeId: world.repBlue.id, teamId: world.teams.blue });

    const repForOther = await world.repRed.client.post('/cases', {
      subject: 'x',
      type: 'return',
      contactId: contactRed.id,
      assigneeId: world.repRed2.id,
    });
    expect(repForOther.status).toBe(403);
    const managerForOtherTeam = await world.managerRed.client.post('/cases', {
      subject: 'x',
      type: 'return',
      contactId: contactRed.id,
      assigneeId: world.repBlue.id,
    });
    expect(managerForOtherTeam.status).toBe(403);
    const unknownAssignee = await world.admin.client.post('/cases', {
      subject: 'x',
      type: 'return',
      contactId: contactRed.id,
      assigneeId: 'nobody',
    });
    expect(unknownAssignee.status).toBe(400);
    expect(unknownAssignee.body.errors).toEqual([
      { path: 'assigneeId', message: 'is not an active user of this tenant' },
    ]);
  });

  it('needs a live contact the caller can see (and a live company when one is given)', async () => {
    const body = { subject: 'x', type: 'information' };
    const missing = await world.admin.client.post('/cases', {
      ...body,
      contactId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      companyId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((error: { path: string }) => error.path)).toEqual([
      'contactId',
      'companyId',
    ]);
    const otherTeams = await world.repRed.client.post('/cases', { ...body, contactId: contactBlue });
    expect(otherTeams.status).toBe(400);
    expect(otherTeams.body.errors[0].path).toBe('contactId');

    const gone = await world.repRed.client.post('/contacts', { firstName: 'Gone' });
    expect((await world.repRed.client.delete(`/contacts/${gone.body.id}`)).status).toBe(204);
    const archived = await world.repRed.client.post('/cases', { ...body, contactId: gone.body.id });
    expect(archived.status).toBe(400);

    const stranger = await world.stranger.client.post('/cases', { ...body, contactId: contactRed.id });
    expect(stranger.status).toBe(400);
    expect(stranger.body.errors[0].path).toBe('contactId');
  });

  it('lists every bad field of every body', async () => {
    const created = await newCase(world.repRed.client);
    const client = world.repRed.client;

    const create = await client.post('/cases', {
      subject: '',
      type: 'rant',
      priority: 'asap',
      channel: 'fax',
      contactId: 'nope',
      companyId: 'nope',
      assigneeId: 'not valid!',
      status: 'open',
    });
    expect(create.status).toBe(400);
    expect(create.headers.get('content-type')).toContain('application/problem+json');
    expect(create.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(
      ['assigneeId', 'channel', 'companyId', 'contactId', 'priority', 'status', 'subject', 'type'].sort(),
    );
    const required = await client.post('/cases', {});
    expect(required.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'contactId',
      'subject',
      'type',
    ]);
    expect((await client.post('/cases', [])).status).toBe(400);
    expect((await client.raw('POST', '/cases', 'subject=x', { 'content-type': 'text/plain' })).status).toBe(
      415,
    );

    const patch = await client.patch(`/cases/${created.id}`, {
      subject: null,
      status: 'done',
      priority: null,
      resolution: 'no',
    });
    expect(patch.status).toBe(400);
    expect(patch.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'priority',
      'resolution',
      'status',
      'subject',
    ]);
    expect((await client.patch(`/cases/${created.id}`, {})).status).toBe(400);
    expect((await client.patch(`/cases/${created.id}`, { contactId: contactBlue })).status).toBe(400);

    const resolve = await client.post(`/cases/${created.id}/resolve`, { resolution: ' ', extra: true });
    expect(resolve.status).toBe(400);
    expect(resolve.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'extra',
      'resolution',
    ]);
    expect((await client.post(`/cases/${created.id}/resolve`, {})).status).toBe(400);

    const settings = await world.admin.client.put('/settings/sla', {
      urgent: 0,
      high: -1,
      normal: 721,
      low: '4',
      x: 1,
    });
    expect(settings.status).toBe(400);
    expect(settings.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'high',
      'low',
      'normal',
      'urgent',
      'x',
    ]);

    const query = await client.get('/cases?status=done&priority=x&limit=0&contactId=bad');
    expect(query.status).toBe(400);
    expect(query.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'contactId',
      'limit',
      'priority',
      'status',
    ]);

    // Nothing of the refused changes stuck.
    const after = await client.get(`/cases/${created.id}`);
    expect(after.body).toEqual(created);
  });
});

describe('access', () => {
  it('follows roles and teams on every route, and another tenant sees nothing', async () => {
    const record = await newCase(world.repRed.client);
    const path = `/cases/${record.id}`;

    // A teammate reads it but may not change it.
    const teammate = world.repRed2.client;
    expect((await teammate.get(path)).status).toBe(200);
    expect((await teammate.patch(path, { subject: 'Mine now' })).status).toBe(403);
    expect((await teammate.post(`${path}/resolve`, { resolution: 'x' })).status).toBe(403);
    expect((await teammate.delete(path)).status).toBe(403);

    // A rep of another team and another tenant's admin: as if it did not exist.
    for (const outsider of [world.repBlue.client, world.stranger.client]) {
      expect((await outsider.get(path)).status).toBe(404);
      expect((await outsider.patch(path, { subject: 'x' })).status).toBe(404);
      expect((await outsider.post(`${path}/resolve`, { resolution: 'x' })).status).toBe(404);
      expect((await outsider.post(`${path}/restore`)).status).toBe(404);
      expect((await outsider.delete(path)).status).toBe(404);
      const list = await outsider.get('/cases?limit=200');
      expect(list.status).toBe(200);
      expect(list.body.items.map((item: { id: string }) => item.id)).not.toContain(record.id);
    }
    expect((await world.stranger.client.get('/cases')).body.items).toEqual([]);

    // The team's manager and the admin may change it.
    const byManager = await world.managerRed.client.patch(path, { priority: 'high' });
    expect(byManager.status).toBe(200);
    const byAdmin = await world.admin.client.patch(path, { status: 'open' });
    expect(byAdmin.status).toBe(200);
    // The owner too, with optimistic locking.
    const stale = await world.repRed.client.patch(path, { subject: 'Late' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    const fresh = await world.repRed.client.patch(path, { subject: 'On time' }, { 'if-match': '"3"' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"4"');
  });

  it('lets only admins change the SLA settings; everyone in the tenant reads them', async () => {
    for (const member of [world.repRed, world.managerRed]) {
      expect((await member.client.get('/settings/sla')).status).toBe(200);
      expect((await member.client.put('/settings/sla', { urgent: 1 })).status).toBe(403);
    }
    const other = await world.stranger.client.get('/settings/sla');
    expect(other.body).toEqual({ urgent: 4, high: 8, normal: 24, low: 72 });
  });
});

describe('lists', () => {
  it('filters by status, priority, type, assignee, contact, company and subject prefix', async () => {
    const marker = unique('Zebra');
    const a = await newCase(world.admin.client, {
      subject: `${marker} a`,
      priority: 'urgent',
      type: 'return',
      assigneeId: world.repRed.id,
    });
    const b = await newCase(world.admin.client, {
      subject: `${marker} b`,
      assigneeId: world.repBlue.id,
      contactId: contactBlue,
    });
    await world.admin.client.patch(`/cases/${b.id}`, { status: 'pending' });
    const ids = async (query: string) => {
      const response = await world.admin.client.get(`/cases?${query}&limit=200`);
      expect(response.status, query).toBe(200);
      return response.body.items.map((item: { id: string }) => item.id) as string[];
    };
    // Subject search reads alphabetically.
    expect(await ids(`q=${encodeURIComponent(marker.toLowerCase())}`)).toEqual([a.id, b.id]);
    expect(await ids('status=pending')).toContain(b.id);
    expect(await ids('status=pending')).not.toContain(a.id);
    expect(await ids('priority=urgent')).toContain(a.id);
    expect(await ids('priority=urgent')).not.toContain(b.id);
    expect(await ids('type=return')).toContain(a.id);
    expect(await ids('type=return')).not.toContain(b.id);
    expect(await ids(`assigneeId=${world.repBlue.id}`)).toContain(b.id);
    expect(await ids(`assigneeId=${world.repBlue.id}`)).not.toContain(a.id);
    expect(await ids(`contactId=${contactBlue}`)).toContain(b.id);
    expect(await ids(`contactId=${contactBlue}`)).not.toContain(a.id);
    expect(await ids(`companyId=${contactRed.companyId}`)).toContain(a.id);
    expect(await ids(`companyId=${contactRed.companyId}`)).not.toContain(b.id);
    expect(await ids(`status=pending&assigneeId=${world.repBlue.id}&contactId=${contactBlue}`)).toEqual([
      b.id,
    ]);

    // A rep lists their team's cases only; archived ones only on request.
    const repRed = await world.repRed.client.get('/cases?limit=200');
    expect(repRed.body.items.map((item: { id: string }) => item.id)).toContain(a.id);
    expect(repRed.body.items.map((item: { id: string }) => item.id)).not.toContain(b.id);
    expect(repRed.body.items.every((item: { teamId: string }) => item.teamId === world.teams.red)).toBe(true);
    expect(repRed.body.items.some((item: object) => 'csatNonce' in item)).toBe(false);

    expect((await world.admin.client.delete(`/cases/${a.id}`)).status).toBe(204);
    expect(await ids('type=return')).not.toContain(a.id);
    expect(await ids('type=return&archived=true')).toContain(a.id);
  });
});

describe('status machine', () => {
  it('moves along the allowed paths and refuses the others with 409', async () => {
    const record = await newCase(world.repRed.client);
    const path = `/cases/${record.id}`;
    const client = world.repRed.client;
    const move = (status: string) => client.patch(path, { status });

    expect((await move('open')).body.status).toBe('open');
    expect((await move('new')).status).toBe(409);
    expect((await move('pending')).body.status).toBe('pending');
    expect((await move('open')).body.status).toBe('open');
    const viaPatch = await move('resolved');
    expect(viaPatch.status).toBe(400);
    expect(viaPatch.body.errors[0].path).toBe('status');

    const resolved = await client.post(`${path}/resolve`, { resolution: 'Reset the router' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.case).toMatchObject({ status: 'resolved', resolution: 'Reset the router' });
    expect(resolved.body.case.resolvedAt).toBeDefined();
    expect((await client.post(`${path}/resolve`, { resolution: 'Again' })).status).toBe(409);
    expect((await move('pending')).status).toBe(409);

    const reopened = await move('open');
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe('open');
    expect(reopened.body.resolution).toBeUndefined();
    expect(reopened.body.resolvedAt).toBeUndefined();
    expect(reopened.body.slaStartAt).toBe(reopened.body.reopenedAt);
    expect(reopened.body.slaDueAt).toBe(plus(reopened.body.reopenedAt, 24 * HOUR));

    const closed = await move('closed');
    expect(closed.body).toMatchObject({ status: 'closed' });
    expect(closed.body.closedAt).toBeDefined();
    for (const status of ['new', 'open', 'pending', 'resolved'])
      expect((await move(status)).status, status).toBe(409);
    expect((await client.patch(path, { subject: 'Edited' })).status).toBe(409);
    expect((await client.post(`${path}/resolve`, { resolution: 'x' })).status).toBe(409);
    expect((await client.get(path)).body.subject).toBe(record.subject);
  });

  it('archives and restores, refusing changes while archived', async () => {
    const record = await newCase(world.repRed.client);
    const path = `/cases/${record.id}`;
    expect((await world.repRed.client.delete(path, { 'if-match': '"9"' })).status).toBe(412);
    expect((await world.repRed.client.delete(path)).status).toBe(204);
    expect((await world.repRed.client.get(path)).body.archived).toBe(true);
    expect((await world.repRed.client.patch(path, { status: 'open' })).status).toBe(409);
    expect((await world.repRed.client.post(`${path}/resolve`, { resolution: 'x' })).status).toBe(409);
    const restored = await world.repRed.client.post(`${path}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.archived).toBe(false);
  });
});

describe('SLA', () => {
  it('takes the tenant’s hours per priority and recomputes on a priority change, moving the schedule', async () => {
    const tenant = uniqueTenant('sla');
    const admin = api(await tokenFor({ tenant, role: 'admin', user: 'sla-admin' }));
    const token = await tokenFor({ tenant, role: 'admin', user: 'sla-admin' });
    expect((await admin.get('/settings/sla')).body).toEqual({ urgent: 4, high: 8, normal: 24, low: 72 });
    const put = await admin.put('/settings/sla', { urgent: 2, low: 0.5 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ urgent: 2, high: 8, normal: 24, low: 0.5, updatedBy: 'sla-admin' });
    expect((await admin.get('/settings/sla')).body).toMatchObject({
      urgent: 2,
      high: 8,
      normal: 24,
      low: 0.5,
    });

    const contact = await admin.post('/contacts', { firstName: 'Sal' });
    const created = await admin.post('/cases', {
      subject: 'Down',
      type: 'complaint',
      priority: 'urgent',
      contactId: contact.body.id,
    });
    expect(created.status).toBe(201);
    const record = created.body;
    expect(record.slaDueAt).toBe(plus(record.createdAt, 2 * HOUR));

    const high = await admin.patch(`/cases/${record.id}`, { priority: 'high' });
    expect(high.body.slaDueAt).toBe(plus(record.createdAt, 8 * HOUR));
    const pending = await pendingSchedules(token);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      name: `sla-${record.id}`,
      scheduledAt: high.body.slaDueAt,
      payload: { caseId: record.id, slaDueAt: high.body.slaDueAt },
    });

    // Other changes leave the due time (and the schedule) alone.
    const renamed = await admin.patch(`/cases/${record.id}`, { subject: 'Still down' });
    expect(renamed.body.slaDueAt).toBe(high.body.slaDueAt);

    // The old due time's firing finds the case due at another time and does nothing.
    expect(await slaCheck({ tenantId: tenant, caseId: record.id, slaDueAt: record.slaDueAt })).toBe('stale');
    // Settings apply to later cases, not to existing ones.
    await admin.put('/settings/sla', {});
    expect((await admin.get('/settings/sla')).body).toMatchObject({
      urgent: 4,
      high: 8,
      normal: 24,
      low: 72,
    });
    expect((await admin.get(`/cases/${record.id}`)).body.slaDueAt).toBe(high.body.slaDueAt);
  });

  it('cancels the check on resolve, close and archive, and schedules it again on reopen and restore', async () => {
    const record = await newCase(world.repRed.client);
    const path = `/cases/${record.id}`;
    const client = world.repRed.client;
    expect(await scheduleOf(record.id)).toBeDefined();

    await client.post(`${path}/resolve`, { resolution: 'Done' });
    expect(await scheduleOf(record.id)).toBeUndefined();
    const reopened = await client.patch(path, { status: 'open' });
    expect((await scheduleOf(record.id))?.scheduledAt).toBe(reopened.body.slaDueAt);

    await client.delete(path);
    expect(await scheduleOf(record.id)).toBeUndefined();
    await client.post(`${path}/restore`);
    expect((await scheduleOf(record.id))?.scheduledAt).toBe(reopened.body.slaDueAt);

    await client.patch(path, { status: 'closed' });
    expect(await scheduleOf(record.id)).toBeUndefined();
  });

  it('flags a breach and notifies the assignee and their team’s active managers, once', async () => {
    const record = await newCase(world.repRed.client, { priority: 'urgent' });
    const due = record.slaDueAt as string;

    // Nothing is due before slaDueAt.
    expect(await runDueSchedules(adminToken, plus(due, -1000), { name: `sla-${record.id}` })).toEqual([]);
    const fired = await runDueSchedules(adminToken, plus(due, 1000), { name: `sla-${record.id}` });
    expect(fired).toMatchObject([{ name: `sla-${record.id}`, target: 'slaCheck', outcome: 'fired' }]);

    const breached = await world.repRed.client.get(`/cases/${record.id}`);
    expect(breached.body.slaBreachedAt).toBe(due);
    expect(breached.body.version).toBe(2);

    expect(await breachNotifications(world.repRed.id, record.id)).toHaveLength(1);
    expect(await breachNotifications(world.managerRed.id, record.id)).toHaveLength(1);
    for (const bystander of [world.repRed2, world.repBlue, managerBlue, managerRedInactive, world.admin]) {
      expect(await breachNotifications(bystander.id, record.id), bystander.id).toHaveLength(0);
    }
    const [item] = await breachNotifications(world.managerRed.id, record.id);
    expect(item).toMatchObject({
      tenantId: { S: world.tenant },
      kind: { S: 'sla_breach' },
      occurredAt: { S: due },
      record: { M: { type: { S: 'case' }, id: { S: record.id } } },
    });
    expect(item?.title?.S).toContain(record.subject);

    // A replayed firing (at-least-once delivery) changes nothing and notifies nobody again.
    expect(
      await slaCheck({ tenantId: world.tenant, caseId: record.id, slaDueAt: due, scheduledAt: due }),
    ).toBe('notified');
    expect(await breachNotifications(world.repRed.id, record.id)).toHaveLength(1);
    expect(await breachNotifications(world.managerRed.id, record.id)).toHaveLength(1);
    expect((await world.repRed.client.get(`/cases/${record.id}`)).body.version).toBe(2);
    // The schedule is gone once fired.
    expect(await scheduleOf(record.id)).toBeUndefined();
  });

  it('does nothing for a resolved, closed, archived, missing or foreign case', async () => {
    const resolved = await newCase(world.repRed.client);
    await world.repRed.client.post(`/cases/${resolved.id}/resolve`, { resolution: 'Fixed' });
    const archived = await newCase(world.repRed.client);
    await world.repRed.client.delete(`/cases/${archived.id}`);
    const closed = await newCase(world.repRed.client);
    await world.repRed.client.patch(`/cases/${closed.id}`, { status: 'closed' });

    for (const record of [resolved, archived, closed]) {
      expect(await slaCheck({ tenantId: world.tenant, caseId: record.id, slaDueAt: record.slaDueAt })).toBe(
        'stale',
      );
      expect((await world.repRed.client.get(`/cases/${record.id}`)).body.slaBreachedAt).toBeUndefined();
      expect(await breachNotifications(world.repRed.id, record.id)).toHaveLength(0);
      expect(await breachNotifications(world.managerRed.id, record.id)).toHaveLength(0);
    }
    const live = await newCase(world.repRed.client);
    const otherTenant = uniqueTenant();
    expect(await slaCheck({ tenantId: otherTenant, caseId: live.id, slaDueAt: live.slaDueAt })).toBe('stale');
    expect(
      await slaCheck({
        tenantId: world.tenant,
        caseId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
        slaDueAt: live.slaDueAt,
      }),
    ).toBe('stale');
    expect(await slaCheck({ tenantId: 'bad tenant', caseId: live.id, slaDueAt: live.slaDueAt })).toBe(
      'invalid',
    );
    expect(await slaCheck(null)).toBe('invalid');
    expect((await world.repRed.client.get(`/cases/${live.id}`)).body.version).toBe(1);
  });
});

describe('resolution and satisfaction', () => {
  it('resolves with a signed single-use link that records the score once', async () => {
    const record = await newCase(world.repRed.client);
    const resolved = await world.repRed.client.post(`/cases/${record.id}/resolve`, {
      resolution: 'Refunded',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.headers.get('etag')).toBe('"2"');
    const { csatUrl } = resolved.body;
    expect(csatUrl).toMatch(/^\/s\/[A-Za-z0-9_-]{1,128}$/);
    expect(resolved.body.case).not.toHaveProperty('csatNonce');
    const token = tokenOf(csatUrl);
    expect(verifyCsatToken(token, signingKey)).toMatchObject({ tenantId: world.tenant, caseId: record.id });

    const form = await anonymous().get(csatUrl);
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toContain('text/html');
    expect(form.text).toContain('name="score"');

    // A bad body records nothing and leaves the link usable.
    const bad = await anonymous().post(csatUrl, { score: 6, comment: 'x'.repeat(2001) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['comment', 'score']);
    expect((await anonymous().post(csatUrl, { score: 2.5 })).status).toBe(400);
    expect((await anonymous().post(csatUrl, {})).status).toBe(400);

    const rated = await anonymous().post(csatUrl, { score: 5, comment: '  Quick and kind  ' });
    expect(rated.status).toBe(200);
    expect(rated.body).toEqual({ thanks: true });
    const after = await world.repRed.client.get(`/cases/${record.id}`);
    expect(after.body).toMatchObject({ csatScore: 5, csatComment: 'Quick and kind', version: 3 });
    expect(after.body.csatAt).toBeDefined();

    const reused = await anonymous().post(csatUrl, { score: 1 });
    expect(reused.status).toBe(404);
    expect((await anonymous().get(csatUrl)).status).toBe(404);
    expect((await world.repRed.client.get(`/cases/${record.id}`)).body).toEqual(after.body);
  });

  it('answers 404 to tampered, foreign-tenant, foreign-key and unknown tokens, recording nothing', async () => {
    const record = await newCase(world.repRed.client);
    const resolved = await world.repRed.client.post(`/cases/${record.id}/resolve`, { resolution: 'Swapped' });
    const token = tokenOf(resolved.body.csatUrl);
    const nonce = (await storedCase(world.tenant, record.id))?.csatNonce?.S ?? '';
    expect(nonce).toHaveLength(12);

    const tampered = [
      `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`,
      token.slice(0, -1),
      `${token}A`,
    ];
    const foreignTenant = signCsatToken({ tenantId: uniqueTenant(), caseId: record.id, nonce }, signingKey);
    const foreignKey = signCsatToken(
      { tenantId: world.tenant, caseId: record.id, nonce },
      Buffer.from('not the signing secret of this deployment'),
    );
    const otherNonce = signCsatToken(
      { tenantId: world.tenant, caseId: record.id, nonce: 'AAAAAAAAAAAA' },
      signingKey,
    );
    const unknownCase = signCsatToken(
      { tenantId: world.tenant, caseId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', nonce },
      signingKey,
    );
    for (const bad of [
      ...tampered,
      foreignTenant,
      foreignKey,
      otherNonce,
      unknownCase,
      'x',
      'a'.repeat(129),
    ]) {
      expect((await anonymous().post(`/s/${bad}`, { score: 1 })).status, bad).toBe(404);
      expect((await anonymous().get(`/s/${bad}`)).status, bad).toBe(404);
    }
    expect((await anonymous().post('/s/a.b', { score: 1 })).status).toBe(404);
    const unchanged = await world.repRed.client.get(`/cases/${record.id}`);
    expect(unchanged.body.csatScore).toBeUndefined();
    expect(unchanged.body.version).toBe(2);

    // The genuine link still works afterwards.
    expect((await anonymous().post(`/s/${token}`, { score: 3 })).status).toBe(200);
  });

  it('withdraws an unused link on reopen, issues a new one on the next resolve, and rates a case once', async () => {
    const record = await newCase(world.repRed.client);
    const path = `/cases/${record.id}`;
    const first = await world.repRed.client.post(`${path}/resolve`, { resolution: 'Try 1' });
    await world.repRed.client.patch(path, { status: 'open' });
    expect((await anonymous().post(first.body.csatUrl, { score: 1 })).status).toBe(404);

    const second = await world.repRed.client.post(`${path}/resolve`, { resolution: 'Try 2' });
    expect(second.body.csatUrl).not.toBe(first.body.csatUrl);
    expect((await anonymous().post(second.body.csatUrl, { score: 4 })).status).toBe(200);

    await world.repRed.client.patch(path, { status: 'open' });
    const third = await world.repRed.client.post(`${path}/resolve`, { resolution: 'Try 3' });
    expect(third.status).toBe(200);
    expect(third.body.csatUrl).toBeNull();
    expect(third.body.case.csatScore).toBe(4);
  });

  it('replays a resolve retried with the same Idempotency-Key', async () => {
    const record = await newCase(world.repRed.client);
    const key = { 'idempotency-key': unique('resolve') };
    const first = await world.repRed.client.post(`/cases/${record.id}/resolve`, { resolution: 'Once' }, key);
    const retry = await world.repRed.client.post(`/cases/${record.id}/resolve`, { resolution: 'Once' }, key);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });
});
