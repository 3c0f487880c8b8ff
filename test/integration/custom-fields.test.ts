import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyBody, ApiClient } from '../support/api.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
let admin: ApiClient;

beforeAll(async () => {
  world = await createWorld();
  admin = world.admin.client;
});

type Entity = 'contacts' | 'companies' | 'deals' | 'leads';
const entities: readonly Entity[] = ['contacts', 'companies', 'deals', 'leads'];

/** A valid body of each entity, with `customFields` when given. */
const bodyOf = (entity: Entity, customFields?: Record<string, unknown>) => {
  const extra = customFields === undefined ? {} : { customFields };
  switch (entity) {
    case 'contacts':
      return { firstName: unique('Ana'), ...extra };
    case 'companies':
      return { name: unique('Acme'), ...extra };
    case 'deals':
      return { name: unique('Deal'), ...extra };
    case 'leads':
      return { firstName: unique('Lea'), ...extra };
  }
};

/** Every type, one of each; `tier` is required. */
const definitions = [
  { key: 'note', label: 'Note', type: 'text' },
  { key: 'seats', label: 'Seats', type: 'number' },
  { key: 'renewal', label: 'Renewal', type: 'date' },
  { key: 'vip', label: 'VIP', type: 'boolean' },
  { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'], required: true },
  { key: 'topics', label: 'Topics', type: 'multiselect', options: ['ai', 'cloud', 'data'] },
];

const valid: Record<string, unknown> = {
  note: 'Met at the fair',
  seats: 12.5,
  renewal: '2027-02-28',
  vip: true,
  tier: 'gold',
  topics: ['ai', 'data'],
};

const invalid: readonly [string, unknown][] = [
  ['note', 7],
  ['seats', 'twelve'],
  ['renewal', '2027-02-30'],
  ['renewal', '28/02/2027'],
  ['vip', 'yes'],
  ['tier', 'bronze'],
  ['tier', ['gold']],
  ['topics', 'ai'],
  ['topics', ['ai', 'mobile']],
];

describe('PUT /settings/fields/{entity}', () => {
  it('replaces the list and reads it back; anyone in the tenant reads, only admins write', async () => {
    const entity = 'companies';
    const before = await world.repBlue.client.get(`/settings/fields/${entity}`);
    expect(before.status).toBe(200);
    expect(before.body.fields).toEqual([]);
    const put = await admin.put(`/settings/fields/${entity}`, definitions);
    expect(put.status).toBe(200);
    expect(put.body.fields).toEqual(definitions);
    expect(put.body.updatedBy).toBe(world.admin.id);
    for (const member of [world.repRed, world.managerRed]) {
      const read = await member.client.get(`/settings/fields/${entity}`);
      expect(read.status).toBe(200);
      expect(read.body.fields).toEqual(definitions);
      const refused = await member.client.put(`/settings/fields/${entity}`, []);
      expect(refused.status).toBe(403);
    }
    expect((await admin.get(`/settings/fields/${entity}`)).body.fields).toEqual(definitions);
    // The whole list is replaced.
    const replaced = await admin.put(`/settings/fields/${entity}`, definitions.slice(0, 2));
    expect(replaced.body.fields).toEqual(definitions.slice(0, 2));
    expect((await admin.get(`/settings/fields/${entity}`)).body.fields).toEqual(definitions.slice(0, 2));
    // Another tenant sees none of it.
    expect((await world.stranger.client.get(`/settings/fields/${entity}`)).body.fields).toEqual([]);
    await admin.put(`/settings/fields/${entity}`, []);
  });

  it('refuses bad definitions with the path of each', async () => {
    const cases: [unknown, string][] = [
      [
        [
          { key: 'a', label: 'A', type: 'text' },
          { key: 'a', label: 'B', type: 'number' },
        ],
        '1.key',
      ],
      [[{ key: '1a', label: 'A', type: 'text' }], '0.key'],
      [[{ key: 'a-b', label: 'A', type: 'text' }], '0.key'],
      [[{ key: 'a', label: 'A', type: 'select' }], '0.options'],
      [[{ key: 'a', label: 'A', type: 'select', options: [] }], '0.options'],
      [[{ key: 'a', label: 'A', type: 'multiselect', options: ['x', 'x'] }], '0.options'],
      [[{ key: 'a', label: 'A', type: 'text', options: ['x'] }], '0.options'],
      [[{ key: 'a', label: 'x'.repeat(101), type: 'text' }], '0.label'],
      [[{ key: 'a', label: '', type: 'text' }], '0.label'],
      [[{ key: 'a', label: 'A', type: 'color' }], '0.type'],
      [[{ key: 'a', label: 'A', type: 'text', extra: 1 }], '0.extra'],
      [Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, label: 'K', type: 'text' })), ''],
      [{ key: 'a', label: 'A', type: 'text' }, ''],
    ];
    for (const [body, path] of cases) {
      const response = await admin.put('/settings/fields/contacts', body);
      expect(response.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      if (path) expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await admin.get('/settings/fields/contacts')).body.fields).toEqual([]);
    // 100 is the most, and is accepted.
    const hundred = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, label: 'K', type: 'text' }));
    expect((await admin.put('/settings/fields/contacts', hundred)).status).toBe(200);
    expect((await admin.put('/settings/fields/contacts', [])).status).toBe(200);
  });

  it('answers 404 for an entity that has no custom fields', async () => {
    expect((await admin.get('/settings/fields/users')).status).toBe(404);
    expect((await admin.put('/settings/fields/products', [])).status).toBe(404);
  });
});

const pathsOf = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((error) => error.path);

describe.each(entities)('writes of %s', (entity) => {
  it('are free-form while the entity has no definitions, checked once it has', async () => {
    await admin.put(`/settings/fields/${entity}`, []);
    const loose = await admin.post(`/${entity}`, bodyOf(entity, { legacy: 'kept', seats: 'many' }));
    expect(loose.status).toBe(201);
    expect(loose.body.customFields).toEqual({ legacy: 'kept', seats: 'many' });
    expect((await admin.put(`/settings/fields/${entity}`, definitions)).status).toBe(200);

    // Create: every type's valid value; a missing required field; each invalid value.
    const made = await admin.post(`/${entity}`, bodyOf(entity, valid));
    expect(made.status).toBe(201);
    expect(made.body.customFields).toEqual(valid);
    expect((await admin.get(`/${entity}/${made.body.id}`)).body.customFields).toEqual(valid);
    const missing = await admin.post(`/${entity}`, bodyOf(entity));
    expect(missing.status).toBe(400);
    expect(pathsOf(missing.body)).toEqual(['customFields.tier']);
    const emptyRequired = await admin.post(`/${entity}`, bodyOf(entity, { tier: null }));
    expect(pathsOf(emptyRequired.body)).toEqual(['customFields.tier']);
    for (const [key, value] of invalid) {
      const response = await admin.post(`/${entity}`, bodyOf(entity, { ...valid, [key]: value }));
      expect(response.status, `${key} ${JSON.stringify(value)}`).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(pathsOf(response.body)).toEqual([`customFields.${key}`]);
    }
    const unknown = await admin.post(`/${entity}`, bodyOf(entity, { ...valid, colour: 'red' }));
    expect(pathsOf(unknown.body)).toEqual(['customFields.colour']);

    // Patch: each invalid value; valid changes; removing a value; required cleared.
    const id = made.body.id as string;
    for (const [key, value] of invalid) {
      const response = await admin.patch(`/${entity}/${id}`, { customFields: { [key]: value } });
      expect(response.status, `${key} ${JSON.stringify(value)}`).toBe(400);
      expect(pathsOf(response.body)).toEqual([`customFields.${key}`]);
    }
    const changed = await admin.patch(`/${entity}/${id}`, {
      customFields: { seats: -3, vip: false, tier: 'silver', topics: [], note: null },
    });
    expect(changed.status).toBe(200);
    const { note: _removed, ...rest } = valid;
    expect(changed.body.customFields).toEqual({ ...rest, seats: -3, vip: false, tier: 'silver', topics: [] });
    const cleared = await admin.patch(`/${entity}/${id}`, { customFields: { tier: null } });
    expect(cleared.status).toBe(400);
    expect(pathsOf(cleared.body)).toEqual(['customFields.tier']);
    const wiped = await admin.patch(`/${entity}/${id}`, { customFields: null });
    expect(pathsOf(wiped.body)).toEqual(['customFields.tier']);
    expect((await admin.get(`/${entity}/${id}`)).body.customFields.tier).toBe('silver');

    // The free-form record: its stored values stay readable; writes that leave them alone pass.
    const old = loose.body.id as string;
    const read = await admin.get(`/${entity}/${old}`);
    expect(read.body.customFields).toEqual({ legacy: 'kept', seats: 'many' });
    const renamed =
      entity === 'deals' || entity === 'companies' ? { name: unique('Renamed') } : { lastName: 'X' };
    expect((await admin.patch(`/${entity}/${old}`, renamed)).status).toBe(200);
    const sentBack = await admin.patch(`/${entity}/${old}`, {
      customFields: { ...read.body.customFields, vip: true },
    });
    expect(sentBack.status).toBe(200);
    expect(sentBack.body.customFields).toEqual({ legacy: 'kept', seats: 'many', vip: true });
    const rewritten = await admin.patch(`/${entity}/${old}`, { customFields: { legacy: 'new', seats: 2 } });
    expect(rewritten.status).toBe(400);
    expect(pathsOf(rewritten.body).sort()).toEqual(['customFields.legacy']);
    const dropped = await admin.patch(`/${entity}/${old}`, { customFields: { legacy: null, seats: 3 } });
    expect(dropped.status).toBe(200);
    expect(dropped.body.customFields).toEqual({ seats: 3, vip: true });

    // A removed definition: its values stay readable, unrelated writes pass, it cannot be set again.
    await admin.put(
      `/settings/fields/${entity}`,
      definitions.filter((field) => field.key !== 'seats'),
    );
    expect((await admin.get(`/${entity}/${id}`)).body.customFields.seats).toBe(-3);
    expect((await admin.patch(`/${entity}/${id}`, { customFields: { vip: true } })).status).toBe(200);
    const again = await admin.patch(`/${entity}/${id}`, { customFields: { seats: 4 } });
    expect(pathsOf(again.body)).toEqual(['customFields.seats']);
    expect((await admin.get(`/${entity}/${id}`)).body.customFields.seats).toBe(-3);

    // Another tenant's definitions never apply here, nor these there.
    const stranger = await world.stranger.client.post(`/${entity}`, bodyOf(entity, { anything: 'goes' }));
    expect(stranger.status).toBe(201);
    await admin.put(`/settings/fields/${entity}`, []);
  });
});

/** Every item of a list, page by page (`limit` per page), failing on a repeated id. */
async function listAll(client: ApiClient, path: string, limit: number): Promise<{ id: string }[]> {
  const items: { id: string }[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url: string = `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await client.get(url);
    expect(response.status, `${url}: ${response.text}`).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor);
  const ids = items.map((item) => item.id);
  expect(new Set(ids).size, 'no item twice').toBe(ids.length);
  return items;
}

describe('list filters on custom fields', () => {
  it('filter every type exactly, across pages, for each entity', async () => {
    for (const entity of entities) {
      await admin.put(`/settings/fields/${entity}`, [
        ...definitions.map((field) => ({ ...field, required: false })),
        { key: 'batch', label: 'Batch', type: 'text' },
      ]);
      const batch = unique('batch');
      const rows = Array.from({ length: 14 }, (_, i) => ({
        batch,
        tier: i % 3 === 0 ? 'gold' : 'silver',
        vip: i % 2 === 0,
        seats: i % 4,
        renewal: i % 5 === 0 ? '2027-01-31' : '2028-06-01',
        topics: i % 3 === 1 ? ['ai', 'cloud'] : ['data'],
        note: i % 7 === 0 ? 'Caña' : 'other',
      }));
      const ids: string[] = [];
      for (const customFields of rows) {
        const response = await admin.post(`/${entity}`, bodyOf(entity, customFields));
        expect(response.status, response.text).toBe(201);
        ids.push(response.body.id);
      }
      const expected = (keep: (row: (typeof rows)[number]) => boolean) =>
        ids.filter((_, i) => keep(rows[i] as (typeof rows)[number])).sort();
      const listed = async (query: string, limit = 3) =>
        (await listAll(admin, `/${entity}?customFields.batch=${batch}&${query}`, limit))
          .map((item) => item.id)
          .sort();
      expect(await listed('customFields.tier=gold')).toEqual(expected((row) => row.tier === 'gold'));
      expect(await listed('customFields.vip=true')).toEqual(expected((row) => row.vip));
      expect(await listed('customFields.vip=false', 2)).toEqual(expected((row) => !row.vip));
      expect(await listed('customFields.seats=2')).toEqual(expected((row) => row.seats === 2));
      expect(await listed('customFields.renewal=2027-01-31')).toEqual(
        expected((row) => row.renewal === '2027-01-31'),
      );
      expect(await listed('customFields.topics=cloud', 1)).toEqual(
        expected((row) => row.topics.includes('cloud')),
      );
      expect(await listed(`customFields.note=${encodeURIComponent('Caña')}`)).toEqual(
        expected((row) => row.note === 'Caña'),
      );
      expect(await listed('customFields.tier=silver&customFields.vip=true', 2)).toEqual(
        expected((row) => row.tier === 'silver' && row.vip),
      );
      expect(await listed('customFields.tier=gold', 200)).toEqual(expected((row) => row.tier === 'gold'));

      // Unknown keys, values the type cannot hold and stray parameters are 400 at the parameter.
      for (const [query, path] of [
        ['customFields.colour=red', 'customFields.colour'],
        ['customFields.seats=two', 'customFields.seats'],
        ['customFields.vip=yes', 'customFields.vip'],
        ['customFields.renewal=2027-02-30', 'customFields.renewal'],
        ['customFields.tier=bronze', 'customFields.tier'],
        ['customFields.topics=mobile', 'customFields.topics'],
        ['customFields.1x=a', 'customFields.1x'],
        ['nonsense=1', 'nonsense'],
      ]) {
        const response = await admin.get(`/${entity}?${query}`);
        expect(response.status, query).toBe(400);
        expect(pathsOf(response.body), query).toEqual([path]);
      }
      const eleven = Array.from({ length: 11 }, (_, i) => `customFields.k${i}=x`).join('&');
      expect((await admin.get(`/${entity}?${eleven}`)).status).toBe(400);
      const long = await admin.get(`/${entity}?customFields.note=${'x'.repeat(2001)}`);
      expect(pathsOf(long.body)).toEqual(['customFields.note']);
      // Another tenant has no such field.
      expect((await world.stranger.client.get(`/${entity}?customFields.tier=gold`)).status).toBe(400);
      await admin.put(`/settings/fields/${entity}`, []);
    }
  });

  it("show a rep only their team's records, and an exact-email search applies them too", async () => {
    await admin.put('/settings/fields/contacts', [
      { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] },
      { key: 'batch', label: 'Batch', type: 'text' },
    ]);
    const batch = unique('batch');
    const email = `${unique('gold')}@example.com`;
    const mine = await world.repRed.client.post('/contacts', {
      firstName: 'Mine',
      email,
      customFields: { batch, tier: 'gold' },
    });
    const theirs = await world.repBlue.client.post('/contacts', {
      firstName: 'Theirs',
      customFields: { batch, tier: 'gold' },
    });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    const red = await listAll(
      world.repRed.client,
      `/contacts?customFields.batch=${batch}&customFields.tier=gold`,
      1,
    );
    expect(red.map((item) => item.id)).toEqual([mine.body.id]);
    const all = await listAll(admin, `/contacts?customFields.batch=${batch}&customFields.tier=gold`, 1);
    expect(all.map((item) => item.id).sort()).toEqual([mine.body.id, theirs.body.id].sort());
    const found = await admin.get(`/contacts?q=${encodeURIComponent(email)}&customFields.tier=gold`);
    expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([mine.body.id]);
    const missed = await admin.get(`/contacts?q=${encodeURIComponent(email)}&customFields.tier=silver`);
    expect(missed.body.items).toEqual([]);
    await admin.put('/settings/fields/contacts', []);
  });
});

describe('segment filters on custom fields', () => {
  it('are checked against the definitions when saved and previewed, and match stored values', async () => {
    await admin.put('/settings/fields/contacts', [
      ...definitions.map((field) => ({ ...field, required: false })),
      { key: 'batch', label: 'Batch', type: 'text' },
    ]);
    await admin.put('/settings/fields/companies', [
      { key: 'region', label: 'Region', type: 'select', options: ['north', 'south'] },
    ]);
    const batch = unique('batch');
    const north = await admin.post('/companies', {
      name: unique('North'),
      customFields: { region: 'north' },
    });
    const people = [
      { tier: 'gold', vip: true, seats: 5, renewal: '2027-01-31', topics: ['ai'] },
      { tier: 'silver', vip: false, seats: 50, renewal: '2028-01-31', topics: ['ai', 'data'] },
      { tier: 'gold', vip: false, seats: 500, renewal: '2029-01-31', topics: [] },
    ];
    const ids: string[] = [];
    for (const [index, fields] of people.entries()) {
      const response = await admin.post('/contacts', {
        firstName: unique('Seg'),
        ...(index === 0 ? { companyId: north.body.id } : {}),
        customFields: { ...fields, batch },
      });
      expect(response.status, response.text).toBe(201);
      ids.push(response.body.id);
    }
    const inBatch = { field: 'customFields.batch', op: 'eq', value: batch };
    const count = async (...conditions: unknown[]) => {
      const saved = await admin.post('/segments', {
        name: unique('S'),
        filter: { all: [inBatch, ...conditions] },
      });
      expect(saved.status, saved.text).toBe(201);
      const preview = await admin.get(`/segments/${saved.body.id}/preview?limit=100`);
      expect(preview.status, preview.text).toBe(200);
      return (preview.body.sample as { id: string }[]).map((contact) => contact.id).sort();
    };
    const pick = (...indexes: number[]) => indexes.map((index) => ids[index]).sort();
    expect(await count({ field: 'customFields.tier', op: 'eq', value: 'gold' })).toEqual(pick(0, 2));
    expect(await count({ field: 'customFields.vip', op: 'eq', value: true })).toEqual(pick(0));
    expect(await count({ field: 'customFields.seats', op: 'gte', value: 50 })).toEqual(pick(1, 2));
    expect(await count({ field: 'customFields.renewal', op: 'lt', value: '2028-06-01' })).toEqual(pick(0, 1));
    expect(await count({ field: 'customFields.topics', op: 'eq', value: 'data' })).toEqual(pick(1));
    expect(await count({ field: 'customFields.topics', op: 'in', value: ['ai', 'cloud'] })).toEqual(
      pick(0, 1),
    );
    expect(await count({ field: 'company.customFields.region', op: 'eq', value: 'north' })).toEqual(pick(0));

    const refused: [unknown, string][] = [
      [{ field: 'customFields.tier', op: 'gt', value: 'gold' }, 'filter.all[1].op'],
      [{ field: 'customFields.tier', op: 'eq', value: 'bronze' }, 'filter.all[1].value'],
      [{ field: 'customFields.vip', op: 'eq', value: 'yes' }, 'filter.all[1].value'],
      [{ field: 'customFields.vip', op: 'contains', value: 'y' }, 'filter.all[1].op'],
      [{ field: 'customFields.seats', op: 'in', value: [1, 'two'] }, 'filter.all[1].value[1]'],
      [{ field: 'customFields.renewal', op: 'gt', value: '2027-13-01' }, 'filter.all[1].value'],
      [{ field: 'customFields.topics', op: 'startsWith', value: 'a' }, 'filter.all[1].op'],
      [{ field: 'company.customFields.region', op: 'eq', value: 'east' }, 'filter.all[1].value'],
      [{ any: [{ field: 'customFields.note', op: 'eq', value: 3 }] }, 'filter.all[1].any[0].value'],
    ];
    for (const [condition, path] of refused) {
      const response = await admin.post('/segments', {
        name: unique('S'),
        filter: { all: [inBatch, condition] },
      });
      expect(response.status, JSON.stringify(condition)).toBe(400);
      expect(pathsOf(response.body)).toEqual([path]);
    }
    // A patch is checked the same way.
    const segment = await admin.post('/segments', {
      name: unique('S'),
      filter: { all: [inBatch, { field: 'customFields.tier', op: 'eq', value: 'gold' }] },
    });
    const patched = await admin.patch(`/segments/${segment.body.id}`, {
      filter: { all: [{ field: 'customFields.tier', op: 'eq', value: 'bronze' }] },
    });
    expect(pathsOf(patched.body)).toEqual(['filter.all[0].value']);

    // A removed definition: conditions on its stored values still save and match.
    await admin.put(
      '/settings/fields/contacts',
      [...definitions, { key: 'batch', label: 'Batch', type: 'text' }]
        .filter((field) => field.key !== 'tier')
        .map((field) => ({ ...field, required: false })),
    );
    expect(await count({ field: 'customFields.tier', op: 'eq', value: 'gold' })).toEqual(pick(0, 2));
    // A type changed since a segment was saved: its preview says so.
    await admin.put('/settings/fields/contacts', [
      { key: 'batch', label: 'Batch', type: 'text' },
      { key: 'tier', label: 'Tier', type: 'number' },
    ]);
    const stale = await admin.get(`/segments/${segment.body.id}/preview`);
    expect(stale.status).toBe(400);
    expect(pathsOf(stale.body)).toEqual(['filter.all[1].value']);
    // Without definitions, conditions are free-form as before.
    await admin.put('/settings/fields/contacts', []);
    expect(await count({ field: 'customFields.tier', op: 'startsWith', value: 'go' })).toEqual(pick(0, 2));
    await admin.put('/settings/fields/companies', []);
  });
});

describe('lead conversion', () => {
  it('carries the values the new contact, company and deal define and that fit them', async () => {
    await admin.put('/settings/fields/leads', [
      { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] },
      { key: 'vip', label: 'VIP', type: 'boolean' },
      { key: 'seats', label: 'Seats', type: 'text' },
      { key: 'leadOnly', label: 'Lead only', type: 'text' },
    ]);
    await admin.put('/settings/fields/contacts', [
      { key: 'tier', label: 'Tier', type: 'select', options: ['gold'] },
      { key: 'seats', label: 'Seats', type: 'number' },
      { key: 'owner2', label: 'Second owner', type: 'text', required: true },
    ]);
    await admin.put('/settings/fields/companies', [{ key: 'vip', label: 'VIP', type: 'boolean' }]);
    await admin.put('/settings/fields/deals', [
      { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] },
      { key: 'vip', label: 'VIP', type: 'boolean' },
    ]);
    const lead = await admin.post('/leads', {
      firstName: unique('Conv'),
      companyName: unique('Conv Co'),
      customFields: { tier: 'gold', vip: true, seats: 'ten', leadOnly: 'kept here' },
    });
    expect(lead.status, lead.text).toBe(201);
    const converted = await admin.post(`/leads/${lead.body.id}/convert`, {
      deal: { name: unique('Conv deal') },
    });
    expect(converted.status, converted.text).toBe(200);
    const { contact, company, deal } = converted.body;
    // The contact's required field is not the lead's to fill: conversion makes the records all the same.
    expect(contact.customFields).toEqual({ tier: 'gold' });
    expect(company.customFields).toEqual({ vip: true });
    expect(deal.customFields).toEqual({ tier: 'gold', vip: true });
    expect(deal.customGroups).toBeUndefined();
    expect(converted.body.lead.customGroups).toBeUndefined();
    expect(converted.body.lead.customFields).toEqual({
      tier: 'gold',
      vip: true,
      seats: 'ten',
      leadOnly: 'kept here',
    });
    expect((await admin.get(`/contacts/${contact.id}`)).body.customFields).toEqual({ tier: 'gold' });
    expect((await admin.get(`/deals/${deal.id}`)).body.customFields).toEqual({ tier: 'gold', vip: true });

    // Without definitions on the targets, nothing is carried.
    for (const entity of ['contacts', 'companies', 'deals'])
      await admin.put(`/settings/fields/${entity}`, []);
    const plain = await admin.post('/leads', {
      firstName: unique('Conv'),
      companyName: unique('Conv Co'),
      customFields: { tier: 'silver' },
    });
    const again = await admin.post(`/leads/${plain.body.id}/convert`, {
      deal: { name: unique('Conv deal') },
    });
    expect(again.status, again.text).toBe(200);
    expect([
      again.body.contact.customFields,
      again.body.company.customFields,
      again.body.deal.customFields,
    ]).toEqual([{}, {}, {}]);
    await admin.put('/settings/fields/leads', []);
  });
});

describe('the OpenAPI document', () => {
  it('shows customFields as an open object pointing to /settings/fields, on every entity that has it', async () => {
    const doc = (await admin.get('/openapi.json')).body;
    const resolve = (schema: AnyBody): AnyBody =>
      schema?.$ref ? resolve(doc.components.schemas[schema.$ref.split('/').pop()]) : schema;
    const jsonOf = (content: AnyBody) => resolve(content?.['application/json']?.schema);
    for (const entity of entities) {
      const create = jsonOf(doc.paths[`/${entity}`].post.requestBody.content);
      const record = jsonOf(doc.paths[`/${entity}/{id}`].get.responses['200'].content);
      for (const schema of [create.properties.customFields, record.properties.customFields]) {
        expect(schema.type, entity).toBe('object');
        expect(schema.additionalProperties.anyOf.map((value: AnyBody) => value.type).sort()).toEqual([
          'array',
          'boolean',
          'null',
          'number',
          'string',
        ]);
        expect(schema.description).toContain('/settings/fields/{entity}');
      }
    }
    expect(Object.keys(doc.paths['/settings/fields/{entity}']).sort()).toEqual(['get', 'put']);
  });
});
