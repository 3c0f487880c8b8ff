import type { RouteExamples } from '../../route.ts';
import { changed, page } from '../common.ts';
import { leadExamples } from '../crm.ts';
import { settingsExamples } from '../data.ts';
import { leadConversion } from '../sales.ts';

/** Examples of the leads routes for the OpenAPI document, by operationId. */
export const leadsRouteExamples = {
  listLeads: { response: page(leadExamples.record) },
  createLead: { request: leadExamples.create, response: leadExamples.record },
  getLead: { response: leadExamples.record },
  updateLead: { request: leadExamples.patch, response: changed(leadExamples.record, leadExamples.patch) },
  restoreLead: { response: leadExamples.record },
  convertLead: { request: leadExamples.convert, response: leadConversion.response },
  getLeadAssignment: { response: settingsExamples.leadAssignment },
  putLeadAssignment: {
    request: settingsExamples.leadAssignmentPut,
    response: settingsExamples.leadAssignment,
  },
} satisfies Readonly<Record<string, RouteExamples>>;
