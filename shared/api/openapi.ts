import * as z from 'zod/mini';
import { httpFunctions } from './catalogue.ts';
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
    },
    'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
  },
};

const errorResponses = (route: RouteDef): Record<string, unknown> => {
  const ref = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  const responses: Record<string, unknown> = {};
  if (route.body || route.query) responses['400'] = ref('Invalid input; `errors` lists every bad field');
  if (!route.public) {
    responses['401'] = unauthorizedResponse;
    responses['403'] = ref('Your role may not do this');
  }
  if (route.path.includes('{')) responses['404'] = ref('Not found (or not visible to you)');
  // A public page's missing link is a page too.
  if (route.public && route.responseMediaTypes?.['text/html'] && responses['404'])
    (responses['404'] as { content: Record<string, unknown> }).content['text/html'] = {
      schema: { type: 'string', description: 'A page that says the link does not work' },
    };
  if (!route.readsBody && (route.method === 'POST' || route.method === 'PATCH' || route.method === 'PUT')) {
    responses['409'] = ref('Conflict: duplicate unique value or illegal state change');
  }
  if (route.headers?.includes('If-Match'))
    responses['412'] = ref('If-Match does not match the current version');
  if (route.body) {
    responses['413'] = ref('Body over 1 MiB');
    responses['415'] = ref('Body is not JSON');
  }
  if (!route.public) responses['429'] = ref('Throttled');
  if (route.readsBody) {
    // Its own answers in each media type it answers in (an HTML page for a browser's post).
    const html = route.responseMediaTypes?.['text/html'] !== undefined;
    const answer = (description: string) => {
      const shown = ref(description) as { description: string; content: Record<string, unknown> };
      if (html)
        shown.content['text/html'] = { schema: { type: 'string', description: 'A page that says it' } };
      return shown;
    };
    responses['400'] = answer(
      'Invalid input; `errors` lists every bad field (a page lists them for a form post)',
    );
    responses['413'] = answer('Body over 1 MiB');
    responses['415'] = answer(`Body is not ${route.readsBody.mediaTypes.join(' or ')}`);
    responses['429'] = {
      ...answer('Too many submissions; `Retry-After` says when to try again'),
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    };
  }
  return responses;
};

function operation(route: RouteDef): Record<string, unknown> {
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
  const content: Record<string, unknown> = {};
  if (route.response) content['application/json'] = { schema: toSchema(route.response(), 'output') };
  for (const [mediaType, description] of Object.entries(route.responseMediaTypes ?? {})) {
    const example = route.examples?.media?.[mediaType];
    content[mediaType] = { schema: { type: 'string', description }, ...(example ? { example } : {}) };
  }
  const success =
    route.status === 204
      ? { description: 'Done' }
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
          content: { 'application/json': { schema: toSchema(route.accepted.response(), 'output') } },
        },
      }
    : {};
  const redirect = route.redirect
    ? {
        [route.redirect.status ?? 302]: {
          description: route.redirect.description,
          headers: { Location: { description: route.redirect.description, schema: { type: 'string' } } },
        },
      }
    : {};
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.path.split('/')[1] || 'api'],
    ...(route.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...patterns,
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(route.body(), 'input') } },
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
                },
              ]),
            ),
          },
        }
      : {}),
    responses: { [String(route.status)]: success, ...accepted, ...redirect, ...errorResponses(route) },
  };
}

/** The OpenAPI 3.1 document, generated from the same route definitions and zod schemas that validate requests. */
export function openApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const routes of Object.values(httpFunctions)) {
    for (const route of routes as readonly RouteDef[]) {
      paths[route.path] ??= {};
      (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Serverless CRM API',
      version: '0.1.0',
      description:
        'JSON, camelCase, ULID ids, ISO 8601 UTC timestamps. Errors are application/problem+json. ' +
        'Records carry `version`; responses send it as ETag and PATCH/DELETE accept If-Match.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: problem },
    },
    paths,
  };
}
