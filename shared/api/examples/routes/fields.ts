import type { RouteExamples } from '../../route.ts';
import { settingsExamples } from '../data.ts';

/** Examples of the fields routes for the OpenAPI document, by operationId. */
export const fieldsRouteExamples = {
  getCustomFields: { response: settingsExamples.fields },
  putCustomFields: { request: settingsExamples.fieldsPut, response: settingsExamples.fields },
} satisfies Readonly<Record<string, RouteExamples>>;
