import { beforeAll, describe, expect, it } from 'vitest';
import type { Method } from '../../shared/api/route.ts';
import { type AnyBody, type ApiClient, eventually, scheduledRunId, tokenFor } from '../support/api.ts';
import { routeFor, shapeErrors } from '../support/response-shape.ts';
import { useHeldCampaignQueue } from './deliveries.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * Every 2xx body of the main read and action routes of every resource matches
 * the response schema its route declares (shared/api/*.ts), the one the
 * OpenAPI document publishes with `additionalProperties: false`: no internal
 * storage field leaks, no documented field has another type.
 */
let world: World;
let admin: ApiClient;
let controlToken: string;
let start: typeof import('#functions/schedule/campaignStart');
let transitionCampaign: typeof import('#shared/store/campaigns').transitionCampaign;

beforeAll(async () => {
  world = await createWorld();
  admin = world.admin.client;
  controlToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
  // The campaign start runs in this process with a queue nobody consumes, so a campaign stays `sending`.
  await useHeldCampaignQueue('shapes');
  start = await import('#functions/schedule/campaignStart');
  ({ transitionCampaign } = await import('#shared/store/campaigns'));
});

/** Calls a route, expects its documented success status, and notes every way the body differs from its schema. */
function shapes(client: () => ApiClient = () => admin) {
  const mismatches: string[] = [];
  const call = async (method: Method, path: string, body?: unknown): Promise<AnyBody> => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const response = await client().raw(
      method,
      path,
      text,
      text ? { 'content-type': 'application/json' } : {},
    );
    const route = routeFor(method, path);
    expect(response.status, `${method} ${path}: ${response.text}`).toBe(route.status);
    for (const error of shapeErrors(route, response.body))
      mismatches.push(`${method} ${route.path} → ${error}`);
    return response.body;
  };
  return { call, mismatches };
}

const stages = [
  { name: 'Open', probability: 20 },
  { name: 'Won', probability: 100, kind: 'won' },
  { name: 'Lost', probability: 0, kind: 'lost' },
];

describe('response bodies match the documented response schemas', () => {
  it('users, teams, me, reports and settings', async () => {
    const { call, mismatches } = shapes();
    await call('GET', '/me');
    await call('GET', '/users');
    await call('GET', `/users/${world.repRed.id}`);
    await call('PATCH', `/users/${world.repRed.id}`, { name: 'Rep Red' });
    await call('GET', '/teams');
    const team = await call('POST', '/teams', { name: unique('Team') });
    await call('GET', `/teams/${team.id}`);
    await call('PATCH', `/teams/${team.id}`, { name: unique('Team') });
    await call('GET', '/reports/overview');
    await call('GET', '/settings/lead-assignment');
    await call('PUT', '/settings/lead-assignment', {
      strategy: 'by_country',
      countries: { DE: world.repRed.id },
    });
    await call('GET', '/settings/sla');
    await call('GET', '/settings/inbound-email');
    await call('POST', '/settings/inbound-email/rotate');
    await call('PUT', '/settings/sla', { urgent: 2 });
    await call('GET', '/settings/alerts');
    await call('PUT', '/settings/alerts', { staleDealDays: 30, churnRiskThreshold: 80 });
    await call('GET', '/settings/fields/deals');
    await call('PUT', '/settings/fields/deals', [
      { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] },
      { key: 'vip', label: 'VIP', type: 'boolean' },
    ]);
    await call('POST', '/deals', { name: unique('Shape deal'), customFields: { tier: 'gold', vip: true } });
    await call('GET', '/deals?customFields.tier=gold');
    await call('GET', '/reports/sales?groupBy=customFields.tier');
    await call('GET', '/reports/win-rate?groupBy=customFields.vip');
    await call('PUT', '/settings/fields/deals', []);
    expect(mismatches).toEqual([]);
  });

  it('companies, contacts and leads with their timelines, comments and follows', async () => {
    const { call, mismatches } = shapes();
    const company = await call('POST', '/companies', {
      name: unique('Shape Co'),
      customFields: { tier: 'gold' },
    });
    await call('GET', '/companies');
    await call('GET', `/companies?q=${encodeURIComponent(company.name)}`);
    await call('GET', `/companies/${company.id}`);
    await call('PATCH', `/companies/${company.id}`, { industry: 'Tools' });
    const contact = await call('POST', '/contacts', {
      firstName: 'Shape',
      lastName: 'Person',
      email: `${unique('shape')}@example.com`,
      companyId: company.id,
      tags: ['vip'],
      customFields: { size: 3 },
    });
    await call('GET', '/contacts');
    await call('GET', `/contacts/${contact.id}`);
    await call('PATCH', `/contacts/${contact.id}`, { title: 'Buyer' });
    const lead = await call('POST', '/leads', { firstName: 'Shape', lastName: 'Lead', country: 'DE' });
    await call('GET', '/leads');
    await call('GET', `/leads/${lead.id}`);
    await call('PATCH', `/leads/${lead.id}`, { status: 'contacted' });
    for (const [kind, id] of [
      ['companies', company.id],
      ['contacts', contact.id],
      ['leads', lead.id],
    ]) {
      await call('POST', `/${kind}/${id}/comments`, { body: `Note on ${kind}` });
      await call('POST', `/${kind}/${id}/follow`);
      await call('GET', `/${kind}/${id}/timeline`);
    }
    await call('POST', `/leads/${lead.id}/convert`, { deal: { name: unique('From lead') } });
    for (const kind of ['companies', 'contacts']) {
      const record = await call(
        'POST',
        `/${kind}`,
        kind === 'companies' ? { name: unique('Gone') } : { firstName: 'Gone' },
      );
      await admin.delete(`/${kind}/${record.id}`);
      await call('POST', `/${kind}/${record.id}/restore`);
    }
    expect(mismatches).toEqual([]);
  });

  it('pipelines, deals, products and quotes', async () => {
    const { call, mismatches } = shapes();
    const pipeline = await call('POST', '/pipelines', { name: unique('Pipe'), stages });
    await call('GET', '/pipelines');
    await call('GET', `/pipelines/${pipeline.id}`);
    await call('PATCH', `/pipelines/${pipeline.id}`, { name: unique('Pipe') });
    const contact = await call('POST', '/contacts', {
      firstName: 'Buyer',
      email: `${unique('buyer')}@example.com`,
    });
    const product = await call('POST', '/products', {
      name: unique('Widget'),
      unitPrice: 10,
      currency: 'EUR',
    });
    await call('GET', '/products');
    await call('GET', `/products/${product.id}`);
    await call('PATCH', `/products/${product.id}`, { unitPrice: 12 });
    const deal = await call('POST', '/deals', {
      name: unique('Deal'),
      amount: 100,
      currency: 'EUR',
      pipelineId: pipeline.id,
      contactIds: [contact.id],
      productIds: [product.id],
    });
    await call('GET', '/deals');
    await call('GET', `/deals/${deal.id}`);
    await call('PATCH', `/deals/${deal.id}`, { stageId: pipeline.stages[1].id });
    await call('GET', `/deals/${deal.id}/history`);
    await call('POST', `/deals/${deal.id}/comments`, { body: 'Deal note' });
    await call('POST', `/deals/${deal.id}/follow`);
    await call('GET', `/deals/${deal.id}/timeline`);
    const line = { description: 'Unit', quantity: 2, unitPrice: 10 };
    const quote = await call('POST', `/deals/${deal.id}/quotes`, { lines: [line] });
    await call('GET', `/deals/${deal.id}/quotes`);
    await call('GET', `/quotes/${quote.id}`);
    await call('PATCH', `/quotes/${quote.id}`, { lines: [line, line] });
    await call('POST', `/quotes/${quote.id}/send`);
    await call('POST', `/quotes/${quote.id}/accept`);
    const rejected = await call('POST', `/deals/${deal.id}/quotes`, { lines: [line] });
    await call('POST', `/quotes/${rejected.id}/send`);
    await call('POST', `/quotes/${rejected.id}/reject`);
    expect(mismatches).toEqual([]);
  });

  it('activities, cases and notifications', async () => {
    const { call, mismatches } = shapes();
    const contact = await call('POST', '/contacts', {
      firstName: 'Caller',
      email: `${unique('case')}@example.com`,
    });
    const activity = await call('POST', '/activities', {
      type: 'task',
      subject: 'Call back',
      assigneeId: world.repRed.id,
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      related: { type: 'contact', id: contact.id },
    });
    await call('GET', '/activities');
    await call('GET', `/activities/${activity.id}`);
    await call('PATCH', `/activities/${activity.id}`, { status: 'done' });
    await call('GET', '/me/agenda');
    const serviceCase = await call('POST', '/cases', {
      subject: 'Broken',
      type: 'complaint',
      contactId: contact.id,
      assigneeId: world.repRed.id,
    });
    await call('GET', '/cases');
    await call('GET', `/cases/${serviceCase.id}`);
    await call('PATCH', `/cases/${serviceCase.id}`, { priority: 'high' });
    await call('POST', `/cases/${serviceCase.id}/comments`, { body: `Thanks @[Rep](${world.repRed.id})` });
    await call('POST', `/cases/${serviceCase.id}/follow`);
    await call('GET', `/cases/${serviceCase.id}/timeline`);
    await call('POST', `/cases/${serviceCase.id}/resolve`, { resolution: 'Replaced' });
    // The rep was assigned an activity and a case: notifications arrive through the stream.
    const rep = shapes(() => world.repRed.client);
    await eventually(async () => {
      expect((await world.repRed.client.get('/me/notifications')).body.items.length).toBeGreaterThan(0);
    });
    await rep.call('GET', '/me/notifications');
    await rep.call('GET', '/me/notifications?unread=true');
    await rep.call('POST', '/me/notifications/read', { all: true });
    expect([...mismatches, ...rep.mismatches]).toEqual([]);
  });

  it('segments, templates and sequences with their enrollments', async () => {
    const { call, mismatches } = shapes();
    const tag = unique('shape');
    const contact = await call('POST', '/contacts', {
      firstName: 'Reader',
      email: `${unique('reader')}@example.com`,
      tags: [tag],
    });
    const segment = await call('POST', '/segments', {
      name: unique('Segment'),
      filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
    });
    await call('GET', '/segments');
    await call('GET', `/segments/${segment.id}`);
    await call('PATCH', `/segments/${segment.id}`, { description: 'Readers' });
    await call('GET', `/segments/${segment.id}/preview`);
    const template = await call('POST', '/templates', {
      name: unique('Template'),
      subject: 'Hi {{contact.firstName}}',
      html: '<p>Hi {{contact.firstName}}</p>',
    });
    await call('GET', '/templates');
    await call('GET', `/templates/${template.id}`);
    await call('PATCH', `/templates/${template.id}`, { subject: 'Hello {{contact.firstName}}' });
    await call('POST', `/templates/${template.id}/render`, { contactId: contact.id });
    const sequence = await call('POST', '/sequences', {
      name: unique('Sequence'),
      steps: [{ delayHours: 24, templateId: template.id }],
    });
    await call('GET', '/sequences');
    await call('GET', `/sequences/${sequence.id}`);
    await call('PATCH', `/sequences/${sequence.id}`, { name: unique('Sequence') });
    await call('POST', `/sequences/${sequence.id}/enroll`, { contactIds: [contact.id] });
    await call('POST', `/sequences/${sequence.id}/enroll`, { segmentId: segment.id });
    await call('GET', `/sequences/${sequence.id}/enrollments`);
    await call('GET', `/sequences/${sequence.id}/enrollments/${contact.id}`);
    expect(mismatches).toEqual([]);
  });

  it('saved views', async () => {
    const { call, mismatches } = shapes();
    const view = await call('POST', '/views', {
      name: unique('View'),
      entity: 'deals',
      filter: { status: 'open' },
      sort: { field: 'amount', direction: 'desc' },
      columns: ['name', 'amount'],
      visibility: 'tenant',
    });
    await call('GET', '/views');
    await call('GET', '/views?entity=deals');
    await call('GET', `/views/${view.id}`);
    await call('PATCH', `/views/${view.id}`, { columns: ['name'], sort: null });
    expect(mismatches).toEqual([]);
  });

  it('campaigns through schedule, send, pause, resume and cancel, with stats and recipients', async () => {
    const { call, mismatches } = shapes();
    const tag = unique('campaign');
    for (const index of [1, 2, 3])
      await call('POST', '/contacts', {
        firstName: `R${index}`,
        email: `${tag}-${index}@example.com`,
        tags: [tag],
      });
    const segment = await call('POST', '/segments', {
      name: unique('Segment'),
      filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
    });
    const template = await call('POST', '/templates', {
      name: unique('T'),
      subject: 'Hi',
      html: '<p>Hi</p>',
    });
    const fields = { templateId: template.id, segmentId: segment.id, fromEmail: 'news@example.com' };
    const campaign = await call('POST', '/campaigns', { name: unique('Campaign'), ...fields });
    await call('GET', '/campaigns');
    await call('GET', `/campaigns/${campaign.id}`);
    await call('PATCH', `/campaigns/${campaign.id}`, { fromName: 'News' });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    await call('POST', `/campaigns/${campaign.id}/schedule`, { at });
    // Started here, as the schedule would: recipients frozen and queued, the campaign `sending`.
    const runId = await scheduledRunId(controlToken, campaign.id);
    await start.handler({ tenantId: world.tenant, campaignId: campaign.id, runId, scheduledAt: at });
    // As a start that failed mid-freeze leaves it: its lease on the record (shared/store/campaign-run.ts).
    await transitionCampaign(world.tenant, campaign.id, {
      from: ['sending'],
      set: { freezeOwner: 'a start that failed', freezeUntil: 0 },
    });
    await call('GET', `/campaigns/${campaign.id}`);
    await call('GET', '/campaigns?status=sending');
    expect((await call('POST', `/campaigns/${campaign.id}/pause`)).status).toBe('paused');
    expect((await call('POST', `/campaigns/${campaign.id}/resume`)).status).toBe('sending');
    expect((await call('POST', `/campaigns/${campaign.id}/cancel`)).status).toBe('canceled');
    await call('GET', `/campaigns/${campaign.id}/stats`);
    await eventually(async () => {
      expect((await admin.get(`/campaigns/${campaign.id}/recipients`)).body.items).toHaveLength(3);
    });
    await call('GET', `/campaigns/${campaign.id}/recipients`);
    await call('GET', `/campaigns/${campaign.id}/recipients?status=canceled`);
    await admin.delete(`/campaigns/${campaign.id}`);
    await call('POST', `/campaigns/${campaign.id}/restore`);

    const sent = await call('POST', '/campaigns', { name: unique('Now'), ...fields });
    await call('POST', `/campaigns/${sent.id}/send`);
    await call('GET', `/campaigns/${sent.id}`);
    expect(mismatches).toEqual([]);
  });
});
