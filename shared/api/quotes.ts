import { listOf } from '../schemas/common.ts';
import { quoteSchemas } from '../schemas/quotes.ts';
import { defineRoutes } from './route.ts';

export const quoteRoutes = defineRoutes([
  {
    method: 'POST',
    path: '/deals/{id}/quotes',
    operationId: 'createQuote',
    summary:
      "Create a draft quote for a deal, in the deal's currency; line totals, subtotal, discount and " +
      'total are computed exactly (half-up to cents)',
    body: () => quoteSchemas().create,
    response: () => quoteSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/deals/{id}/quotes',
    operationId: 'listDealQuotes',
    summary: "A deal's quotes, newest first",
    query: () => quoteSchemas().listQuery,
    response: () => listOf(quoteSchemas().record),
    status: 200,
  },
  {
    method: 'GET',
    path: '/quotes/{id}',
    operationId: 'getQuote',
    summary: 'Read a quote; a sent quote past `validUntil` reads as expired',
    response: () => quoteSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/quotes/{id}',
    operationId: 'updateQuote',
    summary: 'Change the lines or validity of a draft quote (JSON merge patch); totals are recomputed',
    body: () => quoteSchemas().patch,
    response: () => quoteSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/quotes/{id}/send',
    operationId: 'sendQuote',
    summary: 'Mark a draft quote as sent (sets `sentAt`)',
    response: () => quoteSchemas().record,
    status: 200,
    headers: ['If-Match', 'Idempotency-Key'],
  },
  {
    method: 'POST',
    path: '/quotes/{id}/accept',
    operationId: 'acceptQuote',
    summary:
      "Accept a sent, unexpired quote: the deal's amount becomes the quote total and the deal moves to " +
      "its pipeline's won stage, in one transaction; a deal has at most one accepted quote",
    response: () => quoteSchemas().record,
    status: 200,
    headers: ['If-Match', 'Idempotency-Key'],
  },
  {
    method: 'POST',
    path: '/quotes/{id}/reject',
    operationId: 'rejectQuote',
    summary: 'Mark a sent, unexpired quote as rejected',
    response: () => quoteSchemas().record,
    status: 200,
    headers: ['If-Match', 'Idempotency-Key'],
  },
]);
