import { alertSettingsSchemas } from '../schemas/alerts.ts';
import { caseSchemas, slaSettingsSchemas } from '../schemas/cases.ts';
import { listOf } from '../schemas/common.ts';
import { defineRoutes } from './route.ts';

export const caseRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/cases',
    operationId: 'listCases',
    summary:
      'List service cases by status, priority, type, assignee, contact or company; `q` is a subject prefix',
    query: () => caseSchemas().listQuery,
    response: () => listOf(caseSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/cases',
    operationId: 'createCase',
    summary:
      'Open a service case for a contact (status `new`, priority `normal` unless given); the assignee owns it ' +
      "(default: the caller) and `slaDueAt` follows from the tenant's SLA hours for the priority",
    body: () => caseSchemas().create,
    response: () => caseSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/cases/{id}',
    operationId: 'getCase',
    summary: 'Read a service case',
    response: () => caseSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/cases/{id}',
    operationId: 'updateCase',
    summary:
      'Change a case. `status` follows new → open|pending|resolved|closed, open → pending|resolved|closed, ' +
      'pending → open|resolved|closed, resolved → open (reopen, a fresh SLA clock)|closed; closed is final ' +
      '(409 otherwise; resolve through `POST /cases/{id}/resolve`). A priority change recomputes `slaDueAt`',
    body: () => caseSchemas().patch,
    response: () => caseSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/cases/{id}',
    operationId: 'archiveCase',
    summary: 'Archive a case (hidden from lists unless `archived=true`; its SLA check is cancelled)',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/cases/{id}/restore',
    operationId: 'restoreCase',
    summary: 'Restore an archived case',
    response: () => caseSchemas().record,
    status: 200,
  },
  {
    method: 'POST',
    path: '/cases/{id}/resolve',
    operationId: 'resolveCase',
    summary:
      'Resolve a case with its resolution; answers the case and `csatUrl`, a signed, single-use public link ' +
      '(`/s/{token}`) where the customer rates the service (null when the case was already rated)',
    body: () => caseSchemas().resolve,
    response: () => caseSchemas().resolved,
    status: 200,
    headers: ['If-Match', 'Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/settings/sla',
    operationId: 'getSlaSettings',
    summary:
      'Read the SLA hours per priority (anyone in the tenant; defaults urgent 4, high 8, normal 24, low 72)',
    response: () => slaSettingsSchemas().record,
    status: 200,
  },
  {
    method: 'PUT',
    path: '/settings/sla',
    operationId: 'putSlaSettings',
    role: { least: 'admin' },
    summary:
      'Set the SLA hours per priority (admin): each positive, at most 720; an omitted priority takes its default. ' +
      'Applies to cases created or re-prioritised afterwards',
    body: () => slaSettingsSchemas().put,
    response: () => slaSettingsSchemas().record,
    status: 200,
  },
  {
    method: 'GET',
    path: '/s/{token}',
    operationId: 'getCsatForm',
    missing: 'Link',
    summary:
      'The satisfaction form of a public link (HTML; no token needed); an unknown or used link answers 404',
    public: true,
    responseMediaTypes: { 'text/html': 'The form: a 1-5 score and an optional comment' },
    status: 200,
  },
  {
    method: 'POST',
    path: '/s/{token}',
    operationId: 'submitCsat',
    missing: 'Link',
    summary:
      'Rate a resolved case through its public link (no login): `score` 1-5, optional `comment`. ' +
      'Recorded once; a used, tampered or unknown link answers 404 and records nothing',
    public: true,
    body: () => caseSchemas().csat,
    response: () => caseSchemas().csatRecorded,
    status: 200,
  },
  {
    method: 'GET',
    path: '/settings/alerts',
    operationId: 'getAlertSettings',
    summary:
      'Read the alert settings (anyone in the tenant; defaults staleDealDays 14, churnRiskThreshold 70)',
    response: () => alertSettingsSchemas().record,
    status: 200,
  },
  {
    method: 'PUT',
    path: '/settings/alerts',
    operationId: 'putAlertSettings',
    role: { least: 'admin' },
    summary:
      'Set the alert settings (admin): staleDealDays 1-365 (days without activity before an open deal is alerted), ' +
      'churnRiskThreshold 1-100; an omitted one takes its default. Applies from the next alert run',
    body: () => alertSettingsSchemas().put,
    response: () => alertSettingsSchemas().record,
    status: 200,
  },
]);
