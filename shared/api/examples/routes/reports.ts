import type { RouteExamples } from '../../route.ts';
import { reportExamples } from '../reports.ts';

/** Examples of the reports routes for the OpenAPI document, by operationId. */
export const reportsRouteExamples = {
  getOverview: { response: reportExamples.overview },
  getSalesReport: { response: reportExamples.sales },
  getLeadsReport: { response: reportExamples.leads },
  getCasesReport: { response: reportExamples.cases },
  getActivitiesReport: { response: reportExamples.activities },
  getPipelineReport: { response: reportExamples.pipeline },
  getWinRateReport: { response: reportExamples.winRate },
  getForecastReport: { response: reportExamples.forecast },
  getCampaignsReport: { response: reportExamples.campaigns },
  getCampaignTimeseries: { response: reportExamples.timeseries },
  getKpis: { response: reportExamples.kpis },
  getCustomersReport: { response: reportExamples.customers },
} satisfies Readonly<Record<string, RouteExamples>>;
