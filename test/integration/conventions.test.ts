import { beforeAll, describe, expect, it } from 'vitest';
import { createWorld, unique, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

describe('HTTP conventions', () => {
  it('answers 415 for a body that is not JSON and 400 for JSON that does not parse', async () => {
    const asText = await world.admin.client.raw('POST', '/contacts', 'firstName=Ann', {
      'content-type': 'text/plain',
    });
    expect(asText.status).toBe(415);
    expect(asText.headers.get('content-type')).toContain('application/problem+json');
    const broken = await world.admin.client.raw('POST', '/contacts', '{"firstName": ', {
      'content-type': 'application/json',
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({
      status: 400,
      title: 'Invalid request',
      detail: 'The request body is not valid JSON',
    });
  });

  it('answers 413 for a body over 1 MiB and changes nothing', async () => {
    const name = unique('huge');
    const body = JSON.stringify({ name, industry: 'x'.repeat(1024 * 1024) });
    const response = await world.admin.client.raw('POST', '/companies', body, {
      'content-type': 'application/json',
    });
    expect(response.status).toBe(413);
    expect((await world.admin.client.get(`/companies?q=${name}`)).body.items).toEqual([]);
  });

  it('answers 412 for a stale If-Match and leaves the record as it was', async () => {
    const contact = await world.admin.client.post('/contacts', { firstName: 'Stale' });
    const id = contact.body.id;
    await world.admin.client.patch(`/contacts/${id}`, { title: 'First' }, { 'if-match': '"1"' });
    const stale = await world.admin.client.patch(
      `/contacts/${id}`,
      { title: 'Second' },
      { 'if-match': '"1"' },
    );
    expect(stale.status).toBe(412);
    const current = await world.admin.client.get(`/contacts/${id}`);
    expect(current.body).toMatchObject({ title: 'First', version: 2 });
  });

  it('lets exactly one of a dozen concurrent PATCHes with the same If-Match win', async () => {
    const contact = await world.admin.client.post('/contacts', { firstName: 'Contended' });
    const id = contact.body.id;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        world.admin.client.patch(`/contacts/${id}`, { title: `Writer ${i}` }, { 'if-match': '"1"' }),
      ),
    );
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(11);
    const winner = results.find((result) => result.status === 200);
    const current = await world.admin.client.get(`/contacts/${id}`);
    expect(current.body).toMatchObject({ version: 2, title: winner?.body.title });
  });

  it('applies concurrent PATCHes without If-Match one after another, losing none', async () => {
    // One name is one item; a longer one also writes search words, so each change is a transaction.
    for (const firstName of ['Merged', 'Merged Many Words Here']) {
      const contact = await world.admin.client.post('/contacts', { firstName, customFields: {} });
      const id = contact.body.id;
      const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      const results = await Promise.all(
        keys.map((key) => world.admin.client.patch(`/contacts/${id}`, { customFields: { [key]: true } })),
      );
      // No precondition was asked for, so none may fail one: every request succeeds.
      expect(
        results.map((result) => result.status),
        firstName,
      ).toEqual(keys.map(() => 200));
      const current = await world.admin.client.get(`/contacts/${id}`);
      expect(current.body.version).toBe(1 + keys.length);
      expect(current.body.customFields).toEqual(Object.fromEntries(keys.map((key) => [key, true])));
      expect(current.body.firstName).toBe(firstName);
    }
  });

  it('replays a retried POST with the same Idempotency-Key and refuses the key with another body', async () => {
    const key = unique('idem');
    const body = { firstName: 'Once', email: `${unique('once')}@example.com` };
    const first = await world.admin.client.post('/contacts', body, { 'idempotency-key': key });
    const retry = await world.admin.client.post('/contacts', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    const list = await world.admin.client.get(`/contacts?q=${encodeURIComponent(body.email)}`);
    expect(list.body.items).toHaveLength(1);

    const other = await world.admin.client.post(
      '/contacts',
      { ...body, firstName: 'Twice' },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(409);
    // Keys belong to the caller: another user's identical key is a different request.
    const stranger = await world.stranger.client.post('/contacts', body, { 'idempotency-key': key });
    expect(stranger.status).toBe(201);
    expect(stranger.body.id).not.toBe(first.body.id);
  });

  it('rejects tampered, foreign and cross-query cursors with 400', async () => {
    const tag = unique('cur');
    for (let i = 0; i < 3; i++)
      await world.admin.client.post('/companies', { name: `Cursor ${i}`, tags: [tag] });
    const first = await world.admin.client.get(`/companies?tag=${tag}&limit=1`);
    const cursor: string = first.body.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    expect((await world.admin.client.get(`/companies?tag=${tag}&limit=1&cursor=${cursor}`)).status).toBe(200);

    const [payload, mac] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const tampered = `${Buffer.from(JSON.stringify({ ...decoded, gsi1sk: '0' })).toString('base64url')}.${mac}`;
    for (const [client, query] of [
      [world.admin.client, `tag=${tag}&limit=1&cursor=${tampered}`],
      [world.admin.client, `tag=other&limit=1&cursor=${cursor}`],
      [world.admin.client, `limit=1&cursor=${cursor}`],
      [world.stranger.client, `tag=${tag}&limit=1&cursor=${cursor}`],
      [world.admin.client, 'cursor=garbage'],
    ] as const) {
      const response = await client.get(`/companies?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.errors).toEqual([{ path: 'cursor', message: 'is invalid' }]);
    }
  });

  it('answers unknown ids and malformed ids with 404', async () => {
    expect((await world.admin.client.get('/contacts/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);
    expect((await world.admin.client.get('/contacts/a%23b')).status).toBe(404);
  });
});
