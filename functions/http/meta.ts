import { docsPage } from '#shared/api/docs-page';
import { metaRoutes } from '#shared/api/meta';
import { openApiDocument } from '#shared/api/openapi';
import { httpHandler } from '#shared/http/handler';
import { html, ok } from '#shared/http/results';

/** Built once per container: the document only changes with a deployment. */
let document: Record<string, unknown> | undefined;
const apiDocument = () => {
  document ??= openApiDocument();
  return document;
};

export const handler = httpHandler(metaRoutes, {
  getHealth: async () => ok({ status: 'ok' }),
  getOpenApi: async () => ok(apiDocument()),
  getDocs: async () => html(docsPage(apiDocument())),
});
