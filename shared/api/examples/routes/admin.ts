import type { RouteExamples } from '../../route.ts';
import { reportExamples } from '../reports.ts';

/** Examples of the admin routes for the OpenAPI document, by operationId. */
export const adminRouteExamples = {
  rebuildReports: { response: reportExamples.rebuilt },
  getReportRebuild: { response: reportExamples.rebuildDone },
} satisfies Readonly<Record<string, RouteExamples>>;
