import { BatchWriteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { monotonicFactory } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
/** A tag only this file's contacts carry, so counts are exact. */
const TAG = `seg-${Date.now().toString(36)}`;
const OTHER_CAMPAIGN = '01J00000000000000000000000';

let campaignId: string;
let acmeId: string;
const people: Record<string, { id: string; owner: string }> = {};

const contact = async (client: ApiClient, body: Record<string, unknown>) => {
  const response = await client.post('/contacts', body);
  expect(response.status).toBe(201);
  return response.body as { id: string; ownerId: string; version: number };
};

const segment = async (client: ApiClient, filter: unknown, name = unique('Segment')) => {
  const response = await client.post('/segments', { name, filter });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; version: number };
};

const preview = async (client: ApiClient, id: string, limit?: number) => {
  const response = await client.get(`/segments/${id}/preview${limit ? `?limit=${limit}` : ''}`);
  expect(response.status, response.text).toBe(200);
  return response.body as { count: number; sample: { id: string; firstName: string }[] };
};

const names = (sample: { firstName: string }[]) => sample.map((item) => item.firstName).sort();

beforeAll(async () => {
  world = await createWorld();
  const acme = await world.admin.client.post('/companies', {
    name: 'Acmé Industries',
    industry: 'Retail',
    size: 500,
  });
  const tiny = await world.admin.client.post('/companies', {
    name: 'Tiny Shop',
    industry: 'Retail',
    size: 3,
  });
  acmeId = acme.body.id;
  const add = async (key: string, client: ApiClient, body: Record<string, unknown>) => {
    const created = await contact(client, { tags: [TAG], ...body });
    people[key] = { id: created.id, owner: created.ownerId };
  };
  await add('ana', world.repRed.client, {
    firstName: 'Ana',
    country: 'ES',
    companyId: acmeId,
    tags: [TAG, 'vip'],
  });
  await add('bea', world.repBlue.client, {
    firstName: 'Bea',
    country: 'ES',
    companyId: acmeId,
    tags: [TAG, 'vip'],
  });
  await add('cai', world.repBlue.client, {
    firstName: 'Cai',
    country: 'ES',
    companyId: tiny.body.id,
    tags: [TAG, 'vip'],
  });
  await add('dan', world.admin.client, {
    firstName: 'Dan',
    country: 'FR',
    companyId: acmeId,
    tags: [TAG, 'vip'],
  });
  await add('eva', world.admin.client, { firstName: 'Éva', country: 'es', tags: [TAG] });
  campaignId = monotonicFactory()();
  // Engagement items are written by tracking; here straight into the table.
  await dynamoClient().send(
    new PutItemCommand({
      TableName: inject('tableName'),
      Item: marshall({
        pk: `T#${world.tenant}#ENGAGEMENT#${campaignId}#opened`,
        sk: people.eva?.id,
        tenantId: world.tenant,
      }),
    }),
  );
});

const mixed = () => ({
  all: [
    { field: 'tags', op: 'contains', value: TAG },
    { field: 'country', op: 'eq', value: 'es' },
    { field: 'tags', op: 'eq', value: 'VIP' },
    { field: 'company.size', op: 'gte', value: 100 },
  ],
});

describe('segments', () => {
  it('creates, reads, patches (the filter as a whole), archives and restores a segment', async () => {
    const created = await world.repRed.client.post('/segments', {
      name: 'Spanish VIPs',
      description: 'For the spring campaign',
      filter: mixed(),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/segments/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({
      name: 'Spanish VIPs',
      ownerId: world.repRed.id,
      teamId: world.teams.red,
      version: 1,
    });
    const path = `/segments/${created.body.id}`;
    expect((await world.repRed.client.get(path)).body.filter).toEqual(mixed());

    const replaced = { any: [{ field: 'city', op: 'eq', value: 'Sevilla' }] };
    const patched = await world.repRed.client.patch(
      path,
      { filter: replaced, description: null },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.filter).toEqual(replaced);
    expect(patched.body.description).toBeUndefined();
    expect(patched.body.version).toBe(2);
    expect((await world.repRed.client.patch(path, { name: 'Stale' }, { 'if-match': '"1"' })).status).toBe(
      412,
    );

    expect((await world.repRed.client.delete(path)).status).toBe(204);
    const live = await world.repRed.client.get('/segments?q=spanish');
    expect(live.body.items.map((item: { id: string }) => item.id)).not.toContain(created.body.id);
    const archived = await world.repRed.client.get('/segments?q=spanish&archived=true');
    expect(archived.body.items.map((item: { id: string }) => item.id)).toContain(created.body.id);
    const restored = await world.repRed.client.post(`${path}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.archived).toBe(false);
  });

  it('lists every problem of a filter, naming unknown fields and ops', async () => {
    const response = await world.admin.client.post('/segments', {
      filter: {
        all: [
          { field: 'country', op: 'eq', value: 'ES' },
          { field: 'favouriteColour', op: 'eq', value: 'red' },
          { any: [{ field: 'city', op: 'resembles', value: 'x' }] },
          { field: 'lastActivityAt', op: 'withinDays', value: -3 },
          { field: 'tags', op: 'in', value: 'vip' },
        ],
        bogus: true,
      },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.errors).toEqual([
      { path: 'name', message: 'is required' },
      { path: 'filter.bogus', message: 'is not a known key of a group (use all or any)' },
      { path: 'filter.all[1].field', message: 'unknown field "favouriteColour"' },
      { path: 'filter.all[2].any[0].op', message: 'unknown op "resembles"' },
      { path: 'filter.all[3].value', message: 'must be a whole number of days from 1 to 36500' },
      { path: 'filter.all[4].value', message: 'must be an array of 1 to 100 values with in' },
    ]);
    const notObject = await world.admin.client.post('/segments', { name: 'x', filter: [1] });
    expect(notObject.status).toBe(400);
    expect(notObject.body.errors[0].path).toBe('filter');
    const badPatch = await world.admin.client.post('/segments', {
      name: 'ok',
      filter: { all: [{ field: 'email', op: 'exists' }] },
    });
    const patch = await world.admin.client.patch(`/segments/${badPatch.body.id}`, {
      filter: { all: [{ field: 'deals.stage', op: 'gt', value: 'x' }] },
    });
    expect(patch.status).toBe(400);
    expect(patch.body.errors[0]).toMatchObject({ path: 'filter.all[0].op' });
  });

  it('refuses a filter group with nothing in it, at the top or nested in an or, on create and patch', async () => {
    const spain = { field: 'country', op: 'eq', value: 'ES' };
    const cases: [unknown, string][] = [
      [{ any: [] }, 'filter.any'],
      [{ all: [] }, 'filter.all'],
      [{}, 'filter'],
      [{ any: [spain, { any: [] }] }, 'filter.any[1].any'],
      [{ all: [spain, { any: [spain, { all: [] }] }] }, 'filter.all[1].any[1].all'],
    ];
    const kept = await segment(world.admin.client, { all: [spain] });
    for (const [filter, path] of cases) {
      const created = await world.admin.client.post('/segments', { name: unique('Empty'), filter });
      expect(created.status, JSON.stringify(filter)).toBe(400);
      expect(created.body.errors).toEqual([{ path, message: expect.any(String) }]);
      const patched = await world.admin.client.patch(`/segments/${kept.id}`, { filter });
      expect(patched.status, JSON.stringify(filter)).toBe(400);
      expect(patched.body.errors).toEqual([{ path, message: expect.any(String) }]);
    }
    const after = await world.admin.client.get(`/segments/${kept.id}`);
    expect(after.body.filter).toEqual({ all: [spain] });
    expect(after.body.version).toBe(kept.version);
  });

  it('previews count and sample of only what the caller may read', async () => {
    const created = await segment(world.admin.client, mixed());
    const all = await preview(world.admin.client, created.id);
    // Ana (red) and Bea (blue): Spanish VIPs at a company of 100+; Cai's is tiny, Dan is French, Éva has no company.
    expect(all.count).toBe(2);
    expect(names(all.sample)).toEqual(['Ana', 'Bea']);
    expect((await preview(world.admin.client, created.id, 1)).sample).toHaveLength(1);
    expect((await preview(world.admin.client, created.id, 1)).count).toBe(2);

    // The segment is the admin's: a rep of another team may not read it at all.
    expect((await world.repBlue.client.get(`/segments/${created.id}/preview`)).status).toBe(404);
    const blue = await segment(world.repBlue.client, mixed());
    const blueView = await preview(world.repBlue.client, blue.id);
    // The count would tell the rep about the red team's contacts: it counts what the sample may show.
    expect(blueView.count).toBe(1);
    expect(names(blueView.sample)).toEqual(['Bea']);

    for (const limit of ['0', '101', 'ten'])
      expect((await world.admin.client.get(`/segments/${created.id}/preview?limit=${limit}`)).status).toBe(
        400,
      );
    expect((await world.admin.client.get(`/segments/${created.id}/preview?other=1`)).status).toBe(400);
  });

  it('matches accents and case, company fields, engagement and deal stages', async () => {
    const spanish = await segment(world.admin.client, {
      all: [
        { field: 'tags', op: 'contains', value: TAG },
        { field: 'firstName', op: 'in', value: ['eva', 'ana'] },
      ],
    });
    expect(names((await preview(world.admin.client, spanish.id)).sample)).toEqual(['Ana', 'Éva']);

    const acme = await segment(world.admin.client, {
      all: [
        { field: 'tags', op: 'contains', value: TAG },
        { field: 'company.name', op: 'startsWith', value: 'ACME' },
      ],
    });
    expect(names((await preview(world.admin.client, acme.id)).sample)).toEqual(['Ana', 'Bea', 'Dan']);

    const opened = await segment(world.admin.client, {
      all: [
        { field: 'tags', op: 'contains', value: TAG },
        { field: 'engagement.opened', op: 'in', value: [campaignId, OTHER_CAMPAIGN] },
      ],
    });
    expect(names((await preview(world.admin.client, opened.id)).sample)).toEqual(['Éva']);
    const notOpened = await segment(world.admin.client, {
      all: [
        { field: 'tags', op: 'contains', value: TAG },
        { field: 'engagement.opened', op: 'neq', value: campaignId },
      ],
    });
    expect((await preview(world.admin.client, notOpened.id)).count).toBe(4);

    const deal = await world.admin.client.post('/deals', {
      name: unique('Deal'),
      contactIds: [people.dan?.id],
    });
    expect(deal.status).toBe(201);
    const inStage = await segment(world.admin.client, {
      all: [
        { field: 'tags', op: 'contains', value: TAG },
        { field: 'deals.stage', op: 'eq', value: deal.body.stageId },
      ],
    });
    expect(names((await preview(world.admin.client, inStage.id)).sample)).toEqual(['Dan']);
    // An archived deal no longer counts.
    expect((await world.admin.client.delete(`/deals/${deal.body.id}`)).status).toBe(204);
    expect((await preview(world.admin.client, inStage.id)).count).toBe(0);
  });

  it('keeps lastActivityAt from activities without changing the version, and filters on it', async () => {
    const subject = await contact(world.repRed.client, { firstName: 'Lia', tags: [TAG, 'active'] });
    const activity = await world.repRed.client.post('/activities', {
      type: 'call',
      subject: 'Intro call',
      related: { type: 'contact', id: subject.id },
    });
    expect(activity.status).toBe(201);
    const stamped = await eventually(async () => {
      const response = await world.repRed.client.get(`/contacts/${subject.id}`);
      expect(response.body.lastActivityAt).toBe(activity.body.createdAt);
      return response.body;
    });
    expect(stamped.version).toBe(subject.version);
    // The user's If-Match still holds; the stream puts back what the whole-record write dropped.
    const patched = await world.repRed.client.patch(
      `/contacts/${subject.id}`,
      { title: 'CTO' },
      { 'if-match': `"${subject.version}"` },
    );
    expect(patched.status).toBe(200);
    await eventually(async () => {
      const response = await world.repRed.client.get(`/contacts/${subject.id}`);
      expect(response.body).toMatchObject({ title: 'CTO', lastActivityAt: activity.body.createdAt });
    });

    const done = await world.repRed.client.patch(`/activities/${activity.body.id}`, { status: 'done' });
    expect(done.status).toBe(200);
    await eventually(async () => {
      const response = await world.repRed.client.get(`/contacts/${subject.id}`);
      expect(response.body.lastActivityAt).toBe(done.body.completedAt);
    });

    const recent = await segment(world.admin.client, {
      all: [
        { field: 'tags', op: 'contains', value: 'active' },
        { field: 'tags', op: 'contains', value: TAG },
        { field: 'lastActivityAt', op: 'withinDays', value: 1 },
      ],
    });
    expect(names((await preview(world.admin.client, recent.id)).sample)).toEqual(['Lia']);

    // The timeline tells of the title change, never of lastActivityAt.
    await eventually(async () => {
      const timeline = await world.repRed.client.get(`/contacts/${subject.id}/timeline`);
      expect(timeline.status).toBe(200);
      const fields = timeline.body.items.flatMap((entry: { changes?: { field: string }[] }) =>
        (entry.changes ?? []).map((change) => change.field),
      );
      expect(fields).toContain('title');
      expect(fields).not.toContain('lastActivityAt');
    });
  });

  it('applies record rules: reps read their team, change only their own; other tenants see nothing', async () => {
    const own = await segment(world.repRed.client, { all: [{ field: 'city', op: 'exists' }] });
    const path = `/segments/${own.id}`;
    expect((await world.repRed2.client.get(path)).status).toBe(200);
    expect((await world.repRed2.client.patch(path, { name: 'Mine now' })).status).toBe(403);
    expect((await world.repRed2.client.delete(path)).status).toBe(403);
    expect((await world.repBlue.client.get(path)).status).toBe(404);
    expect((await world.repBlue.client.patch(path, { name: 'x' })).status).toBe(404);
    expect((await world.managerRed.client.patch(path, { name: 'Managed' })).status).toBe(200);
    expect(
      (
        await world.repRed.client.post('/segments', {
          name: 'x',
          filter: { all: [{ field: 'email', op: 'exists' }] },
          ownerId: world.repRed2.id,
        })
      ).status,
    ).toBe(403);
    const blueList = await world.repBlue.client.get('/segments?limit=200');
    expect(blueList.body.items.map((item: { id: string }) => item.id)).not.toContain(own.id);

    for (const [method, route] of [
      ['get', path],
      ['get', `${path}/preview`],
      ['patch', path],
      ['delete', path],
      ['post', `${path}/restore`],
    ] as const) {
      const response =
        method === 'patch'
          ? await world.stranger.client.patch(route, { name: 'x' })
          : method === 'post'
            ? await world.stranger.client.post(route)
            : await world.stranger.client[method](route);
      expect(response.status, `${method} ${route}`).toBe(404);
    }
    const strangerList = await world.stranger.client.get('/segments');
    expect(strangerList.body.items).toEqual([]);
    const strangerSegment = await segment(world.stranger.client, mixed());
    expect((await preview(world.stranger.client, strangerSegment.id)).count).toBe(0);
  });
});

describe('segment resolution', () => {
  it('reads every matching contact exactly once across parallel ranges', async () => {
    useTestTable();
    const { previewSegment, resolveSegment } = await import('#shared/store/segment-resolution');
    const { toItem } = await import('#shared/store/records');
    const { contacts } = await import('#shared/store/entities');
    const tenant = `${world.tenant}-bulk`;
    const admin = { userId: 'bulk-admin', role: 'admin' as const };
    const ulid = monotonicFactory();
    const now = new Date().toISOString();
    const records = Array.from({ length: 260 }, (_, index) => ({
      id: ulid(),
      createdAt: now,
      updatedAt: now,
      version: 1,
      ownerId: index % 3 === 0 ? 'bulk' : 'other',
      ...(index % 4 === 0 ? { teamId: 'red' } : index % 4 === 1 ? { teamId: 'blue' } : {}),
      archived: false,
      firstName: `Bulk ${index}`,
      tags: index % 2 === 0 ? ['even'] : [],
      customFields: { n: index },
      marketingStatus: 'subscribed' as const,
    }));
    for (let start = 0; start < records.length; start += 25) {
      await dynamoClient().send(
        new BatchWriteItemCommand({
          RequestItems: {
            [inject('tableName')]: records.slice(start, start + 25).map((record) => ({
              PutRequest: {
                Item: marshall(toItem(contacts, tenant, record), { removeUndefinedValues: true }),
              },
            })),
          },
        }),
      );
    }
    const seen: string[] = [];
    for await (const page of resolveSegment(
      tenant,
      { all: [{ field: 'tags', op: 'contains', value: 'even' }] },
      { parallelism: 7, reader: admin },
    ))
      seen.push(...page.map((item) => item.id));
    expect(seen).toHaveLength(130);
    expect(new Set(seen).size).toBe(130);
    const everyone: string[] = [];
    for await (const page of resolveSegment(tenant, {}, { parallelism: 16, reader: admin }))
      everyone.push(...page.map((item) => item.id));
    expect(everyone.sort()).toEqual(records.map((record) => record.id).sort());
    for await (const _ of resolveSegment(`${tenant}-empty`, {}, { reader: admin }))
      throw new Error('an empty tenant has no contacts');

    // A rep reads their own and their team's contacts only, in the resolution and in the preview alike.
    const rep = { userId: 'bulk', role: 'rep' as const, teamId: 'red' };
    const theirs = records
      .filter((record) => record.ownerId === 'bulk' || record.teamId === 'red')
      .filter((record) => record.tags.includes('even'))
      .map((record) => record.id)
      .sort();
    const even = { all: [{ field: 'tags', op: 'contains', value: 'even' }] } as const;
    const repSeen: string[] = [];
    for await (const page of resolveSegment(tenant, even, { parallelism: 5, reader: rep }))
      repSeen.push(...page.map((item) => item.id));
    expect(repSeen.sort()).toEqual(theirs);
    const preview = await previewSegment(tenant, even, { parallelism: 5, reader: rep, sampleSize: 7 });
    expect(preview.count).toBe(theirs.length);
    // The newest matches, read whole.
    expect(preview.sample.map((item) => item.id)).toEqual(theirs.slice(-7).reverse());
    expect(preview.sample[0]).toMatchObject({
      firstName: expect.any(String),
      customFields: { n: expect.any(Number) },
    });
    const teamless = { userId: 'bulk', role: 'rep' as const };
    const own = await previewSegment(tenant, {}, { reader: teamless, sampleSize: 0 });
    expect(own).toEqual({ count: records.filter((record) => record.ownerId === 'bulk').length, sample: [] });
    expect((await previewSegment(tenant, even, { reader: admin, sampleSize: 100 })).count).toBe(130);
  });
});
