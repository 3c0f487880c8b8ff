import { beforeAll, describe, expect, it } from 'vitest';
import { api, tokenFor } from '../support/api.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

describe('companies', () => {
  it('creates, reads, updates, archives and restores a company', async () => {
    const { admin } = world;
    const domain = `${unique('acme')}.example`;
    const created = await admin.client.post('/companies', {
      name: 'Acme Corp',
      domain: domain.toUpperCase(),
      industry: 'Manufacturing',
      size: 120,
      country: 'es',
      tags: ['key-account'],
    });
    expect(created.status).toBe(201);
    const company = created.body;
    expect(created.headers.get('location')).toBe(`/companies/${company.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(company).toMatchObject({
      name: 'Acme Corp',
      domain,
      country: 'ES',
      version: 1,
      ownerId: admin.id,
      archived: false,
      tags: ['key-account'],
      customFields: {},
    });
    expect(company.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const read = await admin.client.get(`/companies/${company.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(company);

    const patched = await admin.client.patch(
      `/companies/${company.id}`,
      { city: 'Madrid', industry: null },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ city: 'Madrid', version: 2 });
    expect(patched.body.industry).toBeUndefined();
    expect(patched.headers.get('etag')).toBe('"2"');

    expect((await admin.client.delete(`/companies/${company.id}`)).status).toBe(204);
    const listed = await admin.client.get(`/companies?q=acme`);
    expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(company.id);
    const archived = await admin.client.get(`/companies?archived=true`);
    expect(archived.body.items.map((item: { id: string }) => item.id)).toContain(company.id);
    expect((await admin.client.patch(`/companies/${company.id}`, { city: 'Lyon' })).status).toBe(409);

    const restored = await admin.client.post(`/companies/${company.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ archived: false, version: 4 });
  });

  it('keeps domains unique per tenant, ignoring case, but not across tenants', async () => {
    const domain = `${unique('dup')}.example`;
    expect((await world.admin.client.post('/companies', { name: 'One', domain })).status).toBe(201);
    const duplicate = await world.admin.client.post('/companies', {
      name: 'Two',
      domain: domain.toUpperCase(),
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('content-type')).toContain('application/problem+json');
    expect(duplicate.body.errors).toEqual([
      { path: 'domain', message: 'is already used by another company' },
    ]);
    expect((await world.stranger.client.post('/companies', { name: 'Theirs', domain })).status).toBe(201);

    const other = await world.admin.client.post('/companies', {
      name: 'Three',
      domain: `${unique('free')}.example`,
    });
    const taken = await world.admin.client.patch(`/companies/${other.body.id}`, { domain });
    expect(taken.status).toBe(409);
    const moved = await world.admin.client.patch(`/companies/${other.body.id}`, { domain: null });
    expect(moved.status).toBe(200);
  });

  it('frees a domain when it changes', async () => {
    const before = `${unique('old')}.example`;
    const company = await world.admin.client.post('/companies', { name: 'Mover', domain: before });
    await world.admin.client.patch(`/companies/${company.body.id}`, { domain: `${unique('new')}.example` });
    expect((await world.admin.client.post('/companies', { name: 'Taker', domain: before })).status).toBe(201);
  });

  it('searches by name prefix ignoring case and accents, and filters by tag, country and owner', async () => {
    const tag = unique('tag');
    const make = (body: Record<string, unknown>) =>
      world.admin.client.post('/companies', { tags: [tag], ...body });
    const zurich = await make({ name: 'Zürcher Kantonalbank', country: 'CH' });
    const zeta = await make({ name: 'Zeta Systems', country: 'DE' });
    await make({ name: 'Other Zurich', country: 'CH' });

    const byPrefix = await world.admin.client.get('/companies?q=ZURC');
    expect(byPrefix.body.items.map((item: { id: string }) => item.id)).toEqual([zurich.body.id]);

    const byTagAndCountry = await world.admin.client.get(`/companies?tag=${tag}&country=de`);
    expect(byTagAndCountry.body.items.map((item: { id: string }) => item.id)).toEqual([zeta.body.id]);

    const repCompany = await world.repRed.client.post('/companies', { name: 'Rep Owned', tags: [tag] });
    const byOwner = await world.admin.client.get(`/companies?ownerId=${world.repRed.id}`);
    expect(byOwner.body.items.map((item: { id: string }) => item.id)).toEqual([repCompany.body.id]);
  });

  it('pages through a list with sealed cursors', async () => {
    const tag = unique('page');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await world.admin.client.post('/companies', { name: `Paged ${i}`, tags: [tag] })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await world.admin.client.get(
        `/companies?tag=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('validates input and lists every bad field', async () => {
    const response = await world.admin.client.post('/companies', {
      name: '',
      domain: 'not a domain',
      size: -3,
      website: 'ftp://example.com',
      country: 'Spain',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(
      ['country', 'domain', 'name', 'size', 'website'].sort(),
    );
    expect((await world.admin.client.get('/companies?limit=0')).status).toBe(400);
    for (const limit of ['abc', '-1', '1000']) {
      const bad = await world.admin.client.get(`/companies?limit=${limit}`);
      expect(bad.status).toBe(400);
      // Each bad field is listed once.
      expect(bad.body.errors.map((error: { path: string }) => error.path)).toEqual(['limit']);
    }
    expect((await world.admin.client.get('/companies?sort=name')).status).toBe(400);
  });
});

describe('companies: roles and tenancy', () => {
  it('hides a company from another tenant exactly like a missing one', async () => {
    const company = await world.admin.client.post('/companies', { name: 'Private Co' });
    const id = company.body.id;
    const missing = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    for (const path of [`/companies/${id}`, `/companies/${missing}`]) {
      const read = await world.stranger.client.get(path);
      expect(read.status).toBe(404);
      expect(read.body.detail).toBe('Company not found');
      expect((await world.stranger.client.patch(path, { name: 'Hacked' })).status).toBe(404);
      expect((await world.stranger.client.delete(path)).status).toBe(404);
      expect((await world.stranger.client.post(`${path}/restore`)).status).toBe(404);
    }
    const theirList = await world.stranger.client.get('/companies?q=private');
    expect(theirList.body.items).toEqual([]);
    expect((await world.admin.client.get(`/companies/${id}`)).body.name).toBe('Private Co');
  });

  it('lets a rep read their team’s companies, change only their own, and not see other teams', async () => {
    const { repRed, repRed2, repBlue, managerRed } = world;
    const own = await repRed.client.post('/companies', { name: 'Red Own' });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ ownerId: repRed.id, teamId: world.teams.red });
    const id = own.body.id;

    expect((await repRed2.client.get(`/companies/${id}`)).status).toBe(200);
    expect((await repRed2.client.patch(`/companies/${id}`, { city: 'Oslo' })).status).toBe(403);
    expect((await repRed2.client.delete(`/companies/${id}`)).status).toBe(403);
    expect((await repBlue.client.get(`/companies/${id}`)).status).toBe(404);
    expect((await repBlue.client.patch(`/companies/${id}`, { city: 'Oslo' })).status).toBe(404);
    expect((await repRed.client.patch(`/companies/${id}`, { city: 'Oslo' })).status).toBe(200);
    expect((await managerRed.client.patch(`/companies/${id}`, { city: 'Bergen' })).status).toBe(200);

    const blueList = await repBlue.client.get('/companies?q=red own');
    expect(blueList.body.items).toEqual([]);
    const redList = await repRed2.client.get('/companies?q=red own');
    expect(redList.body.items.map((item: { id: string }) => item.id)).toContain(id);
  });

  it('gives reps a plain list of exactly their team’s records, or their own without a team', async () => {
    const ids = (response: { body: { items: { id: string; teamId?: string; ownerId: string }[] } }) =>
      response.body.items;
    const red = await world.repRed.client.post('/companies', { name: 'Red plain' });
    const blue = await world.repBlue.client.post('/companies', { name: 'Blue plain' });
    const redView = ids(await world.repRed2.client.get('/companies?limit=200'));
    expect(redView.map((item) => item.id)).toContain(red.body.id);
    expect(redView.map((item) => item.id)).not.toContain(blue.body.id);
    expect(redView.every((item) => item.teamId === world.teams.red)).toBe(true);

    const loner = await world.admin.client.post('/users', {
      email: `${unique('loner')}@example.com`,
      name: 'Loner',
      role: 'rep',
    });
    const lonerClient = api(await tokenFor({ tenant: world.tenant, role: 'rep', user: loner.body.id }));
    const own = await lonerClient.post('/companies', { name: 'Loner Co' });
    expect(own.body.teamId).toBeUndefined();
    const lonerView = ids(await lonerClient.get('/companies'));
    expect(lonerView.map((item) => item.id)).toEqual([own.body.id]);
    expect((await lonerClient.get(`/companies/${red.body.id}`)).status).toBe(404);
  });

  it('lets only admins and team managers assign owners', async () => {
    const { repRed, repRed2, repBlue, managerRed, admin } = world;
    expect((await repRed.client.post('/companies', { name: 'X', ownerId: repRed2.id })).status).toBe(403);
    const byManager = await managerRed.client.post('/companies', { name: 'Y', ownerId: repRed2.id });
    expect(byManager.status).toBe(201);
    expect(byManager.body).toMatchObject({ ownerId: repRed2.id, teamId: world.teams.red });
    expect((await managerRed.client.post('/companies', { name: 'Z', ownerId: repBlue.id })).status).toBe(403);
    const byAdmin = await admin.client.post('/companies', { name: 'W', ownerId: repBlue.id });
    expect(byAdmin.body).toMatchObject({ ownerId: repBlue.id, teamId: world.teams.blue });
    expect((await admin.client.post('/companies', { name: 'V', ownerId: 'nobody' })).status).toBe(400);
    // A manager of another team may read but not change a blue company.
    expect((await managerRed.client.get(`/companies/${byAdmin.body.id}`)).status).toBe(200);
    expect((await managerRed.client.patch(`/companies/${byAdmin.body.id}`, { name: 'Nope' })).status).toBe(
      403,
    );
  });
});
