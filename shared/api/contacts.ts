import { listOf } from '../schemas/common.ts';
import {
  contact,
  contactCreate,
  contactDeleteQuery,
  contactListQuery,
  contactPatch,
} from '../schemas/contacts.ts';
import { defineRoutes } from './route.ts';

export const contactRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/contacts',
    operationId: 'listContacts',
    summary: 'List contacts; `q` is a name prefix (case- and accent-insensitive) or an exact email',
    query: contactListQuery,
    response: listOf(contact),
    status: 200,
  },
  {
    method: 'POST',
    path: '/contacts',
    operationId: 'createContact',
    summary: 'Create a contact; `email` is unique per tenant',
    body: contactCreate,
    response: contact,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/contacts/{id}',
    operationId: 'getContact',
    summary: 'Read a contact',
    response: contact,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/contacts/{id}',
    operationId: 'updateContact',
    summary: 'Change a contact (JSON merge patch; null removes a field)',
    body: contactPatch,
    response: contact,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/contacts/{id}',
    operationId: 'deleteContact',
    summary: 'Archive a contact, or with `erase=true` (admin) erase the person irreversibly (GDPR)',
    query: contactDeleteQuery,
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/contacts/{id}/restore',
    operationId: 'restoreContact',
    summary: 'Restore an archived contact',
    response: contact,
    status: 200,
  },
]);
