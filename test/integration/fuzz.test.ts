import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from './world.ts';

let world: World;
let ids: Record<string, string>;

beforeAll(async () => {
  world = await createWorld();
  ids = {
    company: (await world.admin.client.post('/companies', { name: 'Fuzz target' })).body.id,
    contact: (await world.admin.client.post('/contacts', { firstName: 'Fuzz target' })).body.id,
    team: world.teams.red,
    user: world.repRed.id,
  };
});

/** Values shaped like what clients send, and like what they should not. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string(),
  fc.constantFrom(
    null,
    -1,
    0,
    1e308,
    '',
    ' ',
    '<script>',
    'a@b',
    '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    '\u0000',
    '💥',
  ),
);
const fieldNames = [
  'name',
  'domain',
  'industry',
  'size',
  'country',
  'city',
  'phone',
  'website',
  'tags',
  'ownerId',
  'customFields',
  'firstName',
  'lastName',
  'email',
  'companyId',
  'title',
  'lifecycleStage',
  'marketingStatus',
  'role',
  'teamId',
  'active',
  '__proto__',
  'constructor',
];
const bodies = fc.oneof(
  fc.dictionary(fc.constantFrom(...fieldNames), anyJson, { maxKeys: 8 }),
  fc.dictionary(fc.string(), anyJson, { maxKeys: 4 }),
  anyJson,
);

describe('random bodies against every POST and PATCH', () => {
  it('never answers 5xx', { timeout: 240_000 }, async () => {
    const targets = () =>
      [
        ['POST', '/companies'],
        ['POST', '/contacts'],
        ['POST', '/teams'],
        ['POST', '/users'],
        ['PATCH', `/companies/${ids.company}`],
        ['PATCH', `/contacts/${ids.contact}`],
        ['PATCH', `/teams/${ids.team}`],
        ['PATCH', `/users/${ids.user}`],
      ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7), bodies, async (index, body) => {
        const [method, path] = targets()[index] as readonly [string, string];
        const response = await world.admin.client.raw(method, path, JSON.stringify(body), {
          'content-type': 'application/json',
        });
        expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        if (response.status >= 400)
          expect(response.headers.get('content-type')).toContain('application/problem+json');
      }),
      { numRuns: 300 },
    );
  });
});
