import { createHash } from 'node:crypto';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod/mini';
import { type PathParams, pathParamNames, type RouteDef, routeKey } from '../api/route.ts';
import { correlate, observability } from '../observability/invocation.ts';
import { logger } from '../observability/logger.ts';
import { getSigningKey } from '../secrets.ts';
import { actingAs } from '../store/actor.ts';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../store/idempotency.ts';
import { ItemTooLargeError } from '../store/item-size.ts';
import type { PageKey } from '../store/page.ts';
import { type Caller, callerFrom } from './auth.ts';
import { bearerChallenge } from './bearer-challenge.ts';
import { jsonBody, rawBody } from './body.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { etagOf, requiredVersion } from './etag.ts';
import { badRequest, conflict, forbidden, HttpProblem, notFound } from './problem.ts';
import type { HttpResult } from './results.ts';
import { hasRole } from './roles.ts';
import { parseOrThrow } from './validation.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResponse = APIGatewayProxyStructuredResultV2;

type Output<S> = S extends () => infer Schema
  ? Schema extends z.ZodMiniType
    ? z.output<Schema>
    : undefined
  : undefined;

/** Paging state of a list route; cursors are sealed to the tenant, route and filters. */
export interface Page {
  readonly limit: number;
  readonly startKey: PageKey | undefined;
  next(lastKey: PageKey | undefined): Promise<string | null>;
}

export interface RequestOf<R extends RouteDef> {
  readonly caller: R['public'] extends true ? undefined : Caller;
  readonly body: Output<R['body']>;
  readonly query: Output<R['query']>;
  /** Exactly the parameters of the route's path template (`/contacts/{id}` → `{id}`). */
  readonly params: PathParams<R['path']>;
  /** The version `If-Match` requires, if the client sent one. */
  readonly ifMatch: number | undefined;
  readonly page: Page;
  readonly event: HttpEvent;
}

export type Implementations<R extends readonly RouteDef[]> = {
  [Op in R[number]['operationId']]: (
    request: RequestOf<Extract<R[number], { operationId: Op }>>,
  ) => Promise<HttpResult>;
};

const DEFAULT_LIMIT = 50;
const safeParam = /^[A-Za-z0-9_-]{1,128}$/;
/**
 * Public links carry signed tokens, longer than an id (a click token seals its
 * URL), some with a file suffix (`/t/o/<token>.gif`); the reference's files are
 * named with theirs (`/docs/swagger-ui.css`). They are verified or looked up in
 * a fixed list, never used as key suffixes, so only public routes accept them.
 */
const publicParam = /^[A-Za-z0-9_-]{1,4096}(\.(?:gif|js|css))?$/;

const baseHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

function problemResponse(problem: HttpProblem): HttpResponse {
  return {
    statusCode: problem.status,
    headers: {
      ...baseHeaders,
      'content-type': 'application/problem+json',
      ...(problem.status === 429 ? { 'retry-after': '1' } : {}),
      // A verified token the CRM cannot use (no tenant, no role) is refused like the authorizer refuses one.
      ...(problem.status === 401 ? { 'www-authenticate': bearerChallenge(problem.detail) } : {}),
    },
    body: JSON.stringify(problem),
  };
}

function toResponse(result: HttpResult): HttpResponse {
  const body = result.body;
  const headers: Record<string, string> = { ...baseHeaders };
  if (body !== undefined && typeof body !== 'string') headers['content-type'] = 'application/json';
  const version = (body as { version?: unknown } | undefined)?.version;
  if (typeof version === 'number') headers.etag = etagOf(version);
  Object.assign(headers, result.headers);
  return {
    statusCode: result.status,
    headers,
    body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
    ...(result.isBase64Encoded ? { isBase64Encoded: true } : {}),
  };
}

/**
 * The query string as the route's schema reads it, plus the parameters its
 * `queryFilters` pattern names, as given (own properties only, so a parameter
 * named `__proto__` still reaches the schema, which refuses it).
 */
function parseQuery(route: RouteDef, raw: Readonly<Record<string, string | undefined>>): unknown {
  const schema = (route.query as NonNullable<RouteDef['query']>)();
  const pattern = route.queryFilters;
  if (!pattern) return parseOrThrow(schema, raw);
  const entries = Object.entries(raw);
  const filters = Object.fromEntries(entries.filter(([name]) => pattern.test(name)));
  const known = Object.fromEntries(entries.filter(([name]) => !pattern.test(name)));
  return { ...(parseOrThrow(schema, known) as object), ...filters };
}

const isListRoute = (route: RouteDef) =>
  route.query !== undefined && 'cursor' in ((route.query() as { shape?: object }).shape ?? {});

/** A cursor only works for the tenant, user, route, path (`/deals/{id}/...`) and filters it came from. */
async function pageFor(
  caller: Caller | undefined,
  route: RouteDef,
  params: Record<string, string>,
  query: Record<string, unknown>,
): Promise<Page> {
  const { limit, cursor, ...filters } = query;
  const binding = JSON.stringify([
    caller?.tenantId,
    caller?.userId,
    route.operationId,
    Object.entries(params).sort(),
    Object.entries(filters).sort(),
  ]);
  const key = await getSigningKey();
  return {
    limit: typeof limit === 'string' ? Number(limit) : DEFAULT_LIMIT,
    startKey: typeof cursor === 'string' ? decodeCursor(cursor, binding, key) : undefined,
    next: async (lastKey) => (lastKey ? encodeCursor(lastKey, binding, key) : null),
  };
}

/**
 * The route's path parameters, every one present (API Gateway and the local
 * router fill each segment of the template; an event without one names no
 * record, so it is a 404 like a malformed value).
 */
function pathParams(event: HttpEvent, route: RouteDef): Record<string, string> {
  const params = event.pathParameters ?? {};
  const rule = route.public ? publicParam : safeParam;
  const entries = Object.entries(params).map(([name, value]) => {
    // Path values become key suffixes: anything but a plain id cannot name a record.
    if (value === undefined || !rule.test(value)) throw notFound(route.missing);
    return [name, value] as const;
  });
  const result = Object.fromEntries(entries);
  if (pathParamNames(route.path).some((name) => result[name] === undefined)) throw notFound(route.missing);
  return result;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Replays the first response to a retried POST; a reused key with another body is a conflict. */
async function withIdempotency(
  caller: Caller,
  key: string,
  event: HttpEvent,
  run: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters', [
      { path: 'Idempotency-Key', message: 'is invalid' },
    ]);
  }
  const fingerprint = createHash('sha256')
    .update(`${event.routeKey}\n${event.rawPath}\n${rawBody(event)}`)
    .digest('hex');
  const scope = { tenantId: caller.tenantId, userId: caller.userId, key };
  const claim = await claimIdempotencyKey(scope, fingerprint);
  if (claim.kind === 'mismatch') throw conflict('This Idempotency-Key was used with a different request');
  if (claim.kind === 'in-progress')
    throw conflict('A request with this Idempotency-Key is still being processed');
  if (claim.kind === 'replay') {
    return { ...claim.response, headers: { ...claim.response.headers, 'idempotent-replayed': 'true' } };
  }
  let response: HttpResponse;
  try {
    response = await run();
  } catch (error) {
    await releaseIdempotencyKey(scope);
    throw error;
  }
  const status = response.statusCode ?? 200;
  if (status >= 500) {
    await releaseIdempotencyKey(scope);
  } else {
    await completeIdempotencyKey(scope, {
      statusCode: status,
      headers: (response.headers ?? {}) as Record<string, string>,
      body: typeof response.body === 'string' ? response.body : '',
    });
  }
  return response;
}

/** A write the table cannot hold answers 413, naming the field that takes most of the room. */
function recordTooLarge(error: ItemTooLargeError): HttpProblem {
  const kb = (bytes: number) => Math.ceil(bytes / 1024);
  return new HttpProblem(
    413,
    `The record would take ${kb(error.bytes)} KB; at most ${kb(error.limit)} KB fit`,
    [{ path: error.field, message: `is too large: the record would exceed ${kb(error.limit)} KB` }],
  );
}

const throttlingErrors = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** Maps every failure to problem+json; unexpected ones are logged and answered without internals. */
const problemResponses = (): middy.MiddlewareObj<HttpEvent, HttpResponse> => ({
  onError: async (request) => {
    const error = request.error;
    if (error instanceof HttpProblem) {
      request.response = problemResponse(error);
      return;
    }
    if (error && throttlingErrors.has(error.name)) {
      request.response = problemResponse(new HttpProblem(429, 'Too many requests; retry shortly'));
      return;
    }
    // requestId (and the caller, once authenticated) are the invocation's correlation keys.
    logger.error('unexpected error', {
      routeKey: request.event.routeKey,
      error: { name: error?.name, message: error?.message, stack: error?.stack },
    });
    request.response = problemResponse(
      new HttpProblem(500, 'Something went wrong on our side; it has been logged'),
    );
  },
});

/** Lambda's id of the invocation and API Gateway's id of the request, on every line logged for it. */
const correlationIds = (event: HttpEvent, context: Context) => ({
  requestId: context?.awsRequestId,
  apiRequestId: event.requestContext?.requestId,
});

/**
 * Builds the Lambda handler of one resource group: routing by API Gateway's
 * routeKey, authentication, body and query validation, idempotency, paging and
 * error mapping happen here once, so implementations only do the work.
 */
export function httpHandler<const R extends readonly RouteDef[]>(
  routes: R,
  implementations: Implementations<R>,
) {
  const byKey = new Map<string, RouteDef>(routes.map((route) => [routeKey(route), route]));
  const impls = implementations as unknown as Record<
    string,
    (request: RequestOf<RouteDef>) => Promise<HttpResult>
  >;

  const dispatch = async (event: HttpEvent): Promise<HttpResponse> => {
    const route = byKey.get(event.routeKey);
    const impl = route && impls[route.operationId];
    if (!route || !impl) throw notFound('Route');
    const caller = route.public ? undefined : callerFrom(event);
    if (caller) correlate({ tenantId: caller.tenantId, userId: caller.userId });
    // A role the route always needs is checked before the input: a rep learns nothing from validation.
    if (caller && route.role && route.role.when === undefined && !hasRole(caller.role, route.role.least))
      throw forbidden(
        `Only ${route.role.least === 'admin' ? 'an admin' : 'managers and admins'} may do this`,
      );
    const params = pathParams(event, route);
    const body = route.body ? parseOrThrow(route.body(), jsonBody(event)) : undefined;
    const query = route.query ? parseQuery(route, event.queryStringParameters ?? {}) : undefined;
    const ifMatch = requiredVersion(event.headers['if-match']);
    // Decoding the cursor before any work turns a bad one into a 400 that changes nothing.
    const page = isListRoute(route)
      ? await pageFor(caller, route, params, query as Record<string, unknown>)
      : emptyPage;
    const request = { caller, body, query, params, ifMatch, page, event } as RequestOf<RouteDef>;

    const run = async () => {
      try {
        const result = caller ? await actingAs(caller.userId, () => impl(request)) : await impl(request);
        return toResponse(result);
      } catch (error) {
        const problem = error instanceof ItemTooLargeError ? recordTooLarge(error) : error;
        if (problem instanceof HttpProblem && problem.status < 500) return problemResponse(problem);
        throw error;
      }
    };
    const idempotencyKey = event.headers['idempotency-key'];
    if (route.method === 'POST' && caller && idempotencyKey !== undefined) {
      return withIdempotency(caller, idempotencyKey, event, run);
    }
    return run();
  };

  return middy<HttpEvent, HttpResponse, Error, Context>({ timeoutEarlyInMillis: 0 })
    .use(observability(correlationIds))
    .use(problemResponses())
    .handler(dispatch);
}

const emptyPage: Page = { limit: DEFAULT_LIMIT, startKey: undefined, next: async () => null };
