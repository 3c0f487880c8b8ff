import createClient, { type Middleware } from 'openapi-fetch';
import { session } from '../auth/session.ts';
import { ApiProblem, problemFrom } from './problem.ts';
import type { paths } from './schema.d.ts';

export type { components, operations, paths } from './schema.d.ts';

/**
 * The typed API client (openapi-fetch over the types generated from /openapi.json): every call
 * carries the session's bearer token, and a 401 ends the session so the sign-in page shows.
 */
export type Api = ReturnType<typeof createClient<paths>>;

let client: Api | undefined;
let onUnauthorized: () => void = () => undefined;

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) onUnauthorized();
    return response;
  },
};

export function configureApi(apiUrl: string, unauthorized: () => void): Api {
  client = createClient<paths>({ baseUrl: apiUrl });
  client.use(auth);
  onUnauthorized = unauthorized;
  return client;
}

/** The client configured at start-up. */
export function api(): Api {
  if (!client) throw new Error('The API client is used before configureApi()');
  return client;
}

/**
 * Unwraps an openapi-fetch result: the data on success, an ApiProblem thrown otherwise, so pages
 * write `const contact = await ok(api().GET(...))` and catch one error type.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw await problemFrom(response, error);
}

/**
 * As `ok`, with the response's ETag for the If-Match of the next write: `{data, etag}` (etag
 * undefined when the route sends none).
 */
export async function okWithEtag<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; etag: string | undefined }> {
  const { data, error, response } = await call;
  if (!response.ok) throw await problemFrom(response, error);
  return { data: data as T, etag: etagOf(response) };
}

/** An ApiProblem for anything thrown (network failures become status 0). */
export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  return new ApiProblem(0, 'Network error', error instanceof Error ? error.message : String(error));
}

/** The ETag of a response, for the If-Match of the next write (`"3"`). */
export function etagOf(response: Response): string | undefined {
  return response.headers.get('etag') ?? undefined;
}
