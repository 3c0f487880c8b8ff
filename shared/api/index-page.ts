/**
 * The API's front door (`GET /`): where a person or a client goes next. Links are
 * absolute, built on the URL the request came to, so they work behind API Gateway's
 * domain, a custom domain and `npm start` alike.
 */
export interface IndexLink {
  /** `docs`, `openapi`, `health`, `inbox`. */
  readonly rel: string;
  readonly href: string;
  readonly title: string;
}

export interface ApiIndex {
  readonly name: string;
  readonly links: readonly IndexLink[];
}

export const API_NAME = 'Serverless CRM API';

/** The links of `GET /` for an API at `baseUrl` (no trailing slash); the inbox only where one runs. */
export function apiIndex(baseUrl: string, inboxUrl?: string): ApiIndex {
  return {
    name: API_NAME,
    links: [
      { rel: 'docs', href: `${baseUrl}/docs`, title: 'API reference' },
      { rel: 'openapi', href: `${baseUrl}/openapi.json`, title: 'OpenAPI 3.1 document' },
      { rel: 'health', href: `${baseUrl}/health`, title: 'Health check' },
      ...(inboxUrl ? [{ rel: 'inbox', href: inboxUrl, title: 'Local email inbox (every email sent)' }] : []),
    ],
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** A small self-contained page (no script, no external resources) listing the same links. */
export function indexPage(index: ApiIndex): string {
  const items = index.links
    .map((link) => `<li><a href="${escapeHtml(link.href)}">${escapeHtml(link.title)}</a></li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(index.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2330}</style>
</head><body>
<h1>${escapeHtml(index.name)}</h1>
<p>Most routes need a bearer token; the reference says which do not.</p>
<ul>
${items}
</ul>
</body></html>
`;
}
