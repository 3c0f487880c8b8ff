/** One JSON call to the local API as a bench's user: the body parsed, any answer from 300 up thrown. */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

/** Calls the API at `apiUrl` with `token` as its bearer. */
export function apiCaller(apiUrl: string, token: string): ApiCall {
  return async (method, path, body) => {
    const response = await fetch(new URL(path, apiUrl), {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}
