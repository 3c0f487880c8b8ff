import type { RouteExamples } from '../../route.ts';
import { at, changed, page } from '../common.ts';
import { publicExamples } from '../public.ts';
import { caseExamples } from '../service.ts';

/** Examples of the cases routes for the OpenAPI document, by operationId. */
export const casesRouteExamples = {
  listCases: { response: page(caseExamples.record) },
  createCase: { request: caseExamples.create, response: caseExamples.record },
  getCase: { response: caseExamples.record },
  updateCase: { request: caseExamples.patch, response: changed(caseExamples.record, caseExamples.patch) },
  restoreCase: { response: caseExamples.record },
  resolveCase: { request: caseExamples.resolve, response: caseExamples.resolved },
  getSlaSettings: { response: caseExamples.sla },
  putSlaSettings: {
    request: caseExamples.slaUpdate,
    response: { ...caseExamples.sla, ...caseExamples.slaUpdate, updatedAt: at.now },
  },
  getCsatForm: { media: { 'text/html': publicExamples.csatPage } },
  submitCsat: { request: caseExamples.csat, response: publicExamples.csatRecorded },
  getAlertSettings: { response: caseExamples.alerts },
  putAlertSettings: {
    request: caseExamples.alertsUpdate,
    response: { ...caseExamples.alerts, ...caseExamples.alertsUpdate, updatedAt: at.now },
  },
} satisfies Readonly<Record<string, RouteExamples>>;
