import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand as QueryCommandOfDocument } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type ApiClient, eventually } from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;

const ids = (response: { body: { items: { id: string }[] } }) => response.body.items.map((item) => item.id);

const create = async (client: ApiClient, path: string, body: Record<string, unknown>) => {
  const response = await client.post(path, body);
  expect(response.status, response.text).toBe(201);
  return response.body.id as string;
};

const search = async (client: ApiClient, path: string, q: string, extra = '') => {
  const response = await client.get(`${path}?q=${encodeURIComponent(q)}${extra}`);
  expect(response.status, response.text).toBe(200);
  return ids(response);
};

/** Every item of the record's partition beside the record itself (search words, history...). */
const partition = async (type: string, id: string) => {
  const output = await dynamoClient().send(
    new QueryCommand({
      TableName: inject('tableName'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `T#${world.tenant}#${type}#${id}` } },
    }),
  );
  return (output.Items ?? []).map((item) => item.sk?.S);
};

beforeAll(async () => {
  world = await createWorld();
});

describe('search finds people and records by any word of their name', () => {
  it('finds Linda Sánchez and Loretta Sanchez by "sanchez", ignoring case and accents', async () => {
    const tag = unique('sanchez');
    const linda = await create(world.repRed.client, '/contacts', {
      firstName: 'Linda',
      lastName: 'Sánchez',
      tags: [tag],
    });
    const loretta = await create(world.repRed.client, '/contacts', {
      firstName: 'Loretta',
      lastName: 'Sanchez',
    });
    for (const q of ['sanchez', 'SÁNCHEZ', 'sanch']) {
      expect((await search(world.admin.client, '/contacts', q)).sort(), q).toEqual([linda, loretta].sort());
    }
    expect(await search(world.admin.client, '/contacts', 'linda san')).toEqual([linda]);
    expect(await search(world.admin.client, '/contacts', 'lin')).toEqual([linda]);
    // Filters still apply to what a later word finds.
    expect(await search(world.admin.client, '/contacts', 'sanchez', `&tag=${tag}`)).toEqual([linda]);
  });

  it('keeps rights: another team, another tenant see nothing a later word would find', async () => {
    const id = await create(world.repRed.client, '/contacts', { firstName: 'Quentin', lastName: 'Zyxwv' });
    expect(await search(world.repRed2.client, '/contacts', 'zyxwv')).toEqual([id]);
    expect(await search(world.managerRed.client, '/contacts', 'zyxwv')).toEqual([id]);
    expect(await search(world.repBlue.client, '/contacts', 'zyxwv')).toEqual([]);
    expect(await search(world.stranger.client, '/contacts', 'zyxwv')).toEqual([]);
  });

  it('lists a record matched by two of its words once, on every page of a paged search', async () => {
    const word = unique('ana').replace(/[^a-z0-9]/g, '');
    const expected = new Set<string>();
    for (const name of [
      `${word} ${word}`,
      `${word} x ${word}y`,
      `x ${word}`,
      `${word}`,
      `y ${word} ${word}z ${word}`,
    ]) {
      expected.add(await create(world.admin.client, '/contacts', { firstName: name }));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await world.admin.client.get(
        `/contacts?q=${word}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(response.status, response.text).toBe(200);
      seen.push(...ids(response));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...expected].sort());
    const whole = await search(world.admin.client, '/contacts', word, '&limit=200');
    expect(whole.sort()).toEqual([...expected].sort());
  });

  it('follows renames, archive and restore; an erased person leaves no search-word items', async () => {
    const id = await create(world.admin.client, '/contacts', {
      firstName: 'Orla',
      lastName: 'Quixote',
      email: `${unique('orla')}@example.com`,
    });
    expect(await search(world.admin.client, '/contacts', 'quixote')).toEqual([id]);
    const renamed = await world.admin.client.patch(`/contacts/${id}`, { lastName: 'Vantablack Umber' });
    expect(renamed.status).toBe(200);
    expect(await search(world.admin.client, '/contacts', 'quixote')).toEqual([]);
    expect(await search(world.admin.client, '/contacts', 'umber')).toEqual([id]);
    const [found] = (await world.admin.client.get('/contacts?q=umber')).body.items;
    expect(found).toEqual(renamed.body);
    expect((await world.admin.client.delete(`/contacts/${id}`)).status).toBe(204);
    expect(await search(world.admin.client, '/contacts', 'umber')).toEqual([]);
    expect(await search(world.admin.client, '/contacts', 'umber', '&archived=true')).toEqual([id]);
    expect((await world.admin.client.post(`/contacts/${id}/restore`)).status).toBe(200);
    expect(await search(world.admin.client, '/contacts', 'vantablack umber')).toEqual([id]);
    expect((await partition('CONTACT', id)).length).toBeGreaterThan(1);
    expect((await world.admin.client.delete(`/contacts/${id}?erase=true`)).status).toBe(204);
    expect(await search(world.admin.client, '/contacts', 'umber')).toEqual([]);
    expect(await search(world.admin.client, '/contacts', 'umber', '&archived=true')).toEqual([]);
    await eventually(async () => expect(await partition('CONTACT', id)).toEqual([]));
  });

  it('shows what the record holds when a later word finds it: lastActivityAt kept by the stream', async () => {
    const id = await create(world.admin.client, '/contacts', { firstName: 'Pia', lastName: 'Wolkenstein' });
    await create(world.admin.client, '/activities', {
      type: 'call',
      subject: 'Call Pia',
      related: { type: 'contact', id },
    });
    await eventually(async () => {
      const record = (await world.admin.client.get(`/contacts/${id}`)).body;
      expect(record.lastActivityAt).toBeDefined();
      const [found] = (await world.admin.client.get('/contacts?q=wolkenstein')).body.items;
      // Lists leave out the engagement score a read by id computes.
      expect(found).toEqual({ ...record, engagementScore: undefined });
    });
  });

  it('reads a page found by later words with one Query', async () => {
    useTestTable();
    const { dynamo } = await import('#shared/store/client');
    const { listRecords } = await import('#shared/store/records');
    const { contacts } = await import('#shared/store/entities');
    const word = unique('querycount').replace(/[^a-z0-9]/g, '');
    for (const first of ['Ana', 'Bo', 'Cy', 'Di'])
      await create(world.admin.client, '/contacts', { firstName: first, lastName: word });
    const send = vi.spyOn(dynamo, 'send');
    try {
      const page = await listRecords(contacts, world.tenant, {
        archived: false,
        limit: 3,
        startKey: undefined,
        via: { pattern: 'byName', prefix: word },
      });
      expect(page.items.map((item) => item.firstName)).toHaveLength(3);
      expect(page.lastKey).toBeDefined();
      expect(send).toHaveBeenCalledTimes(1);
      expect(send.mock.calls[0]?.[0]).toBeInstanceOf(QueryCommandOfDocument);
    } finally {
      send.mockRestore();
    }
  });

  it('applies to every searchable entity: companies, leads, deals, and the rest', async () => {
    const company = await create(world.admin.client, '/companies', { name: 'Álvarez Logística Ibérica' });
    expect(await search(world.admin.client, '/companies', 'logistica')).toEqual([company]);
    expect(await search(world.admin.client, '/companies', 'iberica')).toEqual([company]);
    const lead = await create(world.admin.client, '/leads', { firstName: 'Iker', lastName: 'Ruizábal' });
    expect(await search(world.admin.client, '/leads', 'ruizabal')).toEqual([lead]);
    const deal = await create(world.admin.client, '/deals', { name: 'Ruizábal fleet renewal' });
    expect(await search(world.admin.client, '/deals', 'renewal')).toEqual([deal]);
    const product = await create(world.admin.client, '/products', {
      name: 'Telematics Quasar unit',
      unitPrice: 10,
      currency: 'EUR',
    });
    expect(await search(world.admin.client, '/products', 'quasar')).toEqual([product]);
    // A lead converted keeps being found by its last name, now as converted.
    const converted = await world.admin.client.post(`/leads/${lead}/convert`, {});
    expect(converted.status, converted.text).toBe(200);
    const [found] = (await world.admin.client.get('/leads?q=ruizabal')).body.items;
    expect(found.status).toBe('converted');
    expect(await search(world.admin.client, '/contacts', 'ruizabal')).toEqual([converted.body.contact.id]);
  });
});
