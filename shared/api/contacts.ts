import { CUSTOM_FIELD_PATH } from '../domain/custom-fields.ts';
import { listOf } from '../schemas/common.ts';
import { contactSchemas } from '../schemas/contacts.ts';
import { CUSTOM_FIELD_FILTERS_DOC } from './fields.ts';
import { defineRoutes } from './route.ts';

export const contactRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/contacts',
    operationId: 'listContacts',
    summary:
      'List contacts; `q` is a name prefix (case- and accent-insensitive) or an exact email' +
      CUSTOM_FIELD_FILTERS_DOC,
    query: () => contactSchemas().listQuery,
    queryFilters: CUSTOM_FIELD_PATH,
    response: () => listOf(contactSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/contacts',
    operationId: 'createContact',
    summary: 'Create a contact; `email` is unique per tenant',
    body: () => contactSchemas().create,
    response: () => contactSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/contacts/{id}',
    operationId: 'getContact',
    summary: 'Read a contact',
    response: () => contactSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/contacts/{id}',
    operationId: 'updateContact',
    summary: 'Change a contact (JSON merge patch; null removes a field)',
    body: () => contactSchemas().patch,
    response: () => contactSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/contacts/{id}',
    operationId: 'deleteContact',
    role: { least: 'admin', when: 'erase=true' },
    summary: 'Archive a contact, or with `erase=true` (admin) erase the person irreversibly (GDPR)',
    query: () => contactSchemas().deleteQuery,
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/contacts/{id}/restore',
    operationId: 'restoreContact',
    summary: 'Restore an archived contact',
    response: () => contactSchemas().record,
    status: 200,
  },
]);
