import { activityRoutes } from './activities.ts';
import { adminRoutes } from './admin.ts';
import { campaignRoutes } from './campaigns.ts';
import { caseRoutes } from './cases.ts';
import { collaborationRoutes } from './collaboration.ts';
import { companyRoutes } from './companies.ts';
import { contactRoutes } from './contacts.ts';
import { dealRoutes } from './deals.ts';
import { exportRoutes } from './exports.ts';
import { fieldRoutes } from './fields.ts';
import { formRoutes } from './forms.ts';
import { importRoutes } from './imports.ts';
import { leadRoutes } from './leads.ts';
import { metaRoutes } from './meta.ts';
import { pipelineRoutes } from './pipelines.ts';
import { productRoutes } from './products.ts';
import { quoteRoutes } from './quotes.ts';
import { reportRoutes } from './reports.ts';
import type { RouteDef } from './route.ts';
import { segmentRoutes } from './segments.ts';
import { sequenceRoutes } from './sequences.ts';
import { teamRoutes } from './teams.ts';
import { templateRoutes } from './templates.ts';
import { trackingRoutes } from './tracking.ts';
import { userRoutes } from './users.ts';
import { viewRoutes } from './views.ts';
import { webhookRoutes } from './webhooks.ts';

/**
 * Every HTTP function and the routes it serves; CDK, the local router and OpenAPI read
 * this map. Every Lambda (entries, what each uses) is listed in infra/lambdas.ts.
 */
export const httpFunctions = {
  meta: metaRoutes,
  users: userRoutes,
  teams: teamRoutes,
  companies: companyRoutes,
  contacts: contactRoutes,
  leads: leadRoutes,
  reports: reportRoutes,
  pipelines: pipelineRoutes,
  deals: dealRoutes,
  products: productRoutes,
  quotes: quoteRoutes,
  cases: caseRoutes,
  activities: activityRoutes,
  collaboration: collaborationRoutes,
  segments: segmentRoutes,
  templates: templateRoutes,
  campaigns: campaignRoutes,
  sequences: sequenceRoutes,
  tracking: trackingRoutes,
  admin: adminRoutes,
  fields: fieldRoutes,
  imports: importRoutes,
  exports: exportRoutes,
  views: viewRoutes,
  webhooks: webhookRoutes,
  forms: formRoutes,
} as const satisfies Record<string, readonly RouteDef[]>;

export type HttpFunctionName = keyof typeof httpFunctions;

export const httpFunctionNames = Object.keys(httpFunctions) as HttpFunctionName[];
