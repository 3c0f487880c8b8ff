import { beforeAll, describe, expect, it } from 'vitest';
import { createWorld, unique, type World } from './world.ts';

let world: World;

beforeAll(async () => {
  world = await createWorld();
});

/** Every list route that takes `q`. */
const SEARCHABLE_LISTS = [
  '/contacts',
  '/companies',
  '/leads',
  '/deals',
  '/cases',
  '/activities',
  '/products',
  '/segments',
  '/templates',
  '/campaigns',
  '/sequences',
];

describe('inputs a fuzzer found answering 5xx', () => {
  it('q of only a combining accent (or spaces and accents) is a 400 naming q on every list route', async () => {
    for (const path of SEARCHABLE_LISTS) {
      for (const q of ['%CC%81', '%20%CC%81%CC%88%20']) {
        const response = await world.repRed.client.get(`${path}?q=${q}`);
        expect(response.status, `${path}?q=${q}: ${response.text}`).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.body.errors).toEqual([{ path: 'q', message: expect.any(String) }]);
      }
    }
    // An accent on a letter still searches.
    expect((await world.admin.client.get('/contacts?q=e%CC%81')).status).toBe(200);
  });

  it('a segment text value of only accents is refused rather than matching everyone', async () => {
    const response = await world.admin.client.post('/segments', {
      name: unique('Accent'),
      filter: { all: [{ field: 'city', op: 'contains', value: '\u0301' }] },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('filter.all[0].value');
  });

  it('null removes a list the record always carries, leaving it empty: deals, contacts, companies', async () => {
    const contact = await world.admin.client.post('/contacts', { firstName: 'Listed', tags: ['a'] });
    const deal = await world.admin.client.post('/deals', {
      name: unique('Nulls'),
      contactIds: [contact.body.id],
    });
    expect(deal.status).toBe(201);
    for (const field of ['productIds', 'contactIds']) {
      const response = await world.admin.client.patch(`/deals/${deal.body.id}`, { [field]: null });
      expect(response.status, response.text).toBe(200);
      expect(response.body[field]).toEqual([]);
    }
    const company = await world.admin.client.post('/companies', {
      name: unique('Nulls Co'),
      tags: ['x'],
      customFields: { plan: 'gold' },
    });
    for (const path of [`/contacts/${contact.body.id}`, `/companies/${company.body.id}`]) {
      const response = await world.admin.client.patch(path, { tags: null, customFields: null });
      expect(response.status, response.text).toBe(200);
      expect(response.body.tags).toEqual([]);
      expect(response.body.customFields).toEqual({});
    }
    // The lists still work on what was emptied.
    expect((await world.admin.client.get(`/contacts?tag=a`)).status).toBe(200);
    expect((await world.admin.client.get(`/deals/${deal.body.id}`)).body.productIds).toEqual([]);
  });

  it('customFields numbers that cannot be kept exactly are refused with 400; others are kept exactly', async () => {
    // JSON text, so the numbers reach the API exactly as a client would send them.
    for (const number of ['9007199254740993', '1e200', '5e-324', '-1e300', '12345678901234567890']) {
      for (const [method, path] of [
        ['POST', '/contacts'],
        ['POST', '/companies'],
      ]) {
        const body = `{"${path === '/contacts' ? 'firstName' : 'name'}":"${unique('N')}","customFields":{"n":${number}}}`;
        const response = await world.admin.client.raw(method as string, path as string, body, {
          'content-type': 'application/json',
        });
        expect(response.status, `${path} ${number}: ${response.text}`).toBe(400);
        expect(response.body.errors[0].path).toBe('customFields.n');
      }
    }
    const contact = await world.admin.client.post('/contacts', { firstName: 'Exact' });
    const exact = { big: 9007199254740991, small: 1.5e-100, half: 0.5, negative: -42.125 };
    const patched = await world.admin.client.patch(`/contacts/${contact.body.id}`, { customFields: exact });
    expect(patched.status, patched.text).toBe(200);
    expect((await world.admin.client.get(`/contacts/${contact.body.id}`)).body.customFields).toEqual(exact);
    const segment = await world.admin.client.post('/segments', {
      name: unique('Huge'),
      filter: { all: [{ field: 'company.size', op: 'gt', value: 1e200 }] },
    });
    expect(segment.status).toBe(400);
  });

  it('no number a body carries anywhere reaches a write DynamoDB refuses: 400 naming the field', async () => {
    const deal = await world.admin.client.post('/deals', { name: unique('Tiny'), currency: 'EUR' });
    const cases: [string, string, string, string[]][] = [
      ['POST', '/deals', `{"name":"Tiny","currency":"EUR","amount":3.9874284315044415e-144}`, ['amount']],
      ['PUT', '/settings/sla', '{"urgent":9.4e-323,"high":6,"low":7e-323}', ['urgent', 'low']],
      [
        'POST',
        `/deals/${deal.body.id}/quotes`,
        '{"lines":[{"description":"x","quantity":1,"unitPrice":1,"discountPct":1e-200}]}',
        ['lines.0.discountPct'],
      ],
      ['PATCH', `/deals/${deal.body.id}`, '{"amount":12345678901234567890}', ['amount']],
    ];
    for (const [method, path, body, fields] of cases) {
      const response = await world.admin.client.raw(method, path, body, {
        'content-type': 'application/json',
      });
      expect(response.status, `${method} ${path}: ${response.text}`).toBe(400);
      expect(response.body.errors).toEqual(
        fields.map((field) => ({ path: field, message: expect.stringContaining('safe integer') })),
      );
    }
  });

  it('a name whose search form expands past a key (NFKD) is stored and found', async () => {
    const response = await world.admin.client.post('/contacts', { firstName: '\uFDFA'.repeat(100) });
    expect(response.status, response.text).toBe(201);
    const found = await world.admin.client.get(`/contacts?q=${encodeURIComponent('\uFDFA'.repeat(100))}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((item: { id: string }) => item.id)).toContain(response.body.id);
  });
});
