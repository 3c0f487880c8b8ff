import { monotonicFactory } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type AnyBody,
  type ApiClient,
  api,
  eventually,
  pendingSchedules,
  runDueSchedules,
  tokenFor,
  uniqueTenant,
} from '../support/api.ts';
import { useTestTable, writeItems } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
/** Moves the local scheduler's clock for the world's tenant. */
let controlToken: string;
/** The reminder target invoked in this process (same table, same local SES), for duplicate and stale firings. */
let reminder: typeof import('#functions/schedule/reminder');

beforeAll(async () => {
  world = await createWorld();
  controlToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
  useTestTable();
  process.env.AWS_ENDPOINT_URL_SESV2 = inject('sesEndpoint');
  reminder = await import('#functions/schedule/reminder');
});

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms);
const emailOf = (name: string) => `${name}@${world.tenant}.test`;
const ids = (response: AnyBody) => (response.body.items as { id: string }[]).map((item) => item.id);
const paths = (response: AnyBody) =>
  (response.body.errors as { path: string }[]).map((error) => error.path).sort();

interface StoredEmail {
  readonly destination: { readonly to: string[] };
  readonly subject: string;
  readonly body: { readonly text?: string };
}

/** Reminder emails for `subject` in the local SES store. */
async function reminderEmails(subject: string): Promise<StoredEmail[]> {
  const response = await fetch(`${inject('sesEndpoint')}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.subject === `Reminder: ${subject}`);
}

async function reminderNotifications(client: ApiClient, activityId: string) {
  const response = await client.get('/me/notifications?limit=200');
  expect(response.status).toBe(200);
  return (response.body.items as { kind: string; record?: { id: string } }[]).filter(
    (item) => item.kind === 'reminder' && item.record?.id === activityId,
  );
}

async function newActivity(client: ApiClient, fields: Record<string, unknown> = {}) {
  const response = await client.post('/activities', { type: 'task', subject: unique('Task'), ...fields });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const payloadOf = (activity: { id: string; remindAt: string }) => ({
  tenantId: world.tenant,
  activityId: activity.id,
  remindAt: activity.remindAt,
  scheduledAt: activity.remindAt,
});

describe('activities', () => {
  it('creates an activity assigned to the caller, with Location and ETag', async () => {
    const dueAt = '2030-01-31T10:00:00+01:00';
    const response = await world.repRed.client.post('/activities', {
      type: 'meeting',
      subject: '  Kick-off  ',
      body: 'Agenda attached',
      dueAt,
      durationMin: 45,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/activities/${response.body.id}`);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.body).toMatchObject({
      type: 'meeting',
      subject: 'Kick-off',
      dueAt: '2030-01-31T09:00:00.000Z',
      durationMin: 45,
      assigneeId: world.repRed.id,
      ownerId: world.repRed.id,
      teamId: world.teams.red,
      status: 'open',
      reminderState: 'none',
      version: 1,
      archived: false,
    });
    const read = await world.repRed.client.get(`/activities/${response.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(response.body);

    const key = unique('idem');
    const first = await world.repRed.client.post(
      '/activities',
      { type: 'note', subject: 'Once' },
      { 'idempotency-key': key },
    );
    const again = await world.repRed.client.post(
      '/activities',
      { type: 'note', subject: 'Once' },
      { 'idempotency-key': key },
    );
    expect(again.body.id).toBe(first.body.id);
  });

  it('assigns to users of the tenant as roles allow, and the team follows the assignee', async () => {
    const { repRed, repRed2, repBlue, managerRed, admin } = world;
    const refused = await repRed.client.post('/activities', {
      type: 'call',
      subject: 'x',
      assigneeId: repRed2.id,
    });
    expect(refused.status).toBe(403);
    const byManager = await newActivity(managerRed.client, { assigneeId: repRed.id });
    expect(byManager).toMatchObject({ assigneeId: repRed.id, ownerId: repRed.id, teamId: world.teams.red });
    expect(
      (await managerRed.client.post('/activities', { type: 'call', subject: 'x', assigneeId: repBlue.id }))
        .status,
    ).toBe(403);
    const byAdmin = await newActivity(admin.client, { assigneeId: repBlue.id });
    expect(byAdmin).toMatchObject({ assigneeId: repBlue.id, teamId: world.teams.blue });
    const unknown = await admin.client.post('/activities', {
      type: 'call',
      subject: 'x',
      assigneeId: 'nobody',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { path: 'assigneeId', message: 'is not an active user of this tenant' },
    ]);
  });

  it('links an activity only to a live record of the tenant that the caller can read', async () => {
    const { repRed, repBlue, stranger } = world;
    const contact = (await repRed.client.post('/contacts', { firstName: 'Linked' })).body;
    const deal = (await repRed.client.post('/deals', { name: unique('Linked deal') })).body;
    const lead = (await repRed.client.post('/leads', { firstName: 'Linked lead' })).body;
    const blueCompany = (await repBlue.client.post('/companies', { name: unique('Blue Co') })).body;
    const foreign = (await stranger.client.post('/contacts', { firstName: 'Foreign' })).body;
    const serviceCase = await repRed.client.post('/cases', {
      subject: 'Broken widget',
      type: 'complaint',
      contactId: contact.id,
    });
    expect(serviceCase.status).toBe(201);
    for (const related of [
      { type: 'contact', id: contact.id },
      { type: 'deal', id: deal.id },
      { type: 'lead', id: lead.id },
      { type: 'case', id: serviceCase.body.id },
    ]) {
      const activity = await newActivity(repRed.client, { related });
      expect(activity).toMatchObject({ related, relatedKey: `${related.type}:${related.id}` });
    }
    const invisible = [
      { type: 'company', id: blueCompany.id },
      { type: 'contact', id: foreign.id },
      { type: 'contact', id: deal.id },
      { type: 'case', id: contact.id },
    ];
    for (const related of invisible) {
      const response = await repRed.client.post('/activities', { type: 'call', subject: 'x', related });
      expect(response.status, JSON.stringify(related)).toBe(400);
      expect(response.body.errors[0].path).toBe('related.id');
    }
    const archived = (await repRed.client.post('/contacts', { firstName: 'Gone' })).body;
    await repRed.client.delete(`/contacts/${archived.id}`);
    const toArchived = await repRed.client.post('/activities', {
      type: 'call',
      subject: 'x',
      related: { type: 'contact', id: archived.id },
    });
    expect(toArchived.status).toBe(400);

    // A later link is checked the same way; null removes it.
    const activity = await newActivity(repRed.client, { related: { type: 'contact', id: contact.id } });
    const relink = await repRed.client.patch(`/activities/${activity.id}`, {
      related: { type: 'company', id: blueCompany.id },
    });
    expect(relink.status).toBe(400);
    const unlink = await repRed.client.patch(`/activities/${activity.id}`, { related: null });
    expect(unlink.status).toBe(200);
    expect(unlink.body).not.toHaveProperty('related');
    expect(unlink.body).not.toHaveProperty('relatedKey');
  });

  it('refuses bad input on every body and query, listing every bad field', async () => {
    const { admin } = world;
    const empty = await admin.client.post('/activities', {});
    expect(empty.status).toBe(400);
    expect(paths(empty)).toEqual(['subject', 'type']);
    const bad = await admin.client.post('/activities', {
      type: 'lunch',
      subject: '',
      body: 5,
      dueAt: 'tomorrow',
      remindAt: '2030-01-01',
      durationMin: -5,
      assigneeId: 'no spaces allowed',
      related: { type: 'quote', id: 'x' },
      status: 'blocked',
      extra: true,
    });
    expect(bad.status).toBe(400);
    expect(paths(bad)).toEqual([
      'assigneeId',
      'body',
      'dueAt',
      'durationMin',
      'extra',
      'related.id',
      'related.type',
      'remindAt',
      'status',
      'subject',
      'type',
    ]);
    const past = await admin.client.post('/activities', {
      type: 'call',
      subject: 'Too late',
      remindAt: inHours(-1),
      assigneeId: 'nobody',
      related: { type: 'contact', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'remindAt', message: 'must be in the future' },
        { path: 'assigneeId', message: 'is not an active user of this tenant' },
        { path: 'related.id', message: 'is not a live contact of this tenant you can read' },
      ]),
    );

    const activity = await newActivity(admin.client);
    const path = `/activities/${activity.id}`;
    for (const body of [
      {},
      { status: 'blocked' },
      { subject: null },
      { type: null },
      { assigneeId: null },
      { dueAt: 'x' },
      { id: 'x' },
    ]) {
      expect((await admin.client.patch(path, body)).status, JSON.stringify(body)).toBe(400);
    }
    const pastPatch = await admin.client.patch(path, { remindAt: inHours(-2) });
    expect(pastPatch.body.errors).toEqual([{ path: 'remindAt', message: 'must be in the future' }]);
    expect((await admin.client.get(path)).body.version).toBe(1);

    for (const query of [
      'related=contact',
      'related=contact:x',
      'dueBefore=soon',
      'limit=0',
      'status=blocked',
      'foo=1',
    ]) {
      expect((await admin.client.get(`/activities?${query}`)).status, query).toBe(400);
    }
    expect((await admin.client.get('/me/agenda?limit=201')).status).toBe(400);
    expect((await admin.client.get('/me/agenda?status=open')).status).toBe(400);
  });

  it('hides activities from other tenants and teams; reps change only their own', async () => {
    const { repRed, repRed2, repBlue, managerRed, admin, stranger } = world;
    const activity = await newActivity(repRed.client);
    const path = `/activities/${activity.id}`;
    for (const client of [stranger.client, repBlue.client]) {
      expect((await client.get(path)).status).toBe(404);
      expect((await client.patch(path, { subject: 'Mine now' })).status).toBe(404);
      expect((await client.delete(path)).status).toBe(404);
      expect((await client.post(`${path}/restore`)).status).toBe(404);
      expect(ids(await client.get('/activities?limit=200'))).not.toContain(activity.id);
    }
    expect(ids(await stranger.client.get(`/activities?assigneeId=${repRed.id}`))).toEqual([]);
    expect((await repRed2.client.get(path)).status).toBe(200);
    expect((await repRed2.client.patch(path, { subject: 'Not mine' })).status).toBe(403);
    expect((await repRed2.client.delete(path)).status).toBe(403);
    expect((await repRed.client.patch(path, { assigneeId: repRed2.id })).status).toBe(403);
    expect((await managerRed.client.patch(path, { assigneeId: repBlue.id })).status).toBe(403);

    const reassigned = await managerRed.client.patch(path, { assigneeId: repRed2.id });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body).toMatchObject({
      assigneeId: repRed2.id,
      ownerId: repRed2.id,
      teamId: world.teams.red,
    });
    expect((await repRed.client.patch(path, { subject: 'Not mine any more' })).status).toBe(403);
    expect((await repRed2.client.patch(path, { subject: 'Mine now' })).status).toBe(200);
    const moved = await admin.client.patch(path, { assigneeId: repBlue.id });
    expect(moved.body.teamId).toBe(world.teams.blue);
    expect((await repBlue.client.get(path)).status).toBe(200);
    expect((await repRed.client.get(path)).status).toBe(404);
  });

  it('sets completedAt when done, clears it when reopened, and guards with If-Match', async () => {
    const activity = await newActivity(world.repRed.client);
    const path = `/activities/${activity.id}`;
    const done = await world.repRed.client.patch(path, { status: 'done' }, { 'if-match': '"1"' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', version: 2, completedAt: expect.any(String) });
    const stale = await world.repRed.client.patch(path, { status: 'open' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    const reopened = await world.repRed.client.patch(path, { status: 'open' });
    expect(reopened.body).toMatchObject({ status: 'open', version: 3 });
    expect(reopened.body).not.toHaveProperty('completedAt');
    const canceled = await world.repRed.client.patch(path, { status: 'canceled' });
    expect(canceled.body.status).toBe('canceled');
    expect(canceled.body).not.toHaveProperty('completedAt');
  });

  it('archives and restores', async () => {
    const activity = await newActivity(world.repRed.client);
    const path = `/activities/${activity.id}`;
    expect((await world.repRed.client.delete(path, { 'if-match': '"9"' })).status).toBe(412);
    expect((await world.repRed.client.delete(path)).status).toBe(204);
    expect((await world.repRed.client.get(path)).body.archived).toBe(true);
    const mine = `/activities?assigneeId=${world.repRed.id}&limit=200`;
    expect(ids(await world.repRed.client.get(mine))).not.toContain(activity.id);
    expect(ids(await world.repRed.client.get(`${mine}&archived=true`))).toContain(activity.id);
    expect((await world.repRed.client.patch(path, { subject: 'Changed' })).status).toBe(409);
    const restored = await world.repRed.client.post(`${path}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.archived).toBe(false);
    expect(ids(await world.repRed.client.get(mine))).toContain(activity.id);
  });

  it('lists by assignee, status, related record, due time and subject prefix', async () => {
    const { repRed, repBlue, managerRed } = world;
    const contact = (await repRed.client.post('/contacts', { firstName: 'Listed' })).body;
    const related = { type: 'contact', id: contact.id };
    const prefix = unique('Listing');
    const early = await newActivity(repRed.client, {
      subject: `${prefix} early`,
      related,
      dueAt: inHours(1),
    });
    const late = await newActivity(repRed.client, { subject: `${prefix} late`, related, dueAt: inHours(48) });
    const undated = await newActivity(repRed.client, { subject: `${prefix} undated`, related });
    const done = await newActivity(repRed.client, { subject: `${prefix} done`, related, status: 'done' });
    const other = await newActivity(managerRed.client, { subject: `${prefix} manager`, dueAt: inHours(1) });

    const byRelated = await repRed.client.get(`/activities?related=contact:${contact.id}`);
    expect(byRelated.status).toBe(200);
    expect(ids(byRelated)).toEqual([done.id, undated.id, late.id, early.id]);
    const openRelated = await repRed.client.get(`/activities?related=contact:${contact.id}&status=open`);
    expect(ids(openRelated)).toEqual([undated.id, late.id, early.id]);
    const dueSoon = await repRed.client.get(
      `/activities?related=contact:${contact.id}&dueBefore=${encodeURIComponent(inHours(24))}`,
    );
    expect(ids(dueSoon)).toEqual([early.id]);
    expect(ids(await repBlue.client.get(`/activities?related=contact:${contact.id}`))).toEqual([]);

    const openMine = ids(
      await repRed.client.get(`/activities?assigneeId=${repRed.id}&status=open&limit=200`),
    );
    expect(openMine).toEqual(expect.arrayContaining([early.id, late.id, undated.id]));
    expect(openMine).not.toContain(done.id);
    expect(openMine).not.toContain(other.id);
    const doneAnyone = ids(await managerRed.client.get('/activities?status=done&limit=200'));
    expect(doneAnyone).toContain(done.id);
    expect(doneAnyone).not.toContain(early.id);
    const byManager = ids(await repRed.client.get(`/activities?assigneeId=${managerRed.id}&limit=200`));
    expect(byManager).toContain(other.id);

    const named = await repRed.client.get(`/activities?q=${encodeURIComponent(prefix.toUpperCase())}`);
    expect(ids(named).sort()).toEqual([early.id, late.id, undated.id, done.id, other.id].sort());

    const first = await repRed.client.get(`/activities?related=contact:${contact.id}&limit=2`);
    expect(ids(first)).toEqual([done.id, undated.id]);
    const second = await repRed.client.get(
      `/activities?related=contact:${contact.id}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(ids(second)).toEqual([late.id, early.id]);
    const replayed = await repRed.client.get(
      `/activities?related=contact:${contact.id}&status=open&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(replayed.status).toBe(400);
  });

  it("serves the caller's agenda: open activities by due time, overdue first, undated last", async () => {
    const email = `${unique('agenda')}@${world.tenant}.test`;
    const user = await world.admin.client.post('/users', {
      email,
      name: 'Agenda Rep',
      role: 'rep',
      teamId: world.teams.red,
    });
    expect(user.status).toBe(201);
    const me = api(
      await tokenFor({ tenant: world.tenant, role: 'rep', user: user.body.id, team: world.teams.red, email }),
    );
    const overdue = await newActivity(me, { dueAt: inHours(-24) });
    const tomorrow = await newActivity(me, { dueAt: inHours(24) });
    const undated = await newActivity(me);
    const longOverdue = await newActivity(me, { dueAt: inHours(-48) });
    const done = await newActivity(me, { dueAt: inHours(-72) });
    await me.patch(`/activities/${done.id}`, { status: 'done' });
    const archived = await newActivity(me, { dueAt: inHours(-1) });
    await me.delete(`/activities/${archived.id}`);
    const assigned = await newActivity(world.managerRed.client, {
      assigneeId: user.body.id,
      dueAt: inHours(72),
    });
    const someoneElses = await newActivity(world.repRed.client, { dueAt: inHours(-96) });

    const agenda = await me.get('/me/agenda');
    expect(agenda.status).toBe(200);
    expect(ids(agenda)).toEqual([longOverdue.id, overdue.id, tomorrow.id, assigned.id, undated.id]);
    expect(agenda.body.nextCursor).toBeNull();
    expect(ids(agenda)).not.toContain(someoneElses.id);

    const page1 = await me.get('/me/agenda?limit=2');
    expect(ids(page1)).toEqual([longOverdue.id, overdue.id]);
    const page2 = await me.get(`/me/agenda?limit=2&cursor=${page1.body.nextCursor}`);
    expect(ids(page2)).toEqual([tomorrow.id, assigned.id]);
    const page3 = await me.get(`/me/agenda?limit=2&cursor=${page2.body.nextCursor}`);
    expect(ids(page3)).toEqual([undated.id]);
    expect(page3.body.nextCursor).toBeNull();
    expect((await world.repRed.client.get(`/me/agenda?cursor=${page1.body.nextCursor}`)).status).toBe(400);
    expect((await me.get(`/me/agenda?cursor=${page1.body.nextCursor}x`)).status).toBe(400);

    // Done today: it leaves the agenda; reopened, it comes back in its place.
    await me.patch(`/activities/${overdue.id}`, { status: 'done' });
    expect(ids(await me.get('/me/agenda'))).toEqual([longOverdue.id, tomorrow.id, assigned.id, undated.id]);
    await me.patch(`/activities/${overdue.id}`, { status: 'open' });
    expect(ids(await me.get('/me/agenda'))).toEqual([
      longOverdue.id,
      overdue.id,
      tomorrow.id,
      assigned.id,
      undated.id,
    ]);
    expect(ids(await world.stranger.client.get('/me/agenda'))).toEqual([]);
  });
});

/** Every page of an agenda, `limit` at a time. */
async function wholeAgenda(client: ApiClient, limit: number): Promise<{ id: string; dueAt?: string }[][]> {
  const pages: { id: string; dueAt?: string }[][] = [];
  let cursor: string | null = null;
  do {
    const response = await client.get(`/me/agenda?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(response.status, response.text).toBe(200);
    pages.push(response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor);
  return pages;
}

describe('agenda of a large owner', () => {
  /** A rep of team red with `count` open activities written to the table, due a minute apart from an hour ago. */
  async function repWithActivities(tenant: string, admin: ApiClient, teamId: string, count: number) {
    const email = `${unique('busy')}@${tenant}.test`;
    const user = await admin.post('/users', { email, name: 'Busy Rep', role: 'rep', teamId });
    expect(user.status).toBe(201);
    const userId = user.body.id as string;
    const client = api(await tokenFor({ tenant, role: 'rep', user: userId, team: teamId, email }));
    const { toItem } = await import('#shared/store/records');
    const { activities } = await import('#shared/store/entities');
    const next = monotonicFactory();
    const now = new Date().toISOString();
    const start = Date.now() - 3_600_000;
    // Created in the reverse of their due order, so an order by id would show the wrong one first.
    const records = Array.from({ length: count }, (_, index) => ({
      id: next(),
      createdAt: now,
      updatedAt: now,
      version: 1,
      ownerId: userId,
      teamId,
      archived: false,
      type: 'task',
      subject: `Busy ${index}`,
      status: 'open',
      reminderState: 'none',
      dueAt: new Date(start + (count - index) * 60_000).toISOString(),
      assigneeId: userId,
    }));
    return {
      userId,
      client,
      records,
      items: records.map((record) => toItem(activities, tenant, record as never)),
    };
  }

  it('pages through every open activity by due time, past 500, and shows them to their assignee only', async () => {
    useTestTable();
    const busy = await repWithActivities(world.tenant, world.admin.client, world.teams.red, 501);
    await writeItems(busy.items);
    const undated = await newActivity(busy.client);

    const pages = await wholeAgenda(busy.client, 200);
    expect(pages.map((page) => page.length)).toEqual([200, 200, 102]);
    const served = pages.flat();
    const expected = [...busy.records]
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : 1))
      .map((record) => record.id);
    expect(served.map((item) => item.id)).toEqual([...expected, undated.id]);

    // Another rep of the tenant, a rep of another team, and a user of another tenant with the same id.
    const others = [
      world.repRed2.client,
      world.repBlue.client,
      api(await tokenFor({ tenant: uniqueTenant(), role: 'rep', user: busy.userId, team: world.teams.red })),
    ];
    for (const other of others) {
      const agenda = await other.get('/me/agenda?limit=200');
      expect(agenda.status).toBe(200);
      expect(ids(agenda)).not.toContain(expected[0]);
      expect(ids(agenda)).not.toContain(undated.id);
    }
    const first = await busy.client.get('/me/agenda?limit=1');
    expect((await world.repBlue.client.get(`/me/agenda?cursor=${first.body.nextCursor}`)).status).toBe(400);
  });

  it('takes activities written before the agenda index in due order once the report rebuild has run', async () => {
    useTestTable();
    const tenant = uniqueTenant();
    const admin = api(await tokenFor({ tenant, role: 'admin', user: `admin-${tenant}` }));
    const team = await admin.post('/teams', { name: 'Red' });
    expect(team.status).toBe(201);
    const busy = await repWithActivities(tenant, admin, team.body.id, 3);
    // As earlier versions wrote them: the state index sorted by id.
    await writeItems(busy.items.map((item) => ({ ...item, gsi6sk: item.id })));
    const byDue = [...busy.records].reverse().map((record) => record.id);
    expect(ids(await busy.client.get('/me/agenda'))).toEqual([...byDue].reverse());

    const rebuilt = await admin.post('/admin/reports/rebuild', {});
    expect(rebuilt.status, rebuilt.text).toBe(200);
    expect(ids(await busy.client.get('/me/agenda'))).toEqual(byDue);
  });
});

describe('activity reminders', () => {
  it('names the record the activity is about, in the email and the notification, with links to both', async () => {
    const { repRed } = world;
    const contact = await repRed.client.post('/contacts', { firstName: 'Marta', lastName: 'Gómez' });
    const contactId = contact.body.id as string;
    const subject = unique('Call Marta');
    const activity = await newActivity(repRed.client, {
      type: 'call',
      subject,
      remindAt: inHours(1),
      related: { type: 'contact', id: contactId },
    });
    const name = `reminder-${activity.id}`;
    const fired = await runDueSchedules(controlToken, plus(activity.remindAt, 1_000), { name });
    expect(fired).toMatchObject([{ name, outcome: 'fired' }]);

    const [email] = await reminderEmails(subject);
    const text = email?.body.text ?? '';
    expect(text).toContain(`Reminder for your call: ${subject}`);
    expect(text).toContain('About: contact Marta Gómez');
    // Links under the API's URL as the request that set the reminder saw it.
    expect(text).toMatch(new RegExp(`https?://\\S+/activities/${activity.id}`));
    expect(text).toMatch(new RegExp(`https?://\\S+/contacts/${contactId}`));
    expect(text).not.toMatch(/Activity [0-9A-Z]{26} \(/);
    expect(await reminderNotifications(repRed.client, activity.id)).toMatchObject([
      {
        title: `Reminder: ${subject} (contact Marta Gómez)`,
        record: { type: 'activity', id: activity.id, name: subject },
        related: { type: 'contact', id: contactId, name: 'Marta Gómez' },
      },
    ]);
  });

  it('emails and notifies the assignee once when the reminder fires, however often it fires', async () => {
    const { repRed } = world;
    const subject = unique('Call Ana');
    const activity = await newActivity(repRed.client, {
      type: 'call',
      subject,
      remindAt: inHours(1),
      dueAt: inHours(2),
    });
    expect(activity.reminderState).toBe('pending');
    const name = `reminder-${activity.id}`;
    expect((await pendingSchedules(controlToken)).find((schedule) => schedule.name === name)).toMatchObject({
      target: 'reminder',
      scheduledAt: activity.remindAt,
      payload: { tenantId: world.tenant, activityId: activity.id, remindAt: activity.remindAt },
    });

    expect(await runDueSchedules(controlToken, plus(activity.remindAt, -60_000), { name })).toEqual([]);
    const fired = await runDueSchedules(controlToken, plus(activity.remindAt, 1_000), { name });
    expect(fired).toMatchObject([{ name, outcome: 'fired' }]);

    const emails = await reminderEmails(subject);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.destination.to).toEqual([emailOf('rep-red')]);
    expect(emails[0]?.body.text).toContain(`Reminder for your call: ${subject}`);
    const after = await repRed.client.get(`/activities/${activity.id}`);
    expect(after.body).toMatchObject({
      reminderState: 'sent',
      remindedAt: expect.any(String),
      status: 'open',
    });
    expect(await reminderNotifications(repRed.client, activity.id)).toMatchObject([
      { kind: 'reminder', title: `Reminder: ${subject}`, occurredAt: activity.remindAt, read: false },
    ]);

    // A duplicate delivery, a late one, and a second pass of the scheduler: nothing more.
    await expect(reminder.handler(payloadOf(activity))).resolves.toBe('already-sent');
    await expect(reminder.handler(payloadOf(activity))).resolves.toBe('already-sent');
    expect(await runDueSchedules(controlToken, plus(activity.remindAt, 3_600_000), { name })).toEqual([]);
    expect(await reminderEmails(subject)).toHaveLength(1);
    expect(await reminderNotifications(repRed.client, activity.id)).toHaveLength(1);
  });

  it('sends one email when two firings race', async () => {
    const subject = unique('Race');
    const activity = await newActivity(world.repRed.client, { subject, remindAt: inHours(1) });
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => reminder.handler(payloadOf(activity))),
    );
    expect(outcomes.filter((outcome) => outcome === 'sent')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'already-sent')).toHaveLength(3);
    expect(await reminderEmails(subject)).toHaveLength(1);
  });

  it('moves the schedule with remindAt: only the new time fires', async () => {
    const subject = unique('Moved');
    const activity = await newActivity(world.repRed.client, { subject, remindAt: inHours(1) });
    const name = `reminder-${activity.id}`;
    const moved = await world.repRed.client.patch(`/activities/${activity.id}`, { remindAt: inHours(3) });
    expect(moved.status).toBe(200);
    expect(moved.body.reminderState).toBe('pending');
    const schedules = (await pendingSchedules(controlToken)).filter((schedule) => schedule.name === name);
    expect(schedules).toMatchObject([
      { scheduledAt: moved.body.remindAt, payload: { remindAt: moved.body.remindAt } },
    ]);

    // The old time passes: nothing is due, and the old payload, delivered anyway, does nothing.
    expect(await runDueSchedules(controlToken, plus(activity.remindAt, 60_000), { name })).toEqual([]);
    await expect(reminder.handler(payloadOf(activity))).resolves.toBe('moved');
    expect(await reminderEmails(subject)).toHaveLength(0);

    const fired = await runDueSchedules(controlToken, plus(moved.body.remindAt, 1_000), { name });
    expect(fired).toMatchObject([{ name, outcome: 'fired' }]);
    expect(await reminderEmails(subject)).toHaveLength(1);

    // After it went out, a new time schedules a new reminder.
    const again = await world.repRed.client.patch(`/activities/${activity.id}`, { remindAt: inHours(5) });
    expect(again.body).toMatchObject({ reminderState: 'pending' });
    expect(again.body).not.toHaveProperty('remindedAt');
    expect(await runDueSchedules(controlToken, plus(again.body.remindAt, 1_000), { name })).toMatchObject([
      { outcome: 'fired' },
    ]);
    expect(await reminderEmails(subject)).toHaveLength(2);
  });

  it('never fires for a done, canceled, archived, erased or unscheduled activity', async () => {
    const { repRed } = world;
    const subject = unique('Never');
    const make = () => newActivity(repRed.client, { subject, remindAt: inHours(1) });
    const done = await make();
    const canceled = await make();
    const archived = await make();
    const unscheduled = await make();
    expect((await repRed.client.patch(`/activities/${done.id}`, { status: 'done' })).body.reminderState).toBe(
      'none',
    );
    expect(
      (await repRed.client.patch(`/activities/${canceled.id}`, { status: 'canceled' })).body.reminderState,
    ).toBe('none');
    expect((await repRed.client.delete(`/activities/${archived.id}`)).status).toBe(204);
    const removed = await repRed.client.patch(`/activities/${unscheduled.id}`, { remindAt: null });
    expect(removed.body.reminderState).toBe('none');

    const names = (await pendingSchedules(controlToken)).map((schedule) => schedule.name);
    for (const activity of [done, canceled, archived, unscheduled]) {
      expect(names).not.toContain(`reminder-${activity.id}`);
    }
    // Deliveries that were already under way when the schedules were deleted do nothing.
    await expect(reminder.handler(payloadOf(done))).resolves.toBe('closed');
    await expect(reminder.handler(payloadOf(canceled))).resolves.toBe('closed');
    await expect(reminder.handler(payloadOf(archived))).resolves.toBe('archived');
    await expect(reminder.handler(payloadOf(unscheduled))).resolves.toBe('moved');
    await expect(
      reminder.handler({ ...payloadOf(done), activityId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
    ).resolves.toBe('missing');
    for (const activity of [done, canceled, archived, unscheduled]) {
      expect(await runDueSchedules(controlToken, inHours(2), { name: `reminder-${activity.id}` })).toEqual(
        [],
      );
    }
    expect(await reminderEmails(subject)).toHaveLength(0);

    // Restored while its time is still ahead, the archived one gets its reminder back.
    const restored = await repRed.client.post(`/activities/${archived.id}/restore`);
    expect(restored.body.reminderState).toBe('pending');
    const name = `reminder-${archived.id}`;
    expect(await runDueSchedules(controlToken, plus(archived.remindAt, 1_000), { name })).toMatchObject([
      { outcome: 'fired' },
    ]);
    expect(await reminderEmails(subject)).toHaveLength(1);
  });

  it('notifies an assignee without an email address and sends no email', async () => {
    const subject = unique('Admin reminder');
    const activity = await newActivity(world.admin.client, { subject, remindAt: inHours(1) });
    const fired = await runDueSchedules(controlToken, plus(activity.remindAt, 1_000), {
      name: `reminder-${activity.id}`,
    });
    expect(fired).toMatchObject([{ outcome: 'fired' }]);
    await eventually(async () => {
      expect(await reminderNotifications(world.admin.client, activity.id)).toHaveLength(1);
    });
    expect(await reminderEmails(subject)).toHaveLength(0);
    expect((await world.admin.client.get(`/activities/${activity.id}`)).body.reminderState).toBe('sent');
  });
});
