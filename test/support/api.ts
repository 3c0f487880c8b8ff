import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { mintToken, type TokenRequest } from '../../infra/local/tokens.ts';

/** Response bodies are inspected loosely in tests; assertions check their shape. */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked by assertions, not by the compiler.
export type AnyBody = any;

export type HeaderMap = Readonly<Record<string, string>>;

export interface ApiResponse<T = AnyBody> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the response is JSON (incl. problem+json); otherwise the text; undefined when empty. */
  readonly body: T;
  readonly text: string;
}

/**
 * A JSON client for the local API, with the caller's token (none for public routes).
 * Deliberately not generic: loops like `cursor = page.body.nextCursor` stay inferable.
 */
export interface ApiClient {
  get(path: string, headers?: HeaderMap): Promise<ApiResponse>;
  delete(path: string, headers?: HeaderMap): Promise<ApiResponse>;
  post(path: string, body?: unknown, headers?: HeaderMap): Promise<ApiResponse>;
  put(path: string, body?: unknown, headers?: HeaderMap): Promise<ApiResponse>;
  patch(path: string, body?: unknown, headers?: HeaderMap): Promise<ApiResponse>;
  /** Sends `body` exactly as given (no JSON encoding, no content type unless in `headers`). */
  raw(method: string, path: string, body?: string | Uint8Array, headers?: HeaderMap): Promise<ApiResponse>;
}

export function api(token: string | undefined, baseUrl: string = inject('apiUrl')): ApiClient {
  const send = async (
    method: string,
    path: string,
    body: string | Uint8Array | undefined,
    headers: HeaderMap,
  ): Promise<ApiResponse> => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body === undefined ? {} : { body }),
      // Tracking links answer redirects; tests look at them instead of following.
      redirect: 'manual',
    });
    const text = await response.text();
    const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
    const parsed: AnyBody = text === '' ? undefined : isJson ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  const json = (body: unknown, headers: HeaderMap | undefined) =>
    [
      body === undefined ? undefined : JSON.stringify(body),
      { 'content-type': 'application/json', ...headers },
    ] as const;
  return {
    get: (path, headers = {}) => send('GET', path, undefined, headers),
    delete: (path, headers = {}) => send('DELETE', path, undefined, headers),
    post: (path, body, headers) => send('POST', path, ...json(body, headers)),
    put: (path, body, headers) => send('PUT', path, ...json(body, headers)),
    patch: (path, body, headers) => send('PATCH', path, ...json(body, headers)),
    raw: (method, path, body, headers = {}) => send(method, path, body, headers),
  };
}

/** A dev token the test runtime accepts; `ttlSeconds` below zero gives an expired one. */
export function tokenFor(request: TokenRequest): Promise<string> {
  return mintToken(inject('dataDir'), request);
}

/** A tenant id of its own per call, so tests never see each other's data. */
export function uniqueTenant(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Retries an assertion until it passes or time runs out, for results that arrive
 * through the stream consumer; rethrows the last failure. The default deadline is
 * generous: on a busy machine the stream can lag by many seconds.
 */
export async function eventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 60_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(intervalMs);
    }
  }
}

/** One firing reported by POST /__local/scheduler/run-due (infra/local/scheduler-control.ts). */
export interface ScheduleFiring {
  readonly name: string;
  readonly target: string;
  readonly tenantId: string;
  readonly scheduledAt: string;
  readonly outcome: 'fired' | 'retrying' | 'failed';
  readonly attempts: number;
  readonly error?: string;
}

/** A schedule the local stand-in has not fired yet (GET /__local/scheduler/schedules). */
export interface PendingSchedule {
  readonly name: string;
  readonly target: string;
  /** When it fires next (later than scheduledAt while a failing target is retried). */
  readonly at: string;
  readonly scheduledAt: string;
  readonly payload: Record<string, string | number | boolean>;
  readonly attempts: number;
}

/**
 * Moves the local scheduler's clock for the token's tenant: fires that tenant's schedules due
 * at `now` (a Date or ISO string; default the real time) and resolves once their targets ran.
 * No sleeping until a reminder is due: schedule it an hour ahead and run-due at +1 h.
 */
export async function runDueSchedules(
  token: string,
  now?: Date | string,
  options: { name?: string } = {},
): Promise<ScheduleFiring[]> {
  const query = new URLSearchParams();
  if (now !== undefined) query.set('now', typeof now === 'string' ? now : now.toISOString());
  if (options.name) query.set('name', options.name);
  const response = await api(token).post(`/__local/scheduler/run-due?${query}`);
  if (response.status !== 200) throw new Error(`run-due answered ${response.status}: ${response.text}`);
  return response.body.fired;
}

/** The token's tenant's pending schedules in the local stand-in, by time. */
export async function pendingSchedules(token: string): Promise<PendingSchedule[]> {
  const response = await api(token).get('/__local/scheduler/schedules');
  if (response.status !== 200) throw new Error(`schedules answered ${response.status}: ${response.text}`);
  return response.body.items;
}

/** The run id a campaign's pending start schedule carries (the campaign record keeps it to itself). */
export async function scheduledRunId(token: string, campaignId: string): Promise<string> {
  const schedule = (await pendingSchedules(token)).find(
    (pending) => pending.name === `campaign-${campaignId}`,
  );
  const runId = schedule?.payload.runId;
  if (typeof runId !== 'string') throw new Error(`campaign ${campaignId} has no pending start schedule`);
  return runId;
}
