import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, eventually } from '../support/api.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
let dealId: string;

/** 2,000 UTF-16 units, 4,000 UTF-8 bytes: within every per-field length, heavy for the item. */
const heavy = '𝔸'.repeat(1000);
/** `count` custom fields of three heavy strings each: about 12 KB per field. */
const bulky = (count: number, prefix = 'f', text = heavy) =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}${index}`, [text, text, text]]));

const tooLarge = (response: ApiResponse, path: RegExp) => {
  expect(response.status, response.text.slice(0, 300)).toBe(413);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors[0].path).toMatch(path);
};

beforeAll(async () => {
  world = await createWorld();
  dealId = (await world.admin.client.post('/deals', { name: unique('Big deal'), currency: 'EUR' })).body.id;
});

describe('every write checks its item size: 413 naming the field, never a 500', () => {
  it('a template of 300,000 html and 150,000 text characters, each within its own limit', async () => {
    const name = unique('Huge template');
    const response = await world.admin.client.post('/templates', {
      name,
      subject: 'Hi',
      html: `<p>${'a'.repeat(300_000)}</p>`,
      text: 'b'.repeat(150_000),
    });
    tooLarge(response, /^html$/);
    const listed = await world.admin.client.get(`/templates?q=${encodeURIComponent(name)}`);
    expect(listed.body.items).toEqual([]);
  });

  it('a template that grows past the limit with a PATCH keeps its last version', async () => {
    const created = await world.admin.client.post('/templates', {
      name: unique('Growing'),
      subject: 'Hi',
      html: `<p>${'a'.repeat(100_000)}</p>`,
    });
    expect(created.status).toBe(201);
    tooLarge(
      await world.admin.client.patch(`/templates/${created.body.id}`, { text: 'b'.repeat(199_000) }),
      /^text$/,
    );
    const after = await world.admin.client.get(`/templates/${created.body.id}`);
    expect(after.body.version).toBe(1);
    expect(after.body.text).toBeUndefined();
  });

  it('contacts and companies: customFields too large on create, and growing with each PATCH', async () => {
    const bases = {
      '/contacts': () => ({ firstName: 'Big' }),
      '/companies': () => ({ name: unique('Big Co') }),
    };
    for (const [path, base] of Object.entries(bases)) {
      tooLarge(
        await world.admin.client.post(path, { ...base(), customFields: bulky(40) }),
        /^customFields\.f\d+$/,
      );
      const created = await world.admin.client.post(path, { ...base(), customFields: bulky(25) });
      expect(created.status, created.text.slice(0, 300)).toBe(201);
      const id = created.body.id;
      const grown = await world.admin.client.patch(`${path}/${id}`, { customFields: bulky(6, 'g') });
      expect(grown.status, grown.text.slice(0, 300)).toBe(200);
      tooLarge(
        await world.admin.client.patch(`${path}/${id}`, { customFields: bulky(6, 'h') }),
        /^customFields\./,
      );
      const after = await world.admin.client.get(`${path}/${id}`);
      expect(after.body.version).toBe(2);
      expect(Object.keys(after.body.customFields)).toHaveLength(31);
    }
  });

  it('a quote whose lines, each within its limits, add up past the limit', async () => {
    const lines = Array.from({ length: 200 }, () => ({
      description: heavy.slice(0, 1000),
      quantity: 1,
      unitPrice: 1,
    }));
    tooLarge(await world.admin.client.post(`/deals/${dealId}/quotes`, { lines, currency: 'EUR' }), /^lines$/);
  });

  it('a segment whose filter no longer fits in the campaigns that copy it', async () => {
    const values = Array.from({ length: 100 }, (_, index) => `${index}-${'v'.repeat(400)}`);
    const filter = { any: Array.from({ length: 3 }, () => ({ field: 'city', op: 'in', value: values })) };
    tooLarge(await world.admin.client.post('/segments', { name: unique('Wide'), filter }), /^filter\b/);
  });

  it('a change to large custom fields still reaches the timeline, described rather than copied twice', async () => {
    const created = await world.admin.client.post('/contacts', {
      firstName: 'Timeline',
      customFields: bulky(25),
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(
      (await world.admin.client.patch(`/contacts/${id}`, { customFields: bulky(25, 'f', '𝔹'.repeat(1000)) }))
        .status,
    ).toBe(200);
    expect((await world.admin.client.patch(`/contacts/${id}`, { title: 'Chief' })).status).toBe(200);
    // Old and new values of 300 KB each would not fit in one entry; the stream must not stall on them.
    await eventually(
      async () => {
        const timeline = (await world.admin.client.get(`/contacts/${id}/timeline`)).body.items as {
          kind: string;
          changes?: { field: string; from: unknown; to: unknown; summarised?: boolean }[];
        }[];
        const changes = timeline.flatMap((entry) => entry.changes ?? []);
        expect(changes.find((change) => change.field === 'title')).toMatchObject({ to: 'Chief' });
        // Bounded where derived items are written (shared/domain/bounded.ts).
        const large = changes.find((change) => change.field === 'customFields');
        expect(large).toMatchObject({ summarised: true });
        expect(typeof large?.from).toBe('string');
        expect(typeof large?.to).toBe('string');
      },
      { timeoutMs: 30_000 },
    );
  });

  it('a create near the limit with an Idempotency-Key is stored once and replayed whole', async () => {
    // Control characters take 1 byte in the item and 6 in JSON (\u0001): the response outweighs the record.
    const customFields = Object.fromEntries(
      Array.from({ length: 60 }, (_, index) => [`k${index}`, '\u0001'.repeat(2000)]),
    );
    const key = unique('idem-large');
    const first = await world.admin.client.post(
      '/contacts',
      { firstName: 'Idem', customFields },
      { 'idempotency-key': key },
    );
    expect(first.status, first.text.slice(0, 300)).toBe(201);
    const retry = await world.admin.client.post(
      '/contacts',
      { firstName: 'Idem', customFields },
      { 'idempotency-key': key },
    );
    expect(retry.status).toBe(first.status);
    expect(retry.body).toEqual(first.body);
  });

  it('a custom-field string array of 413 KB is refused as a field (400), on create and patch', async () => {
    const array = Array.from({ length: 207 }, () => 'x'.repeat(2000));
    const created = await world.admin.client.post('/contacts', {
      firstName: 'Arr',
      customFields: { list: array },
    });
    expect(created.status).toBe(400);
    expect(created.body.errors[0].path).toMatch(/^customFields\.list/);
    const contact = await world.admin.client.post('/contacts', { firstName: 'Arr' });
    const patched = await world.admin.client.patch(`/contacts/${contact.body.id}`, {
      customFields: { list: array },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.errors[0].path).toMatch(/^customFields\.list/);
  });
});
