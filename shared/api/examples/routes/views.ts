import type { RouteExamples } from '../../route.ts';
import { changed, lastPage } from '../common.ts';
import { viewExamples } from '../data.ts';

/** Examples of the views routes for the OpenAPI document, by operationId. */
export const viewsRouteExamples = {
  listViews: { response: lastPage(viewExamples.record) },
  createView: { request: viewExamples.create, response: viewExamples.record },
  getView: { response: viewExamples.record },
  updateView: { request: viewExamples.patch, response: changed(viewExamples.record, viewExamples.patch) },
} satisfies Readonly<Record<string, RouteExamples>>;
