import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiResponse } from '../support/api.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * Keys a client chooses (custom fields, maps, filter fields, template
 * variables) that every JavaScript object already carries are refused with a
 * 400 naming the key: never a 500, never silently dropped.
 */
const PROTOTYPE_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

let world: World;
let admin: ApiClient;
beforeAll(async () => {
  world = await createWorld();
  admin = world.admin.client;
});

/** A JSON text with the key as an own property, as a client sends it (`{ __proto__: ... }` in code would not be one). */
const customFieldsBody = (fields: Record<string, unknown>, key: string) =>
  JSON.stringify({ ...fields, customFields: JSON.parse(`{"ok": "kept", ${JSON.stringify(key)}: "y"}`) });

const send = (
  method: 'POST' | 'PATCH' | 'PUT',
  path: string,
  text: string,
  headers: Record<string, string> = {},
) => admin.raw(method, path, text, { 'content-type': 'application/json', ...headers });

function expectRefusedKey(response: ApiResponse, path: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
}

describe('prototype-named keys in client maps', () => {
  it('refuses them in customFields of contacts and companies, on create and on merge-patch, naming the key', async () => {
    const contact = (await admin.post('/contacts', { firstName: 'Proto', customFields: { ok: 'kept' } }))
      .body;
    const company = (
      await admin.post('/companies', { name: unique('Proto Co'), customFields: { ok: 'kept' } })
    ).body;
    for (const key of PROTOTYPE_KEYS) {
      expectRefusedKey(
        await send('POST', '/contacts', customFieldsBody({ firstName: 'x' }, key)),
        `customFields.${key}`,
      );
      expectRefusedKey(
        await send('POST', '/companies', customFieldsBody({ name: unique('Co') }, key)),
        `customFields.${key}`,
      );
      expectRefusedKey(
        await send('PATCH', `/contacts/${contact.id}`, customFieldsBody({}, key)),
        `customFields.${key}`,
      );
      expectRefusedKey(
        await send('PATCH', `/companies/${company.id}`, customFieldsBody({}, key)),
        `customFields.${key}`,
      );
    }
    // Nothing was written by the refused requests.
    expect((await admin.get(`/contacts/${contact.id}`)).body).toMatchObject({
      version: 1,
      customFields: { ok: 'kept' },
    });
    expect((await admin.get(`/companies/${company.id}`)).body).toMatchObject({
      version: 1,
      customFields: { ok: 'kept' },
    });
  });

  it('refuses a __proto__ key nested deeper, and at the top level of a body', async () => {
    const nested = await send('POST', '/contacts', '{"firstName":"x","customFields":{"__proto__":{"a":1}}}');
    expectRefusedKey(nested, 'customFields.__proto__');
    expectRefusedKey(
      await send('POST', '/contacts', '{"firstName":"x","__proto__":{"ownerId":"x"}}'),
      '__proto__',
    );
    expectRefusedKey(await send('POST', '/contacts', '{"firstName":"x","constructor":"y"}'), 'constructor');
  });

  it('keeps keys that only resemble them, and merge-patches them as own keys', async () => {
    const keys = { constructorName: 'a', proto: 'b', toStringValue: 'c', Constructor: 'd' };
    const created = await admin.post('/contacts', { firstName: 'Near', customFields: keys });
    expect(created.status, created.text).toBe(201);
    expect(created.body.customFields).toEqual(keys);
    const patched = await admin.patch(`/contacts/${created.body.id}`, {
      customFields: { proto: null, extra: 1 },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.customFields).toEqual({
      constructorName: 'a',
      toStringValue: 'c',
      Constructor: 'd',
      extra: 1,
    });
  });

  it('refuses them in the lead-assignment countries and pipeline move maps', async () => {
    const countries = await send(
      'PUT',
      '/settings/lead-assignment',
      `{"strategy":"by_country","userIds":["${world.repRed.id}"],"countries":{"__proto__":"${world.repRed.id}"}}`,
    );
    expectRefusedKey(countries, 'countries.__proto__');
    const stages = [
      { name: 'A', probability: 10 },
      { name: 'Won', probability: 100, kind: 'won' },
      { name: 'Lost', probability: 0, kind: 'lost' },
    ];
    const pipeline = await admin.post('/pipelines', { name: unique('P'), stages });
    expect(pipeline.status, pipeline.text).toBe(201);
    const moved = await send(
      'PATCH',
      `/pipelines/${pipeline.body.id}`,
      JSON.stringify({ stages }).replace(/}$/, ',"moveDeals":{"constructor":"y"}}'),
    );
    expectRefusedKey(moved, 'moveDeals.constructor');
  });

  it('names them as unknown query parameters instead of dropping them', async () => {
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const response = await admin.get(`/contacts?${key}=x`);
      expect(response.status, `${key}: ${response.text}`).toBe(400);
      expect(response.text).toContain(key);
    }
  });

  it('refuses segment filter fields and template variables named after them', async () => {
    for (const key of PROTOTYPE_KEYS) {
      for (const field of [`customFields.${key}`, `company.customFields.${key}`]) {
        const segment = await admin.post('/segments', {
          name: unique('Proto'),
          filter: { all: [{ field, op: 'eq', value: 'y' }] },
        });
        expect(segment.status, `${field}: ${segment.text}`).toBe(400);
      }
      const template = await admin.post('/templates', {
        name: unique('Proto'),
        subject: 'Hi',
        html: `<p>{{contact.customFields.${key}}}</p>`,
      });
      expect(template.status, `${key}: ${template.text}`).toBe(400);
      expect(template.text).toContain(key);
    }
    const fine = await admin.post('/segments', {
      name: unique('Near'),
      filter: { all: [{ field: 'customFields.constructorName', op: 'eq', value: 'a' }] },
    });
    expect(fine.status, fine.text).toBe(201);
  });
});
