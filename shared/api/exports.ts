import * as z from 'zod/mini';
import { CUSTOM_FIELD_PATH } from '../domain/custom-fields.ts';
import { companySchemas } from '../schemas/companies.ts';
import { contactSchemas } from '../schemas/contacts.ts';
import { dealSchemas } from '../schemas/deals.ts';
import { exportSchemas } from '../schemas/exports.ts';
import { leadSchemas } from '../schemas/leads.ts';
import { shareSchemas } from '../schemas/shares.ts';
import { CUSTOM_FIELD_FILTERS_DOC } from './fields.ts';
import { defineRoutes } from './route.ts';

const streamed =
  'A list of at most 1,000 records (5 MB) is answered in the response (`text/csv; charset=utf-8` with a ' +
  'UTF-8 BOM, `application/json` array, or `text/vcard`), as a download (Content-Disposition); a larger ' +
  'one (or `async=true`) answers 202 with an export job: follow its `href` until `status` is `done` and ' +
  'download `downloadUrl`. Holds exactly the records the list route shows the caller';

const csv = {
  'text/csv':
    "UTF-8 with a BOM, `,`, CRLF: the import's canonical column names, custom fields as " +
    '`customFields.<key>`, then `id`, `createdAt`, `updatedAt`',
};
const vcard = { 'text/vcard': 'vCard 4.0 (RFC 6350), one card per person' };
const job = {
  description:
    'An export job (more than 1,000 records or 5 MB, or `async=true`): follow `href` (also `Location`) ' +
    'until `status` is `done`',
  response: () => exportSchemas().job,
};

/** The entity lists as files (SPEC "Import, export, extensibility"). */
export const exportRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/contacts/export',
    operationId: 'exportContacts',
    summary: `Export contacts (\`format=csv|json|vcf\`, the list's filters). ${streamed}${CUSTOM_FIELD_FILTERS_DOC}`,
    query: () => exportSchemas().contactsQuery,
    queryFilters: CUSTOM_FIELD_PATH,
    response: () => z.array(contactSchemas().record),
    responseMediaTypes: { ...csv, ...vcard },
    accepted: job,
    status: 200,
  },
  {
    method: 'GET',
    path: '/companies/export',
    operationId: 'exportCompanies',
    summary: `Export companies (\`format=csv|json\`, the list's filters). ${streamed}${CUSTOM_FIELD_FILTERS_DOC}`,
    query: () => exportSchemas().companiesQuery,
    queryFilters: CUSTOM_FIELD_PATH,
    response: () => z.array(companySchemas().record),
    responseMediaTypes: csv,
    accepted: job,
    status: 200,
  },
  {
    method: 'GET',
    path: '/leads/export',
    operationId: 'exportLeads',
    summary: `Export leads (\`format=csv|json|vcf\`, the list's filters). ${streamed}${CUSTOM_FIELD_FILTERS_DOC}`,
    query: () => exportSchemas().leadsQuery,
    queryFilters: CUSTOM_FIELD_PATH,
    response: () => z.array(leadSchemas().record),
    responseMediaTypes: { ...csv, ...vcard },
    accepted: job,
    status: 200,
  },
  {
    method: 'GET',
    path: '/deals/export',
    operationId: 'exportDeals',
    summary: `Export deals (\`format=csv|json\`, the list's filters). ${streamed}${CUSTOM_FIELD_FILTERS_DOC}`,
    query: () => exportSchemas().dealsQuery,
    queryFilters: CUSTOM_FIELD_PATH,
    response: () => z.array(dealSchemas().record),
    responseMediaTypes: csv,
    accepted: job,
    status: 200,
  },
  {
    method: 'GET',
    path: '/segments/{id}/export',
    operationId: 'exportSegment',
    summary: `Export a segment's live contacts the caller may read (\`format=csv|json|vcf\`). ${streamed}`,
    query: () => exportSchemas().segmentQuery,
    response: () => z.array(contactSchemas().record),
    responseMediaTypes: { ...csv, ...vcard },
    accepted: job,
    status: 200,
  },
  {
    method: 'GET',
    path: '/exports/{id}',
    operationId: 'getExport',
    summary:
      'An export job: `processing`, `done` (with `rows`, `bytes` and a `downloadUrl` valid 15 minutes) or ' +
      '`failed` (with `error`). A rep sees only their own; jobs and files are kept two days',
    response: () => exportSchemas().job,
    status: 200,
  },
  {
    method: 'GET',
    path: '/l/{token}',
    operationId: 'downloadSharedList',
    missing: 'Link',
    summary:
      "A shared segment's link (`POST /segments/{id}/share`): no login, the signed token is the credential. " +
      "Answers the segment's contacts matching now that the link's creator may read both now and when they " +
      "shared it, in the link's format, as a download with only the fields a partner gets (firstName, " +
      'lastName, email, phone, company, title, city, country, tags). A tampered, expired or revoked link, an ' +
      'archived segment or a creator no longer active or no longer able to read the segment answer 404, all ' +
      'alike. Every answer is logged on the share',
    public: true,
    response: () => z.array(shareSchemas().sharedContact),
    responseMediaTypes: { ...csv, ...vcard },
    accepted: {
      description:
        'A list past 1,000 contacts (5 MB): the file is being written; ask again after `Retry-After` seconds',
      response: () => shareSchemas().preparing,
      header: 'Retry-After',
    },
    redirect: { description: 'The file, once written: a presigned download valid 15 minutes' },
    status: 200,
  },
]);
