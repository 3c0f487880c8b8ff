import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { userViewCounterKey, viewCounterKey } from '#shared/store/keys';
import { MAX_VIEWS_PER_OWNER, MAX_VIEWS_PER_TENANT } from '#shared/store/views';
import { type ApiClient, type ApiResponse, api, tokenFor } from '../support/api.ts';
import { dynamoClient } from '../support/dynamo.ts';
import { routeFor, shapeErrors } from '../support/response-shape.ts';
import { createWorld, type Member, unique, type World } from './world.ts';

/**
 * Saved list views (`/views`): who sees a private, team and tenant view, who
 * may change or delete one, the checks of a view against its entity's list
 * route and record, optimistic locking, and name-sorted paging.
 */
let world: World;

beforeAll(async () => {
  world = await createWorld();
});

interface ViewBody {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly teamId?: string;
  readonly visibility: string;
  readonly filter?: Record<string, string>;
  readonly sort?: { field: string; direction: string };
  readonly columns?: string[];
}

async function view(client: ApiClient, body: Record<string, unknown>): Promise<ViewBody> {
  const response = await client.post('/views', { name: unique('View'), entity: 'contacts', ...body });
  expect(response.status, response.text).toBe(201);
  expect(response.headers.get('location')).toBe(`/views/${response.body.id}`);
  return response.body as ViewBody;
}

/** Every view `client` lists (all pages), optionally of one entity. */
async function listed(client: ApiClient, query = ''): Promise<ViewBody[]> {
  const all: ViewBody[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', '200');
    if (cursor) params.set('cursor', cursor);
    const response: ApiResponse = await client.get(`/views?${params}`);
    expect(response.status, response.text).toBe(200);
    all.push(...response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor);
  return all;
}

/** Of `ids`, those `who` lists. */
async function seenOf(who: Member, ids: readonly string[]): Promise<string[]> {
  const seen = new Set((await listed(who.client)).map((item) => item.id));
  return ids.filter((id) => seen.has(id));
}

const errorPaths = (response: ApiResponse) =>
  (response.body.errors as { path: string }[]).map((error) => error.path).sort();

/** A new user of the tenant with a token; without `teamId` they belong to no team. */
async function member(role: 'manager' | 'rep', teamId?: string): Promise<Member> {
  const email = `${unique(role)}@${world.tenant}.test`.toLowerCase();
  const response = await world.admin.client.post('/users', {
    email,
    name: 'View User',
    role,
    ...(teamId ? { teamId } : {}),
  });
  expect(response.status, response.text).toBe(201);
  const id = response.body.id as string;
  const token = await tokenFor({
    tenant: world.tenant,
    role,
    user: id,
    email,
    ...(teamId ? { team: teamId } : {}),
  });
  return { id, client: api(token) };
}

describe('visibility', () => {
  it('private: only the owner; team: the owner’s team (and admins); tenant: everyone; never another tenant', async () => {
    const { admin, managerRed, repRed, repRed2, repBlue, stranger } = world;
    const privateView = await view(repRed.client, { visibility: 'private' });
    const defaulted = await view(repRed.client, {});
    expect(defaulted.visibility).toBe('private');
    const redTeam = await view(repRed.client, { visibility: 'team' });
    expect(redTeam.teamId).toBe(world.teams.red);
    const blueTeam = await view(repBlue.client, { visibility: 'team' });
    const tenantWide = await view(managerRed.client, { visibility: 'tenant' });
    const adminPrivate = await view(admin.client, {});
    const ids = [privateView.id, defaulted.id, redTeam.id, blueTeam.id, tenantWide.id, adminPrivate.id];

    const expected = new Map<Member, string[]>([
      [repRed, [privateView.id, defaulted.id, redTeam.id, tenantWide.id]],
      [repRed2, [redTeam.id, tenantWide.id]],
      [managerRed, [redTeam.id, tenantWide.id]],
      [repBlue, [blueTeam.id, tenantWide.id]],
      [admin, [redTeam.id, blueTeam.id, tenantWide.id, adminPrivate.id]],
      [stranger, []],
    ]);
    for (const [who, visible] of expected) {
      expect(await seenOf(who, ids), who.id).toEqual(ids.filter((id) => visible.includes(id)));
      for (const id of ids) {
        const read = await who.client.get(`/views/${id}`);
        expect(read.status, `${who.id} GET ${id}`).toBe(visible.includes(id) ? 200 : 404);
        if (read.status === 200) expect(read.headers.get('etag')).toBe(`"${read.body.version}"`);
        else expect(read.headers.get('content-type')).toContain('application/problem+json');
      }
    }
  });

  it('lists only the views of one entity with ?entity=, and refuses an unknown one', async () => {
    const { repRed } = world;
    const deals = await view(repRed.client, { entity: 'deals' });
    const contacts = await view(repRed.client, { entity: 'contacts' });
    const onlyDeals = await listed(repRed.client, 'entity=deals');
    expect(onlyDeals.map((item) => item.id)).toContain(deals.id);
    expect(onlyDeals.map((item) => item.id)).not.toContain(contacts.id);
    const bad = await repRed.client.get('/views?entity=invoices');
    expect(bad.status).toBe(400);
    expect(errorPaths(bad)).toEqual(['entity']);
  });
});

describe('rights to share, change and delete', () => {
  it('a rep shares with their team, never the tenant; a team view needs a team', async () => {
    const { repRed, admin } = world;
    const refused = await repRed.client.post('/views', {
      name: 'Everyone',
      entity: 'leads',
      visibility: 'tenant',
    });
    expect(refused.status, refused.text).toBe(403);
    const own = await view(repRed.client, { visibility: 'team' });
    const widened = await repRed.client.patch(`/views/${own.id}`, { visibility: 'tenant' });
    expect(widened.status, widened.text).toBe(403);
    expect((await repRed.client.get(`/views/${own.id}`)).body.visibility).toBe('team');

    const loner = await member('rep');
    const teamless = await loner.client.post('/views', { name: 'Mine', entity: 'leads', visibility: 'team' });
    expect(teamless.status, teamless.text).toBe(400);
    expect(errorPaths(teamless)).toEqual(['visibility']);
    const lonerView = await view(loner.client, {});
    const toTeam = await loner.client.patch(`/views/${lonerView.id}`, { visibility: 'team' });
    expect(toTeam.status).toBe(400);
    expect(errorPaths(toTeam)).toEqual(['visibility']);
    // The admin of the world has no team either: a tenant view, yes; a team view, no.
    expect(
      (await admin.client.post('/views', { name: 'All', entity: 'deals', visibility: 'team' })).status,
    ).toBe(400);
    expect((await view(admin.client, { visibility: 'tenant' })).visibility).toBe('tenant');
  });

  it('the owner changes and deletes; an admin any shared view; a manager their team’s; others 403 or 404', async () => {
    const { admin, managerRed, repRed, repRed2, repBlue, stranger } = world;
    const redTeam = await view(repRed.client, { visibility: 'team' });
    const redPrivate = await view(repRed.client, {});
    const adminTenant = await view(admin.client, { visibility: 'tenant' });
    const blueTeam = await view(repBlue.client, { visibility: 'team' });
    const rename = { name: unique('Renamed') };

    // Seen but not theirs to change: 403, and nothing changes.
    for (const [who, id] of [
      [repRed2, redTeam.id],
      [repBlue, adminTenant.id],
      [managerRed, adminTenant.id],
      [repRed, adminTenant.id],
    ] as const) {
      expect((await who.client.patch(`/views/${id}`, rename)).status, `${who.id} PATCH`).toBe(403);
      expect((await who.client.delete(`/views/${id}`)).status, `${who.id} DELETE`).toBe(403);
    }
    // Not seen: 404, whatever the role.
    for (const [who, id] of [
      [repBlue, redTeam.id],
      [managerRed, blueTeam.id],
      [managerRed, redPrivate.id],
      [admin, redPrivate.id],
      [stranger, redTeam.id],
      [stranger, adminTenant.id],
    ] as const) {
      expect((await who.client.patch(`/views/${id}`, rename)).status, `${who.id} PATCH`).toBe(404);
      expect((await who.client.delete(`/views/${id}`)).status, `${who.id} DELETE`).toBe(404);
    }
    for (const id of [redTeam.id, adminTenant.id]) {
      expect((await admin.client.get(`/views/${id}`)).body.version).toBe(1);
    }

    const byManager = await managerRed.client.patch(`/views/${redTeam.id}`, { name: 'Red pipeline' });
    expect(byManager.status, byManager.text).toBe(200);
    expect(byManager.body).toMatchObject({ name: 'Red pipeline', version: 2, ownerId: repRed.id });
    const byAdmin = await admin.client.patch(`/views/${blueTeam.id}`, { visibility: 'tenant' });
    expect(byAdmin.status, byAdmin.text).toBe(200);
    expect((await repRed.client.get(`/views/${blueTeam.id}`)).status).toBe(200);
    const byOwner = await repRed.client.patch(`/views/${redPrivate.id}`, { columns: ['email'] });
    expect(byOwner.status, byOwner.text).toBe(200);

    expect((await managerRed.client.delete(`/views/${redTeam.id}`)).status).toBe(204);
    expect((await admin.client.delete(`/views/${blueTeam.id}`)).status).toBe(204);
    expect((await repRed.client.delete(`/views/${redPrivate.id}`)).status).toBe(204);
    for (const id of [redTeam.id, blueTeam.id, redPrivate.id]) {
      expect((await admin.client.get(`/views/${id}`)).status).toBe(404);
      expect(await seenOf(repRed, [id])).toEqual([]);
      // Deleted, not archived: a second delete finds nothing.
      expect((await admin.client.delete(`/views/${id}`)).status).toBe(404);
    }
  });
});

describe('checks against the entity', () => {
  beforeAll(async () => {
    const fields = [
      { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] },
      { key: 'seats', label: 'Seats', type: 'number' },
    ];
    const put = await world.admin.client.put('/settings/fields/contacts', fields);
    expect(put.status, put.text).toBe(200);
  });

  it('accepts the list route’s parameters, the record’s fields and defined custom fields', async () => {
    const saved = await view(world.repRed.client, {
      entity: 'contacts',
      filter: {
        tag: 'vip',
        q: 'ana',
        archived: 'false',
        'customFields.tier': 'gold',
        'customFields.seats': '12',
      },
      sort: { field: 'customFields.seats', direction: 'desc' },
      columns: ['firstName', 'email', 'customFields.tier', 'engagementScore'],
    });
    expect(saved.filter).toEqual({
      tag: 'vip',
      q: 'ana',
      archived: 'false',
      'customFields.tier': 'gold',
      'customFields.seats': '12',
    });
    // Without definitions the custom fields are free-form: any key may be a column.
    await view(world.repRed.client, { entity: 'companies', columns: ['name', 'customFields.anything'] });
    await view(world.repRed.client, {
      entity: 'activities',
      filter: { status: 'open', dueBefore: '2027-01-01T00:00:00.000Z' },
      sort: { field: 'dueAt', direction: 'asc' },
    });
    await view(world.repRed.client, { entity: 'cases', filter: { priority: 'high' }, columns: ['subject'] });
  });

  it('lists every problem at its path', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ name: '' }, ['name']],
      [{ name: '   ' }, ['name']],
      [{ name: 'x'.repeat(201) }, ['name']],
      [{ entity: 'invoices' }, ['entity']],
      [{ filter: { color: 'red' } }, ['filter.color']],
      [{ filter: { limit: '10', cursor: 'abc' } }, ['filter.cursor', 'filter.limit']],
      [{ entity: 'leads', filter: { status: 'bogus' } }, ['filter.status']],
      [{ entity: 'deals', filter: { tag: 'vip' } }, ['filter.tag']],
      [{ filter: { 'customFields.nope': 'x' } }, ['filter.customFields.nope']],
      [{ filter: { 'customFields.tier': 'bronze' } }, ['filter.customFields.tier']],
      [{ entity: 'cases', filter: { 'customFields.tier': 'gold' } }, ['filter.customFields.tier']],
      [{ filter: { tag: 7 } }, ['filter.tag']],
      [{ filter: { constructor: 'x' } }, ['filter.constructor']],
      [{ sort: { field: 'email', direction: 'up' } }, ['sort.direction']],
      [{ sort: { field: 'color', direction: 'asc' } }, ['sort.field']],
      [{ sort: { field: 'email' } }, ['sort.direction']],
      [{ columns: ['email', 'color'] }, ['columns.1']],
      [{ columns: ['email', 'email'] }, ['columns']],
      [{ columns: [] }, ['columns']],
      [{ columns: Array.from({ length: 51 }, (_, i) => `c${i}`) }, ['columns']],
      [{ columns: ['customFields.nope', 'customFields.tier'] }, ['columns.0']],
      [{ entity: 'activities', columns: ['customFields.x'] }, ['columns.0']],
      [{ visibility: 'world' }, ['visibility']],
      [{ ownerId: 'someone' }, ['ownerId']],
      // Several problems at once, each at its own path.
      [
        {
          filter: { color: 'red', 'customFields.tier': 'bronze' },
          sort: { field: 'color', direction: 'asc' },
          columns: ['x'],
        },
        ['columns.0', 'filter.color', 'filter.customFields.tier', 'sort.field'],
      ],
    ];
    for (const [body, paths] of cases) {
      const response = await world.repRed.client.post('/views', {
        name: 'Checked',
        entity: 'contacts',
        ...body,
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(errorPaths(response), JSON.stringify(body)).toEqual(paths);
    }
  });

  it('a patch replaces filter, sort and columns whole and is checked against the entity it leaves', async () => {
    const { repRed } = world;
    const saved = await view(repRed.client, {
      filter: { tag: 'vip', ownerId: repRed.id },
      sort: { field: 'lastName', direction: 'asc' },
      columns: ['firstName', 'lastName'],
    });
    const patched = await repRed.client.patch(`/views/${saved.id}`, {
      filter: { q: 'ana' },
      sort: { field: 'createdAt', direction: 'desc' },
      columns: null,
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.filter).toEqual({ q: 'ana' });
    expect(patched.body.sort).toEqual({ field: 'createdAt', direction: 'desc' });
    expect(patched.body).not.toHaveProperty('columns');

    // Moving to deals: `q` is a deals parameter, `createdAt` a deal field; `tag` would not be.
    const toDeals = await repRed.client.patch(`/views/${saved.id}`, { entity: 'deals', columns: ['amount'] });
    expect(toDeals.status, toDeals.text).toBe(200);
    const badMove = await repRed.client.patch(`/views/${saved.id}`, { entity: 'cases', columns: ['amount'] });
    expect(badMove.status).toBe(400);
    // Cases take `q` and have `createdAt`, but no `amount`.
    expect(errorPaths(badMove)).toEqual(['columns.0']);
    const unknown = await repRed.client.patch(`/views/${saved.id}`, { filter: { stageId: 'nope' } });
    expect(unknown.status).toBe(400);
    expect(errorPaths(unknown)).toEqual(['filter.stageId']);
    for (const body of [{}, { name: null }, { entity: null }, { visibility: null }, { id: 'x' }]) {
      expect((await repRed.client.patch(`/views/${saved.id}`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await repRed.client.get(`/views/${saved.id}`)).body).toMatchObject({
      entity: 'deals',
      columns: ['amount'],
      version: 3,
    });
  });
});

describe('optimistic locking', () => {
  it('a stale If-Match answers 412 and changes nothing; the current one goes through', async () => {
    const { repRed } = world;
    const saved = await view(repRed.client, { name: 'Locked' });
    const first = await repRed.client.patch(
      `/views/${saved.id}`,
      { name: 'Locked 2' },
      { 'if-match': '"1"' },
    );
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    const stale = await repRed.client.patch(`/views/${saved.id}`, { name: 'Lost' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect((await repRed.client.delete(`/views/${saved.id}`, { 'if-match': '"1"' })).status).toBe(412);
    expect((await repRed.client.get(`/views/${saved.id}`)).body).toMatchObject({
      name: 'Locked 2',
      version: 2,
    });
    expect((await repRed.client.delete(`/views/${saved.id}`, { 'if-match': '"2"' })).status).toBe(204);
  });
});

describe('paging', () => {
  it('lists by name (case- and accent-blind) page by page; a tampered or foreign cursor is a 400', async () => {
    const team = await world.admin.client.post('/teams', { name: unique('Paging') });
    expect(team.status).toBe(201);
    const reader = await member('rep', team.body.id);
    const names = ['delta', 'Álamo', 'charlie', 'Bravo', 'alpha', 'echo', 'Alpha'];
    const made: ViewBody[] = [];
    for (const name of names) made.push(await view(reader.client, { name, entity: 'cases' }));
    const pages: ViewBody[][] = [];
    let cursor: string | null = null;
    do {
      const response: ApiResponse = await reader.client.get(
        `/views?entity=cases&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(response.status, response.text).toBe(200);
      pages.push(response.body.items);
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    const order = pages.flat().map((item) => item.name);
    const alphas = made
      .filter((item) => item.name.toLowerCase() === 'alpha')
      .map((item) => item.id)
      .sort();
    expect(order).toEqual([
      'Álamo',
      ...alphas.map((id) => made.find((item) => item.id === id)?.name),
      'Bravo',
      'charlie',
      'delta',
      'echo',
    ]);

    const first = await reader.client.get('/views?entity=cases&limit=2');
    const next = first.body.nextCursor as string;
    const [payload, mac] = next.split('.');
    const forged = Buffer.from(JSON.stringify({ name: 'a', id: '0' })).toString('base64url');
    for (const bad of [`${forged}.${mac}`, `${payload}.${'A'.repeat(32)}`, 'nonsense']) {
      const response = await reader.client.get(
        `/views?entity=cases&limit=2&cursor=${encodeURIComponent(bad)}`,
      );
      expect(response.status).toBe(400);
      expect(errorPaths(response)).toEqual(['cursor']);
    }
    // Bound to its query and its user.
    expect(
      (await reader.client.get(`/views?entity=deals&limit=2&cursor=${encodeURIComponent(next)}`)).status,
    ).toBe(400);
    expect(
      (await world.repRed.client.get(`/views?entity=cases&limit=2&cursor=${encodeURIComponent(next)}`))
        .status,
    ).toBe(400);
    expect((await world.stranger.client.get(`/views?entity=cases`)).body.items).toEqual([]);
  });
});

describe('the bound on views per tenant', () => {
  it('counts creates and deletes, and refuses a view past the bound with 409', async () => {
    const { repRed } = world;
    const key = marshall(viewCounterKey(world.tenant));
    const count = async () => {
      const { Item } = await dynamoClient().send(
        new GetItemCommand({ TableName: inject('tableName'), Key: key }),
      );
      return Item ? (unmarshall(Item).views as number) : 0;
    };
    const before = await count();
    const saved = await view(repRed.client, {});
    expect(await count()).toBe(before + 1);
    expect((await repRed.client.delete(`/views/${saved.id}`)).status).toBe(204);
    expect(await count()).toBe(before);

    await dynamoClient().send(
      new PutItemCommand({
        TableName: inject('tableName'),
        Item: marshall({
          ...viewCounterKey(world.tenant),
          views: MAX_VIEWS_PER_TENANT,
          entity: 'view-counter',
        }),
      }),
    );
    const full = await repRed.client.post('/views', { name: 'One too many', entity: 'leads' });
    expect(full.status, full.text).toBe(409);
    expect(full.headers.get('content-type')).toContain('application/problem+json');
    // Another tenant is not affected.
    expect((await world.stranger.client.post('/views', { name: 'Theirs', entity: 'leads' })).status).toBe(
      201,
    );
    await dynamoClient().send(
      new PutItemCommand({
        TableName: inject('tableName'),
        Item: marshall({ ...viewCounterKey(world.tenant), views: before, entity: 'view-counter' }),
      }),
    );
    expect((await repRed.client.post('/views', { name: 'Room again', entity: 'leads' })).status).toBe(201);
  });
});

describe('a view whose custom fields have changed since it was saved', () => {
  it('is answered with its stale parts at their paths; a client that drops them reopens the list without a 400', async () => {
    const fields = (keys: string[]) =>
      world.admin.client.put(
        '/settings/fields/companies',
        keys.map((key) => ({ key, label: key, type: 'select', options: ['emea', 'apac'] })),
      );
    expect((await fields(['region', 'zone'])).status).toBe(200);
    const saved = await view(world.repRed.client, {
      entity: 'companies',
      filter: { 'customFields.region': 'emea', 'customFields.zone': 'apac' },
      sort: { field: 'customFields.region', direction: 'asc' },
      columns: ['name', 'customFields.region', 'customFields.zone'],
    });
    expect((await world.repRed.client.get(`/views/${saved.id}`)).body.stale).toBeUndefined();

    // `region` removed: the parts naming it no longer apply.
    expect((await fields(['zone'])).status).toBe(200);
    const read = await world.repRed.client.get(`/views/${saved.id}`);
    expect(read.status).toBe(200);
    expect(shapeErrors(routeFor('GET', `/views/${saved.id}`), read.body)).toEqual([]);
    const stalePaths = (read.body.stale as { path: string; message: string }[])
      .map((part) => part.path)
      .sort();
    expect(stalePaths).toEqual(['columns.1', 'filter.customFields.region', 'sort.field']);
    const listedView = (await listed(world.repRed.client, 'entity=companies')).find(
      (item) => item.id === saved.id,
    ) as ViewBody & { stale?: { path: string }[] };
    expect(listedView.stale?.map((part) => part.path).sort()).toEqual(stalePaths);

    // Reopened as saved, the list refuses it; without its stale parts it answers.
    const asSaved = new URLSearchParams(saved.filter);
    expect((await world.repRed.client.get(`/companies?${asSaved}`)).status).toBe(400);
    const kept = Object.entries(saved.filter ?? {}).filter(
      ([name]) => !stalePaths.includes(`filter.${name}`),
    );
    const reopened = await world.repRed.client.get(`/companies?${new URLSearchParams(kept)}`);
    expect(reopened.status, reopened.text).toBe(200);

    // Changing one part does not trip over another gone stale.
    const renamed = await world.repRed.client.patch(`/views/${saved.id}`, {
      columns: ['name', 'customFields.zone'],
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect((renamed.body.stale as { path: string }[]).map((part) => part.path).sort()).toEqual([
      'filter.customFields.region',
      'sort.field',
    ]);
    // A part given again is checked: still a 400 at its path.
    const again = await world.repRed.client.patch(`/views/${saved.id}`, {
      sort: { field: 'customFields.region', direction: 'desc' },
    });
    expect(again.status).toBe(400);
    expect(errorPaths(again)).toEqual(['sort.field']);
  });
});

describe('who may make a view private', () => {
  it('only its owner: an admin or manager who may change a shared view gets 403 saying so', async () => {
    const shared = await view(world.repRed.client, { visibility: 'team' });
    for (const who of [world.admin, world.managerRed]) {
      const refused = await who.client.patch(`/views/${shared.id}`, { visibility: 'private' });
      expect(refused.status, refused.text).toBe(403);
      expect(refused.body.detail).toMatch(/Only the view's owner may make it private/);
    }
    expect((await world.admin.client.get(`/views/${shared.id}`)).body).toMatchObject({
      visibility: 'team',
      version: 1,
    });
    // They may still change its other fields, and its owner may make it private.
    expect((await world.admin.client.patch(`/views/${shared.id}`, { name: unique('Kept') })).status).toBe(
      200,
    );
    const byOwner = await world.repRed.client.patch(`/views/${shared.id}`, { visibility: 'private' });
    expect(byOwner.status, byOwner.text).toBe(200);
    expect((await world.admin.client.get(`/views/${shared.id}`)).status).toBe(404);
  });
});

describe('the bound on views per owner', () => {
  it('refuses a 101st view of one user with 409 saying to delete one of theirs; others still save', async () => {
    const owner = await member('rep', world.teams.red);
    const key = marshall(userViewCounterKey(world.tenant, owner.id));
    const first = await view(owner.client, {});
    const counted = await dynamoClient().send(
      new GetItemCommand({ TableName: inject('tableName'), Key: key }),
    );
    expect(unmarshall(counted.Item ?? {}).views).toBe(1);
    await dynamoClient().send(
      new PutItemCommand({
        TableName: inject('tableName'),
        Item: marshall({
          ...userViewCounterKey(world.tenant, owner.id),
          views: MAX_VIEWS_PER_OWNER,
          entity: 'view-counter',
        }),
      }),
    );
    const full = await owner.client.post('/views', { name: 'One too many', entity: 'leads' });
    expect(full.status, full.text).toBe(409);
    expect(full.body.detail).toBe(
      `You already own ${MAX_VIEWS_PER_OWNER} saved views; delete one of yours first`,
    );
    // Someone else is not held back by them.
    await view(world.repRed2.client, {});
    // Deleting one of theirs makes room.
    expect((await owner.client.delete(`/views/${first.id}`)).status).toBe(204);
    await view(owner.client, {});
  });
});

describe('single-line names', () => {
  it('refuse control characters and direction overrides with a 400 at name', async () => {
    for (const name of [
      'Tab\there',
      'Line\nbreak',
      'Nul\u0000',
      'C1 \u0085',
      '\u202Eevil',
      'iso\u2066late\u2069',
    ]) {
      const response = await world.repRed.client.post('/views', { name, entity: 'contacts' });
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(errorPaths(response)).toEqual(['name']);
      expect(response.body.errors[0].message).toMatch(/single line/);
    }
    // Accents, emoji and right-to-left script are text, not controls.
    await view(world.repRed.client, { name: unique('Ventas Málaga 🚀 مبيعات') });
  });
});
