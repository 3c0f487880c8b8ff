import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { type HttpFunctionName, httpFunctions } from '#shared/api/catalogue';
import type { RouteDef } from '#shared/api/route';
import type { ApiClient, ApiResponse } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { createWorld, type Member, unique, type World } from './world.ts';

/**
 * The `role` annotation of every route of the catalogue (what `npm run routes` prints)
 * against what its handler does: a caller below the declared role gets 403 problem+json
 * and changes nothing, the declared role itself gets through, and a route that declares
 * no role serves a rep on the rep's own records. Each route gets a valid request, built
 * by `samples`, so a 403 is never hidden behind a 400 or a 404.
 */

type OperationId = (typeof httpFunctions)[HttpFunctionName][number]['operationId'];

interface Call {
  readonly path: string;
  readonly body?: unknown;
  /** An admin read whose answer shows whether the call wrote anything. */
  readonly read?: string;
}

interface Sample {
  /** A valid request for `who`, after creating the records it needs, owned by `who`. */
  readonly call: (who: Member) => Promise<Call>;
  /** The answer to a valid call when it is not the route's documented status, and why. */
  readonly answers?: { readonly status: number; readonly why: string };
}

/** A route no rep can call with valid input from here, and why. */
interface NotCallable {
  readonly notCallable: string;
}

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

async function created(client: ApiClient, path: string, body: unknown): Promise<string> {
  const response = await client.post(path, body);
  expect(response.status, `POST ${path}: ${response.text}`).toBe(201);
  return response.body.id as string;
}

async function archived(client: ApiClient, path: string): Promise<void> {
  const response = await client.delete(path);
  expect(response.status, `DELETE ${path}: ${response.text}`).toBe(204);
}

const stages = [
  { name: 'new', probability: 10 },
  { name: 'won', probability: 100, kind: 'won' },
  { name: 'lost', probability: 0, kind: 'lost' },
];

/** Records a caller creates for themselves; each call makes a new one. */
const make = {
  contact: (c: ApiClient) =>
    created(c, '/contacts', { firstName: 'Role', email: `${unique('role')}@example.com` }),
  company: (c: ApiClient) => created(c, '/companies', { name: unique('Company') }),
  lead: (c: ApiClient) => created(c, '/leads', { firstName: 'Lead', email: `${unique('lead')}@example.com` }),
  deal: (c: ApiClient) => created(c, '/deals', { name: unique('Deal') }),
  case: async (c: ApiClient) =>
    created(c, '/cases', { subject: 'Broken', type: 'complaint', contactId: await make.contact(c) }),
  activity: (c: ApiClient) => created(c, '/activities', { type: 'task', subject: unique('Task') }),
  segment: (c: ApiClient) =>
    created(c, '/segments', {
      name: unique('Segment'),
      filter: { all: [{ field: 'country', op: 'eq', value: 'ES' }] },
    }),
  template: (c: ApiClient) =>
    created(c, '/templates', { name: unique('Template'), subject: 'Hello', html: '<p>Hi</p>' }),
  campaign: async (c: ApiClient) =>
    created(c, '/campaigns', {
      name: unique('Campaign'),
      templateId: await make.template(c),
      segmentId: await make.segment(c),
      fromEmail: 'news@example.com',
    }),
  sequence: async (c: ApiClient) =>
    created(c, '/sequences', {
      name: unique('Sequence'),
      steps: [{ delayHours: 1, templateId: await make.template(c) }],
    }),
  quote: async (c: ApiClient) =>
    created(c, `/deals/${await make.deal(c)}/quotes`, {
      currency: 'EUR',
      lines: [{ description: 'Consulting', quantity: 1, unitPrice: 100 }],
    }),
  sentQuote: async (c: ApiClient) => {
    const id = await make.quote(c);
    expect((await c.post(`/quotes/${id}/send`)).status).toBe(200);
    return id;
  },
  product: (c: ApiClient) =>
    created(c, '/products', { name: unique('Product'), unitPrice: 10, currency: 'EUR' }),
  pipeline: (c: ApiClient) => created(c, '/pipelines', { name: unique('Pipeline'), stages }),
  view: (c: ApiClient) =>
    created(c, '/views', {
      name: unique('View'),
      entity: 'contacts',
      filter: { tag: 'vip' },
      visibility: 'team',
    }),
  form: (c: ApiClient) =>
    created(c, '/forms', { name: unique('Form'), fields: [{ field: 'firstName' }, { field: 'email' }] }),
};

type Maker = (c: ApiClient) => Promise<string>;

/** The usual routes of a record resource at `base` (`/contacts`): list, read, patch, archive, restore. */
function resource(base: string, make: Maker, patch: unknown) {
  return {
    list: { call: async () => ({ path: base }) },
    get: { call: async (who: Member) => ({ path: `${base}/${await make(who.client)}` }) },
    update: { call: async (who: Member) => ({ path: `${base}/${await make(who.client)}`, body: patch }) },
    archive: { call: async (who: Member) => ({ path: `${base}/${await make(who.client)}` }) },
    restore: {
      call: async (who: Member) => {
        const id = await make(who.client);
        await archived(who.client, `${base}/${id}`);
        return { path: `${base}/${id}/restore` };
      },
    },
  } satisfies Record<string, Sample>;
}

/** The comment, follow, unfollow and timeline routes of a record resource (shared/api/collaboration.ts). */
function collaboration(base: string, make: Maker) {
  const on = (suffix: string, body?: unknown): Sample => ({
    call: async (who) => ({ path: `${base}/${await make(who.client)}/${suffix}`, body }),
  });
  return {
    comment: on('comments', { body: 'A note' }),
    follow: on('follow'),
    unfollow: on('follow'),
    timeline: on('timeline'),
  };
}

const contactsTalk = collaboration('/contacts', make.contact);
const companiesTalk = collaboration('/companies', make.company);
const leadsTalk = collaboration('/leads', make.lead);
const dealsTalk = collaboration('/deals', make.deal);
const casesTalk = collaboration('/cases', make.case);

/** A POST to `path` with a body made fresh for each call. */
const post = (path: string, body: () => unknown): Sample => ({ call: async () => ({ path, body: body() }) });

/** A share of a new segment of the caller's: its path, `/segments/{id}/shares/{shareId}`. */
async function madeShare(client: ApiClient): Promise<string> {
  const segmentId = await make.segment(client);
  const response = await client.post(`/segments/${segmentId}/share`, { expiresInDays: 1 });
  expect(response.status, response.text).toBe(201);
  return `/segments/${segmentId}/shares/${response.body.id}`;
}

const contacts = resource('/contacts', make.contact, { title: 'CTO' });
const companies = resource('/companies', make.company, { city: 'Paris' });
const leads = resource('/leads', make.lead, { source: 'web' });
const deals = resource('/deals', make.deal, { amount: 500, currency: 'EUR' });
const cases = resource('/cases', make.case, { priority: 'high' });
const activities = resource('/activities', make.activity, { subject: 'Renamed' });
const segments = resource('/segments', make.segment, { description: 'Changed' });
const templates = resource('/templates', make.template, { subject: 'Changed' });
const campaigns = resource('/campaigns', make.campaign, { name: 'Renamed' });
const sequences = resource('/sequences', make.sequence, { name: 'Renamed' });
const views = resource('/views', make.view, { columns: ['firstName', 'email'] });
/** A form an admin made (forms are theirs to make), as its path. */
const adminForm = async () => `/forms/${await make.form(world.admin.client)}`;

const onCampaign =
  (suffix: string, body?: unknown): Sample['call'] =>
  async (who) => ({
    path: `/campaigns/${await make.campaign(who.client)}/${suffix}`,
    body,
  });
const onQuote =
  (suffix: string, quote: Maker = make.quote): Sample['call'] =>
  async (who) => ({ path: `/quotes/${await quote(who.client)}${suffix}` });
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** One valid request per operation of the catalogue, or the reason none can be made here. */
const samples: Record<OperationId, Sample | NotCallable> = {
  // meta
  getIndex: { call: async () => ({ path: '/' }) },
  getDocs: { call: async () => ({ path: '/docs' }) },
  getDocsAsset: { call: async () => ({ path: '/docs/swagger-ui.css' }) },
  getHealth: { call: async () => ({ path: '/health' }) },
  getOpenApi: { call: async () => ({ path: '/openapi.json' }) },
  // tracking and CSAT: public, addressed by a signed token that only an email carries
  trackClick: { notCallable: 'public; needs a signed link token from a sent email' },
  trackOpen: { notCallable: 'public; needs a signed pixel token from a sent email' },
  getUnsubscribePage: { notCallable: 'public; needs a signed unsubscribe token from a sent email' },
  unsubscribe: { notCallable: 'public; needs a signed unsubscribe token from a sent email' },
  getCsatForm: { notCallable: 'public; needs a signed survey token from a resolved case email' },
  submitCsat: { notCallable: 'public; needs a signed survey token from a resolved case email' },

  // users and teams
  getMe: { call: async () => ({ path: '/me' }) },
  listUsers: { call: async () => ({ path: '/users' }) },
  getUser: { call: async (who) => ({ path: `/users/${who.id}` }) },
  createUser: {
    call: async () => ({
      path: '/users',
      body: { email: `${unique('user')}@example.com`, name: 'New', role: 'rep' },
      read: '/users',
    }),
  },
  updateUser: {
    call: async () => {
      const id = await created(world.admin.client, '/users', {
        email: `${unique('user')}@example.com`,
        name: 'Someone',
        role: 'rep',
      });
      return { path: `/users/${id}`, body: { name: 'Renamed' }, read: `/users/${id}` };
    },
  },
  listTeams: { call: async () => ({ path: '/teams' }) },
  getTeam: { call: async () => ({ path: `/teams/${world.teams.red}` }) },
  createTeam: { call: async () => ({ path: '/teams', body: { name: unique('Team') }, read: '/teams' }) },
  updateTeam: {
    call: async () => {
      const id = await created(world.admin.client, '/teams', { name: unique('Team') });
      return { path: `/teams/${id}`, body: { name: unique('Renamed') }, read: `/teams/${id}` };
    },
  },

  // companies, contacts, leads
  listCompanies: companies.list,
  createCompany: post('/companies', () => ({ name: unique('Company') })),
  getCompany: companies.get,
  updateCompany: companies.update,
  archiveCompany: companies.archive,
  restoreCompany: companies.restore,
  listContacts: contacts.list,
  createContact: post('/contacts', () => ({ firstName: 'New', email: `${unique('new')}@example.com` })),
  getContact: contacts.get,
  updateContact: contacts.update,
  deleteContact: {
    call: async (who) => {
      const id = await make.contact(who.client);
      return { path: `/contacts/${id}`, read: `/contacts/${id}` };
    },
  },
  restoreContact: contacts.restore,
  listLeads: leads.list,
  createLead: post('/leads', () => ({ firstName: 'New' })),
  getLead: leads.get,
  updateLead: leads.update,
  archiveLead: leads.archive,
  restoreLead: leads.restore,
  convertLead: { call: async (who) => ({ path: `/leads/${await make.lead(who.client)}/convert`, body: {} }) },
  getLeadAssignment: { call: async () => ({ path: '/settings/lead-assignment' }) },
  putLeadAssignment: {
    call: async () => ({
      path: '/settings/lead-assignment',
      body: { strategy: 'round_robin', userIds: [world.repRed.id, world.repRed2.id] },
      read: '/settings/lead-assignment',
    }),
  },

  // reports
  getOverview: { call: async () => ({ path: '/reports/overview' }) },
  getSalesReport: { call: async () => ({ path: '/reports/sales?groupBy=owner' }) },
  getKpis: { call: async () => ({ path: '/reports/kpis' }) },
  getLeadsReport: { call: async () => ({ path: '/reports/leads?groupBy=source' }) },
  getCasesReport: { call: async () => ({ path: '/reports/cases?groupBy=assignee' }) },
  getActivitiesReport: { call: async () => ({ path: '/reports/activities?groupBy=owner' }) },
  getPipelineReport: { call: async () => ({ path: '/reports/pipeline' }) },
  getWinRateReport: { call: async () => ({ path: '/reports/win-rate?groupBy=source' }) },
  getForecastReport: { call: async () => ({ path: '/reports/forecast?months=3' }) },
  getCampaignsReport: { call: async () => ({ path: '/reports/campaigns?from=2026-01-01&to=2026-12-31' }) },
  getCampaignTimeseries: {
    call: async (who) => ({
      path: `/reports/campaigns/${await make.campaign(who.client)}/timeseries?bucket=hour`,
    }),
  },
  getCustomersReport: { call: async () => ({ path: '/reports/customers?sort=churnRisk' }) },
  // admin

  // exports
  exportContacts: { call: async () => ({ path: '/contacts/export?format=csv' }) },
  exportCompanies: { call: async () => ({ path: '/companies/export?format=json' }) },
  exportLeads: { call: async () => ({ path: '/leads/export?format=vcf' }) },
  exportDeals: { call: async () => ({ path: '/deals/export' }) },
  getExport: {
    call: async (who) => {
      const started = await who.client.get('/contacts/export?async=true');
      expect(started.status, started.text).toBe(202);
      return { path: `/exports/${started.body.id}` };
    },
  },
  rebuildReports: { call: async () => ({ path: '/admin/reports/rebuild' }) },
  getReportRebuild: {
    call: async () => {
      const started = await world.admin.client.post('/admin/reports/rebuild?async=true');
      expect(started.status, started.text).toBe(202);
      return { path: `/admin/reports/rebuild/${started.body.id}` };
    },
  },

  // imports
  createImport: { call: async () => ({ path: '/imports', body: { entity: 'contacts' }, read: '/imports' }) },
  listImports: { call: async () => ({ path: '/imports' }) },
  getImport: {
    call: async (who) => {
      const started = await who.client.post('/imports', { entity: 'contacts' });
      expect(started.status, started.text).toBe(201);
      return { path: `/imports/${started.body.id}` };
    },
  },

  // pipelines, deals, products, quotes
  listPipelines: { call: async () => ({ path: '/pipelines' }) },
  getPipeline: {
    call: async (who) => ({ path: `/pipelines/${(await who.client.get('/pipelines')).body.items[0].id}` }),
  },
  createPipeline: {
    call: async () => ({
      path: '/pipelines',
      body: { name: unique('Pipeline'), stages },
      read: '/pipelines',
    }),
  },
  updatePipeline: {
    call: async () => {
      const id = await make.pipeline(world.admin.client);
      return { path: `/pipelines/${id}`, body: { name: unique('Renamed') }, read: `/pipelines/${id}` };
    },
  },
  listDeals: deals.list,
  createDeal: post('/deals', () => ({ name: unique('Deal') })),
  getDeal: deals.get,
  updateDeal: deals.update,
  archiveDeal: deals.archive,
  restoreDeal: deals.restore,
  getDealHistory: { call: async (who) => ({ path: `/deals/${await make.deal(who.client)}/history` }) },
  listDealQuotes: { call: async (who) => ({ path: `/deals/${await make.deal(who.client)}/quotes` }) },
  createQuote: {
    call: async (who) => ({
      path: `/deals/${await make.deal(who.client)}/quotes`,
      body: { currency: 'EUR', lines: [{ description: 'Setup', quantity: 2, unitPrice: 50 }] },
    }),
  },
  listProducts: { call: async () => ({ path: '/products' }) },
  getProduct: { call: async () => ({ path: `/products/${await make.product(world.managerRed.client)}` }) },
  createProduct: {
    call: async () => ({
      path: '/products',
      body: { name: unique('Product'), unitPrice: 5, currency: 'EUR' },
      read: '/products',
    }),
  },
  updateProduct: {
    call: async () => {
      const id = await make.product(world.admin.client);
      return { path: `/products/${id}`, body: { unitPrice: 12 }, read: `/products/${id}` };
    },
  },
  deleteProduct: {
    call: async () => {
      const id = await make.product(world.admin.client);
      return { path: `/products/${id}`, read: `/products/${id}` };
    },
  },
  restoreProduct: {
    call: async () => {
      const id = await make.product(world.admin.client);
      await archived(world.admin.client, `/products/${id}`);
      return { path: `/products/${id}/restore`, read: `/products/${id}` };
    },
  },
  getQuote: { call: onQuote('') },
  updateQuote: {
    call: async (who) => ({
      ...(await onQuote('')(who)),
      body: { lines: [{ description: 'More', quantity: 3, unitPrice: 10 }] },
    }),
  },
  sendQuote: { call: onQuote('/send') },
  acceptQuote: { call: onQuote('/accept', make.sentQuote) },
  rejectQuote: { call: onQuote('/reject', make.sentQuote) },

  // cases
  listCases: cases.list,
  createCase: {
    call: async (who) => ({
      path: '/cases',
      body: { subject: 'Broken', type: 'complaint', contactId: await make.contact(who.client) },
    }),
  },
  getCase: cases.get,
  updateCase: cases.update,
  archiveCase: cases.archive,
  restoreCase: cases.restore,
  resolveCase: {
    call: async (who) => ({
      path: `/cases/${await make.case(who.client)}/resolve`,
      body: { resolution: 'Replaced' },
    }),
  },
  getSlaSettings: { call: async () => ({ path: '/settings/sla' }) },
  putSlaSettings: {
    call: async () => ({ path: '/settings/sla', body: { urgent: 2 }, read: '/settings/sla' }),
  },
  getAlertSettings: { call: async () => ({ path: '/settings/alerts' }) },
  putAlertSettings: {
    call: async () => ({ path: '/settings/alerts', body: { staleDealDays: 21 }, read: '/settings/alerts' }),
  },

  // custom fields (a text field no sample writes, so the other samples are unaffected)
  getCustomFields: { call: async () => ({ path: '/settings/fields/leads' }) },
  putCustomFields: {
    call: async () => ({
      path: '/settings/fields/leads',
      body: [{ key: 'referrer', label: 'Referrer', type: 'text' }],
      read: '/settings/fields/leads',
    }),
  },

  // activities and collaboration
  listActivities: activities.list,
  createActivity: post('/activities', () => ({ type: 'call', subject: unique('Call') })),
  getActivity: activities.get,
  updateActivity: activities.update,
  archiveActivity: activities.archive,
  restoreActivity: activities.restore,
  getAgenda: { call: async () => ({ path: '/me/agenda' }) },
  getInboundEmailAddress: { call: async () => ({ path: '/settings/inbound-email' }) },
  rotateInboundEmailAddress: {
    call: async () => ({ path: '/settings/inbound-email/rotate', read: '/settings/inbound-email' }),
  },
  listNotifications: { call: async () => ({ path: '/me/notifications' }) },
  markNotificationsRead: { call: async () => ({ path: '/me/notifications/read', body: { all: true } }) },
  contactsComment: contactsTalk.comment,
  contactsFollow: contactsTalk.follow,
  contactsUnfollow: contactsTalk.unfollow,
  contactsTimeline: contactsTalk.timeline,
  companiesComment: companiesTalk.comment,
  companiesFollow: companiesTalk.follow,
  companiesUnfollow: companiesTalk.unfollow,
  companiesTimeline: companiesTalk.timeline,
  leadsComment: leadsTalk.comment,
  leadsFollow: leadsTalk.follow,
  leadsUnfollow: leadsTalk.unfollow,
  leadsTimeline: leadsTalk.timeline,
  dealsComment: dealsTalk.comment,
  dealsFollow: dealsTalk.follow,
  dealsUnfollow: dealsTalk.unfollow,
  dealsTimeline: dealsTalk.timeline,
  casesComment: casesTalk.comment,
  casesFollow: casesTalk.follow,
  casesUnfollow: casesTalk.unfollow,
  casesTimeline: casesTalk.timeline,

  // marketing
  listSegments: segments.list,
  createSegment: post('/segments', () => ({
    name: unique('Segment'),
    filter: { all: [{ field: 'country', op: 'eq', value: 'FR' }] },
  })),
  getSegment: segments.get,
  updateSegment: segments.update,
  deleteSegment: segments.archive,
  restoreSegment: segments.restore,
  previewSegment: { call: async (who) => ({ path: `/segments/${await make.segment(who.client)}/preview` }) },
  exportSegment: { call: async (who) => ({ path: `/segments/${await make.segment(who.client)}/export` }) },
  interpretSegment: {
    call: async () => ({ path: '/segments/interpret', body: { text: 'clientes de Madrid' } }),
  },
  shareSegment: {
    call: async (who) => ({
      path: `/segments/${await make.segment(who.client)}/share`,
      body: { expiresInDays: 7 },
    }),
  },
  listSegmentShares: {
    call: async (who) => ({ path: `/segments/${await make.segment(who.client)}/shares` }),
  },
  revokeSegmentShare: { call: async (who) => ({ path: await madeShare(who.client) }) },
  listShareDownloads: { call: async (who) => ({ path: `${await madeShare(who.client)}/downloads` }) },
  downloadSharedList: { notCallable: 'public; needs a signed link token from POST /segments/{id}/share' },
  listTemplates: templates.list,
  createTemplate: post('/templates', () => ({ name: unique('Template'), subject: 'Hi', html: '<p>Hi</p>' })),
  getTemplate: templates.get,
  updateTemplate: templates.update,
  deleteTemplate: templates.archive,
  restoreTemplate: templates.restore,
  renderTemplate: {
    call: async (who) => ({
      path: `/templates/${await make.template(who.client)}/render`,
      body: { contactId: await make.contact(who.client) },
    }),
  },
  listCampaigns: campaigns.list,
  createCampaign: {
    call: async (who) => ({
      path: '/campaigns',
      body: {
        name: unique('Campaign'),
        templateId: await make.template(who.client),
        segmentId: await make.segment(who.client),
        fromEmail: 'news@example.com',
      },
    }),
  },
  getCampaign: campaigns.get,
  updateCampaign: campaigns.update,
  archiveCampaign: campaigns.archive,
  restoreCampaign: campaigns.restore,
  listCampaignRecipients: { call: onCampaign('recipients') },
  getCampaignStats: { call: onCampaign('stats') },
  scheduleCampaign: { call: onCampaign('schedule', { at: inAnHour() }) },
  sendCampaign: { call: onCampaign('send') },
  cancelCampaign: {
    call: async (who) => {
      const id = await make.campaign(who.client);
      expect((await who.client.post(`/campaigns/${id}/schedule`, { at: inAnHour() })).status).toBe(200);
      return { path: `/campaigns/${id}/cancel` };
    },
  },
  pauseCampaign: {
    call: onCampaign('pause'),
    answers: {
      status: 409,
      why: 'a draft answers 409, not 403: a sending campaign needs the held send queue (campaigns.test.ts)',
    },
  },
  resumeCampaign: {
    call: onCampaign('resume'),
    answers: {
      status: 409,
      why: 'a draft answers 409, not 403: a paused campaign needs the held send queue (campaigns.test.ts)',
    },
  },
  listSequences: sequences.list,
  createSequence: {
    call: async (who) => ({
      path: '/sequences',
      body: {
        name: unique('Sequence'),
        steps: [{ delayHours: 2, templateId: await make.template(who.client) }],
      },
    }),
  },
  getSequence: sequences.get,
  updateSequence: sequences.update,
  archiveSequence: sequences.archive,
  restoreSequence: sequences.restore,
  enrollInSequence: {
    call: async (who) => ({
      path: `/sequences/${await make.sequence(who.client)}/enroll`,
      body: { contactIds: [await make.contact(who.client)] },
    }),
  },
  listSequenceEnrollments: {
    call: async (who) => ({ path: `/sequences/${await make.sequence(who.client)}/enrollments` }),
  },
  getSequenceEnrollment: { call: async (who) => ({ path: await enrollment(who) }) },
  // A job is only made for a segment of more than 1,000 contacts: written here as the route would write it.
  getSequenceEnrollmentJob: {
    call: async (who) => {
      const sequence = await make.sequence(who.client);
      useTestTable();
      const { createEnrollmentJob } = await import('#shared/store/enrollment-jobs');
      const job = await createEnrollmentJob({
        tenantId: world.tenant,
        id: ulid(),
        sequenceId: sequence,
        segmentId: ulid(),
        requestedBy: who.id,
        requesterRights: { role: 'rep' },
        linkBaseUrl: 'http://localhost',
      });
      return { path: `/sequences/${sequence}/enrollment-jobs/${job.id}` };
    },
  },
  unenrollFromSequence: { call: async (who) => ({ path: await enrollment(who) }) },

  // saved views
  listViews: views.list,
  createView: post('/views', () => ({
    name: unique('View'),
    entity: 'deals',
    sort: { field: 'amount', direction: 'desc' },
  })),
  getView: views.get,
  updateView: views.update,
  deleteView: views.archive,

  // webhooks: admins only (a webhook hears every event of the tenant); port 9 refuses, so a test delivery fails fast
  listWebhooks: { call: async () => ({ path: '/webhooks' }) },
  createWebhook: post('/webhooks', () => ({ url: 'http://127.0.0.1:9/hook', events: ['contact.created'] })),
  getWebhook: { call: async () => ({ path: `/webhooks/${await madeWebhook()}` }) },
  updateWebhook: {
    call: async () => {
      const id = await madeWebhook();
      return { path: `/webhooks/${id}`, body: { description: 'Renamed' }, read: `/webhooks/${id}` };
    },
  },
  deleteWebhook: {
    call: async () => {
      const id = await madeWebhook();
      return { path: `/webhooks/${id}`, read: `/webhooks/${id}` };
    },
  },
  rotateWebhookSecret: {
    call: async () => {
      const id = await madeWebhook();
      return { path: `/webhooks/${id}/rotate-secret`, read: `/webhooks/${id}` };
    },
  },
  testWebhook: {
    call: async () => {
      const id = await madeWebhook();
      return { path: `/webhooks/${id}/test`, read: `/webhooks/${id}/deliveries` };
    },
  },
  listWebhookDeliveries: { call: async () => ({ path: `/webhooks/${await madeWebhook()}/deliveries` }) },
  // web-to-lead forms
  listForms: { call: async () => ({ path: '/forms' }) },
  createForm: post('/forms', () => ({
    name: unique('Form'),
    fields: [{ field: 'firstName' }, { field: 'phone' }],
  })),
  getForm: { call: async () => ({ path: await adminForm() }) },
  updateForm: {
    call: async () => {
      const path = await adminForm();
      return { path, body: { name: unique('Renamed') }, read: path };
    },
  },
  archiveForm: {
    call: async () => {
      const path = await adminForm();
      return { path, read: path };
    },
  },
  restoreForm: {
    call: async () => {
      const path = await adminForm();
      await archived(world.admin.client, path);
      return { path: `${path}/restore`, read: path };
    },
  },
  submitForm: { notCallable: 'public, no token: a form’s public id, tested in forms.test.ts' },
  getFormConfirmPage: {
    notCallable: 'public; needs a signed confirmation token from a double opt-in email',
  },
  confirmFormSubscription: {
    notCallable: 'public; needs a signed confirmation token from a double opt-in email',
  },
};

/** A webhook the admin registers (only admins may), to a port that refuses connections. */
async function madeWebhook(): Promise<string> {
  return created(world.admin.client, '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['deal.won'] });
}

/** The path of a new enrollment of one of `who`'s contacts in one of their sequences. */
async function enrollment(who: Member): Promise<string> {
  const sequence = await make.sequence(who.client);
  const contact = await make.contact(who.client);
  const enrolled = await who.client.post(`/sequences/${sequence}/enroll`, { contactIds: [contact] });
  expect(enrolled.body.enrolled, enrolled.text).toEqual([contact]);
  return `/sequences/${sequence}/enrollments/${contact}`;
}

function send(client: ApiClient, method: RouteDef['method'], call: Call): Promise<ApiResponse> {
  switch (method) {
    case 'GET':
      return client.get(call.path);
    case 'DELETE':
      return client.delete(call.path);
    case 'POST':
      return client.post(call.path, call.body);
    case 'PUT':
      return client.put(call.path, call.body);
    case 'PATCH':
      return client.patch(call.path, call.body);
  }
}

const withQuery = (call: Call, query: string): Call => ({
  ...call,
  path: `${call.path}${call.path.includes('?') ? '&' : '?'}${query}`,
});

/** The members below `least`, each of whom the route must refuse. */
function below(least: 'manager' | 'admin'): Member[] {
  return least === 'admin' ? [world.managerRed, world.repRed] : [world.repRed];
}

function leastMember(least: 'manager' | 'admin'): Member {
  return least === 'admin' ? world.admin : world.managerRed;
}

/** A `when` of the form `name=value` is a query parameter the request sends. */
function conditionQuery(when: string): string {
  expect(when, 'a role condition is a query parameter, name=value').toMatch(/^\w+=\w+$/);
  return when;
}

/**
 * What a write would change in an admin read: a list's ids (its items' other fields may be
 * settled by the stream meanwhile, such as a default pipeline joining its creator's team), or
 * the whole record.
 */
function written(read: ApiResponse): unknown {
  const items: unknown = read.body?.items;
  if (!Array.isArray(items)) return { status: read.status, body: read.body };
  return { status: read.status, ids: items.map((item: { id: string }) => item.id).sort() };
}

async function expectRefused(who: Member, route: RouteDef, call: Call): Promise<void> {
  const response = await send(who.client, route.method, call);
  expect(response.status, `${route.operationId} as ${who.id}: ${response.text}`).toBe(403);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body.status).toBe(403);
}

async function expectServed(who: Member, route: RouteDef, sample: Sample, call: Call): Promise<void> {
  const response = await send(who.client, route.method, call);
  expect(response.status, `${route.operationId} as ${who.id}: ${response.text}`).not.toBe(403);
  expect(response.status, `${route.operationId} as ${who.id}: ${response.text}`).toBe(
    sample.answers?.status ?? route.status,
  );
}

/**
 * One request, made on the rep's records (readable by everyone above them in the team, so
 * no 404 hides a 403): refused to every role below `least` with nothing written, then served
 * to `least`, whose write the same admin read does show.
 */
async function expectLeastRole(
  least: 'manager' | 'admin',
  route: RouteDef,
  sample: Sample,
  condition?: string,
): Promise<void> {
  const made = await sample.call(world.repRed);
  const call = condition ? withQuery(made, condition) : made;
  const before = call.read ? written(await world.admin.client.get(call.read)) : undefined;
  for (const who of below(least)) {
    await expectRefused(who, route, call);
    if (call.read) {
      const after = written(await world.admin.client.get(call.read));
      expect(after, `${call.read} after a refused ${route.operationId}`).toEqual(before);
    }
  }
  await expectServed(leastMember(least), route, sample, call);
  if (call.read) {
    const after = written(await world.admin.client.get(call.read));
    expect(after, `${call.read} after ${route.operationId} by the least role`).not.toEqual(before);
  }
}

const routes: RouteDef[] = Object.values(httpFunctions).flat();

describe('route roles', () => {
  it('has a valid sample request, or a reason why not, for every route of the catalogue', () => {
    const operations = routes.map((route) => route.operationId).sort();
    expect(Object.keys(samples).sort()).toEqual(operations);
    for (const [operation, sample] of Object.entries(samples)) {
      if ('notCallable' in sample) {
        const route = routes.find((candidate) => candidate.operationId === operation);
        expect(route?.public, `${operation} is excused only as a public route`).toBe(true);
      }
    }
  });

  for (const route of routes) {
    const sample: Sample | NotCallable | undefined = samples[route.operationId as OperationId];
    const title = `${route.method} ${route.path} (${route.operationId})`;
    // Missing, or listed with its reason: the first test fails on the one, checks the other is public.
    if (!sample || 'notCallable' in sample) continue;
    const role = route.role;
    if (!role) {
      it(`${title} serves a rep on their own records`, async () => {
        await expectServed(world.repRed, route, sample, await sample.call(world.repRed));
      });
      continue;
    }
    if (role.when) {
      const condition = conditionQuery(role.when);
      it(`${title} with ${condition} is refused below ${role.least} and nothing changes`, async () => {
        await expectLeastRole(role.least, route, sample, condition);
      });
      it(`${title} without ${condition} serves every role`, async () => {
        for (const who of [...below(role.least), leastMember(role.least)]) {
          await expectServed(who, route, sample, await sample.call(who));
        }
      });
      continue;
    }
    it(`${title} is refused below ${role.least} and nothing changes`, async () => {
      await expectLeastRole(role.least, route, sample);
    });
  }
});
