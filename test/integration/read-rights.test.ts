import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type ApiClient,
  api,
  eventually,
  type PendingSchedule,
  pendingSchedules,
  runDueSchedules,
  tokenFor,
} from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { streamRecord } from '../support/stream-records.ts';
import { createWorld, type Member, unique, type World } from './world.ts';

/**
 * Every view derived from records (segment previews, campaign recipients and
 * emails, sequence enrollments and steps, timelines, notifications, reports)
 * obeys the same read rights as GET /contacts/{id}, and a record's team
 * follows its owner's.
 */
let world: World;
let controlToken: string;

beforeAll(async () => {
  world = await createWorld();
  controlToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
});

interface StoredEmail {
  readonly destination: { readonly to: string[] };
  readonly subject: string;
}

async function mailTo(address: string): Promise<StoredEmail[]> {
  const response = await fetch(`${inject('sesEndpoint')}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.includes(address));
}

async function contact(client: ApiClient, fields: Record<string, unknown> = {}) {
  const response = await client.post('/contacts', {
    firstName: 'Reader',
    email: `${unique('reader')}@example.com`.toLowerCase(),
    ...fields,
  });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; email: string; teamId?: string; version: number };
}

async function template(client: ApiClient) {
  const response = await client.post('/templates', {
    name: unique('Template'),
    subject: unique('Subject'),
    html: '<p>Hello {{contact.firstName}}</p>',
  });
  expect(response.status, response.text).toBe(201);
  return response.body.id as string;
}

async function segmentTagged(client: ApiClient, tag: string) {
  const response = await client.post('/segments', {
    name: unique('Segment'),
    filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
  });
  expect(response.status, response.text).toBe(201);
  return response.body.id as string;
}

/** A new rep of `teamId`, with a token. */
async function newRep(teamId: string): Promise<Member> {
  const email = `${unique('rep')}@${world.tenant}.test`.toLowerCase();
  const response = await world.admin.client.post('/users', {
    email,
    name: 'Moving Rep',
    role: 'rep',
    teamId,
  });
  expect(response.status, response.text).toBe(201);
  const id = response.body.id as string;
  return {
    id,
    client: api(await tokenFor({ tenant: world.tenant, role: 'rep', user: id, team: teamId, email })),
  };
}

describe('segments and campaigns resolve only what their owner may read', () => {
  it("a rep's campaign lists and mails only contacts the rep may read; its stats and recipients are 404 to others", async () => {
    const { repRed, repRed2, repBlue, managerRed, admin } = world;
    const tag = unique('rights');
    const own = await contact(repRed.client, { tags: [tag] });
    const teammate = await contact(repRed2.client, { tags: [tag] });
    const otherTeam = await contact(repBlue.client, { tags: [tag] });
    const adminOwned = await contact(admin.client, { tags: [tag] });
    expect((await repRed.client.get(`/contacts/${otherTeam.id}`)).status).toBe(404);
    expect((await repRed.client.get(`/contacts/${adminOwned.id}`)).status).toBe(404);

    const segmentId = await segmentTagged(repRed.client, tag);
    const preview = await repRed.client.get(`/segments/${segmentId}/preview?limit=10`);
    expect(preview.status, preview.text).toBe(200);
    // The count says nothing about contacts the rep may not read.
    expect(preview.body.count).toBe(2);
    expect(preview.body.sample.map((item: { id: string }) => item.id).sort()).toEqual(
      [own.id, teammate.id].sort(),
    );

    const created = await repRed.client.post('/campaigns', {
      name: unique('Campaign'),
      templateId: await template(repRed.client),
      segmentId,
      fromEmail: 'news@example.com',
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    expect((await repRed.client.post(`/campaigns/${id}/send`)).status).toBe(200);
    await eventually(
      async () => expect((await repRed.client.get(`/campaigns/${id}`)).body.status).toBe('sent'),
      { timeoutMs: 120_000, intervalMs: 250 },
    );

    const recipients = await repRed.client.get(`/campaigns/${id}/recipients`);
    expect(recipients.status, recipients.text).toBe(200);
    expect(recipients.body.items.map((item: { contactId: string }) => item.contactId).sort()).toEqual(
      [own.id, teammate.id].sort(),
    );
    await eventually(async () => expect(await mailTo(own.email)).toHaveLength(1), { timeoutMs: 60_000 });
    expect(await mailTo(teammate.email)).toHaveLength(1);
    expect(await mailTo(otherTeam.email)).toHaveLength(0);
    expect(await mailTo(adminOwned.email)).toHaveLength(0);
    await eventually(async () =>
      expect((await repRed.client.get(`/campaigns/${id}/stats`)).body.recipients).toBe(2),
    );

    // Another team's rep and another tenant cannot read the campaign, so neither its numbers nor its people.
    for (const outsider of [repBlue, world.stranger]) {
      expect((await outsider.client.get(`/campaigns/${id}/stats`)).status).toBe(404);
      expect((await outsider.client.get(`/campaigns/${id}/recipients`)).status).toBe(404);
    }
    // The manager reads the tenant: the campaign's numbers are theirs to see.
    expect((await managerRed.client.get(`/campaigns/${id}/stats`)).status).toBe(200);
  }, 180_000);

  it("a rep's list of a teammate's campaign recipients leaves out contacts the rep may not read", async () => {
    const { repRed, repRed2, repBlue } = world;
    const tag = unique('teammate');
    const mine = await contact(repRed2.client, { tags: [tag] });
    const moved = await contact(repRed2.client, { tags: [tag] });
    const segmentId = await segmentTagged(repRed2.client, tag);
    const created = await repRed2.client.post('/campaigns', {
      name: unique('Campaign'),
      templateId: await template(repRed2.client),
      segmentId,
      fromEmail: 'news@example.com',
    });
    const id = created.body.id as string;
    await repRed2.client.post(`/campaigns/${id}/send`);
    await eventually(
      async () => expect((await repRed2.client.get(`/campaigns/${id}`)).body.status).toBe('sent'),
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    // After the send, one of the people goes to the blue team's rep.
    const reassigned = await world.admin.client.patch(`/contacts/${moved.id}`, { ownerId: repBlue.id });
    expect(reassigned.status, reassigned.text).toBe(200);
    expect(reassigned.body.teamId).toBe(world.teams.blue);
    const seen = await repRed.client.get(`/campaigns/${id}/recipients`);
    expect(seen.status, seen.text).toBe(200);
    expect(seen.body.items.map((item: { contactId: string }) => item.contactId)).toEqual([mine.id]);
    const all = await world.admin.client.get(`/campaigns/${id}/recipients`);
    expect(all.body.items).toHaveLength(2);
  }, 180_000);
});

describe('sequences enroll and mail only what the enrolling user may read', () => {
  const stepSchedules = async (sequenceId: string, contactId: string): Promise<PendingSchedule[]> =>
    (await pendingSchedules(controlToken)).filter(
      (schedule) =>
        schedule.target === 'sequenceStep' &&
        schedule.payload.sequenceId === sequenceId &&
        schedule.payload.contactId === contactId,
    );

  it('a segment enrollment leaves out contacts the rep may not read', async () => {
    const { repRed, repBlue } = world;
    const tag = unique('enroll');
    const own = await contact(repRed.client, { tags: [tag] });
    await contact(repBlue.client, { tags: [tag] });
    const sequence = await repRed.client.post('/sequences', {
      name: unique('Sequence'),
      steps: [{ delayHours: 1, templateId: await template(repRed.client) }],
    });
    expect(sequence.status, sequence.text).toBe(201);
    const enrolled = await repRed.client.post(`/sequences/${sequence.body.id}/enroll`, {
      segmentId: await segmentTagged(repRed.client, tag),
    });
    expect(enrolled.status, enrolled.text).toBe(200);
    expect(enrolled.body).toEqual({ enrolled: [own.id], skipped: [] });
  });

  it('a step is not mailed once the contact has left the sight of the rep who enrolled it', async () => {
    const { repRed, repBlue, admin } = world;
    const person = await contact(repRed.client);
    const sequence = await repRed.client.post('/sequences', {
      name: unique('Sequence'),
      steps: [{ delayHours: 1, templateId: await template(repRed.client) }],
    });
    const sequenceId = sequence.body.id as string;
    const enrolled = await repRed.client.post(`/sequences/${sequenceId}/enroll`, { contactIds: [person.id] });
    expect(enrolled.body.enrolled).toEqual([person.id]);
    expect((await admin.client.patch(`/contacts/${person.id}`, { ownerId: repBlue.id })).status).toBe(200);

    const [schedule] = await stepSchedules(sequenceId, person.id);
    expect(schedule).toBeDefined();
    const at = new Date(Date.parse((schedule as PendingSchedule).scheduledAt) + 1_000);
    const fired = await runDueSchedules(controlToken, at, { name: (schedule as PendingSchedule).name });
    expect(fired).toMatchObject([{ outcome: 'fired' }]);
    const enrollment = await admin.client.get(`/sequences/${sequenceId}/enrollments/${person.id}`);
    expect(enrollment.body).toMatchObject({ status: 'exited', exitReason: 'not_readable' });
    expect(await mailTo(person.email)).toHaveLength(0);
  });
});

describe("a record's team is its owner's team", () => {
  it("a user's team change moves every record they own, live and archived, once", async () => {
    const { repRed, repBlue, admin } = world;
    const mover = await newRep(world.teams.red);
    // A later word of a name finds the record through its search-word copy, which moves too.
    const surname = `Mover${Date.now().toString(36)}`;
    const live = await contact(mover.client, { lastName: surname });
    const archived = await contact(mover.client);
    expect((await mover.client.delete(`/contacts/${archived.id}`)).status).toBe(204);
    const company = await mover.client.post('/companies', { name: `Moving Co ${Date.now().toString(36)}x` });
    const deal = await mover.client.post('/deals', {
      name: unique('Moving deal'),
      amount: 10,
      currency: 'EUR',
    });
    const quote = await mover.client.post(`/deals/${deal.body.id}/quotes`, {
      lines: [{ description: 'Thing', quantity: 1, unitPrice: 10 }],
    });
    expect(quote.status, quote.text).toBe(201);
    const lead = await mover.client.post('/leads', { firstName: 'Moving', ownerId: mover.id });
    expect(lead.status, lead.text).toBe(201);
    expect((await repRed.client.get(`/contacts/${live.id}`)).status).toBe(200);

    const moved = await admin.client.patch(`/users/${mover.id}`, { teamId: world.teams.blue });
    expect(moved.status, moved.text).toBe(200);

    const paths = [
      `/contacts/${live.id}`,
      `/contacts/${archived.id}`,
      `/companies/${company.body.id}`,
      `/deals/${deal.body.id}`,
      `/quotes/${quote.body.id}`,
      `/leads/${lead.body.id}`,
    ];
    await eventually(
      async () => {
        for (const path of paths) {
          const record = await admin.client.get(path);
          expect(record.body.teamId, path).toBe(world.teams.blue);
        }
      },
      { timeoutMs: 30_000 },
    );
    // The new team reads them, through its own team index too; the old team no longer does.
    for (const path of paths) {
      expect((await repBlue.client.get(path)).status, path).toBe(200);
      expect((await repRed.client.get(path)).status, path).toBe(404);
    }
    const blueList = await repBlue.client.get('/contacts?limit=200');
    expect(blueList.body.items.map((item: { id: string }) => item.id)).toContain(live.id);
    // A read by id adds the engagement score, which lists leave out.
    const current = { ...(await admin.client.get(`/contacts/${live.id}`)).body, engagementScore: undefined };
    expect((await repBlue.client.get(`/contacts?q=${surname}`)).body.items).toEqual([current]);
    expect((await repRed.client.get(`/contacts?q=${surname}`)).body.items).toEqual([]);
    const companyWord = String(company.body.name).split(' ')[2];
    const companyNow = (await admin.client.get(`/companies/${company.body.id}`)).body;
    expect((await repBlue.client.get(`/companies?q=${companyWord}`)).body.items).toEqual([companyNow]);
    expect((await repRed.client.get(`/companies?q=${companyWord}`)).body.items).toEqual([]);
    // A record made with the mover's token, which still names the old team, moves after it.
    const late = await contact(mover.client);
    expect(late.teamId).toBe(world.teams.red);
    await eventually(async () =>
      expect((await admin.client.get(`/contacts/${late.id}`)).body.teamId).toBe(world.teams.blue),
    );
    const blueArchived = await repBlue.client.get('/contacts?archived=true&limit=200');
    expect(blueArchived.body.items.map((item: { id: string }) => item.id)).toContain(archived.id);

    // Moved once: a later change of the user that keeps the team moves nothing again.
    const version = (await admin.client.get(`/contacts/${live.id}`)).body.version as number;
    expect(version).toBe(live.version + 1);
    expect((await admin.client.patch(`/users/${mover.id}`, { name: 'Still Blue' })).status).toBe(200);
    const after = await admin.client.get(`/users/${mover.id}`);
    await eventually(async () =>
      expect((await admin.client.get(`/users/${mover.id}`)).body.version).toBe(after.body.version),
    );
    expect((await admin.client.get(`/contacts/${live.id}`)).body.version).toBe(version);
    // The user's stream record replayed (twice in one batch, then again): nothing moves twice.
    useTestTable();
    const { handler } = await import('#functions/stream/tableChanges');
    const image = { ...moved.body, entity: 'user', tenantId: world.tenant };
    const record = streamRecord({
      eventId: `team-move-${mover.id}`,
      sequenceNumber: '3',
      old: { ...image, teamId: world.teams.red },
      new: image,
    });
    expect((await handler({ Records: [record, record] })).batchItemFailures).toEqual([]);
    expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
    expect((await admin.client.get(`/contacts/${live.id}`)).body.version).toBe(version);
    // The move is told nowhere as a field change: the team follows the owner.
    const timeline = await admin.client.get(`/contacts/${live.id}/timeline`);
    expect(timeline.body.items.map((entry: { kind: string }) => entry.kind)).toEqual(['created']);
  });

  it('a record given to another owner takes their team, and a deal takes its quotes along', async () => {
    const { repRed, repBlue, admin } = world;
    const person = await contact(repRed.client);
    const given = await admin.client.patch(`/contacts/${person.id}`, { ownerId: repBlue.id });
    expect(given.body).toMatchObject({ ownerId: repBlue.id, teamId: world.teams.blue });
    expect((await repRed.client.get(`/contacts/${person.id}`)).status).toBe(404);
    const blueList = await repBlue.client.get('/contacts?limit=200');
    expect(blueList.body.items.map((item: { id: string }) => item.id)).toContain(person.id);

    const activity = await repRed.client.post('/activities', { type: 'task', subject: 'Hand over' });
    const handed = await admin.client.patch(`/activities/${activity.body.id}`, { assigneeId: repBlue.id });
    expect(handed.body).toMatchObject({ ownerId: repBlue.id, teamId: world.teams.blue });

    const customer = await contact(repRed.client);
    const opened = await repRed.client.post('/cases', {
      subject: 'Broken unit',
      type: 'complaint',
      contactId: customer.id,
    });
    expect(opened.status, opened.text).toBe(201);
    expect(opened.body.teamId).toBe(world.teams.red);
    const moved = await admin.client.patch(`/cases/${opened.body.id}`, { assigneeId: repBlue.id });
    expect(moved.body).toMatchObject({
      ownerId: repBlue.id,
      assigneeId: repBlue.id,
      teamId: world.teams.blue,
    });

    const deal = await repRed.client.post('/deals', {
      name: unique('Handed deal'),
      amount: 5,
      currency: 'EUR',
    });
    const quote = await repRed.client.post(`/deals/${deal.body.id}/quotes`, {
      lines: [{ description: 'Thing', quantity: 1, unitPrice: 5 }],
    });
    expect(quote.body.teamId).toBe(world.teams.red);
    expect((await admin.client.patch(`/deals/${deal.body.id}`, { ownerId: repBlue.id })).status).toBe(200);
    await eventually(async () =>
      expect((await admin.client.get(`/quotes/${quote.body.id}`)).body).toMatchObject({
        ownerId: repBlue.id,
        teamId: world.teams.blue,
      }),
    );
  });
});

describe('timelines and notifications tell only of what the reader may read', () => {
  it("a company's timeline shows a rep only the contacts they may read", async () => {
    const { repRed, repBlue, admin } = world;
    const company = await repRed.client.post('/companies', { name: unique('Shared Co') });
    const companyId = company.body.id as string;
    const visible = await contact(repRed.client, { companyId });
    const hidden = await admin.client.post('/contacts', {
      firstName: 'Hidden',
      companyId,
      ownerId: repBlue.id,
    });
    expect(hidden.status, hidden.text).toBe(201);
    const subjects = (body: { items: { subject: { id: string } }[] }) =>
      body.items.map((entry) => entry.subject.id);
    await eventually(async () => {
      const full = await admin.client.get(`/companies/${companyId}/timeline`);
      expect(subjects(full.body)).toEqual(expect.arrayContaining([visible.id, hidden.body.id, companyId]));
    });
    const seen = await repRed.client.get(`/companies/${companyId}/timeline`);
    expect(seen.status).toBe(200);
    expect(subjects(seen.body)).toContain(visible.id);
    expect(subjects(seen.body)).not.toContain(hidden.body.id);
    expect(JSON.stringify(seen.body)).not.toContain('Hidden');
  });

  it('a notification about a record that left the reader’s sight is no longer listed', async () => {
    const { repRed, repBlue, admin } = world;
    const person = await admin.client.post('/contacts', { firstName: 'Soon Gone', ownerId: repRed.id });
    const id = person.body.id as string;
    await admin.client.post(`/contacts/${id}/comments`, { body: `@[${repRed.id}] please call` });
    const about = async () =>
      (await repRed.client.get('/me/notifications?limit=200')).body.items.filter(
        (item: { record?: { id: string } }) => item.record?.id === id,
      );
    await eventually(async () => expect((await about()).length).toBeGreaterThan(0));
    expect((await admin.client.patch(`/contacts/${id}`, { ownerId: repBlue.id })).status).toBe(200);
    expect(await about()).toEqual([]);
  });
});

describe('exports hold only what the requester may read', () => {
  it("a rep's list and segment exports, streamed or as a job, hold only contacts the rep may read", async () => {
    const { repRed, repRed2, repBlue, admin } = world;
    const tag = unique('export-rights');
    const own = await contact(repRed.client, { tags: [tag] });
    const teammate = await contact(repRed2.client, { tags: [tag] });
    await contact(repBlue.client, { tags: [tag] });
    await contact(admin.client, { tags: [tag] });
    const readable = [own.id, teammate.id].sort();
    const ids = (items: { id: string }[]) => items.map((item) => item.id).sort();

    const list = await repRed.client.get(`/contacts/export?format=json&tag=${tag}`);
    expect(list.status, list.text).toBe(200);
    expect(ids(list.body)).toEqual(readable);
    const segmentId = await segmentTagged(repRed.client, tag);
    const segment = await repRed.client.get(`/segments/${segmentId}/export?format=json`);
    expect(ids(segment.body)).toEqual(readable);

    const job = await repRed.client.get(`/segments/${segmentId}/export?format=json&async=true`);
    expect(job.status, job.text).toBe(202);
    const done = await eventually(async () => {
      const response = await repRed.client.get(`/exports/${job.body.id}`);
      expect(response.body.status).toBe('done');
      return response.body as { downloadUrl: string; rows: number };
    });
    expect(done.rows).toBe(2);
    expect(ids((await (await fetch(done.downloadUrl)).json()) as { id: string }[])).toEqual(readable);

    // Another team's rep and another tenant: the segment and the job are missing to them.
    for (const outsider of [repBlue, world.stranger]) {
      expect((await outsider.client.get(`/segments/${segmentId}/export`)).status).toBe(404);
      expect((await outsider.client.get(`/exports/${job.body.id}`)).status).toBe(404);
    }
  });
});

describe('custom field filters', () => {
  it("show a rep, page by page and in a segment's sample, only the records the rep may read", async () => {
    const { admin, repRed, repRed2, repBlue } = world;
    const batch = unique('batch');
    const put = await admin.client.put('/settings/fields/contacts', [
      { key: 'batch', label: 'Batch', type: 'text' },
      { key: 'rights', label: 'Rights', type: 'select', options: ['probe'] },
    ]);
    expect(put.status).toBe(200);
    const customFields = { batch, rights: 'probe' };
    const red = [
      await contact(repRed.client, { customFields }),
      await contact(repRed2.client, { customFields }),
    ];
    const blue = await contact(repBlue.client, { customFields });
    const query = `customFields.batch=${batch}&customFields.rights=probe`;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await repRed.client.get(
        `/contacts?${query}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(response.status, response.text).toBe(200);
      seen.push(...response.body.items.map((item: { id: string }) => item.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(red.map((record) => record.id).sort());
    const segment = await repRed.client.post('/segments', {
      name: unique('Segment'),
      filter: {
        all: [
          { field: 'customFields.batch', op: 'eq', value: batch },
          { field: 'customFields.rights', op: 'eq', value: 'probe' },
        ],
      },
    });
    expect(segment.status, segment.text).toBe(201);
    const preview = await repRed.client.get(`/segments/${segment.body.id}/preview?limit=100`);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.sample.map((item: { id: string }) => item.id).sort()).toEqual(
      red.map((record) => record.id).sort(),
    );
    expect(JSON.stringify(preview.body)).not.toContain(blue.id);
    await admin.client.put('/settings/fields/contacts', []);
  });
});
