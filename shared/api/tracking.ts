import { defineRoutes } from './route.ts';

/**
 * The public links in marketing email: no login, the signed token in the path
 * is the only credential. A tampered, truncated or foreign token, or one whose
 * contact no longer exists, answers 404 and records nothing.
 */
export const trackingRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/t/o/{token}',
    operationId: 'trackOpen',
    missing: 'Link',
    summary:
      'Open pixel (`/t/o/<token>.gif`): a 1x1 transparent GIF; records the first open of the email ' +
      '(opens within seconds of delivery, from privacy or image proxies or from scanners count as machine opens)',
    public: true,
    responseMediaTypes: { 'image/gif': 'A 1x1 transparent GIF (43 bytes); never cached' },
    status: 200,
  },
  {
    method: 'GET',
    path: '/t/c/{token}',
    operationId: 'trackClick',
    missing: 'Link',
    summary:
      'Tracked link: records the click and redirects (302) to the URL sealed in the token, and only there',
    public: true,
    status: 302,
  },
  {
    method: 'GET',
    path: '/u/{token}',
    operationId: 'getUnsubscribePage',
    missing: 'Link',
    summary:
      'Unsubscribe confirmation page (HTML) with a button that POSTs to the same URL; changes nothing by itself',
    public: true,
    responseMediaTypes: { 'text/html': 'The confirmation page, or the unsubscribed page if already done' },
    status: 200,
  },
  {
    method: 'POST',
    path: '/u/{token}',
    operationId: 'unsubscribe',
    missing: 'Link',
    summary:
      'One-click unsubscribe (RFC 8058: body `List-Unsubscribe=One-Click`, form-encoded, or the page button). ' +
      'Answers an HTML confirmation; repeating it changes nothing',
    public: true,
    responseMediaTypes: { 'text/html': 'The unsubscribed page' },
    status: 200,
  },
]);
