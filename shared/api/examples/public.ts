import { caseExamples } from './service.ts';

/** The answers of the public routes: the index, the health check, the link pages and the pixel. */

const apiUrl = 'https://api.crm.example';

const page = (title: string, body: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>\n<body>${body}</body></html>\n`;

export const publicExamples = {
  index: {
    name: 'Serverless CRM API',
    links: [
      { rel: 'docs', href: `${apiUrl}/docs`, title: 'API reference' },
      { rel: 'openapi', href: `${apiUrl}/openapi.json`, title: 'OpenAPI 3.1 document' },
      { rel: 'health', href: `${apiUrl}/health`, title: 'Health check' },
    ],
  },
  indexPage: page(
    'Serverless CRM API',
    `<h1>Serverless CRM API</h1><ul><li><a href="${apiUrl}/docs">API reference</a></li>` +
      `<li><a href="${apiUrl}/openapi.json">OpenAPI 3.1 document</a></li></ul>`,
  ),
  health: { status: 'ok' },
  openApi: { openapi: '3.1.0', info: { title: 'Serverless CRM API', version: '0.1.0' }, paths: {} },
  docsPage: page(
    'Serverless CRM API reference',
    '<div id="swagger-ui"></div><script src="docs/swagger-ui-bundle.js"></script><script src="docs/init.js"></script>',
  ),
  docsScript:
    "window.addEventListener('load', () => {\n  window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: true, filter: true });\n});\n",
  docsStyles: '.swagger-ui .opblock-tag { font-size: 20px; }\n',
  /** The open pixel: a 1x1 transparent GIF (43 bytes), base64-encoded here. */
  pixelBase64: 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==',
  clickLocation: 'https://northwind.example/cold-chain?utm_source=crm&utm_campaign=spring-cold-chain',
  unsubscribePage: page(
    'Unsubscribe',
    '<h1>Unsubscribe</h1><p>Stop marketing email to ana.ruiz@northwind-traders.example?</p>' +
      '<form method="post"><button type="submit">Unsubscribe</button></form>',
  ),
  unsubscribedPage: page(
    'Unsubscribed',
    '<h1>You are unsubscribed</h1><p>ana.ruiz@northwind-traders.example will get no more marketing email from us.</p>',
  ),
  csatPage: page(
    'How did we do?',
    `<h1>How did we do?</h1><p>Your request “${caseExamples.create.subject.replace('°', '&deg;')}” has been resolved. ` +
      'How satisfied are you?</p><form id="csat">…</form>',
  ),
  csatRecorded: { thanks: true },
};
