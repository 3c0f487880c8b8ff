import type { RouteExamples } from '../../route.ts';
import { changed, page } from '../common.ts';
import { contactExamples } from '../crm.ts';

/** Examples of the contacts routes for the OpenAPI document, by operationId. */
export const contactsRouteExamples = {
  listContacts: { response: page(contactExamples.record, contactExamples.second) },
  createContact: { request: contactExamples.create, response: contactExamples.record },
  getContact: { response: contactExamples.record },
  updateContact: {
    request: contactExamples.patch,
    response: changed(contactExamples.record, contactExamples.patch),
  },
  restoreContact: { response: contactExamples.record },
} satisfies Readonly<Record<string, RouteExamples>>;
