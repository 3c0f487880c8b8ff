import type { ZodMiniType } from 'zod/mini';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A schema built on first use (see shared/schemas/lazy.ts). */
export type SchemaRef = () => ZodMiniType;

/**
 * One HTTP route of the public contract. The same definitions drive request
 * validation in the handlers, the API Gateway routes in CDK, the local router
 * and the OpenAPI document.
 */
export interface RouteDef {
  readonly method: Method;
  /** API Gateway path template, e.g. `/contacts/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** Served without a token (health, docs, tracking links). */
  readonly public?: boolean;
  /**
   * What its 404 calls the missing thing (`Link` → "Link not found"), the
   * same for a path value no record could have as for one that names none,
   * so the answer tells nothing about why (default `Resource`).
   */
  readonly missing?: string;
  /**
   * The least role that may call it, when a signed-in rep may not (SPEC: only admins manage
   * users, teams and settings, and erase; tenant-wide reports and products are for managers
   * and admins). The handler enforces it; `npm run routes` prints it;
   * test/integration/route-roles.test.ts holds the two together. `when`: the query
   * parameter (`name=value`) of the requests that need the role, if only some do.
   */
  readonly role?: { readonly least: 'manager' | 'admin'; readonly when?: string };
  readonly body?: SchemaRef;
  /**
   * A body the handler reads itself instead of `body` (the public form submit takes
   * form-encoded as well as JSON): documented in these media types, not validated by the
   * dispatcher. Such a route documents its 400, 413, 415 and 429 answers.
   */
  readonly readsBody?: { readonly schema: SchemaRef; readonly mediaTypes: readonly string[] };
  readonly query?: SchemaRef;
  /**
   * Query parameters whose names match (`customFields.<key>`, which a schema
   * cannot list) are left out of `query`'s validation and passed to the
   * handler in `query` as given, for it to check.
   */
  readonly queryFilters?: RegExp;
  /** Shape of a successful response body, for the documentation. */
  readonly response?: SchemaRef;
  /**
   * Media types a successful answer may have besides `application/json` (which
   * `response` describes), each with what its body holds: files such as `text/csv`.
   */
  readonly responseMediaTypes?: Readonly<Record<string, string>>;
  /** A 202 Accepted answer beside `status`, for work handed to a worker: what it means and its JSON body. */
  readonly accepted?: {
    readonly description: string;
    readonly response: SchemaRef;
    /** The header that says what to do next: `Location` to follow (default), or `Retry-After` to ask again. */
    readonly header?: 'Location' | 'Retry-After';
  };
  /** A redirect answer beside `status` (302, or 303 See Other after a POST): where its `Location` points. */
  readonly redirect?: { readonly description: string; readonly status?: 302 | 303 };
  readonly status: 200 | 201 | 204 | 302;
  /**
   * API Gateway's own throttling of this route in AWS (requests per second and burst), below
   * the stage's default: a public route anyone may flood must not use up the budget every
   * signed-in client shares. Not applied by the local server.
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Documented request headers beyond Authorization. */
  readonly headers?: readonly ('If-Match' | 'Idempotency-Key')[];
}

/**
 * A route's examples for the OpenAPI document (shared/api/openapi.ts): a request
 * body (`request`, JSON as the route's `body` schema accepts it) and a successful
 * answer (`response`, as its `response` schema describes it). They live in
 * shared/api/examples/routes/, by operationId, not on the route: only the
 * document reads them, and a route definition rides in the function that serves
 * it. Each must pass its schema; a unit test checks every route's, asking for
 * each part the route has (test/unit/openapi-examples.test.ts).
 */
export interface RouteExamples {
  /** A request body, when the route has a `body`. */
  readonly request?: unknown;
  /** The successful JSON answer, when the route has a `response`. */
  readonly response?: unknown;
  /** The 202 answer's body, when the route has `accepted`. */
  readonly accepted?: unknown;
  /** Where the 302 points, when the route has `redirect` or answers 302. */
  readonly location?: string;
  /**
   * A body of each of `responseMediaTypes`: text as sent (HTML, CSV, vCard); binary
   * content (an image) base64-encoded.
   */
  readonly media?: Readonly<Record<string, string>>;
}

/**
 * The parameter names of a path template: `'/deals/{id}/quotes'` → `'id'`,
 * `'/s/{token}'` → `'token'` (a greedy `{proxy+}` names `proxy`).
 */
export type PathParamName<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? (Name extends `${infer Greedy}+` ? Greedy : Name) | PathParamName<Rest>
  : never;

/**
 * A route's path parameters, each a string: API Gateway (and the local router)
 * only invoke a route with every segment of its template filled.
 */
export type PathParams<P extends string> = { readonly [Name in PathParamName<P>]: string };

/** The parameter names of a path template at run time, as {@link PathParamName} types them. */
export const pathParamNames = (path: string): string[] =>
  [...path.matchAll(/\{(\w+)\+?\}/g)].map((match) => match[1] as string);

export const routeKey = (route: Pick<RouteDef, 'method' | 'path'>): string => `${route.method} ${route.path}`;

export function defineRoutes<const T extends readonly RouteDef[]>(routes: T): T {
  return routes;
}
