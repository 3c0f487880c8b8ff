import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { emailHash } from '#shared/domain/suppression';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

const email = (label: string) => `${unique(label)}@example.com`;

describe('contacts', () => {
  it('creates a contact with defaults, reads and patches it', async () => {
    const address = email('ana');
    const created = await world.admin.client.post('/contacts', {
      firstName: 'Ana',
      lastName: 'Núñez',
      email: address.toUpperCase(),
      lifecycleStage: 'lead',
      customFields: { source: 'fair', score: 3 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      firstName: 'Ana',
      email: address,
      marketingStatus: 'subscribed',
      tags: [],
      version: 1,
      customFields: { source: 'fair', score: 3 },
    });
    const id = created.body.id;
    const patched = await world.admin.client.patch(`/contacts/${id}`, {
      title: 'CTO',
      customFields: { score: null, tier: 'gold' },
      marketingStatus: 'unsubscribed',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      title: 'CTO',
      marketingStatus: 'unsubscribed',
      customFields: { source: 'fair', tier: 'gold' },
    });
    expect(patched.body.customFields.score).toBeUndefined();
  });

  it('keeps emails unique per tenant ignoring case, and frees them on change', async () => {
    const address = email('dup');
    const first = await world.admin.client.post('/contacts', { firstName: 'First', email: address });
    const second = await world.admin.client.post('/contacts', {
      firstName: 'Second',
      email: address.toUpperCase(),
    });
    expect(second.status).toBe(409);
    expect(second.body.errors).toEqual([{ path: 'email', message: 'is already used by another contact' }]);
    expect(
      (await world.stranger.client.post('/contacts', { firstName: 'Elsewhere', email: address })).status,
    ).toBe(201);
    await world.admin.client.patch(`/contacts/${first.body.id}`, { email: email('moved') });
    expect((await world.admin.client.post('/contacts', { firstName: 'Third', email: address })).status).toBe(
      201,
    );
  });

  it('lets exactly one of two racing creations take an email', async () => {
    const address = email('race');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        world.admin.client.post('/contacts', { firstName: `Racer ${i}`, email: address }),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it('finds contacts by name prefix ignoring accents, by exact email, by company and by tag', async () => {
    const tag = unique('t');
    const company = await world.admin.client.post('/companies', { name: 'Linked Co' });
    const address = email('sofia');
    const sofia = await world.admin.client.post('/contacts', {
      firstName: 'Sofía',
      lastName: 'Ångström',
      email: address,
      companyId: company.body.id,
      tags: [tag],
    });
    await world.admin.client.post('/contacts', { firstName: 'Sofus', tags: [tag] });
    const ids = (response: { body: { items: { id: string }[] } }) =>
      response.body.items.map((item) => item.id);

    expect(ids(await world.admin.client.get('/contacts?q=sofia angs'))).toEqual([sofia.body.id]);
    expect(
      ids(await world.admin.client.get(`/contacts?q=${encodeURIComponent(address.toUpperCase())}`)),
    ).toEqual([sofia.body.id]);
    expect(ids(await world.admin.client.get(`/contacts?companyId=${company.body.id}`))).toEqual([
      sofia.body.id,
    ]);
    expect(ids(await world.admin.client.get(`/contacts?tag=${tag}`))).toHaveLength(2);
    expect(ids(await world.stranger.client.get(`/contacts?q=${encodeURIComponent(address)}`))).toEqual([]);
  });

  it('only links live companies of the tenant', async () => {
    const theirs = await world.stranger.client.post('/companies', { name: 'Foreign' });
    const response = await world.admin.client.post('/contacts', {
      firstName: 'Linked',
      companyId: theirs.body.id,
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { path: 'companyId', message: 'is not a live company of this tenant' },
    ]);
    const archived = await world.admin.client.post('/companies', { name: 'Gone' });
    await world.admin.client.delete(`/companies/${archived.body.id}`);
    expect(
      (await world.admin.client.post('/contacts', { firstName: 'L', companyId: archived.body.id })).status,
    ).toBe(400);
  });

  it('never lets the API re-subscribe a bounced or complained address', async () => {
    useTestTable();
    const { addSuppression, changeMarketingStatus } = await import('#shared/store/marketing');
    for (const status of ['bounced', 'complained'] as const) {
      const address = email(status);
      const contact = await world.admin.client.post('/contacts', { firstName: 'Bouncy', email: address });
      expect(contact.status).toBe(201);
      // What an SES Bounce or Complaint event does (functions/events/sesEvents.ts).
      expect(
        await changeMarketingStatus(world.tenant, contact.body.id, status, { actor: 'system:ses' }),
      ).toBe('changed');
      expect(await addSuppression(world.tenant, address, status)).toBe(true);
      for (const marketingStatus of ['subscribed', 'unsubscribed']) {
        const patch = await world.admin.client.patch(`/contacts/${contact.body.id}`, { marketingStatus });
        expect(patch.status, `${status} → ${marketingStatus}`).toBe(409);
        expect(patch.body.errors).toEqual([
          { path: 'marketingStatus', message: `cannot change a ${status} address` },
        ]);
      }
      const after = await world.admin.client.get(`/contacts/${contact.body.id}`);
      expect(after.body).toMatchObject({ marketingStatus: status, version: 2 });
      // Nor can the address come back subscribed through a new contact.
      await world.admin.client.patch(`/contacts/${contact.body.id}`, { email: email('moved') });
      const again = await world.admin.client.post('/contacts', {
        firstName: 'Again',
        email: address,
        marketingStatus: 'subscribed',
      });
      expect(again.status).toBe(409);
      const plain = await world.admin.client.post('/contacts', { firstName: 'Plain', email: address });
      expect(plain.status).toBe(201);
      expect(plain.body.marketingStatus).toBe(status);
    }
    // A status only SES events set is not even valid input.
    const direct = await world.admin.client.post('/contacts', { firstName: 'X', marketingStatus: 'bounced' });
    expect(direct.status).toBe(400);
  });

  it('accepts internationalised domains, stores them in IDNA ASCII and treats both forms as one address', async () => {
    const local = unique('lucia').toLowerCase();
    const created = await world.admin.client.post('/contacts', {
      firstName: 'Lucía',
      email: `${local}@Müller.example`,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.email).toBe(`${local}@xn--mller-kva.example`);
    const duplicate = await world.admin.client.post('/contacts', {
      firstName: 'Dup',
      email: `${local}@xn--mller-kva.example`,
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors).toEqual([{ path: 'email', message: 'is already used by another contact' }]);
    for (const q of [`${local}@müller.example`, `${local.toUpperCase()}@XN--MLLER-KVA.example`]) {
      const found = await world.admin.client.get(`/contacts?q=${encodeURIComponent(q)}`);
      expect(found.status).toBe(200);
      expect(
        found.body.items.map((item: { id: string }) => item.id),
        q,
      ).toEqual([created.body.id]);
    }
    // Read rights still apply to an exact-email search.
    expect(
      (await world.repBlue.client.get(`/contacts?q=${encodeURIComponent(`${local}@müller.example`)}`)).body
        .items,
    ).toEqual([]);
    expect(
      (await world.stranger.client.get(`/contacts?q=${encodeURIComponent(`${local}@müller.example`)}`)).body
        .items,
    ).toEqual([]);

    const lead = await world.admin.client.post('/leads', {
      firstName: 'L',
      email: `${local}@müller.example`,
    });
    expect(lead.status, lead.text).toBe(201);
    expect(lead.body.email).toBe(`${local}@xn--mller-kva.example`);
    const user = await world.admin.client.post('/users', {
      email: `${local}@Müller.example`,
      name: 'Lucía',
      role: 'rep',
    });
    expect(user.status, user.text).toBe(201);
    expect(user.body.email).toBe(`${local}@xn--mller-kva.example`);
    const sameUser = await world.admin.client.post('/users', {
      email: `${local}@xn--mller-kva.example`,
      name: 'Lucía',
      role: 'rep',
    });
    expect(sameUser.status).toBe(409);
    const refused = await world.admin.client.post('/contacts', {
      firstName: 'X',
      email: `lucía@example.com`,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'email', message: 'must be a valid email' }]);
  });

  it('archives with If-Match, hides archived contacts and restores them', async () => {
    const contact = await world.admin.client.post('/contacts', { firstName: 'Archie' });
    const id = contact.body.id;
    expect((await world.admin.client.delete(`/contacts/${id}`, { 'if-match': '"7"' })).status).toBe(412);
    expect((await world.admin.client.delete(`/contacts/${id}`, { 'if-match': '"1"' })).status).toBe(204);
    expect((await world.admin.client.get(`/contacts/${id}`)).body.archived).toBe(true);
    const live = await world.admin.client.get('/contacts?q=archie');
    expect(live.body.items).toEqual([]);
    const archived = await world.admin.client.get('/contacts?q=archie&archived=true');
    expect(archived.body.items.map((item: { id: string }) => item.id)).toEqual([id]);
    expect((await world.admin.client.post(`/contacts/${id}/restore`)).body.archived).toBe(false);
  });
});

describe('GDPR erasure', () => {
  it('erases the person for admins only, frees the email and keeps only its hash as suppression', async () => {
    const address = email('erase');
    const contact = await world.repRed.client.post('/contacts', { firstName: 'Eve', email: address });
    const id = contact.body.id;
    expect((await world.repRed.client.delete(`/contacts/${id}?erase=true`)).status).toBe(403);
    expect((await world.managerRed.client.delete(`/contacts/${id}?erase=true`)).status).toBe(403);
    expect((await world.stranger.client.delete(`/contacts/${id}?erase=true`)).status).toBe(404);
    expect((await world.admin.client.delete(`/contacts/${id}?erase=true`)).status).toBe(204);

    expect((await world.admin.client.get(`/contacts/${id}`)).status).toBe(404);
    expect((await world.admin.client.get(`/contacts?q=${encodeURIComponent(address)}`)).body.items).toEqual(
      [],
    );
    expect((await world.admin.client.post(`/contacts/${id}/restore`)).status).toBe(404);

    const table = inject('tableName');
    const suppression = await dynamoClient().send(
      new GetItemCommand({
        TableName: table,
        Key: {
          pk: { S: `T#${world.tenant}#SUPPRESSION#${emailHash(world.tenant, address)}` },
          sk: { S: 'A' },
        },
      }),
    );
    expect(suppression.Item?.reason?.S).toBe('erased');
    expect(JSON.stringify(suppression.Item)).not.toContain(address);

    expect(
      (await world.admin.client.post('/contacts', { firstName: 'Eve again', email: address })).status,
    ).toBe(201);
  });
});

describe('contacts: roles and tenancy', () => {
  it('answers 404 to other tenants and to reps of other teams, 403 to readers who may not write', async () => {
    const contact = await world.repRed.client.post('/contacts', {
      firstName: 'Team Red Lead',
      email: email('red'),
    });
    expect(contact.body).toMatchObject({ ownerId: world.repRed.id, teamId: world.teams.red });
    const path = `/contacts/${contact.body.id}`;
    for (const outsider of [world.stranger, world.repBlue]) {
      expect((await outsider.client.get(path)).status).toBe(404);
      expect((await outsider.client.patch(path, { title: 'x' })).status).toBe(404);
      expect((await outsider.client.delete(path)).status).toBe(404);
      expect((await outsider.client.post(`${path}/restore`)).status).toBe(404);
    }
    expect((await world.repRed2.client.get(path)).status).toBe(200);
    expect((await world.repRed2.client.patch(path, { title: 'x' })).status).toBe(403);
    expect((await world.managerRed.client.patch(path, { title: 'Head' })).status).toBe(200);
    const blueView = await world.repBlue.client.get('/contacts?q=team red');
    expect(blueView.body.items).toEqual([]);
    const managerView = await world.managerRed.client.get('/contacts?q=team red');
    expect(managerView.body.items).toHaveLength(1);
  });

  it('does not let a rep hand a contact to someone else', async () => {
    const contact = await world.repRed.client.post('/contacts', { firstName: 'Mine' });
    expect(
      (await world.repRed.client.patch(`/contacts/${contact.body.id}`, { ownerId: world.repRed2.id })).status,
    ).toBe(403);
    const reassigned = await world.managerRed.client.patch(`/contacts/${contact.body.id}`, {
      ownerId: world.repRed2.id,
    });
    expect(reassigned.body.ownerId).toBe(world.repRed2.id);
    expect((await world.repRed.client.patch(`/contacts/${contact.body.id}`, { title: 'x' })).status).toBe(
      403,
    );
  });
});
