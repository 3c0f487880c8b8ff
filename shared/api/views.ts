import { listOf } from '../schemas/common.ts';
import { viewSchemas } from '../schemas/views.ts';
import { defineRoutes } from './route.ts';

export const viewRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/views',
    operationId: 'listViews',
    summary:
      'List the saved views the caller may see (their own, the team views of their team, the tenant views; an admin every shared view), sorted by name; `entity` narrows to one list',
    query: () => viewSchemas().listQuery,
    response: () => listOf(viewSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/views',
    operationId: 'createView',
    summary:
      'Save a list view: `entity` (contacts, companies, leads, deals, activities, cases), `filter` (the query parameters of that list, paging aside), `sort` `{field, direction}`, `columns` (fields of its records or `customFields.<key>`), `visibility` private (default), team or tenant (managers and admins). Every parameter or field the entity does not have is listed in the 400',
    body: () => viewSchemas().create,
    response: () => viewSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/views/{id}',
    operationId: 'getView',
    summary: 'Read a saved view (404 unless the caller may see it)',
    response: () => viewSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/views/{id}',
    operationId: 'updateView',
    summary:
      'Change a saved view (JSON merge patch; `filter`, `sort` and `columns` are replaced whole). Its owner may; an admin any shared view; a manager the shared views of their team',
    body: () => viewSchemas().patch,
    response: () => viewSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/views/{id}',
    operationId: 'deleteView',
    summary:
      'Delete a saved view (a preference, not business data: deleted, not archived); the same rights as a change',
    status: 204,
    headers: ['If-Match'],
  },
]);
