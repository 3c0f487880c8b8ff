import * as z from 'zod/mini';
import { defineRoutes } from './route.ts';

export const metaRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/',
    operationId: 'getIndex',
    summary:
      'Where to go from here: links to the API reference, the OpenAPI document and, under `npm start`, ' +
      'the local email inbox. HTML, or JSON with `Accept: application/json`',
    public: true,
    responseMediaTypes: { 'text/html': 'The same links as a page (the default, for a browser)' },
    response: () =>
      z.object({
        name: z.string(),
        links: z.array(z.object({ rel: z.string(), href: z.string(), title: z.string() })),
      }),
    status: 200,
  },
  {
    method: 'GET',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Liveness check',
    public: true,
    response: () => z.object({ status: z.literal('ok') }),
    status: 200,
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This API as an OpenAPI 3.1 document',
    public: true,
    response: () =>
      z.looseObject({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }) }),
    status: 200,
  },
  {
    method: 'GET',
    path: '/docs',
    operationId: 'getDocs',
    summary:
      'The API reference (Swagger UI): search by path, summary or operationId, examples, and try-it-out ' +
      'with a bearer token against this API',
    public: true,
    responseMediaTypes: { 'text/html': 'The reference page' },
    status: 200,
  },
  {
    method: 'GET',
    path: '/docs/{file}',
    operationId: 'getDocsAsset',
    missing: 'File',
    summary:
      "The reference page's script and styles (`swagger-ui-bundle.js`, `swagger-ui.css`, `docs.js`); " +
      'the page asks for them with their content hash (`?v=`), so they are cached for a year',
    public: true,
    responseMediaTypes: {
      'text/javascript': 'Swagger UI, or the script that starts it on this document',
      'text/css': "Swagger UI's styles",
    },
    status: 200,
  },
]);
