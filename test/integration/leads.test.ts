import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../support/api.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

const ids = (response: ApiResponse) => response.body.items.map((item: { id: string }) => item.id);
const paths = (response: ApiResponse) => response.body.errors.map((error: { path: string }) => error.path);

describe('leads', () => {
  it('creates a lead as new, owned by its creator, and reads and patches it', async () => {
    const created = await world.repRed.client.post('/leads', {
      firstName: 'Lola',
      lastName: 'Vidal',
      email: 'LOLA@Example.com',
      companyName: 'Vidal SA',
      phone: '+34 600 111 222',
      source: 'event',
      country: 'es',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/leads/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({
      firstName: 'Lola',
      email: 'lola@example.com',
      country: 'ES',
      source: 'event',
      status: 'new',
      ownerId: world.repRed.id,
      teamId: world.teams.red,
      version: 1,
      archived: false,
    });
    const path = `/leads/${created.body.id}`;
    expect((await world.repRed.client.get(path)).body).toEqual(created.body);
    const patched = await world.repRed.client.patch(
      path,
      { status: 'qualified', phone: null, source: 'referral' },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ status: 'qualified', source: 'referral', version: 2 });
    expect(patched.body.phone).toBeUndefined();
    expect((await world.repRed.client.patch(path, { status: 'new' }, { 'if-match': '"1"' })).status).toBe(
      412,
    );
  });

  it('lists every bad field of a create, and refuses unknown fields and a status on create', async () => {
    const response = await world.admin.client.post('/leads', {
      firstName: ' ',
      email: 'not-an-email',
      source: 'tv',
      country: 'Spain',
      phone: 'call me',
      status: 'qualified',
      rating: 5,
    });
    expect(response.status).toBe(400);
    expect(paths(response).sort()).toEqual(
      ['country', 'email', 'firstName', 'phone', 'rating', 'source', 'status'].sort(),
    );
    expect(response.body.errors).toContainEqual({
      path: 'source',
      message: 'must be one of: web, referral, event, campaign, cold_call, partner, other',
    });
    expect((await world.admin.client.post('/leads', {})).body.errors).toEqual([
      { path: 'firstName', message: 'is required' },
    ]);
  });

  it('lets a PATCH set any status but converted, and never remove the first name', async () => {
    const lead = await world.admin.client.post('/leads', { firstName: 'Status' });
    const path = `/leads/${lead.body.id}`;
    for (const status of ['contacted', 'disqualified', 'new']) {
      expect((await world.admin.client.patch(path, { status })).body.status).toBe(status);
    }
    const converted = await world.admin.client.patch(path, { status: 'converted' });
    expect(converted.status).toBe(400);
    expect(paths(converted)).toEqual(['status']);
    const bad = await world.admin.client.patch(path, { firstName: null, status: null, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(paths(bad).sort()).toEqual(['colour', 'firstName', 'status']);
    expect((await world.admin.client.patch(path, {})).status).toBe(400);
  });

  it('filters by status, source, owner and name prefix (case- and accent-insensitive)', async () => {
    const surname = unique('Ñandú').replace(/-/g, '');
    const a = await world.admin.client.post('/leads', {
      firstName: 'Íñigo',
      lastName: surname,
      source: 'web',
    });
    const b = await world.admin.client.post('/leads', {
      firstName: 'Inés',
      lastName: surname,
      source: 'partner',
      ownerId: world.repRed.id,
    });
    await world.admin.client.patch(`/leads/${b.body.id}`, { status: 'contacted' });
    const q = `q=${encodeURIComponent(`inigo ${surname.toLowerCase()}`)}`;
    expect(ids(await world.admin.client.get(`/leads?${q}`))).toEqual([a.body.id]);
    const all = `q=${encodeURIComponent('I')}`;
    const both = ids(await world.admin.client.get(`/leads?${all}&limit=200`));
    expect(both).toEqual(expect.arrayContaining([a.body.id, b.body.id]));
    expect(ids(await world.admin.client.get(`/leads?source=partner&ownerId=${world.repRed.id}`))).toEqual([
      b.body.id,
    ]);
    expect(ids(await world.admin.client.get(`/leads?status=contacted&source=partner`))).toContain(b.body.id);
    expect(ids(await world.admin.client.get(`/leads?status=contacted&source=web`))).not.toContain(b.body.id);
    expect(ids(await world.admin.client.get(`/leads?${all}&ownerId=${world.repRed.id}&limit=200`))).toEqual([
      b.body.id,
    ]);
    const bad = await world.admin.client.get('/leads?status=won&source=tv&colour=red');
    expect(bad.status).toBe(400);
    expect(paths(bad).sort()).toEqual(['colour', 'source', 'status']);
  });

  it('archives with If-Match, hides archived leads and restores them', async () => {
    const name = unique('Archie').replace(/-/g, '');
    const lead = await world.admin.client.post('/leads', { firstName: name });
    const path = `/leads/${lead.body.id}`;
    expect((await world.admin.client.delete(path, { 'if-match': '"9"' })).status).toBe(412);
    expect((await world.admin.client.delete(path, { 'if-match': '"1"' })).status).toBe(204);
    expect(ids(await world.admin.client.get(`/leads?q=${name}`))).toEqual([]);
    expect(ids(await world.admin.client.get(`/leads?q=${name}&archived=true`))).toEqual([lead.body.id]);
    expect((await world.admin.client.patch(path, { status: 'contacted' })).status).toBe(409);
    const restored = await world.admin.client.post(`${path}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.archived).toBe(false);
  });
});

describe('leads: roles and tenancy', () => {
  it('answers 404 to other tenants and other teams’ reps, 403 to readers who may not write', async () => {
    const name = unique('Redlead').replace(/-/g, '');
    const lead = await world.repRed.client.post('/leads', { firstName: name });
    const path = `/leads/${lead.body.id}`;
    for (const outsider of [world.stranger, world.repBlue]) {
      expect((await outsider.client.get(path)).status).toBe(404);
      expect((await outsider.client.patch(path, { status: 'contacted' })).status).toBe(404);
      expect((await outsider.client.delete(path)).status).toBe(404);
      expect((await outsider.client.post(`${path}/restore`)).status).toBe(404);
      expect((await outsider.client.post(`${path}/convert`, {})).status).toBe(404);
      expect(ids(await outsider.client.get(`/leads?q=${name}`))).toEqual([]);
    }
    expect((await world.repRed2.client.get(path)).status).toBe(200);
    expect(ids(await world.repRed2.client.get(`/leads?q=${name}`))).toEqual([lead.body.id]);
    expect((await world.repRed2.client.patch(path, { status: 'contacted' })).status).toBe(403);
    expect((await world.repRed2.client.delete(path)).status).toBe(403);
    expect((await world.repRed2.client.post(`${path}/convert`, {})).status).toBe(403);
    expect((await world.managerRed.client.patch(path, { status: 'contacted' })).status).toBe(200);
    expect((await world.repRed.client.get(path)).body.status).toBe('contacted');
  });

  it('applies the usual owner rules to an explicit ownerId', async () => {
    expect(
      (await world.repRed.client.post('/leads', { firstName: 'Gift', ownerId: world.repRed2.id })).status,
    ).toBe(403);
    expect(
      (await world.managerRed.client.post('/leads', { firstName: 'Blue', ownerId: world.repBlue.id })).status,
    ).toBe(403);
    const assigned = await world.managerRed.client.post('/leads', {
      firstName: 'Team',
      ownerId: world.repRed2.id,
    });
    expect(assigned.body).toMatchObject({ ownerId: world.repRed2.id, teamId: world.teams.red });
    const unknown = await world.admin.client.post('/leads', { firstName: 'Nobody', ownerId: 'ghost' });
    expect(unknown.status).toBe(400);
    expect(paths(unknown)).toEqual(['ownerId']);
    const reassign = await world.repRed2.client.patch(`/leads/${assigned.body.id}`, {
      ownerId: world.repRed.id,
    });
    expect(reassign.status).toBe(403);
  });
});

describe('lead assignment rules', () => {
  // A tenant of its own: the rule changes who owns every lead created without ownerId.
  let team: World;
  beforeAll(async () => {
    team = await createWorld();
  });

  const owners = (responses: ApiResponse[]) => {
    const counts: Record<string, number> = {};
    for (const response of responses)
      counts[response.body.ownerId] = (counts[response.body.ownerId] ?? 0) + 1;
    return counts;
  };

  it('starts as `none`: the creator owns the lead', async () => {
    expect((await team.repRed.client.get('/settings/lead-assignment')).body).toEqual({
      strategy: 'none',
      userIds: [],
      countries: {},
    });
    const lead = await team.repBlue.client.post('/leads', { firstName: 'Mine', country: 'ES' });
    expect(lead.body).toMatchObject({ ownerId: team.repBlue.id, teamId: team.teams.blue });
  });

  it('lets only admins set the rule, and lists every bad field and every unknown or inactive user', async () => {
    const rule = { strategy: 'round_robin', userIds: [team.repRed.id] };
    expect((await team.managerRed.client.put('/settings/lead-assignment', rule)).status).toBe(403);
    expect((await team.repRed.client.put('/settings/lead-assignment', rule)).status).toBe(403);

    const shape = await team.admin.client.put('/settings/lead-assignment', {
      strategy: 'random',
      userIds: ['a', 'a'],
      countries: { ESP: team.repRed.id, FR: 'bad id!' },
      fallbackUserId: team.repRed.id,
    });
    expect(shape.status).toBe(400);
    expect(paths(shape).sort()).toEqual(
      ['countries.ESP', 'countries.FR', 'fallbackUserId', 'strategy', 'userIds'].sort(),
    );

    const retired = await team.admin.client.post('/users', {
      email: `${unique('retired')}@example.com`,
      name: 'Retired',
      role: 'rep',
      teamId: team.teams.red,
    });
    await team.admin.client.patch(`/users/${retired.body.id}`, { active: false });
    const users = await team.admin.client.put('/settings/lead-assignment', {
      strategy: 'by_country',
      userIds: [team.repRed.id, 'ghost', retired.body.id],
      countries: { ES: team.repBlue.id, FR: team.stranger.id },
    });
    expect(users.status).toBe(400);
    expect(users.body.errors).toEqual([
      { path: 'userIds.1', message: 'is not an active user of this tenant' },
      { path: 'userIds.2', message: 'is not an active user of this tenant' },
      { path: 'countries.FR', message: 'is not an active user of this tenant' },
    ]);

    const empty = await team.admin.client.put('/settings/lead-assignment', { strategy: 'round_robin' });
    expect(empty.body.errors).toEqual([
      { path: 'userIds', message: 'must name at least one user for round_robin' },
    ]);
    const noCountries = await team.admin.client.put('/settings/lead-assignment', { strategy: 'by_country' });
    expect(paths(noCountries)).toEqual(['countries']);

    // Another tenant's admin cannot name this tenant's users, nor see this tenant's rule.
    const foreign = await team.stranger.client.put('/settings/lead-assignment', rule);
    expect(foreign.status).toBe(400);
    expect((await team.stranger.client.get('/settings/lead-assignment')).body.strategy).toBe('none');
    expect((await team.admin.client.get('/settings/lead-assignment')).body.strategy).toBe('none');
  });

  it('spreads 20 leads created at once over 3 users as 7/7/6, each in its owner’s team', async () => {
    const userIds = [team.repRed.id, team.repRed2.id, team.repBlue.id];
    const saved = await team.admin.client.put('/settings/lead-assignment', {
      strategy: 'round_robin',
      userIds,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ strategy: 'round_robin', userIds, countries: {} });
    expect((await team.repRed.client.get('/settings/lead-assignment')).body.userIds).toEqual(userIds);

    const creators = [team.admin, team.managerRed, team.repRed, team.repBlue];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (creators[i % creators.length] ?? team.admin).client.post('/leads', { firstName: `Turn ${i}` }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(Array(20).fill(201));
    const counts = owners(results);
    expect(Object.keys(counts).sort()).toEqual([...userIds].sort());
    expect(Object.values(counts).sort()).toEqual([6, 7, 7]);
    for (const result of results) {
      const expected = result.body.ownerId === team.repBlue.id ? team.teams.blue : team.teams.red;
      expect(result.body.teamId).toBe(expected);
    }
    // An explicit owner bypasses the rule (and does not take a turn).
    const explicit = await team.admin.client.post('/leads', {
      firstName: 'Direct',
      ownerId: team.managerRed.id,
    });
    expect(explicit.body.ownerId).toBe(team.managerRed.id);
  });

  it('assigns by country, falling back to round robin over userIds, then to the creator', async () => {
    const saved = await team.admin.client.put('/settings/lead-assignment', {
      strategy: 'by_country',
      countries: { ES: team.repRed.id, FR: team.repBlue.id },
      userIds: [team.repRed2.id],
    });
    expect(saved.status).toBe(200);
    const create = (country?: string) =>
      team.admin.client.post('/leads', { firstName: 'Country', ...(country ? { country } : {}) });
    expect((await create('es')).body).toMatchObject({ ownerId: team.repRed.id, teamId: team.teams.red });
    expect((await create('FR')).body).toMatchObject({ ownerId: team.repBlue.id, teamId: team.teams.blue });
    expect((await create('DE')).body).toMatchObject({ ownerId: team.repRed2.id, teamId: team.teams.red });
    expect((await create()).body.ownerId).toBe(team.repRed2.id);

    await team.admin.client.put('/settings/lead-assignment', {
      strategy: 'by_country',
      countries: { ES: team.repRed.id },
    });
    const byRep = await team.repBlue.client.post('/leads', { firstName: 'Unmapped', country: 'IT' });
    expect(byRep.body).toMatchObject({ ownerId: team.repBlue.id, teamId: team.teams.blue });
    // A rep's lead may go to whoever the rule names: the rule, not the rep, assigns it.
    const routed = await team.repBlue.client.post('/leads', { firstName: 'Routed', country: 'ES' });
    expect(routed.body).toMatchObject({ ownerId: team.repRed.id, teamId: team.teams.red });
    expect((await team.repBlue.client.get(`/leads/${routed.body.id}`)).status).toBe(404);

    await team.admin.client.put('/settings/lead-assignment', { strategy: 'none' });
    expect((await create('ES')).body.ownerId).toBe(team.admin.id);
  });
});
