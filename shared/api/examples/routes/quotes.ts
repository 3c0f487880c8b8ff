import type { RouteExamples } from '../../route.ts';
import { changed, lastPage } from '../common.ts';
import { quoteExamples } from '../sales.ts';

/** Examples of the quotes routes for the OpenAPI document, by operationId. */
export const quotesRouteExamples = {
  createQuote: { request: quoteExamples.create, response: quoteExamples.record },
  listDealQuotes: { response: lastPage(quoteExamples.record) },
  getQuote: { response: quoteExamples.record },
  updateQuote: { request: quoteExamples.patch, response: changed(quoteExamples.record, quoteExamples.patch) },
  sendQuote: { response: quoteExamples.sent },
  acceptQuote: { response: quoteExamples.accepted },
  rejectQuote: { response: quoteExamples.rejected },
} satisfies Readonly<Record<string, RouteExamples>>;
