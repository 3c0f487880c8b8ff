import { CUSTOM_FIELD_PATH } from '../domain/custom-fields.ts';
import { listOf } from '../schemas/common.ts';
import { dealSchemas } from '../schemas/deals.ts';
import { CUSTOM_FIELD_FILTERS_DOC } from './fields.ts';
import { defineRoutes } from './route.ts';

export const dealRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/deals',
    operationId: 'listDeals',
    summary:
      'List deals by pipeline, stage, owner, company or status; `q` is a name prefix' +
      CUSTOM_FIELD_FILTERS_DOC,
    query: () => dealSchemas().listQuery,
    queryFilters: CUSTOM_FIELD_PATH,
    response: () => listOf(dealSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/deals',
    operationId: 'createDeal',
    summary: "Create a deal, by default in the default pipeline's first open stage",
    body: () => dealSchemas().create,
    response: () => dealSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/deals/{id}',
    operationId: 'getDeal',
    summary: 'Read a deal',
    response: () => dealSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/deals/{id}',
    operationId: 'updateDeal',
    summary:
      'Change a deal or move it between stages of its pipeline; entering won or lost sets `closedAt` ' +
      '(lost needs `lostReason`); every stage change is kept in the history',
    body: () => dealSchemas().patch,
    response: () => dealSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/deals/{id}',
    operationId: 'archiveDeal',
    summary: 'Archive a deal (hidden from lists unless `archived=true`)',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/deals/{id}/restore',
    operationId: 'restoreDeal',
    summary: 'Restore an archived deal',
    response: () => dealSchemas().record,
    status: 200,
  },
  {
    method: 'GET',
    path: '/deals/{id}/history',
    operationId: 'getDealHistory',
    summary: 'Every stage change of a deal, oldest first: from, to, who, when and the amount at that moment',
    query: () => dealSchemas().historyQuery,
    response: () => listOf(dealSchemas().history),
    status: 200,
  },
]);
