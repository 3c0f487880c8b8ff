export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export const ok = (body: unknown): HttpResult => ({ status: 200, body });
export const created = (body: unknown, location: string): HttpResult => ({
  status: 201,
  body,
  headers: { location },
});
export const noContent = (): HttpResult => ({ status: 204 });
export const html = (body: string): HttpResult => ({
  status: 200,
  body,
  headers: { 'content-type': 'text/html; charset=utf-8' },
});
