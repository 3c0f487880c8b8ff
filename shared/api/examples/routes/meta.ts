import type { RouteExamples } from '../../route.ts';
import { publicExamples } from '../public.ts';

/** Examples of the meta routes for the OpenAPI document, by operationId. */
export const metaRouteExamples = {
  getIndex: { response: publicExamples.index, media: { 'text/html': publicExamples.indexPage } },
  getHealth: { response: publicExamples.health },
  getOpenApi: { response: publicExamples.openApi },
  getDocs: { media: { 'text/html': publicExamples.docsPage } },
  getDocsAsset: {
    media: { 'text/javascript': publicExamples.docsScript, 'text/css': publicExamples.docsStyles },
  },
} satisfies Readonly<Record<string, RouteExamples>>;
