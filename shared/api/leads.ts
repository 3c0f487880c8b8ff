import { CUSTOM_FIELD_PATH } from '../domain/custom-fields.ts';
import { listOf } from '../schemas/common.ts';
import { leadAssignmentSchemas, leadSchemas } from '../schemas/leads.ts';
import { CUSTOM_FIELD_FILTERS_DOC } from './fields.ts';
import { defineRoutes } from './route.ts';

export const leadRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/leads',
    operationId: 'listLeads',
    summary:
      'List leads; `q` matches a name prefix (case- and accent-insensitive); `status`, `source` and `ownerId` filter' +
      CUSTOM_FIELD_FILTERS_DOC,
    query: () => leadSchemas().listQuery,
    queryFilters: CUSTOM_FIELD_PATH,
    response: () => listOf(leadSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/leads',
    operationId: 'createLead',
    summary:
      'Create a lead (status `new`); without `ownerId` the tenant’s lead assignment rule picks the owner',
    body: () => leadSchemas().create,
    response: () => leadSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/leads/{id}',
    operationId: 'getLead',
    summary: 'Read a lead',
    response: () => leadSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/leads/{id}',
    operationId: 'updateLead',
    summary:
      'Change a lead (JSON merge patch); `status` may be new, contacted, qualified or disqualified; a converted lead is read-only (409)',
    body: () => leadSchemas().patch,
    response: () => leadSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/leads/{id}',
    operationId: 'archiveLead',
    summary: 'Archive a lead (hidden from lists unless `archived=true`)',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/leads/{id}/restore',
    operationId: 'restoreLead',
    summary: 'Restore an archived lead',
    response: () => leadSchemas().record,
    status: 200,
  },
  {
    method: 'POST',
    path: '/leads/{id}/convert',
    operationId: 'convertLead',
    summary:
      'Convert a lead atomically: the contact (or the existing contact with its email), the company (`companyId`, or new from `companyName`), the optional deal; 409 if already converted',
    body: () => leadSchemas().convert,
    response: () => leadSchemas().converted,
    status: 200,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/settings/lead-assignment',
    operationId: 'getLeadAssignment',
    summary: 'Read the lead assignment rule (anyone in the tenant; `none` until an admin sets one)',
    response: () => leadAssignmentSchemas().record,
    status: 200,
  },
  {
    method: 'PUT',
    path: '/settings/lead-assignment',
    operationId: 'putLeadAssignment',
    role: { least: 'admin' },
    summary:
      'Set the lead assignment rule (admin): `none` (the creator owns the lead), `round_robin` over `userIds` (even under concurrent creation), or `by_country` (`countries` maps ISO codes to users; an unmapped or missing country falls back to round robin over `userIds`, else the creator)',
    body: () => leadAssignmentSchemas().put,
    response: () => leadAssignmentSchemas().record,
    status: 200,
  },
]);
