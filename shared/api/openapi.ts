import * as z from 'zod/mini';
import { httpFunctions } from './catalogue.ts';
import { routeExamples } from './examples/routes/index.ts';
import type { RouteDef } from './route.ts';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
};

const problem: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/**
 * What a refused token really gets back. API Gateway's JWT authorizer answers before any
 * function runs, with its own fixed body `{"message":"Unauthorized"}` (not problem+json)
 * and the reason in `WWW-Authenticate` (RFC 6750 §3). A verified token the CRM cannot use
 * (no tenant or role claim) reaches the function and gets a problem+json 401.
 */
const unauthorizedResponse = {
  description:
    'Missing, malformed, expired or wrongly signed token: API Gateway answers `{"message":"Unauthorized"}` ' +
    'and says why in `WWW-Authenticate`. A valid token without a tenant or role: problem+json.',
  headers: {
    'WWW-Authenticate': {
      description:
        '`Bearer` when no token was sent; otherwise `Bearer scope="" error="invalid_token" ' +
        'error_description="..."`, e.g. "the token has expired" or "the token does not have a valid audience".',
      schema: { type: 'string' },
    },
  },
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['message'],
        properties: { message: { const: 'Unauthorized' } },
      },
      example: { message: 'Unauthorized' },
    },
    'application/problem+json': {
      schema: { $ref: '#/components/schemas/Problem' },
      example: {
        type: 'https://crm.dev/problems/401',
        title: 'Unauthorized',
        status: 401,
        detail: 'The token carries no valid tenant',
      },
    },
  },
};

/** A problem+json body as the API sends it (shared/http/problem.ts). */
const problemOf = (status: number, title: string, detail: string, errors?: FieldError[]) => ({
  type: `https://crm.dev/problems/${status}`,
  title,
  status,
  detail,
  ...(errors?.length ? { errors } : {}),
});

interface FieldError {
  path: string;
  message: string;
}

const typeNames: Record<string, string> = { array: 'an array', object: 'an object', string: 'a string' };

/**
 * The 400 a route answers to a typical mistake, worded as its validation words it
 * (shared/http/validation.ts; test/unit/openapi-examples.test.ts holds the two together):
 * an empty body (every required field missing), or a body of the wrong shape when an
 * empty one is fine; for a query, a bad `limit`, `from` or `erase`, or a parameter it does not know.
 */
export function badRequestExample(
  route: RouteDef,
): { input: Record<string, unknown>; problem: unknown } | undefined {
  const attempt = (schema: z.ZodMiniType, value: unknown): FieldError[] => {
    const result = schema.safeParse(value);
    if (result.success) return [];
    return result.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      if (issue.code === 'unrecognized_keys')
        return { path: issue.keys.join('.'), message: 'is not a known field' };
      if (issue.code === 'invalid_type') {
        const at = issue.path.reduce<unknown>(
          (value, key) => (value as Record<PropertyKey, unknown>)?.[key],
          value,
        );
        return {
          path,
          message:
            at === undefined ? 'is required' : `must be ${typeNames[issue.expected] ?? issue.expected}`,
        };
      }
      if (issue.code === 'invalid_format')
        return {
          path,
          message: issue.format === 'regex' ? 'has an invalid format' : `must be a valid ${issue.format}`,
        };
      if (issue.code === 'invalid_value')
        return { path, message: `must be one of: ${issue.values.map(String).join(', ')}` };
      return { path, message: issue.message };
    });
  };
  const problem = (errors: FieldError[]) => {
    const fields = new Set(errors.map((error) => error.path)).size;
    return problemOf(400, 'Invalid request', `${fields} invalid field${fields === 1 ? '' : 's'}`, errors);
  };
  if (route.body) {
    const schema = route.body();
    for (const body of [{}, []]) {
      const errors = attempt(schema, body);
      if (errors.length) return { input: { body }, problem: problem(errors) };
    }
  }
  if (route.query) {
    // The first mistake the route can make about a parameter it knows; else one it does not know.
    const schema = route.query();
    const tries = [{ limit: '0' }, { from: '2026-02-30' }, { erase: 'yes' }, { colour: 'blue' }];
    const answers = tries.map((query) => ({ query, errors: attempt(schema, query) }));
    const known = answers.find(
      ({ errors }) => errors.length && errors.every((e) => e.message !== 'is not a known field'),
    );
    const answer = known ?? answers.find(({ errors }) => errors.length);
    if (answer) return { input: { query: answer.query }, problem: problem(answer.errors) };
  }
  return undefined;
}

const problemContent = (example: unknown) => ({
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, example },
});

/**
 * The error answers most operations share, kept once under `components.responses` and named
 * by each operation's `$ref` (the 400, whose example is the route's own, stays inline):
 * the document is a third the size, which is what Swagger UI spends its time on.
 */
type SharedResponses = Map<string, unknown>;

const errorResponses = (route: RouteDef, shared: SharedResponses): Record<string, unknown> => {
  const ref = (name: string, status: number, title: string, description: string, detail: string) => {
    if (!shared.has(name))
      shared.set(name, { description, content: problemContent(problemOf(status, title, detail)) });
    return { $ref: `#/components/responses/${name}` };
  };
  const responses: Record<string, unknown> = {};
  const invalid = badRequestExample(route);
  if (route.body || route.query)
    responses['400'] = {
      description: 'Invalid input; `errors` lists every bad field',
      content: problemContent(invalid?.problem ?? problemOf(400, 'Invalid request', '1 invalid field', [])),
    };
  if (!route.public) {
    shared.set('Unauthorized', unauthorizedResponse);
    responses['401'] = { $ref: '#/components/responses/Unauthorized' };
    responses['403'] = ref(
      'Forbidden',
      403,
      'Forbidden',
      'Your role may not do this',
      'Your role does not allow this',
    );
  }
  if (route.path.includes('{')) {
    const missing = route.missing ?? 'Resource';
    // A public page's missing link is a page too.
    responses['404'] =
      route.public && route.responseMediaTypes?.['text/html']
        ? {
            description: 'Not found (a page that says the link does not work)',
            content: {
              ...problemContent(problemOf(404, 'Not found', `${missing} not found`)),
              'text/html': {
                schema: { type: 'string', description: 'A page that says the link does not work' },
              },
            },
          }
        : ref(
            `${missing}NotFound`,
            404,
            'Not found',
            'Not found (or not visible to you)',
            `${missing} not found`,
          );
  }
  if (!route.readsBody && (route.method === 'POST' || route.method === 'PATCH' || route.method === 'PUT')) {
    responses['409'] =
      route.method === 'POST' && !route.path.includes('{')
        ? ref(
            'Duplicate',
            409,
            'Conflict',
            'Conflict: a unique value another record already has',
            'Another record already uses this value',
          )
        : ref(
            'Conflict',
            409,
            'Conflict',
            'Conflict: the record is archived, or its state does not allow this change',
            'This record is archived; restore it before changing it',
          );
  }
  if (route.headers?.includes('If-Match'))
    responses['412'] = ref(
      'PreconditionFailed',
      412,
      'Precondition failed',
      'If-Match does not match the current version',
      'The record has changed since you read it; read it again and retry',
    );
  if (route.body) {
    responses['413'] = ref(
      'PayloadTooLarge',
      413,
      'Payload too large',
      'Body over 1 MiB',
      'The body must not exceed 1 MiB',
    );
    responses['415'] = ref(
      'UnsupportedMediaType',
      415,
      'Unsupported media type',
      'Body is not JSON',
      'Send the body as application/json',
    );
  }
  // The stage's throttling covers every route, public ones too.
  responses['429'] = ref(
    'TooManyRequests',
    429,
    'Too many requests',
    'Throttled',
    'Too many requests; retry shortly',
  );
  if (route.readsBody) {
    // Its own answers in each media type it answers in (an HTML page for a browser's post).
    const html = route.responseMediaTypes?.['text/html'] !== undefined;
    const answer = (description: string, problem: unknown) => ({
      description,
      content: {
        ...problemContent(problem),
        ...(html ? { 'text/html': { schema: { type: 'string', description: 'A page that says it' } } } : {}),
      },
    });
    const bodyTypes = route.readsBody.mediaTypes.join(' or ');
    responses['400'] = answer(
      'Invalid input; `errors` lists every bad field (a page lists them for a form post)',
      problemOf(400, 'Invalid request', '1 invalid field', [{ path: 'email', message: 'is required' }]),
    );
    responses['413'] = answer(
      'Body over 1 MiB',
      problemOf(413, 'Payload too large', 'The body must not exceed 1 MiB'),
    );
    responses['415'] = answer(
      `Body is not ${bodyTypes}`,
      problemOf(415, 'Unsupported media type', `Send the body as ${bodyTypes}`),
    );
    responses['429'] = {
      ...answer(
        'Too many submissions; `Retry-After` says when to try again',
        problemOf(429, 'Too many requests', 'Too many submissions; try again later'),
      ),
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    };
  }
  return responses;
};

function operation(route: RouteDef, shared: SharedResponses): Record<string, unknown> {
  const parameters: unknown[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (route.query) {
    const schema = toSchema(route.query(), 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      parameters.push({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        schema: property,
      });
    }
  }
  const patterns = route.queryFilters
    ? {
        // OpenAPI names each parameter; these are named by a pattern (`customFields.<key>`), so
        // they are listed apart, and the summary says what they do.
        'x-query-parameter-patterns': [
          { pattern: route.queryFilters.source, in: 'query', required: false, schema: { type: 'string' } },
        ],
      }
    : {};
  for (const header of route.headers ?? []) {
    parameters.push({ name: header, in: 'header', required: false, schema: { type: 'string' } });
  }
  const examples = routeExamples[route.operationId] ?? {};
  const withExample = (example: unknown) => (example === undefined ? {} : { example });
  const content: Record<string, unknown> = {};
  if (route.response)
    content['application/json'] = {
      schema: toSchema(route.response(), 'output'),
      ...withExample(examples.response),
    };
  for (const [mediaType, description] of Object.entries(route.responseMediaTypes ?? {})) {
    content[mediaType] = mediaType.startsWith('image/')
      ? // Bytes, shown base64-encoded: JSON cannot hold them as they are sent.
        {
          schema: { type: 'string', contentMediaType: mediaType, description },
          ...withExample(examples.media?.[mediaType]),
        }
      : { schema: { type: 'string', description }, ...withExample(examples.media?.[mediaType]) };
  }
  const location = (description: string) => ({
    Location: { description, schema: { type: 'string', format: 'uri' }, ...withExample(examples.location) },
  });
  const success =
    route.status === 204
      ? { description: 'Done' }
      : route.status === 302
        ? { description: 'Redirect to the URL sealed in the link', headers: location('Where to go') }
        : { description: 'Success', ...(Object.keys(content).length ? { content } : {}) };
  const accepted = route.accepted
    ? {
        202: {
          description: route.accepted.description,
          headers:
            route.accepted.header === 'Retry-After'
              ? {
                  'Retry-After': {
                    description: 'Seconds to wait before asking again',
                    schema: { type: 'integer' },
                  },
                }
              : {
                  Location: {
                    description: "What to follow until the work is done (the body's `href`)",
                    schema: { type: 'string' },
                  },
                },
          content: {
            'application/json': {
              schema: toSchema(route.accepted.response(), 'output'),
              ...withExample(examples.accepted),
            },
          },
        },
      }
    : {};
  const redirect = route.redirect
    ? {
        [route.redirect.status ?? 302]: {
          description: route.redirect.description,
          headers: location(route.redirect.description),
        },
      }
    : {};
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [tagOf(route)],
    ...(route.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...patterns,
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: toSchema(route.body(), 'input'),
                ...withExample(examples.request),
              },
            },
          },
        }
      : {}),
    ...(route.readsBody
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              route.readsBody.mediaTypes.map((mediaType) => [
                mediaType,
                {
                  schema: toSchema((route.readsBody as NonNullable<RouteDef['readsBody']>).schema(), 'input'),
                  ...withExample(examples.request),
                },
              ]),
            ),
          },
        }
      : {}),
    responses: {
      [String(route.status)]: success,
      ...accepted,
      ...redirect,
      ...errorResponses(route, shared),
    },
  };
}

/** Where a route is listed: by the resource its path starts with; public link routes by what they serve. */
const tagByFirstSegment: Record<string, string> = {
  '': 'api',
  health: 'api',
  'openapi.json': 'api',
  docs: 'api',
  t: 'tracking',
  u: 'tracking',
  s: 'cases',
  l: 'segments',
};

export const tagOf = (route: Pick<RouteDef, 'path'>): string => {
  const first = route.path.split('/')[1] ?? '';
  return tagByFirstSegment[first] ?? first;
};

const tagDescriptions: Record<string, string> = {
  api: 'The API itself: its front page, health, this document and its reference',
  me: 'The caller: who they are, their agenda and notifications',
  users: 'People who sign in, their role (admin, manager, rep) and team',
  teams: "Sales teams; managers see their team's records",
  companies: 'Accounts: the organisations contacts and deals belong to',
  contacts: 'People, their marketing status, timeline, comments and followers',
  leads: 'Prospects not yet qualified, and their conversion to contact, company and deal',
  deals: 'Opportunities moving through a pipeline, their stage history and quotes',
  pipelines: 'The stages deals move through, with their win probability',
  products: 'The catalogue of what deals and quotes sell, with unit prices',
  quotes: 'Priced offers for a deal: sent, accepted or rejected',
  cases: 'Customer service: SLAs, resolution and the satisfaction survey (CSAT) link',
  activities: 'Tasks, calls, meetings, emails and notes, with reminders',
  segments: 'Saved contact filters, natural-language search, previews and shared lists',
  templates: 'Email templates with merge fields',
  campaigns: 'Marketing email to a segment: A/B subjects, scheduling, sending, statistics',
  sequences: 'Timed series of emails a contact is enrolled in',
  tracking: 'The public links in marketing email: open pixel, tracked clicks, unsubscribe',
  reports: 'Sales, marketing and service reports for managers and admins',
  admin: 'Tenant maintenance (admins)',
  settings: 'Tenant settings: custom fields, lead assignment, SLAs, alerts (admins change them)',
  imports: 'CSV imports of contacts, companies, leads and deals',
  exports: 'Export jobs of lists too large to answer at once',
  views: 'Saved list views (filters, sort, columns), private or shared',
};

const apiDescription = `The CRM's HTTP API: JSON, camelCase, ULID ids, ISO 8601 UTC timestamps.
Errors are \`application/problem+json\` (RFC 9457); a 400 lists every bad field in \`errors\`.
Records carry \`version\`; responses send it as \`ETag\`, and PATCH and DELETE accept \`If-Match\`
(412 when the record changed since you read it). Lists are paged with \`limit\` and \`cursor\`
(\`nextCursor\` is \`null\` on the last page).

## Authentication

Every route except the public ones (the front page, health, this document, the reference and the
links in email) needs \`Authorization: Bearer <token>\`, a JWT that names the tenant and the role.

- **Locally** (\`npm start\`): \`npm run --silent token -- --tenant demo --role admin\` prints one
  (\`--role manager|rep\`, \`--user\`, \`--team\`, \`--email\` for others).
- **In AWS**: sign in through the deployment's Cognito user pool (the console does it for you)
  and send the ID token.

In this reference, **Authorize** takes the token; **Try it out** then calls this API with it.
Without a valid token the API answers 401.`;

/** A schema of an object this long or longer is worth naming once when it appears more than once. */
const SHARED_SCHEMA_MIN_LENGTH = 1000;

const isObjectSchema = (node: unknown): node is JsonSchema =>
  typeof node === 'object' && node !== null && !Array.isArray(node) && 'properties' in node;

/**
 * The record schemas the successful answers repeat (a contact: its read, create, change,
 * restore and list answers, the lead conversion) kept once under `components.schemas` and
 * named by `$ref`: Swagger UI's load time follows the document's size. A schema is named
 * after the operation that reads it by id (`getContact` → `Contact`), else after the first
 * operation that answers it. Request bodies and 202 answers stay as they are.
 */
function shareRepeatedSchemas(operations: readonly { route: RouteDef; operation: JsonSchema }[]): JsonSchema {
  const successSchemas = operations.flatMap(({ route, operation }) => {
    const answer = (operation.responses as Record<string, JsonSchema>)[String(route.status)];
    const json = (answer?.content as Record<string, JsonSchema> | undefined)?.['application/json'];
    return json?.schema ? [{ route, json }] : [];
  });
  const counts = new Map<string, number>();
  const count = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (isObjectSchema(node)) {
      const key = JSON.stringify(node);
      if (key.length >= SHARED_SCHEMA_MIN_LENGTH) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const child of Object.values(node)) count(child);
  };
  for (const { json } of successSchemas) count(json.schema);
  const repeated = (node: unknown) => isObjectSchema(node) && (counts.get(JSON.stringify(node)) ?? 0) > 1;

  const names = new Map<string, string>();
  const taken = new Set<string>();
  const name = (key: string, wanted: string) => {
    if (!names.has(key) && !taken.has(wanted)) {
      names.set(key, wanted);
      taken.add(wanted);
    }
  };
  // Preferred names first: the record an operation reads by id.
  for (const { route, json } of successSchemas)
    if (/^get[A-Z]/.test(route.operationId) && route.path.endsWith('}') && repeated(json.schema))
      name(JSON.stringify(json.schema), route.operationId.slice(3));
  const schemas: JsonSchema = {};
  const share = (node: unknown, hint: string): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    if (Array.isArray(node)) return node.map((item) => share(item, hint));
    const rebuilt = Object.fromEntries(
      Object.entries(node).map(([field, child]) => [
        field,
        share(child, `${hint}${field[0]?.toUpperCase()}${field.slice(1)}`),
      ]),
    );
    if (!repeated(node)) return rebuilt;
    const key = JSON.stringify(node);
    name(key, hint);
    const named = names.get(key) as string;
    schemas[named] ??= rebuilt;
    return { $ref: `#/components/schemas/${named}` };
  };
  for (const { route, json } of successSchemas)
    json.schema = share(
      json.schema,
      `${route.operationId[0]?.toUpperCase()}${route.operationId.slice(1)}Response`,
    );
  return schemas;
}

/** The OpenAPI 3.1 document, generated from the same route definitions and zod schemas that validate requests. */
export function openApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  const shared: SharedResponses = new Map();
  const operations: { route: RouteDef; operation: JsonSchema }[] = [];
  for (const routes of Object.values(httpFunctions)) {
    for (const route of routes as readonly RouteDef[]) {
      const built = operation(route, shared);
      paths[route.path] ??= {};
      (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = built;
      operations.push({ route, operation: built });
      tags.add(tagOf(route));
    }
  }
  const records = shareRepeatedSchemas(operations);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Serverless CRM API',
      version: '0.1.0',
      description: apiDescription,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      serverUrl
        ? { url: serverUrl, description: 'This API' }
        : { url: 'http://localhost:3000', description: 'The local runtime (`npm start`)' },
    ],
    security: [{ bearer: [] }],
    tags: [...tags].sort().map((name) => ({
      name,
      description: tagDescriptions[name] ?? `Operations under /${name}`,
    })),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT naming the tenant and the role: `npm run token` locally, the Cognito ID token in AWS.',
        },
      },
      schemas: { Problem: problem, ...records },
      responses: Object.fromEntries([...shared].sort(([a], [b]) => a.localeCompare(b))),
    },
    paths,
  };
}
