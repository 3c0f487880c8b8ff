/**
 * The API reference at `/docs`: Swagger UI (swagger-ui-dist, served by the API itself from
 * `/docs/<file>`, no CDN) on this API's own `/openapi.json`. No inline script: the page loads
 * Swagger UI and {@link docsScript}, each by a URL that carries its content hash, so the
 * assets can be cached for a year and the page's CSP can allow scripts from 'self' only.
 */

/** The files `/docs/<file>` serves: Swagger UI's two from its package, and the initializer. */
export const docsAssets = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'docs.js': 'text/javascript; charset=utf-8',
} as const;

export type DocsAsset = keyof typeof docsAssets;

/** The page's policy: everything from this API only; Swagger UI draws its icons as data: images. */
export const docsContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Starts Swagger UI on the document next to the page: deep links (`#/contacts/listContacts`),
 * the filter box matching paths, summaries, operationIds and tags (Swagger UI's own filter
 * matches tags only), operation ids shown, try-it-out open, the token kept across reloads.
 */
export const docsScript = `'use strict';
/** Keeps the operations whose tag, path, method, summary or operationId contains the phrase. */
const opsFilter = () => ({
  fn: {
    opsFilter: (taggedOps, phrase) => {
      const needle = String(phrase).trim().toLowerCase();
      if (!needle) return taggedOps;
      const matches = (tag, op) =>
        [tag, op.get('path'), op.get('method'), op.getIn(['operation', 'summary']), op.getIn(['operation', 'operationId'])]
          .some((text) => String(text ?? '').toLowerCase().includes(needle));
      return taggedOps
        .map((section, tag) => section.set('operations', section.get('operations').filter((op) => matches(tag, op))))
        .filter((section) => section.get('operations').size > 0);
    },
  },
});
/**
 * The document is fetched here and handed over parsed: given a URL, Swagger UI would parse
 * its JSON with a YAML parser, seconds for a document this size.
 */
const start = (spec) => {
  window.ui = SwaggerUIBundle({
  spec,
  dom_id: '#swagger-ui',
  deepLinking: true,
  filter: true,
  displayOperationId: true,
  displayRequestDuration: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  // Tags open (operations listed, each collapsed): what the filter box keeps shows at once.
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  plugins: [opsFilter],
  });
  // The box matches more than Swagger UI's own placeholder says (opsFilter above); it is drawn
  // (and may be drawn again) after the document renders, so the words follow it.
  const words = 'Filter by path, summary or operationId';
  const name = () => {
    const box = document.querySelector('.operation-filter-input');
    if (box && box.placeholder !== words) box.placeholder = words;
  };
  new MutationObserver(name).observe(document.getElementById('swagger-ui'), { childList: true, subtree: true });
  name();
};
fetch(new URL('openapi.json', document.baseURI))
  .then((response) => response.json())
  .then(start);
`;

/** The page, its assets named by `href(file)` (a URL with the file's content hash). */
export function docsPage(href: (file: DocsAsset) => string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Serverless CRM API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${href('swagger-ui.css')}">
</head><body>
<div id="swagger-ui"><noscript>The reference needs JavaScript; the document itself is at <a href="openapi.json">openapi.json</a>.</noscript></div>
<script src="${href('swagger-ui-bundle.js')}"></script>
<script src="${href('docs.js')}"></script>
</body></html>
`;
}
