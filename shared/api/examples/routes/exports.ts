import type { RouteExamples } from '../../route.ts';
import { companyExamples, contactExamples, leadExamples } from '../crm.ts';
import { exportExamples, sharedListExamples } from '../data.ts';
import { dealExamples } from '../sales.ts';

/** Examples of the exports routes for the OpenAPI document, by operationId. */
export const exportsRouteExamples = {
  exportContacts: {
    response: [contactExamples.record],
    accepted: exportExamples.processing,
    media: { 'text/csv': exportExamples.contactsCsv, 'text/vcard': exportExamples.contactsVcard },
  },
  exportCompanies: {
    response: [companyExamples.record],
    accepted: { ...exportExamples.processing, entity: 'companies' },
    media: { 'text/csv': exportExamples.companiesCsv },
  },
  exportLeads: {
    response: [leadExamples.record],
    accepted: { ...exportExamples.processing, entity: 'leads', filters: { status: 'qualified' } },
    media: { 'text/csv': exportExamples.leadsCsv, 'text/vcard': exportExamples.leadsVcard },
  },
  exportDeals: {
    response: [dealExamples.record],
    accepted: { ...exportExamples.processing, entity: 'deals', filters: { status: 'open' } },
    media: { 'text/csv': exportExamples.dealsCsv },
  },
  exportSegment: {
    response: [contactExamples.record],
    accepted: exportExamples.segmentProcessing,
    media: { 'text/csv': exportExamples.contactsCsv, 'text/vcard': exportExamples.contactsVcard },
  },
  getExport: { response: exportExamples.done },
  downloadSharedList: {
    response: sharedListExamples.contacts,
    accepted: sharedListExamples.preparing,
    location: sharedListExamples.downloadUrl,
    media: { 'text/csv': sharedListExamples.csv, 'text/vcard': sharedListExamples.vcard },
  },
} satisfies Readonly<Record<string, RouteExamples>>;
