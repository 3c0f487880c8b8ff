import type { RouteExamples } from '../../route.ts';
import { changed, page } from '../common.ts';
import { companyExamples } from '../crm.ts';

/** Examples of the companies routes for the OpenAPI document, by operationId. */
export const companiesRouteExamples = {
  listCompanies: { response: page(companyExamples.record) },
  createCompany: { request: companyExamples.create, response: companyExamples.record },
  getCompany: { response: companyExamples.record },
  updateCompany: {
    request: companyExamples.patch,
    response: changed(companyExamples.record, companyExamples.patch),
  },
  restoreCompany: { response: companyExamples.record },
} satisfies Readonly<Record<string, RouteExamples>>;
