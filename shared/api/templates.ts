import { listOf } from '../schemas/common.ts';
import { templateSchemas } from '../schemas/templates.ts';
import { defineRoutes } from './route.ts';

export const templateRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/templates',
    operationId: 'listTemplates',
    summary: 'List email templates the caller may read; `q` is a name prefix (case- and accent-insensitive)',
    query: () => templateSchemas().listQuery,
    response: () => listOf(templateSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/templates',
    operationId: 'createTemplate',
    summary:
      'Create an email template (Handlebars; variables contact.*, company.*, unsubscribeUrl; built-in helpers only). A part that does not compile, and unescaped output (`{{{ }}}`, `{{& }}`) in html, answer 400 naming the part and line',
    body: () => templateSchemas().create,
    response: () => templateSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/templates/{id}',
    operationId: 'getTemplate',
    summary: 'Read an email template',
    response: () => templateSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/templates/{id}',
    operationId: 'updateTemplate',
    summary: 'Change an email template (JSON merge patch; the result must compile)',
    body: () => templateSchemas().patch,
    response: () => templateSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/templates/{id}',
    operationId: 'deleteTemplate',
    summary: 'Archive an email template',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/templates/{id}/restore',
    operationId: 'restoreTemplate',
    summary: 'Restore an archived email template',
    response: () => templateSchemas().record,
    status: 200,
  },
  {
    method: 'POST',
    path: '/templates/{id}/render',
    operationId: 'renderTemplate',
    summary:
      'Render a template for a contact the caller may read (its company only if readable too). The unsubscribe link is a non-working preview address; the text part is generated from html when the template has none',
    body: () => templateSchemas().render,
    response: () => templateSchemas().rendered,
    status: 200,
  },
]);
