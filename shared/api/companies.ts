import { CUSTOM_FIELD_PATH } from '../domain/custom-fields.ts';
import { listOf } from '../schemas/common.ts';
import { companySchemas } from '../schemas/companies.ts';
import { CUSTOM_FIELD_FILTERS_DOC } from './fields.ts';
import { defineRoutes } from './route.ts';

export const companyRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/companies',
    operationId: 'listCompanies',
    summary: `List companies; \`q\` matches a name prefix, ignoring case and accents${CUSTOM_FIELD_FILTERS_DOC}`,
    query: () => companySchemas().listQuery,
    queryFilters: CUSTOM_FIELD_PATH,
    response: () => listOf(companySchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/companies',
    operationId: 'createCompany',
    summary: 'Create a company; `domain` is unique per tenant',
    body: () => companySchemas().create,
    response: () => companySchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/companies/{id}',
    operationId: 'getCompany',
    summary: 'Read a company',
    response: () => companySchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/companies/{id}',
    operationId: 'updateCompany',
    summary: 'Change a company (JSON merge patch; null removes a field)',
    body: () => companySchemas().patch,
    response: () => companySchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/companies/{id}',
    operationId: 'archiveCompany',
    summary: 'Archive a company (hidden from lists unless `archived=true`)',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/companies/{id}/restore',
    operationId: 'restoreCompany',
    summary: 'Restore an archived company',
    response: () => companySchemas().record,
    status: 200,
  },
]);
