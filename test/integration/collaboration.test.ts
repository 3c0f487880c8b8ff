import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../support/api.ts';
import { dynamoClient } from '../support/dynamo.ts';
import { streamEventOf, streamRecord } from '../support/stream-records.ts';
import { createWorld, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

type Entry = {
  kind: string;
  subject: { type: string; id: string };
  changes?: { field: string; from: unknown; to: unknown }[];
  summary?: string;
};
const kinds = (items: Entry[]) => items.map((entry) => entry.kind);

describe('timeline', () => {
  it('tells a contact’s story newest first, and shows it on the company’s timeline too', async () => {
    const { repRed } = world;
    const company = await repRed.client.post('/companies', { name: 'Storied Co' });
    const contact = await repRed.client.post('/contacts', { firstName: 'Tess', companyId: company.body.id });
    const path = `/contacts/${contact.body.id}`;
    await repRed.client.patch(path, { title: 'CFO', city: 'Porto' });
    await repRed.client.post(`${path}/comments`, { body: 'Met at the fair' });
    await eventually(async () => {
      const timeline = await repRed.client.get(`${path}/timeline`);
      expect(kinds(timeline.body.items)).toEqual(['comment', 'updated', 'created']);
      expect(timeline.body.items[1].changes).toEqual([
        { field: 'city', from: null, to: 'Porto' },
        { field: 'title', from: null, to: 'CFO' },
      ]);
      expect(timeline.body.items[0].summary).toBe('Met at the fair');
    });
    await eventually(async () => {
      const timeline = await repRed.client.get(`/companies/${company.body.id}/timeline`);
      const subjects = timeline.body.items.map((entry: Entry) => `${entry.subject.type}:${entry.kind}`);
      expect(subjects).toEqual(
        expect.arrayContaining(['contact:created', 'contact:updated', 'company:created']),
      );
    });
  });

  it('records deal stage changes with stage names', async () => {
    const pipeline = (await world.admin.client.get('/pipelines')).body.items[0];
    const proposal = pipeline.stages.find((stage: { name: string }) => stage.name === 'proposal').id;
    const deal = await world.repRed.client.post('/deals', { name: 'Timeline deal' });
    await world.repRed.client.patch(`/deals/${deal.body.id}`, { stageId: proposal });
    await eventually(async () => {
      const timeline = await world.repRed.client.get(`/deals/${deal.body.id}/timeline`);
      const moves = timeline.body.items.filter((entry: Entry) => entry.kind === 'stage_changed');
      expect(moves.map((entry: { data: { to: string } }) => entry.data.to)).toEqual([
        'proposal',
        'prospecting',
      ]);
    });
  });

  it('is exact when the same stream records are processed again', async () => {
    const contact = await world.admin.client.post('/contacts', { firstName: 'Replay' });
    await world.admin.client.patch(`/contacts/${contact.body.id}`, { title: 'x' });
    const path = `/contacts/${contact.body.id}/timeline`;
    await eventually(async () => expect((await world.admin.client.get(path)).body.items).toHaveLength(2));
    // Re-run the consumer over everything the stream holds for this contact's writes.
    const { handler } = await import('#functions/stream/tableChanges');
    const { useTestTable } = await import('../support/dynamo.ts');
    useTestTable();
    const items = await dynamoClient().send(
      new QueryCommand({
        TableName: inject('tableName'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `T#${world.tenant}#TIMELINE#contact#${contact.body.id}` } },
      }),
    );
    expect(items.Items).toHaveLength(2);
    const created = { ...contact.body, entity: 'contact', tenantId: world.tenant };
    const replay = (eventId: string) => streamRecord({ eventId, sequenceNumber: '1', new: created });
    await handler({ Records: [replay('replayed-1'), replay('replayed-1')] });
    await handler({ Records: [replay('replayed-1')] });
    const after = await world.admin.client.get(path);
    expect(kinds(after.body.items).filter((kind) => kind === 'created')).toHaveLength(2);
    await handler({ Records: [replay('replayed-1')] });
    expect((await world.admin.client.get(path)).body.items).toHaveLength(3);
  });

  it('hides timelines, comments and follows from other tenants and teams', async () => {
    const contact = await world.repRed.client.post('/contacts', { firstName: 'Private' });
    const path = `/contacts/${contact.body.id}`;
    for (const outsider of [world.stranger, world.repBlue]) {
      expect((await outsider.client.get(`${path}/timeline`)).status).toBe(404);
      expect((await outsider.client.post(`${path}/comments`, { body: 'hi' })).status).toBe(404);
      expect((await outsider.client.post(`${path}/follow`)).status).toBe(404);
      expect((await outsider.client.delete(`${path}/follow`)).status).toBe(404);
    }
    expect((await world.repRed2.client.post(`${path}/comments`, { body: 'team note' })).status).toBe(201);
    const bad = await world.repRed2.client.post(`${path}/comments`, { body: '', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['body', 'extra']);
  });
});

describe('notifications', () => {
  const notificationsOf = async (member: World['repRed'], query = '') =>
    (await member.client.get(`/me/notifications${query}`)).body.items as {
      id: string;
      kind: string;
      title: string;
      record?: { id: string };
      read: boolean;
    }[];

  it('tells owners and followers about others’ changes and comments, never the actor', async () => {
    const { repRed, repRed2, managerRed } = world;
    const contact = await repRed.client.post('/contacts', { firstName: 'Watched' });
    const path = `/contacts/${contact.body.id}`;
    expect((await repRed2.client.post(`${path}/follow`)).body).toEqual({ following: true });
    await repRed.client.patch(path, { title: 'Own change' });
    await managerRed.client.patch(path, { city: 'Lyon' });
    await managerRed.client.post(`${path}/comments`, { body: 'Call them back' });
    await eventually(async () => {
      const forOwner = (await notificationsOf(repRed)).filter((n) => n.record?.id === contact.body.id);
      expect(forOwner.map((n) => n.kind).sort()).toEqual(['changed', 'commented']);
      const forFollower = (await notificationsOf(repRed2)).filter((n) => n.record?.id === contact.body.id);
      expect(forFollower.map((n) => n.kind).sort()).toEqual(['changed', 'changed', 'commented']);
      const forManager = (await notificationsOf(managerRed)).filter((n) => n.record?.id === contact.body.id);
      expect(forManager).toEqual([]);
    });
    expect((await repRed2.client.delete(`${path}/follow`)).status).toBe(204);
  });

  it('notifies mentioned users who may read the record, and nobody across teams or tenants', async () => {
    const { repRed, repRed2, repBlue, managerRed } = world;
    const contact = await repRed.client.post('/contacts', { firstName: 'Mentioned' });
    await managerRed.client.post(`/contacts/${contact.body.id}/comments`, {
      body: `@[${repRed2.id}] and @[${repBlue.id}] and @[stranger] please look`,
    });
    await eventually(async () => {
      const mentions = (await notificationsOf(repRed2)).filter(
        (n) => n.kind === 'mention' && n.record?.id === contact.body.id,
      );
      expect(mentions).toHaveLength(1);
    });
    // The blue rep is an active user who would have been told had the rights not been checked.
    const forBlue = (await notificationsOf(repBlue)).filter((n) => n.record?.id === contact.body.id);
    expect(forBlue).toEqual([]);
    // No notification was written for an id that is no user of this tenant (another tenant's admin is
    // called `stranger`): read that partition of this tenant directly, since no token of this tenant has it.
    const strays = await dynamoClient().send(
      new QueryCommand({
        TableName: inject('tableName'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `T#${world.tenant}#USER#stranger#NOTIFICATIONS` } },
      }),
    );
    expect(strays.Items).toEqual([]);
    expect(await notificationsOf(world.stranger)).toEqual([]);
  });

  it('notifies once when the same stream batch is processed twice', async () => {
    const { repRed, repRed2 } = world;
    const contact = await repRed.client.post('/contacts', { firstName: 'Twice' });
    const comment = await repRed2.client.post(`/contacts/${contact.body.id}/comments`, {
      body: `@[${repRed.id}] once only`,
    });
    const ofComment = async () =>
      (await repRed.client.get('/me/notifications')).body.items.filter(
        (n: { commentId?: string }) => n.commentId === comment.body.id,
      );
    await eventually(async () => expect(await ofComment()).toHaveLength(1));
    // The comment's stream record, replayed as a whole batch, twice.
    const { handler } = await import('#functions/stream/tableChanges');
    const { useTestTable } = await import('../support/dynamo.ts');
    useTestTable();
    const { unmarshall } = await import('@aws-sdk/util-dynamodb');
    const stored = await dynamoClient().send(
      new QueryCommand({
        TableName: inject('tableName'),
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: {
          ':pk': { S: `T#${world.tenant}#CONTACT#${contact.body.id}` },
          ':sk': { S: `COMMENT#${comment.body.id}` },
        },
      }),
    );
    const image = unmarshall(stored.Items?.[0] ?? {});
    expect(image.entity).toBe('comment');
    const batch = streamEventOf([{ eventId: `replay-${comment.body.id}`, sequenceNumber: '7', new: image }]);
    expect((await handler(batch)).batchItemFailures).toEqual([]);
    expect((await handler(batch)).batchItemFailures).toEqual([]);
    const notified = await ofComment();
    expect(notified).toHaveLength(1);
    expect(notified[0]).toMatchObject({ kind: 'mention' });
  });

  it('names the record and the author in a mention, with the comment id and an excerpt; the timeline writes mentions as names', async () => {
    const { repRed, repRed2, managerRed } = world;
    const contact = await repRed.client.post('/contacts', { firstName: 'Marta', lastName: 'Gómez' });
    const id = contact.body.id as string;
    const long = 'x'.repeat(500);
    const comment = await managerRed.client.post(`/contacts/${id}/comments`, {
      body: `@[${repRed2.id}] she prefers mornings ${long}`,
    });
    expect(comment.status, comment.text).toBe(201);
    let mention: Record<string, unknown> = {};
    await eventually(async () => {
      const found = (await repRed2.client.get('/me/notifications')).body.items.find(
        (n: { kind: string; record?: { id: string } }) => n.kind === 'mention' && n.record?.id === id,
      );
      expect(found).toBeDefined();
      mention = found;
    });
    expect(mention).toMatchObject({
      title: 'manager-red mentioned you on contact Marta Gómez',
      record: { type: 'contact', id, name: 'Marta Gómez' },
      actorId: managerRed.id,
      actor: { id: managerRed.id, name: 'manager-red' },
      commentId: comment.body.id,
    });
    const excerpt = mention.excerpt as string;
    expect(excerpt.startsWith('@rep-red-2 she prefers mornings x')).toBe(true);
    // An excerpt, not the whole body: items stay small.
    expect([...excerpt].length).toBeLessThanOrEqual(200);
    expect(excerpt.endsWith('…')).toBe(true);

    // The owner hears of the comment in words too.
    await eventually(async () => {
      const commented = (await repRed.client.get('/me/notifications')).body.items.find(
        (n: { kind: string; record?: { id: string } }) => n.kind === 'commented' && n.record?.id === id,
      );
      expect(commented).toMatchObject({
        title: 'manager-red commented on contact Marta Gómez',
        commentId: comment.body.id,
        excerpt,
      });
    });

    await eventually(async () => {
      const [entry] = (await repRed.client.get(`/contacts/${id}/timeline`)).body.items;
      expect(entry).toMatchObject({
        kind: 'comment',
        subject: { type: 'contact', id, name: 'Marta Gómez' },
        actor: { id: managerRed.id, name: 'manager-red' },
        summary: excerpt,
        data: { commentId: comment.body.id },
      });
      expect(entry.summary).not.toContain('@[');
    });
  });

  it('names an author without a user record by the email of their token', async () => {
    const { repRed, admin } = world;
    const contact = await repRed.client.post('/contacts', { firstName: 'Noted' });
    const id = contact.body.id as string;
    await admin.client.post(`/contacts/${id}/comments`, { body: `@[${repRed.id}] look` });
    const email = `admin@${world.tenant}.test`;
    await eventually(async () => {
      const mention = (await repRed.client.get('/me/notifications')).body.items.find(
        (n: { kind: string; record?: { id: string } }) => n.kind === 'mention' && n.record?.id === id,
      );
      expect(mention).toMatchObject({
        title: `${email} mentioned you on contact Noted`,
        actor: { id: admin.id, name: email },
      });
      const [entry] = (await repRed.client.get(`/contacts/${id}/timeline`)).body.items;
      expect(entry).toMatchObject({
        kind: 'comment',
        actor: { id: admin.id, name: email },
        summary: '@rep-red look',
      });
    });
  });

  it('names the actor and the record when something changes or is assigned', async () => {
    const { repRed, managerRed, admin } = world;
    const contact = await repRed.client.post('/contacts', { firstName: 'Iker', lastName: 'Ruiz' });
    const id = contact.body.id as string;
    await managerRed.client.patch(`/contacts/${id}`, { city: 'Bilbao' });
    const deal = await managerRed.client.post('/deals', { name: 'Ruiz fleet', ownerId: repRed.id });
    const about = async (recordId: string) =>
      (await repRed.client.get('/me/notifications')).body.items.filter(
        (n: { record?: { id: string } }) => n.record?.id === recordId,
      );
    await eventually(async () => {
      expect(await about(id)).toMatchObject([
        {
          kind: 'changed',
          title: 'manager-red changed city of contact Iker Ruiz',
          record: { type: 'contact', id, name: 'Iker Ruiz' },
          actor: { id: managerRed.id, name: 'manager-red' },
        },
      ]);
      expect(await about(deal.body.id)).toMatchObject([
        {
          kind: 'assigned',
          title: 'manager-red assigned deal Ruiz fleet to you',
          record: { type: 'deal', id: deal.body.id, name: 'Ruiz fleet' },
        },
      ]);
    });
    const timeline = await admin.client.get(`/contacts/${id}/timeline`);
    expect(timeline.body.items[0]).toMatchObject({
      kind: 'updated',
      subject: { type: 'contact', id, name: 'Iker Ruiz' },
      actor: { id: managerRed.id, name: 'manager-red' },
    });
  });

  it('tells a user a record was assigned to them, and marks notifications read', async () => {
    const { admin, repRed2 } = world;
    const deal = await admin.client.post('/deals', { name: 'Handed over', ownerId: repRed2.id });
    let id = '';
    await eventually(async () => {
      const assigned = (await notificationsOf(repRed2, '?unread=true')).filter(
        (n) => n.kind === 'assigned' && n.record?.id === deal.body.id,
      );
      expect(assigned).toHaveLength(1);
      id = assigned[0]?.id ?? '';
    });
    const marked = await repRed2.client.post('/me/notifications/read', { ids: [id] });
    expect(marked.body).toEqual({ updated: 1 });
    const unread = await notificationsOf(repRed2, '?unread=true');
    expect(unread.map((n) => n.id)).not.toContain(id);
    const all = await repRed2.client.post('/me/notifications/read', { all: true });
    expect(all.status).toBe(200);
    expect(await notificationsOf(repRed2, '?unread=true')).toEqual([]);
    expect((await repRed2.client.post('/me/notifications/read', {})).status).toBe(400);
    expect(
      (await repRed2.client.post('/me/notifications/read', { ids: ['bm90LWEtbm90aWZpY2F0aW9u'] })).status,
    ).toBe(400);
  });
});

describe('erasure and collaboration', () => {
  it('removes an erased person’s timeline, comments and followers and unlinks their activities, archived ones too', async () => {
    const { admin } = world;
    const company = await admin.client.post('/companies', { name: 'Erasure Co' });
    const contact = await admin.client.post('/contacts', {
      firstName: 'Gone',
      email: `gone-${Date.now()}@example.com`,
      companyId: company.body.id,
    });
    const path = `/contacts/${contact.body.id}`;
    await admin.client.post(`${path}/comments`, { body: 'Private remark about Gone' });
    expect((await world.repRed.client.post(`${path}/follow`)).status).toBe(404);
    expect((await world.managerRed.client.post(`${path}/follow`)).body).toEqual({ following: true });
    const activity = await admin.client.post('/activities', {
      type: 'call',
      subject: 'Call about the contract',
      related: { type: 'contact', id: contact.body.id },
    });
    expect(activity.status).toBe(201);
    const archived = await admin.client.post('/activities', {
      type: 'note',
      subject: 'Old note',
      related: { type: 'contact', id: contact.body.id },
    });
    expect((await admin.client.delete(`/activities/${archived.body.id}`)).status).toBe(204);
    const followers = () =>
      dynamoClient().send(
        new QueryCommand({
          TableName: inject('tableName'),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: {
            ':pk': { S: `T#${world.tenant}#FOLLOWERS#contact#${contact.body.id}` },
          },
        }),
      );
    expect((await followers()).Items).toHaveLength(1);
    await eventually(async () =>
      expect((await admin.client.get(`${path}/timeline`)).body.items.length).toBeGreaterThanOrEqual(3),
    );
    expect((await admin.client.delete(`${path}?erase=true`)).status).toBe(204);
    await eventually(async () => {
      const unlinked = await admin.client.get(`/activities/${activity.body.id}`);
      expect(unlinked.body.related).toBeUndefined();
      expect(unlinked.body.subject).toBe('Call about the contract');
      const unlinkedArchived = await admin.client.get(`/activities/${archived.body.id}`);
      expect(unlinkedArchived.body).toMatchObject({ archived: true, subject: 'Old note' });
      expect(unlinkedArchived.body.related).toBeUndefined();
      expect((await followers()).Items).toEqual([]);
      const companyTimeline = await admin.client.get(`/companies/${company.body.id}/timeline`);
      expect(
        companyTimeline.body.items.filter((entry: Entry) => entry.subject.id === contact.body.id),
      ).toEqual([]);
      const left = await dynamoClient().send(
        new QueryCommand({
          TableName: inject('tableName'),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: {
            ':pk': { S: `T#${world.tenant}#TIMELINE#contact#${contact.body.id}` },
          },
        }),
      );
      expect(left.Items).toEqual([]);
      const comments = await dynamoClient().send(
        new QueryCommand({
          TableName: inject('tableName'),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `T#${world.tenant}#CONTACT#${contact.body.id}` } },
        }),
      );
      expect(comments.Items).toEqual([]);
    });
  });
});
