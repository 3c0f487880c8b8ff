import { listOf } from '../schemas/common.ts';
import { webhookSchemas } from '../schemas/webhooks.ts';
import { defineRoutes } from './route.ts';

/**
 * Webhooks (SPEC "Import, export, extensibility"). A webhook hears every
 * event of the tenant, whoever's records they are about, so only admins
 * manage them.
 */
const admin = { least: 'admin' } as const;

export const webhookRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/webhooks',
    operationId: 'listWebhooks',
    summary: "List the tenant's webhooks, newest first, without their secrets (admins)",
    query: () => webhookSchemas().listQuery,
    response: () => listOf(webhookSchemas().record),
    status: 200,
    role: admin,
  },
  {
    method: 'POST',
    path: '/webhooks',
    operationId: 'createWebhook',
    summary:
      'Register a webhook: `url` (https, resolving to public addresses only; anything else is a 400 at `url` saying why), `events` (domain event types, at least one; unknown names are listed in the 400, one error each), `description`. The answer carries the signing `secret`, shown this once: deliveries are signed `X-CRM-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (admins; at most 50 per tenant)',
    body: () => webhookSchemas().create,
    response: () => webhookSchemas().created,
    status: 201,
    headers: ['Idempotency-Key'],
    role: admin,
  },
  {
    method: 'GET',
    path: '/webhooks/{id}',
    operationId: 'getWebhook',
    summary:
      'Read a webhook, without its secret; `failingSince` while its deliveries fail, `disabledAt` and `disabledReason` once disabled (admins)',
    response: () => webhookSchemas().record,
    status: 200,
    role: admin,
  },
  {
    method: 'PATCH',
    path: '/webhooks/{id}',
    operationId: 'updateWebhook',
    summary:
      'Change a webhook (JSON merge patch): `url` (checked again), `events` (replaced whole), `description`, `enabled` (true re-enables a disabled webhook and restarts its failure clock) (admins)',
    body: () => webhookSchemas().patch,
    response: () => webhookSchemas().record,
    status: 200,
    headers: ['If-Match'],
    role: admin,
  },
  {
    method: 'DELETE',
    path: '/webhooks/{id}',
    operationId: 'deleteWebhook',
    summary:
      'Delete a webhook: no further deliveries, queued ones are dropped; its delivery log expires after 30 days (admins)',
    status: 204,
    headers: ['If-Match'],
    role: admin,
  },
  {
    method: 'POST',
    path: '/webhooks/{id}/rotate-secret',
    operationId: 'rotateWebhookSecret',
    summary:
      'Give a webhook a new signing secret, shown this once. For 24 hours deliveries carry two signatures (`v1=` with the new secret, then `v1=` with the previous one), so receivers can switch without missing a delivery; then only the new one (admins)',
    response: () => webhookSchemas().rotated,
    status: 200,
    role: admin,
  },
  {
    method: 'POST',
    path: '/webhooks/{id}/test',
    operationId: 'testWebhook',
    summary:
      "Deliver a sample `contact.created` to the webhook now, signed like every delivery, and answer what came of it: `ok`, the endpoint's `statusCode`, `durationMs`, `error`. Logged in its deliveries; no retry, and its failure clock is untouched (admins)",
    response: () => webhookSchemas().tested,
    status: 200,
    role: admin,
  },
  {
    method: 'GET',
    path: '/webhooks/{id}/deliveries',
    operationId: 'listWebhookDeliveries',
    summary:
      "A webhook's delivery log, newest first: one entry per attempt with the event, the attempt number, `state` (delivered, retrying, failed = given up), the endpoint's `statusCode` or the `error`, `durationMs`, `at` and `nextRetryAt`. Kept 30 days (admins)",
    query: () => webhookSchemas().listQuery,
    response: () => listOf(webhookSchemas().delivery),
    status: 200,
    role: admin,
  },
]);
