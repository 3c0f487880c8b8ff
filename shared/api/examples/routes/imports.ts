import type { RouteExamples } from '../../route.ts';
import { lastPage } from '../common.ts';
import { importExamples } from '../data.ts';

/** Examples of the imports routes for the OpenAPI document, by operationId. */
export const importsRouteExamples = {
  createImport: { request: importExamples.create, response: importExamples.created },
  listImports: { response: lastPage(importExamples.done) },
  getImport: { response: importExamples.done },
} satisfies Readonly<Record<string, RouteExamples>>;
