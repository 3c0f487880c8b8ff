import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, api } from '../support/api.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * The API fuzz: every operation the OpenAPI document describes, called by an
 * admin, a manager and a rep, with path ids of real records and junk, query
 * strings and bodies generated from the documented schemas, then mutated.
 * Seeded and bounded; nothing may answer 5xx, and every 4xx is problem+json.
 */

/** Fixed, so a run is reproducible; FUZZ_SEED explores other inputs. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_129);
/**
 * Requests per operation: 3 in `npm test` (with ~140 operations, about 400 requests, the first 3 of
 * each operation's seeded sequence); FUZZ_RUNS raises it for a deep run (FUZZ_RUNS=50). The inputs
 * it once failed on are kept as fixed cases in fuzz-findings.test.ts.
 */
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 3);

type Schema = Record<string, unknown>;
interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema?: Schema;
}
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly body: Schema | undefined;
}

let world: World;
let operations: Operation[];
/** Real record ids by the first path segment (`contacts`) or parameter name (`contactId`). */
const real: Record<string, string> = {};

const junkIds = [
  '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  '00000000000000000000000000',
  'x',
  'A'.repeat(129),
  // Not `..`: URLs resolve dot segments, which makes another route, not another id.
  'a.b',
  '%2F',
  '%00',
  '%F0%9F%92%A5',
  'null',
  "'%20OR%201=1",
];

/** Values clients should not send, of every JSON type. */
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    -1,
    0,
    1e308,
    -1e308,
    5e-324,
    2 ** 53 + 2,
    '',
    ' ',
    '\u0301',
    '\u0000',
    '💥',
    '<script>',
    '2030-02-30',
    '2030-02-30T10:00:00Z',
    'a@b',
    '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    [],
    {},
    [null],
    { any: [] },
    'x'.repeat(5000),
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string(),
);

function resolve(schema: Schema, document: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const target = ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
  return (target as Schema | undefined) ?? {};
}

let openApi: Schema;

/** Body fields that name a record, and which real record (a key of `real`). */
const referenceFields: Record<string, string> = {
  companyId: 'companies',
  contactId: 'contacts',
  contactIds: 'contacts',
  pipelineId: 'pipelines',
  productId: 'products',
  productIds: 'products',
  templateId: 'templates',
  segmentId: 'segments',
  ownerId: 'users',
  assigneeId: 'users',
  teamId: 'teams',
  userIds: 'users',
};

/** Values a documented schema accepts (mostly): formats, patterns, bounds, enums, unions. */
function fromSchema(input: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!input || depth > 4) return junkValue;
  const schema = resolve(input, openApi);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (union?.length) return fc.oneof(...union.map((option) => fromSchema(option, depth + 1)));
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0)
    return fromSchema(schema.allOf[0] as Schema, depth + 1);
  const min = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  switch (schema.type) {
    case 'string':
      return stringFrom(schema, min('minLength') ?? 0, min('maxLength'));
    case 'integer':
      return fc.integer({ min: min('minimum') ?? -1_000_000, max: min('maximum') ?? 1_000_000 });
    case 'number': {
      const low = min('minimum');
      const high = min('maximum');
      // Unbounded numbers range over every double: 5e-324, 1e308, integers past 2^53.
      const any = fc.double({ noNaN: true, noDefaultInfinity: true });
      if (low === undefined && high === undefined) return fc.oneof(any, fc.integer());
      return fc.oneof(
        fc.double({ min: low ?? -1e9, max: high ?? 1e9, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: Math.ceil(low ?? -1000), max: Math.floor(high ?? 1000) }),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items as Schema | undefined, depth + 1), {
        minLength: min('minItems') ?? 0,
        maxLength: Math.max(min('minItems') ?? 0, Math.min(min('maxItems') ?? 4, 4)),
      });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      const shape = Object.fromEntries(
        Object.entries(properties).map(([name, property]) => {
          const generated = fromSchema(property, depth + 1);
          // References mostly name the real records, so writes get past their existence checks.
          const id = real[referenceFields[name] ?? ''];
          if (!id) return [name, generated];
          const value = property.type === 'array' || name.endsWith('Ids') ? [id] : id;
          return [
            name,
            fc.oneof({ arbitrary: fc.constant(value), weight: 2 }, { arbitrary: generated, weight: 1 }),
          ];
        }),
      );
      const extra = schema.additionalProperties;
      const record = fc.record(shape, { requiredKeys: required.filter((name) => name in shape) });
      if (!extra || typeof extra !== 'object' || Object.keys(properties).length > 0) return record;
      return fc.dictionary(
        fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,10}$/),
        fromSchema(extra as Schema, depth + 1),
        {
          maxKeys: 4,
        },
      );
    }
    default:
      return junkValue;
  }
}

function stringFrom(schema: Schema, minLength: number, maxLength: number | undefined): fc.Arbitrary<string> {
  const format = schema.format;
  const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });
  if (format === 'date') return iso.map((date) => date.toISOString().slice(0, 10));
  if (format === 'date-time') return iso.map((date) => date.toISOString());
  if (format === 'email') return fc.emailAddress();
  if (format === 'uri' || format === 'url') return fc.webUrl();
  const longest = Math.min(maxLength ?? 60, 60);
  const plain = fc.string({ minLength, maxLength: Math.max(minLength, longest), unit: 'grapheme' });
  const atLimit = maxLength !== undefined && maxLength <= 400_000 ? [fc.constant('y'.repeat(maxLength))] : [];
  // Text that normalisation empties: only accents, only spaces.
  const folding = fc.constantFrom('\u0301', ' \u0308\u0301 ', '\u3000');
  if (typeof schema.pattern !== 'string')
    return fc.oneof({ arbitrary: plain, weight: 4 }, { arbitrary: folding, weight: 1 }, ...atLimit);
  // fast-check cannot generate lookarounds: drop them, and let the server refuse the rare miss.
  const pattern = schema.pattern.replace(/\(\?<?[!=][^)]*\)/g, '');
  try {
    return fc.stringMatching(new RegExp(pattern)).filter((value) => value.length <= (maxLength ?? 4096));
  } catch {
    return plain;
  }
}

/** A valid-looking body, or one with a field dropped, replaced by junk, or added; or junk outright. */
function bodyFor(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const valid = fromSchema(schema);
  const mutated = fc
    .tuple(valid, fc.nat(), junkValue, fc.constantFrom('drop', 'replace', 'add'))
    .map(([value, index, junk, how]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return junk;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const key = keys[index % Math.max(keys.length, 1)];
      if (how === 'add' || key === undefined) copy[`unknown${index % 3}`] = junk;
      else if (how === 'drop') delete copy[key];
      else copy[key] = junk;
      return copy;
    });
  return fc.oneof(
    { arbitrary: valid, weight: 3 },
    { arbitrary: mutated, weight: 3 },
    { arbitrary: junkValue, weight: 1 },
  );
}

function pathFor(operation: Operation): fc.Arbitrary<string> {
  const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const segment = operation.path.split('/')[1] ?? '';
  const choices = names.map((name) => {
    const id = name === 'id' ? real[segment] : real[name];
    const junk = fc.oneof(
      fc.constantFrom(...junkIds),
      fc
        .string({ minLength: 1 })
        .map(encodeURIComponent)
        .filter((value) => value !== '.' && value !== '..'),
    );
    return id ? fc.oneof({ arbitrary: fc.constant(id), weight: 4 }, { arbitrary: junk, weight: 1 }) : junk;
  });
  return fc
    .tuple(...choices)
    .map((values) =>
      names.reduce((path, name, index) => path.replace(`{${name}}`, String(values[index])), operation.path),
    );
}

function queryFor(operation: Operation): fc.Arbitrary<string> {
  const parameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  // Documented values (no cursor: a valid one only comes from a previous page)...
  const valid = fc.tuple(
    ...parameters.map((parameter) =>
      parameter.name === 'cursor'
        ? fc.constant(undefined)
        : fc.option(fromSchema(parameter.schema).map(String), { nil: undefined, freq: 2 }),
    ),
  );
  // ...then, now and then, one of them junk, or a parameter nobody documented.
  const junkText = junkValue.map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
  const junk = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: parameters.length > 0 ? 3 : 8 },
    { arbitrary: fc.tuple(fc.nat(), junkText, fc.string({ minLength: 1, maxLength: 8 })), weight: 1 },
  );
  return fc.tuple(valid, junk).map(([values, mutation]) => {
    const query = new URLSearchParams();
    parameters.forEach((parameter, index) => {
      const value = values[index];
      if (value !== undefined) query.set(parameter.name, value);
    });
    if (mutation) {
      const [at, value, name] = mutation;
      const target = parameters[at % (parameters.length + 1)];
      query.set(target?.name ?? name, value);
    }
    const text = query.toString();
    return text ? `?${text}` : '';
  });
}

const created = async (client: ApiClient, path: string, body: unknown) => {
  const response = await client.post(path, body);
  expect(response.status, `${path}: ${response.text}`).toBe(201);
  return response.body.id as string;
};

beforeAll(async () => {
  world = await createWorld();
  openApi = (await api(undefined).get('/openapi.json')).body;
  const methodOrder = ['get', 'post', 'put', 'patch', 'delete'];
  operations = Object.entries(openApi.paths as Record<string, Record<string, Schema>>)
    .flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        parameters: ((operation.parameters ?? []) as Parameter[]).map((parameter) => ({
          ...parameter,
          ...(parameter.schema ? { schema: resolve(parameter.schema, openApi) } : {}),
        })),
        body: (
          (operation.requestBody as Schema | undefined)?.content as
            | Record<string, { schema?: Schema }>
            | undefined
        )?.['application/json']?.schema,
      })),
    )
    // Reads first and deletions last, so the real records live through most of the run.
    .sort(
      (a, b) => methodOrder.indexOf(a.method.toLowerCase()) - methodOrder.indexOf(b.method.toLowerCase()),
    );

  const rep = world.repRed.client;
  real.users = world.repRed.id;
  real.teams = world.teams.red;
  real.companies = await created(rep, '/companies', { name: unique('Fuzz Co') });
  real.contacts = await created(rep, '/contacts', {
    firstName: 'Fuzz',
    lastName: 'Target',
    email: `${unique('fuzz')}@example.com`,
    companyId: real.companies,
  });
  real.contactId = real.contacts;
  real.leads = await created(rep, '/leads', { firstName: 'Fuzz', lastName: 'Lead' });
  real.pipelines = (await rep.get('/pipelines')).body.items[0].id;
  // /settings/fields/{entity}: definitions the fuzz saves then apply to the deals it writes.
  real.entity = 'deals';
  real.deals = await created(rep, '/deals', {
    name: 'Fuzz deal',
    amount: 100,
    currency: 'EUR',
    companyId: real.companies,
    contactIds: [real.contacts],
  });
  real.products = await created(world.admin.client, '/products', {
    name: 'Fuzz unit',
    unitPrice: 10,
    currency: 'EUR',
  });
  real.quotes = await created(rep, `/deals/${real.deals}/quotes`, {
    lines: [{ description: 'Unit', quantity: 2, unitPrice: 10 }],
  });
  real.cases = await created(rep, '/cases', {
    subject: 'Fuzz case',
    type: 'complaint',
    contactId: real.contacts,
  });
  real.activities = await created(rep, '/activities', {
    type: 'task',
    subject: 'Fuzz task',
    related: { type: 'contact', id: real.contacts },
  });
  real.segments = await created(rep, '/segments', {
    name: unique('Fuzz segment'),
    filter: { all: [{ field: 'email', op: 'exists' }] },
  });
  real.templates = await created(rep, '/templates', {
    name: unique('Fuzz template'),
    subject: 'Hi',
    html: '<p>Hi</p>',
  });
  real.campaigns = await created(rep, '/campaigns', {
    name: unique('Fuzz campaign'),
    templateId: real.templates,
    segmentId: real.segments,
    fromEmail: 'sales@example.com',
  });
  real.sequences = await created(rep, '/sequences', {
    name: unique('Fuzz sequence'),
    steps: [{ delayHours: 1, templateId: real.templates }],
  });
});

describe('the API under generated and junk requests', () => {
  it('drives every documented operation as admin, manager and rep: never a 5xx, every 4xx problem+json', {
    timeout: 600_000,
  }, async () => {
    expect(operations.length).toBeGreaterThan(100);
    const callers = [world.admin.client, world.managerRed.client, world.repRed.client];
    for (const [index, operation] of operations.entries()) {
      const request = fc.record({
        caller: fc.nat({ max: callers.length - 1 }),
        path: pathFor(operation),
        query: queryFor(operation),
        body: operation.body ? bodyFor(operation.body) : fc.constant(undefined),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ caller, path, query, body }) => {
          const client = callers[caller] as ApiClient;
          const text = body === undefined ? undefined : JSON.stringify(body);
          const response = await client.raw(
            operation.method,
            `${path}${query}`,
            text,
            text === undefined ? {} : { 'content-type': 'application/json' },
          );
          const what = `${operation.method} ${path}${query} ${text?.slice(0, 300) ?? ''} → ${response.text.slice(0, 300)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers.get('content-type'), what).toContain('application/problem+json');
            expect(response.body.status, what).toBe(response.status);
          }
        }),
        { seed: SEED + index, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    }
  });
});
