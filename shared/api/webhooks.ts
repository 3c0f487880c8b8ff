import { listOf } from '../schemas/common.ts';
import { webhookSchemas } from '../schemas/webhooks.ts';
import { defineRoutes } from './route.ts';

/**
 * Webhooks (SPEC "Import, export, extensibility"). A webhook hears every
 * event of the tenant, whoever's records they are about, so only admins
 * manage them.
 */
const admin = { least: 'admin' } as const;

const id = '01JD4W3B8Z6V9N2Q5R7T1X3Y5A';
const at = '2026-11-30T10:15:00.000Z';
const shown = {
  id,
  createdAt: at,
  updatedAt: at,
  createdBy: 'u-admin',
  updatedBy: 'u-admin',
  version: 1,
  ownerId: 'u-admin',
  archived: false,
  url: 'https://hooks.example.com/crm',
  events: ['contact.created', 'deal.won'],
  description: 'New contacts and won deals to the data warehouse',
  enabled: true,
};
const secret = 'whsec_3q2Vb0m8Zr9kYc1LwP5sT7uXe4Nd6Hg2Jf8Ka0Qy1Ro';

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
    examples: { response: { items: [shown], nextCursor: null } },
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
    examples: {
      request: {
        url: 'https://hooks.example.com/crm',
        events: ['contact.created', 'deal.won'],
        description: 'New contacts and won deals to the data warehouse',
      },
      response: { ...shown, secret },
    },
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
    examples: { response: { ...shown, failingSince: '2026-11-30T09:02:11.000Z' } },
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
    examples: {
      request: { enabled: true, events: ['contact.created', 'contact.updated'] },
      response: { ...shown, version: 3, events: ['contact.created', 'contact.updated'] },
    },
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
    examples: {
      response: { id, secret, previousSecretValidUntil: '2026-12-01T10:15:00.000Z' },
    },
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
    examples: {
      response: {
        ok: true,
        statusCode: 200,
        durationMs: 84,
        eventId: 'evt_test_01JD4W9K2M4P6R8T0V2X4Z6B8D',
        eventType: 'contact.created',
      },
    },
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
    examples: {
      response: {
        items: [
          {
            deliveryId: 'dlv_6f1c0e9b2a4d48e3b7c5a9f0d2e4b6a8',
            eventId: 'evt_0b7e4c2a9d1f43e6a8c5b3d7f9e1a2c4',
            eventType: 'contact.created',
            attempt: 2,
            state: 'delivered',
            statusCode: 204,
            durationMs: 112,
            at: '2026-11-30T10:16:04.000Z',
          },
          {
            deliveryId: 'dlv_6f1c0e9b2a4d48e3b7c5a9f0d2e4b6a8',
            eventId: 'evt_0b7e4c2a9d1f43e6a8c5b3d7f9e1a2c4',
            eventType: 'contact.created',
            attempt: 1,
            state: 'retrying',
            statusCode: 503,
            error: 'answered 503',
            durationMs: 95,
            at: '2026-11-30T10:15:01.000Z',
            nextRetryAt: '2026-11-30T10:15:19.000Z',
          },
        ],
        nextCursor: null,
      },
    },
  },
]);
