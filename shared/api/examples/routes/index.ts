import type { RouteExamples } from '../../route.ts';
import { activitiesRouteExamples } from './activities.ts';
import { adminRouteExamples } from './admin.ts';
import { campaignsRouteExamples } from './campaigns.ts';
import { casesRouteExamples } from './cases.ts';
import { collaborationRouteExamples } from './collaboration.ts';
import { companiesRouteExamples } from './companies.ts';
import { contactsRouteExamples } from './contacts.ts';
import { dealsRouteExamples } from './deals.ts';
import { exportsRouteExamples } from './exports.ts';
import { fieldsRouteExamples } from './fields.ts';
import { formsRouteExamples } from './forms.ts';
import { importsRouteExamples } from './imports.ts';
import { leadsRouteExamples } from './leads.ts';
import { metaRouteExamples } from './meta.ts';
import { pipelinesRouteExamples } from './pipelines.ts';
import { productsRouteExamples } from './products.ts';
import { quotesRouteExamples } from './quotes.ts';
import { reportsRouteExamples } from './reports.ts';
import { segmentsRouteExamples } from './segments.ts';
import { sequencesRouteExamples } from './sequences.ts';
import { teamsRouteExamples } from './teams.ts';
import { templatesRouteExamples } from './templates.ts';
import { trackingRouteExamples } from './tracking.ts';
import { usersRouteExamples } from './users.ts';
import { viewsRouteExamples } from './views.ts';
import { webhooksRouteExamples } from './webhooks.ts';

/**
 * The examples of every route, by operationId: only the OpenAPI document
 * (shared/api/openapi.ts) reads them, so they stay out of the functions that
 * serve the routes. test/unit/openapi-examples.test.ts checks each against its
 * route's schemas and that each names a route.
 */
export const routeExamples: Readonly<Record<string, RouteExamples>> = {
  ...activitiesRouteExamples,
  ...adminRouteExamples,
  ...campaignsRouteExamples,
  ...casesRouteExamples,
  ...collaborationRouteExamples,
  ...companiesRouteExamples,
  ...contactsRouteExamples,
  ...dealsRouteExamples,
  ...exportsRouteExamples,
  ...fieldsRouteExamples,
  ...formsRouteExamples,
  ...importsRouteExamples,
  ...leadsRouteExamples,
  ...metaRouteExamples,
  ...pipelinesRouteExamples,
  ...productsRouteExamples,
  ...quotesRouteExamples,
  ...reportsRouteExamples,
  ...segmentsRouteExamples,
  ...sequencesRouteExamples,
  ...teamsRouteExamples,
  ...templatesRouteExamples,
  ...trackingRouteExamples,
  ...usersRouteExamples,
  ...viewsRouteExamples,
  ...webhooksRouteExamples,
};
