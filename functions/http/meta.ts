import { docsPage } from '#shared/api/docs-page';
import { apiIndex, indexPage } from '#shared/api/index-page';
import { metaRoutes } from '#shared/api/meta';
import { openApiDocument } from '#shared/api/openapi';
import { config } from '#shared/config';
import { httpHandler } from '#shared/http/handler';
import { publicBaseUrl } from '#shared/http/public-url';
import { html, ok } from '#shared/http/results';

/** JSON only when asked for it: a browser (and plain curl) gets the page. */
const wantsJson = (accept: string | undefined) => /\bapplication\/(?:[\w.+-]+\+)?json\b/i.test(accept ?? '');

/** Built once per container: the document only changes with a deployment. */
let document: Record<string, unknown> | undefined;
const apiDocument = () => {
  document ??= openApiDocument();
  return document;
};

export const handler = httpHandler(metaRoutes, {
  getIndex: async ({ event }) => {
    const index = apiIndex(publicBaseUrl(event), config.localInboxUrl);
    const result = wantsJson(event.headers?.accept) ? ok(index) : html(indexPage(index));
    return { ...result, headers: { ...result.headers, vary: 'Accept' } };
  },
  getHealth: async () => ok({ status: 'ok' }),
  getOpenApi: async () => ok(apiDocument()),
  getDocs: async () => html(docsPage(apiDocument())),
});
