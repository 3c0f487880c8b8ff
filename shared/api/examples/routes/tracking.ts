import type { RouteExamples } from '../../route.ts';
import { publicExamples } from '../public.ts';

/** Examples of the tracking routes for the OpenAPI document, by operationId. */
export const trackingRouteExamples = {
  trackOpen: { media: { 'image/gif': publicExamples.pixelBase64 } },
  trackClick: { location: publicExamples.clickLocation },
  getUnsubscribePage: { media: { 'text/html': publicExamples.unsubscribePage } },
  unsubscribe: { media: { 'text/html': publicExamples.unsubscribedPage } },
} satisfies Readonly<Record<string, RouteExamples>>;
