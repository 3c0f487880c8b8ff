import * as z from 'zod/mini';
import { defineRoutes } from './route.ts';

export const metaRoutes = defineRoutes([
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
