import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { docsContentSecurityPolicy, docsPage } from '#shared/api/docs-page';
import { apiIndex, indexPage } from '#shared/api/index-page';
import { metaRoutes } from '#shared/api/meta';
import { config } from '#shared/config';
import { httpHandler } from '#shared/http/handler';
import { notFound } from '#shared/http/problem';
import { publicBaseUrl } from '#shared/http/public-url';
import { html, ok } from '#shared/http/results';
import { docsFile, isDocsAsset } from './docs-assets.ts';

/** JSON only when asked for it: a browser (and plain curl) gets the page. */
const wantsJson = (accept: string | undefined) => /\bapplication\/(?:[\w.+-]+\+)?json\b/i.test(accept ?? '');

/**
 * Built once per container and API URL: the document only changes with a deployment, and
 * its `servers` entry is the URL the request came to (so try-it-out calls this API). An API
 * answers on few names (its own, a custom domain), so the cache stays small; past that it
 * starts again rather than grow.
 */
/**
 * The OpenAPI module (every route group's definitions, schemas and examples: most of this
 * bundle) is loaded on the first request for the document, not at init: the same function
 * answers GET /health and the index, which need none of it.
 */
let openApi: Promise<typeof import('#shared/api/openapi')> | undefined;

const documents = new Map<string, Record<string, unknown>>();
const apiDocument = async (baseUrl: string) => {
  let document = documents.get(baseUrl);
  if (!document) {
    openApi ??= import('#shared/api/openapi');
    const { openApiDocument } = await openApi;
    if (documents.size >= 8) documents.clear();
    document = openApiDocument(baseUrl);
    documents.set(baseUrl, document);
  }
  return document;
};

/**
 * The URL this request reached the API at (not PUBLIC_API_URL): try-it-out calls the API
 * that served the page, on the origin the page's CSP allows (`connect-src 'self'`). A named
 * stage is part of the path; the `$default` stage has none.
 */
export function requestBaseUrl(event: Pick<APIGatewayProxyEventV2, 'headers' | 'requestContext'>): string {
  const proto = event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  const stage = event.requestContext.stage;
  return `${proto}://${event.requestContext.domainName}${stage && stage !== '$default' ? `/${stage}` : ''}`;
}

const gzipAccepted = (acceptEncoding: string | undefined) => /\bgzip\b/i.test(acceptEncoding ?? '');

export const handler = httpHandler(metaRoutes, {
  getIndex: async ({ event }) => {
    const index = apiIndex(publicBaseUrl(event), config.localInboxUrl);
    const result = wantsJson(event.headers?.accept) ? ok(index) : html(indexPage(index));
    return { ...result, headers: { ...result.headers, vary: 'Accept' } };
  },
  getHealth: async () => ok({ status: 'ok' }),
  getOpenApi: async ({ event }) => ok(await apiDocument(requestBaseUrl(event))),
  getDocs: async () => {
    const page = html(docsPage((file) => `docs/${file}?v=${docsFile(file).hash}`));
    return {
      ...page,
      headers: {
        ...page.headers,
        'content-security-policy': docsContentSecurityPolicy,
        // The page names the current assets' hashes: it must be asked for again after a deployment.
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      },
    };
  },
  getDocsAsset: async ({ event, params }) => {
    if (!isDocsAsset(params.file)) throw notFound('File');
    const file = docsFile(params.file);
    const gzip = gzipAccepted(event.headers?.['accept-encoding']);
    return {
      status: 200,
      body: (gzip ? file.gzipped : file.body).toString('base64'),
      isBase64Encoded: true,
      headers: {
        'content-type': file.contentType,
        // Asked for by content hash (`?v=`): a new version has a new URL.
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        vary: 'Accept-Encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      },
    };
  },
});
