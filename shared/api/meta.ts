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
    status: 200,
  },
  {
    method: 'GET',
    path: '/docs',
    operationId: 'getDocs',
    summary: 'Human-readable API reference',
    public: true,
    status: 200,
  },
]);
