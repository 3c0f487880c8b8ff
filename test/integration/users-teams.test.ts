import { beforeAll, describe, expect, it } from 'vitest';
import { api, tokenFor } from '../support/api.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

describe('teams', () => {
  it('lets admins create and rename teams, and everyone in the tenant read them', async () => {
    const name = unique('Team');
    const created = await world.admin.client.post('/teams', { name });
    expect(created.status).toBe(201);
    expect((await world.admin.client.post('/teams', { name: name.toUpperCase() })).status).toBe(409);
    const renamed = await world.admin.client.patch(`/teams/${created.body.id}`, { name: `${name} renamed` });
    expect(renamed.body).toMatchObject({ name: `${name} renamed`, version: 2 });
    expect((await world.repBlue.client.get(`/teams/${created.body.id}`)).status).toBe(200);
    const list = await world.repRed.client.get('/teams');
    expect(list.body.items.map((team: { id: string }) => team.id)).toContain(world.teams.red);
  });

  it('refuses team management to managers and reps, and hides teams from other tenants', async () => {
    for (const member of [world.managerRed, world.repRed]) {
      expect((await member.client.post('/teams', { name: unique('nope') })).status).toBe(403);
      expect((await member.client.patch(`/teams/${world.teams.red}`, { name: 'Mine' })).status).toBe(403);
    }
    expect((await world.stranger.client.get(`/teams/${world.teams.red}`)).status).toBe(404);
    expect((await world.stranger.client.patch(`/teams/${world.teams.red}`, { name: 'Mine' })).status).toBe(
      404,
    );
    const theirs = await world.stranger.client.get('/teams');
    expect(theirs.body.items).toEqual([]);
    expect((await world.admin.client.post('/teams', {})).body.errors).toEqual([
      { path: 'name', message: 'is required' },
    ]);
  });
});

describe('users', () => {
  it('lets admins create users with a role and team, unique by email', async () => {
    const email = `${unique('new')}@example.com`;
    const created = await world.admin.client.post('/users', {
      email,
      name: 'New Rep',
      role: 'rep',
      teamId: world.teams.blue,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email, role: 'rep', teamId: world.teams.blue, active: true });
    expect((await world.admin.client.post('/users', { email, name: 'Again', role: 'rep' })).status).toBe(409);
    const badTeam = await world.admin.client.post('/users', {
      email: `${unique('x')}@example.com`,
      name: 'X',
      role: 'rep',
      teamId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    });
    expect(badTeam.status).toBe(400);
    expect(badTeam.body.errors).toEqual([{ path: 'teamId', message: 'is not a team of this tenant' }]);
    const invalid = await world.admin.client.post('/users', { email: 'nope', name: '', role: 'boss' });
    expect(invalid.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'email',
      'name',
      'role',
    ]);
  });

  it('lets admins change role, team and active flag, but never demote themselves', async () => {
    const user = await world.admin.client.post('/users', {
      email: `${unique('u')}@example.com`,
      name: 'Movable',
      role: 'rep',
    });
    const moved = await world.admin.client.patch(`/users/${user.body.id}`, {
      role: 'manager',
      teamId: world.teams.red,
    });
    expect(moved.body).toMatchObject({ role: 'manager', teamId: world.teams.red, version: 2 });
    const off = await world.admin.client.patch(`/users/${user.body.id}`, { active: false, teamId: null });
    expect(off.body.active).toBe(false);
    expect(off.body.teamId).toBeUndefined();
    const me = await world.admin.client.post('/users', {
      email: `${unique('adm')}@example.com`,
      name: 'Admin Two',
      role: 'admin',
    });
    const self = api(await tokenFor({ tenant: world.tenant, role: 'admin', user: me.body.id }));
    expect((await self.patch(`/users/${me.body.id}`, { role: 'rep' })).status).toBe(409);
    // A deactivated user can no longer be made owner of records.
    expect(
      (await world.admin.client.post('/companies', { name: 'For inactive', ownerId: user.body.id })).status,
    ).toBe(400);
  });

  it('refuses user management to managers and reps and isolates tenants', async () => {
    for (const member of [world.managerRed, world.repRed]) {
      expect(
        (
          await member.client.post('/users', {
            email: `${unique('z')}@example.com`,
            name: 'Z',
            role: 'admin',
          })
        ).status,
      ).toBe(403);
      expect((await member.client.patch(`/users/${world.repBlue.id}`, { role: 'admin' })).status).toBe(403);
    }
    expect((await world.repRed.client.get(`/users/${world.repBlue.id}`)).status).toBe(200);
    expect((await world.stranger.client.get(`/users/${world.repBlue.id}`)).status).toBe(404);
    expect((await world.stranger.client.patch(`/users/${world.repBlue.id}`, { name: 'x' })).status).toBe(404);
    expect((await world.stranger.client.get('/users')).body.items).toEqual([]);
  });

  it('tells the caller who they are', async () => {
    const me = await world.repRed.client.get('/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: world.repRed.id,
      tenantId: world.tenant,
      role: 'rep',
      teamId: world.teams.red,
      name: 'rep-red',
    });
    const admin = await world.admin.client.get('/me');
    expect(admin.body).toMatchObject({
      id: world.admin.id,
      role: 'admin',
      email: `admin@${world.tenant}.test`,
    });
  });
});
