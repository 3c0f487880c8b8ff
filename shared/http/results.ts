import { asciiUrl } from '../domain/urls.ts';

export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** The body is base64 of binary content (an image); API Gateway decodes it for the client. */
  readonly isBase64Encoded?: boolean;
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

/**
 * 302 to `location` (tracked links). A header carries only ASCII, so an
 * absolute URL goes out in its WHATWG-serialized form (IDN host punycoded,
 * non-ASCII percent-encoded, existing escapes kept): the same address a
 * browser would request for the original.
 */
export const redirect = (location: string): HttpResult => ({
  status: 302,
  headers: { location: asciiUrl(location) ?? location },
});

/** Binary content (e.g. an image), carried base64-encoded as API Gateway requires. */
export const binary = (data: Buffer, contentType: string): HttpResult => ({
  status: 200,
  body: data.toString('base64'),
  isBase64Encoded: true,
  headers: { 'content-type': contentType },
});
