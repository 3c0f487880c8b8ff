import { config } from '../config.ts';
import type { HttpResult } from './results.ts';

/**
 * The small HTML pages public links answer (unsubscribe, form thank-you and
 * confirmation pages): no script, inline styles only, never cached, never
 * framed by another site.
 */

/**
 * No site may frame a public page (clickjacking its buttons), except, under
 * `npm start`, the local inbox, which shows each email in a frame: its links open there.
 */
export function frameAncestors(inboxUrl: string | undefined): string {
  if (!inboxUrl) return "'none'";
  const inbox = new URL(inboxUrl);
  const loopback = new URL(inboxUrl);
  loopback.hostname = inbox.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return `${inbox.origin} ${loopback.origin}`;
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The headers of a public page: HTML, not cached, a strict CSP, no referrer passed on. */
export const pageHeaders = (): Record<string, string> => ({
  'cache-control': 'no-store, no-cache, must-revalidate, private',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors ${frameAncestors(config.localInboxUrl)}; base-uri 'none'`,
});

/** A page with a title and some HTML (already escaped by the caller). */
export const pageDocument = (title: string, content: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
button{font:inherit;padding:.5rem 1.25rem;cursor:pointer}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${content}
</body></html>
`;

/** A page answer with its status and extra headers. */
export const pageResult = (
  status: number,
  title: string,
  content: string,
  headers: Readonly<Record<string, string>> = {},
): HttpResult => ({ status, body: pageDocument(title, content), headers: { ...pageHeaders(), ...headers } });
