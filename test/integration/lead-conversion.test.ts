import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { httpFunctions } from '#shared/api/catalogue';
import type { RouteDef } from '#shared/api/route';
import type { ApiClient, ApiResponse } from '../support/api.ts';
import { dynamoClient } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

const ids = (response: ApiResponse) => response.body.items.map((item: { id: string }) => item.id);
const paths = (response: ApiResponse) => response.body.errors.map((error: { path: string }) => error.path);
/** A name no other test uses, safe in search prefixes. */
const name = (label: string) => unique(label).replace(/-/g, '');
const address = (label: string) => `${unique(label)}@example.com`;

/** How many live records of a type the tenant holds, straight from the type's collection index. */
async function count(type: 'CONTACT' | 'COMPANY' | 'DEAL'): Promise<number> {
  const output = await dynamoClient().send(
    new QueryCommand({
      TableName: inject('tableName'),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `T#${world.tenant}#${type}` } },
      Select: 'COUNT',
    }),
  );
  return output.Count ?? 0;
}
const counts = async () => ({
  contacts: await count('CONTACT'),
  companies: await count('COMPANY'),
  deals: await count('DEAL'),
});

async function historyOf(dealId: string): Promise<number> {
  const output = await dynamoClient().send(
    new QueryCommand({
      TableName: inject('tableName'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
      ExpressionAttributeValues: {
        ':pk': { S: `T#${world.tenant}#DEAL#${dealId}` },
        ':h': { S: 'HISTORY#' },
      },
      Select: 'COUNT',
    }),
  );
  return output.Count ?? 0;
}

const served = (method: string, path: string) =>
  Object.values(httpFunctions).some((routes) =>
    (routes as readonly RouteDef[]).some((route) => route.method === method && route.path === path),
  );

async function newLead(client: ApiClient, fields: Record<string, unknown> = {}) {
  const response = await client.post('/leads', { firstName: name('Lead'), ...fields });
  expect(response.status).toBe(201);
  return response.body;
}

describe('lead conversion', () => {
  it('creates the contact and a company from companyName, links them and freezes the lead', async () => {
    const email = address('conv');
    const companyName = name('Acme');
    const lead = await newLead(world.repRed.client, {
      lastName: 'Pérez',
      email,
      phone: '+34 611 222 333',
      country: 'ES',
      companyName,
      source: 'web',
    });
    const before = await counts();
    const response = await world.repRed.client.post(`/leads/${lead.id}/convert`, {});
    expect(response.status).toBe(200);
    const { contact, company, deal } = response.body;
    expect(deal).toBeUndefined();
    expect(contact).toMatchObject({
      firstName: lead.firstName,
      lastName: 'Pérez',
      email,
      phone: '+34 611 222 333',
      country: 'ES',
      companyId: company.id,
      lifecycleStage: 'lead',
      ownerId: world.repRed.id,
      teamId: world.teams.red,
      version: 1,
    });
    expect(company).toMatchObject({ name: companyName, country: 'ES', ownerId: world.repRed.id, version: 1 });
    expect(response.body.lead).toMatchObject({
      id: lead.id,
      status: 'converted',
      contactId: contact.id,
      companyId: company.id,
      version: 2,
      convertedAt: expect.any(String),
    });
    expect(response.body.lead.dealId).toBeUndefined();
    expect(await counts()).toEqual({
      ...before,
      contacts: before.contacts + 1,
      companies: before.companies + 1,
    });

    // A contact read by id also carries its engagement score (none yet).
    expect((await world.repRed.client.get(`/contacts/${contact.id}`)).body).toEqual({
      ...contact,
      engagementScore: 0,
    });
    expect((await world.repRed.client.get(`/companies/${company.id}`)).body).toEqual(company);
    expect((await world.repRed.client.get(`/leads/${lead.id}`)).body).toEqual(response.body.lead);
    expect(ids(await world.admin.client.get(`/leads?status=converted&limit=200`))).toContain(lead.id);
    // The email is now the contact's: a second contact with it is a duplicate.
    expect((await world.admin.client.post('/contacts', { firstName: 'Dup', email })).status).toBe(409);

    const again = await world.repRed.client.post(`/leads/${lead.id}/convert`, {});
    expect(again.status).toBe(409);
    const patch = await world.repRed.client.patch(`/leads/${lead.id}`, { status: 'qualified' });
    expect(patch.status).toBe(409);
    expect(await counts()).toEqual({
      ...before,
      contacts: before.contacts + 1,
      companies: before.companies + 1,
    });
  });

  it('links a given company instead of creating one from companyName', async () => {
    const company = await world.repRed.client.post('/companies', { name: name('Given') });
    const companyName = name('Ignored');
    const lead = await newLead(world.repRed.client, { companyName });
    const response = await world.repRed.client.post(`/leads/${lead.id}/convert`, {
      companyId: company.body.id,
    });
    expect(response.status).toBe(200);
    expect(response.body.company).toEqual(company.body);
    expect(response.body.contact.companyId).toBe(company.body.id);
    expect(response.body.lead.companyId).toBe(company.body.id);
    expect(ids(await world.admin.client.get(`/companies?q=${companyName}`))).toEqual([]);
  });

  it('creates only the contact when the lead names no company', async () => {
    const lead = await newLead(world.admin.client);
    const response = await world.admin.client.post(`/leads/${lead.id}/convert`, {});
    expect(response.status).toBe(200);
    expect(response.body.company).toBeNull();
    expect(response.body.contact.companyId).toBeUndefined();
    expect(response.body.lead.companyId).toBeUndefined();
  });

  it('links the existing contact that holds the lead’s email instead of duplicating it', async () => {
    const email = address('known');
    const existing = await world.repRed2.client.post('/contacts', {
      firstName: 'Known',
      email,
      title: 'CEO',
    });
    const lead = await newLead(world.repRed.client, {
      email: email.toUpperCase(),
      companyName: name('Known Co'),
    });
    const before = await counts();
    const response = await world.repRed.client.post(`/leads/${lead.id}/convert`, {});
    expect(response.status).toBe(200);
    expect(response.body.contact).toEqual(existing.body);
    expect(response.body.lead.contactId).toBe(existing.body.id);
    // The existing contact is linked, not changed; the new company is still created.
    expect((await world.admin.client.get(`/contacts/${existing.body.id}`)).body.version).toBe(1);
    expect(await counts()).toEqual({ ...before, companies: before.companies + 1 });
  });

  it('refuses to link a contact the caller may not see, or an archived one, and writes nothing', async () => {
    const hidden = address('hidden');
    await world.repBlue.client.post('/contacts', { firstName: 'Blue', email: hidden });
    const lead = await newLead(world.repRed.client, { email: hidden, companyName: name('Hidden Co') });
    const before = await counts();
    expect((await world.repRed.client.post(`/leads/${lead.id}/convert`, {})).status).toBe(409);

    const gone = address('gone');
    const archived = await world.admin.client.post('/contacts', { firstName: 'Gone', email: gone });
    await world.admin.client.delete(`/contacts/${archived.body.id}`);
    const second = await newLead(world.admin.client, { email: gone });
    expect((await world.admin.client.post(`/leads/${second.id}/convert`, {})).status).toBe(409);
    expect(await counts()).toEqual(before);
    expect((await world.admin.client.get(`/leads/${second.id}`)).body.status).toBe('new');
  });

  it('opens a deal in the default pipeline’s entry stage, with its first history entry', async () => {
    const lead = await newLead(world.repRed.client, { companyName: name('Dealer') });
    const dealName = name('Deal');
    const response = await world.repRed.client.post(`/leads/${lead.id}/convert`, {
      deal: { name: dealName, amount: 1250.5, currency: 'eur' },
    });
    expect(response.status).toBe(200);
    const { contact, company, deal } = response.body;
    const pipelines = await world.admin.client.get('/pipelines');
    const standard = pipelines.body.items.find((pipeline: { isDefault: boolean }) => pipeline.isDefault);
    expect(deal).toMatchObject({
      name: dealName,
      amount: 1250.5,
      currency: 'EUR',
      pipelineId: standard.id,
      stageId: standard.stages[0].id,
      status: 'open',
      probability: 10,
      contactIds: [contact.id],
      productIds: [],
      companyId: company.id,
      ownerId: world.repRed.id,
      teamId: world.teams.red,
      version: 1,
    });
    expect(contact.lifecycleStage).toBe('opportunity');
    expect(response.body.lead.dealId).toBe(deal.id);
    expect(await historyOf(deal.id)).toBe(1);
    if (served('GET', '/deals/{id}')) {
      expect((await world.repRed.client.get(`/deals/${deal.id}`)).body).toEqual(deal);
    }
    if (served('GET', '/deals/{id}/history')) {
      const history = await world.repRed.client.get(`/deals/${deal.id}/history`);
      expect(history.body.items).toMatchObject([
        { from: null, to: { stageId: deal.stageId }, status: 'open' },
      ]);
    }
  });

  it('opens the deal in a given pipeline and stage, and refuses a stage of another pipeline', async () => {
    const custom = await world.admin.client.post('/pipelines', {
      name: name('Partners'),
      stages: [
        { name: 'intro', probability: 30, kind: 'open' },
        { name: 'signed', probability: 100, kind: 'won' },
        { name: 'dropped', probability: 0, kind: 'lost' },
      ],
    });
    expect(custom.status).toBe(201);
    const standard = (await world.admin.client.get('/pipelines')).body.items.find(
      (pipeline: { isDefault: boolean }) => pipeline.isDefault,
    );
    const lead = await newLead(world.admin.client);
    const before = await counts();
    const foreign = await world.admin.client.post(`/leads/${lead.id}/convert`, {
      deal: { name: 'X', pipelineId: custom.body.id, stageId: standard.stages[1].id },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([{ path: 'deal.stageId', message: expect.any(String) }]);
    const lost = await world.admin.client.post(`/leads/${lead.id}/convert`, {
      deal: { name: 'X', pipelineId: custom.body.id, stageId: custom.body.stages[2].id },
    });
    expect(paths(lost)).toEqual(['deal.stageId']);
    expect(await counts()).toEqual(before);

    const won = await world.admin.client.post(`/leads/${lead.id}/convert`, {
      deal: {
        name: 'Signed',
        pipelineId: custom.body.id,
        stageId: custom.body.stages[1].id,
        amount: 10,
        currency: 'USD',
      },
    });
    expect(won.status).toBe(200);
    expect(won.body.deal).toMatchObject({
      pipelineId: custom.body.id,
      stageId: custom.body.stages[1].id,
      status: 'won',
      probability: 100,
      closedAt: expect.any(String),
    });
  });

  it('lists every bad field of the body and converts nothing', async () => {
    const lead = await newLead(world.admin.client, { companyName: name('Bad') });
    const before = await counts();
    const convert = (body: unknown) => world.admin.client.post(`/leads/${lead.id}/convert`, body);

    const shape = await convert({
      companyId: 'nope',
      colour: 'red',
      deal: { name: '', amount: -1, currency: 'EURO', pipelineId: 'x', stageId: 'y', probability: 5 },
    });
    expect(shape.status).toBe(400);
    expect(paths(shape).sort()).toEqual(
      [
        'colour',
        'companyId',
        'deal.amount',
        'deal.currency',
        'deal.name',
        'deal.pipelineId',
        'deal.probability',
        'deal.stageId',
      ].sort(),
    );
    const cents = await convert({ deal: { name: 'D', amount: 10.123, currency: 'EUR' } });
    expect(cents.body.errors).toEqual([{ path: 'deal.amount', message: 'must have at most 2 decimals' }]);
    const noCurrency = await convert({ deal: { name: 'D', amount: 10 } });
    expect(noCurrency.body.errors).toEqual([
      { path: 'deal.currency', message: 'is required with an amount' },
    ]);
    expect((await convert({ deal: { amount: 1, currency: 'EUR' } })).body.errors).toEqual([
      { path: 'deal.name', message: 'is required' },
    ]);

    const theirs = await world.stranger.client.post('/companies', { name: 'Foreign' });
    const archived = await world.admin.client.post('/companies', { name: name('Archived') });
    await world.admin.client.delete(`/companies/${archived.body.id}`);
    for (const companyId of [theirs.body.id, archived.body.id]) {
      const response = await convert({ companyId });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { path: 'companyId', message: 'is not a live company of this tenant' },
      ]);
    }
    const both = await convert({
      companyId: theirs.body.id,
      deal: { name: 'D', pipelineId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    });
    expect(paths(both)).toEqual(['companyId', 'deal.pipelineId']);

    expect(await counts()).toEqual(before);
    expect((await world.admin.client.get(`/leads/${lead.id}`)).body).toMatchObject({
      status: 'new',
      version: 1,
    });
  });

  it('lets the lead’s writers convert it: 404 for outsiders, 403 for team readers', async () => {
    const lead = await newLead(world.repRed.client, { companyName: name('Access') });
    const path = `/leads/${lead.id}/convert`;
    const before = await counts();
    expect((await world.stranger.client.post(path, {})).status).toBe(404);
    expect((await world.repBlue.client.post(path, {})).status).toBe(404);
    expect((await world.repRed2.client.post(path, {})).status).toBe(403);
    expect(await counts()).toEqual(before);
    const byManager = await world.managerRed.client.post(path, {});
    expect(byManager.status).toBe(200);
    // Whoever converts, what the lead becomes belongs to the lead's owner.
    expect(byManager.body.contact).toMatchObject({ ownerId: world.repRed.id, teamId: world.teams.red });
  });

  it('refuses an archived lead', async () => {
    const lead = await newLead(world.admin.client);
    await world.admin.client.delete(`/leads/${lead.id}`);
    expect((await world.admin.client.post(`/leads/${lead.id}/convert`, {})).status).toBe(409);
  });

  it('replays a retried conversion with the same Idempotency-Key', async () => {
    const lead = await newLead(world.admin.client, { companyName: name('Retry') });
    const key = unique('convert');
    const first = await world.admin.client.post(`/leads/${lead.id}/convert`, {}, { 'idempotency-key': key });
    const retry = await world.admin.client.post(`/leads/${lead.id}/convert`, {}, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('lets exactly one of racing conversions win and leaves nothing half-written by the others', async () => {
    const lead = await newLead(world.admin.client, {
      email: address('race'),
      companyName: name('Race Co'),
    });
    const before = await counts();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        world.admin.client.post(`/leads/${lead.id}/convert`, {
          deal: { name: `Race ${i}`, amount: 100, currency: 'EUR' },
        }),
      ),
    );
    const statuses = results.map((result) => result.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
    expect(await counts()).toEqual({
      contacts: before.contacts + 1,
      companies: before.companies + 1,
      deals: before.deals + 1,
    });
    const winner = results.find((result) => result.status === 200)?.body;
    expect((await world.admin.client.get(`/leads/${lead.id}`)).body).toMatchObject({
      status: 'converted',
      contactId: winner.contact.id,
      companyId: winner.company.id,
      dealId: winner.deal.id,
    });
    expect(await historyOf(winner.deal.id)).toBe(1);
  });
});
