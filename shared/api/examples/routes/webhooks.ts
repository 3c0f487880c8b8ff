import type { RouteExamples } from '../../route.ts';

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

/** Examples of the webhooks routes for the OpenAPI document, by operationId. */
export const webhooksRouteExamples = {
  listWebhooks: { response: { items: [shown], nextCursor: null } },
  createWebhook: {
    request: {
      url: 'https://hooks.example.com/crm',
      events: ['contact.created', 'deal.won'],
      description: 'New contacts and won deals to the data warehouse',
    },
    response: { ...shown, secret },
  },
  getWebhook: { response: { ...shown, failingSince: '2026-11-30T09:02:11.000Z' } },
  updateWebhook: {
    request: { enabled: true, events: ['contact.created', 'contact.updated'] },
    response: { ...shown, version: 3, events: ['contact.created', 'contact.updated'] },
  },
  rotateWebhookSecret: {
    response: { id, secret, previousSecretValidUntil: '2026-12-01T10:15:00.000Z' },
  },
  testWebhook: {
    response: {
      ok: true,
      statusCode: 200,
      durationMs: 84,
      eventId: 'evt_test_01JD4W9K2M4P6R8T0V2X4Z6B8D',
      eventType: 'contact.created',
    },
  },
  listWebhookDeliveries: {
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
} satisfies Readonly<Record<string, RouteExamples>>;
