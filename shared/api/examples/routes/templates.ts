import type { RouteExamples } from '../../route.ts';
import { changed, page } from '../common.ts';
import { templateExamples } from '../marketing.ts';

/** Examples of the templates routes for the OpenAPI document, by operationId. */
export const templatesRouteExamples = {
  listTemplates: { response: page(templateExamples.record) },
  createTemplate: { request: templateExamples.create, response: templateExamples.record },
  getTemplate: { response: templateExamples.record },
  updateTemplate: {
    request: templateExamples.patch,
    response: changed(templateExamples.record, templateExamples.patch),
  },
  restoreTemplate: { response: templateExamples.record },
  renderTemplate: { request: templateExamples.render, response: templateExamples.rendered },
} satisfies Readonly<Record<string, RouteExamples>>;
