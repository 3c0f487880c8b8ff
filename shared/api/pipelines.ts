import { listOf } from '../schemas/common.ts';
import { pipelineSchemas } from '../schemas/pipelines.ts';
import { defineRoutes } from './route.ts';

export const pipelineRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/pipelines',
    operationId: 'listPipelines',
    summary: "List the tenant's pipelines; the default one is created on first use",
    query: () => pipelineSchemas().listQuery,
    response: () => listOf(pipelineSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/pipelines',
    operationId: 'createPipeline',
    role: { least: 'admin' },
    summary: 'Create a pipeline (admin): exactly one won stage, at least one lost and one open stage',
    body: () => pipelineSchemas().create,
    response: () => pipelineSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/pipelines/{id}',
    operationId: 'getPipeline',
    summary: 'Read a pipeline',
    response: () => pipelineSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/pipelines/{id}',
    operationId: 'updatePipeline',
    role: { least: 'admin' },
    summary:
      'Rename a pipeline or replace its stages (admin). Stages keep their id when sent with it; removing a ' +
      'stage that holds deals answers 409 unless `moveDeals` names the stage they move to',
    body: () => pipelineSchemas().patch,
    response: () => pipelineSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
]);
