import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { recordKey } from '#shared/store/keys';
import type { ApiClient } from '../support/api.ts';
import { dynamoClient } from '../support/dynamo.ts';
import { createWorld, type Member, unique, type World } from './world.ts';

let world: World;
let eurProduct: string;
let usdProduct: string;

beforeAll(async () => {
  world = await createWorld();
  const product = async (currency: string) => {
    const response = await world.admin.client.post('/products', {
      name: unique('Widget'),
      unitPrice: 19.999,
      currency,
    });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  eurProduct = await product('EUR');
  usdProduct = await product('USD');
});

async function newDeal(member: Member, body: Record<string, unknown> = { amount: 100, currency: 'EUR' }) {
  const response = await member.client.post('/deals', { name: unique('Deal'), ...body });
  expect(response.status).toBe(201);
  return response.body as { id: string; ownerId: string; teamId?: string; stageId: string };
}

const line = (overrides: Record<string, unknown> = {}) => ({
  description: 'Consulting',
  quantity: 1,
  unitPrice: 100,
  ...overrides,
});

async function newQuote(
  client: ApiClient,
  dealId: string,
  body: Record<string, unknown> = { lines: [line()] },
) {
  const response = await client.post(`/deals/${dealId}/quotes`, body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; total: number; version: number };
}

async function sentQuote(client: ApiClient, dealId: string, body?: Record<string, unknown>) {
  const quote = await newQuote(client, dealId, body);
  const sent = await client.post(`/quotes/${quote.id}/send`);
  expect(sent.status).toBe(200);
  return quote;
}

/**
 * Moves a stored quote's validity into the past: time passing, without waiting for it
 * (a wait would race the machine's speed). Not a write of the API: no version change.
 */
async function letValidityPass(quoteId: string) {
  const { pk, sk } = recordKey(world.tenant, 'QUOTE', quoteId);
  await dynamoClient().send(
    new UpdateItemCommand({
      TableName: inject('tableName'),
      Key: { pk: { S: pk }, sk: { S: sk } },
      UpdateExpression: 'SET validUntil = :past',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':past': { S: '2001-01-01T00:00:00.000Z' } },
    }),
  );
}

describe('quotes', () => {
  it('creates a draft with exact totals in the deal’s currency, and reads and lists it', async () => {
    const deal = await newDeal(world.repRed);
    const created = await world.repRed.client.post(`/deals/${deal.id}/quotes`, {
      lines: [
        { description: 'Ten cents', quantity: 1, unitPrice: 0.1 },
        { description: 'Twenty cents', quantity: 1, unitPrice: 0.2 },
        { productId: eurProduct, description: 'Widgets', quantity: 2.5, unitPrice: 19.999 },
        { description: 'Half cent', quantity: 1, unitPrice: 1.005 },
        { description: 'Support', quantity: 10, unitPrice: 9.99, discountPct: 12.5 },
      ],
      validUntil: '2999-12-31',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/quotes/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({
      dealId: deal.id,
      status: 'draft',
      currency: 'EUR',
      ownerId: world.repRed.id,
      teamId: world.teams.red,
      validUntil: '2999-12-31T23:59:59.999Z',
      subtotal: 151.21,
      discount: 12.49,
      total: 138.72,
    });
    expect(created.body.lines.map((l: { lineTotal: number }) => l.lineTotal)).toEqual([
      0.1, 0.2, 50, 1.01, 87.41,
    ]);

    const read = await world.repRed.client.get(`/quotes/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    const second = await newQuote(world.repRed.client, deal.id);
    const list = await world.repRed2.client.get(`/deals/${deal.id}/quotes`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((quote: { id: string }) => quote.id)).toEqual([second.id, created.body.id]);
    expect(list.body.nextCursor).toBeNull();
  });

  it('pages a deal’s quotes with cursors that only fit that deal', async () => {
    const deal = await newDeal(world.repRed);
    const other = await newDeal(world.repRed);
    const first = await newQuote(world.repRed.client, deal.id);
    const last = await newQuote(world.repRed.client, deal.id);
    const page = await world.repRed.client.get(`/deals/${deal.id}/quotes?limit=1`);
    expect(page.body.items.map((quote: { id: string }) => quote.id)).toEqual([last.id]);
    const cursor = encodeURIComponent(page.body.nextCursor);
    const next = await world.repRed.client.get(`/deals/${deal.id}/quotes?limit=1&cursor=${cursor}`);
    expect(next.body.items.map((quote: { id: string }) => quote.id)).toEqual([first.id]);
    expect((await world.repRed.client.get(`/deals/${other.id}/quotes?limit=1&cursor=${cursor}`)).status).toBe(
      400,
    );
  });

  it('takes the currency from the deal, requires one when the deal has none, and refuses a mismatch', async () => {
    const bare = await newDeal(world.repRed, {});
    const missing = await world.repRed.client.post(`/deals/${bare.id}/quotes`, { lines: [line()] });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { path: 'currency', message: 'is required when the deal has no currency' },
    ]);
    const usd = await world.repRed.client.post(`/deals/${bare.id}/quotes`, {
      lines: [line()],
      currency: 'usd',
    });
    expect(usd.body).toMatchObject({ status: 'draft', currency: 'USD' });

    const eur = await newDeal(world.repRed);
    const mismatch = await world.repRed.client.post(`/deals/${eur.id}/quotes`, {
      lines: [line({ productId: usdProduct })],
      currency: 'USD',
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual([
      { path: 'currency', message: 'must be the deal’s currency (EUR)' },
    ]);
    const lineMismatch = await world.repRed.client.post(`/deals/${eur.id}/quotes`, {
      lines: [line({ productId: eurProduct }), line({ productId: usdProduct })],
    });
    expect(lineMismatch.status).toBe(400);
    expect(lineMismatch.body.errors).toEqual([
      { path: 'lines.1.productId', message: 'is priced in USD, not EUR' },
    ]);
  });

  it('only quotes live products of the tenant', async () => {
    const deal = await newDeal(world.repRed);
    const foreign = await world.stranger.client.post('/products', {
      name: 'Theirs',
      unitPrice: 1,
      currency: 'EUR',
    });
    const archived = await world.admin.client.post('/products', {
      name: 'Old',
      unitPrice: 1,
      currency: 'EUR',
    });
    await world.admin.client.delete(`/products/${archived.body.id}`);
    const response = await world.repRed.client.post(`/deals/${deal.id}/quotes`, {
      lines: [
        line({ productId: foreign.body.id }),
        line({ productId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
        line({ productId: archived.body.id }),
        line({ productId: eurProduct }),
      ],
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { path: 'lines.0.productId', message: 'is not a live product of this tenant' },
      { path: 'lines.1.productId', message: 'is not a live product of this tenant' },
      { path: 'lines.2.productId', message: 'is not a live product of this tenant' },
    ]);
  });

  it('rejects bad bodies on create and patch, listing every field', async () => {
    const deal = await newDeal(world.repRed);
    const bad = await world.repRed.client.post(`/deals/${deal.id}/quotes`, {
      lines: [
        line({ quantity: -2 }),
        line({ quantity: 0, discountPct: 100.5 }),
        line({ unitPrice: 1.2345, quantity: 1.0001 }),
        line({ unitPrice: -1 }),
        line({ discountPct: 1.001, colour: 'red' }),
      ],
      validUntil: '2001-01-01',
      total: 5,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'lines.0.quantity', message: 'must be greater than 0' },
        { path: 'lines.1.quantity', message: 'must be greater than 0' },
        { path: 'lines.1.discountPct', message: 'must be at most 100' },
        { path: 'lines.2.unitPrice', message: 'must have at most 3 decimal places' },
        { path: 'lines.2.quantity', message: 'must have at most 3 decimal places' },
        { path: 'lines.3.unitPrice', message: 'must be at least 0' },
        { path: 'lines.4.discountPct', message: 'must have at most 2 decimal places' },
        { path: 'lines.4.colour', message: 'is not a known field' },
        { path: 'validUntil', message: 'must be in the future' },
        { path: 'total', message: 'is not a known field' },
      ]),
    );
    const many = Array.from({ length: 201 }, () => line());
    for (const lines of [[], many, 'none']) {
      expect((await world.repRed.client.post(`/deals/${deal.id}/quotes`, { lines })).status).toBe(400);
    }
    expect((await world.repRed.client.post(`/deals/${deal.id}/quotes`, {})).status).toBe(400);

    const quote = await newQuote(world.repRed.client, deal.id);
    const path = `/quotes/${quote.id}`;
    for (const body of [
      { lines: [line({ quantity: -1 })] },
      { lines: [line({ unitPrice: 0.0001 })] },
      { lines: [line({ discountPct: 101 })] },
      { lines: [line({ productId: usdProduct })] },
      { lines: null },
      { currency: 'USD' },
      { status: 'accepted' },
      {},
    ]) {
      const response = await world.repRed.client.patch(path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await world.repRed.client.get(path)).body.version).toBe(1);
  });

  it('changes lines and validity of drafts only, recomputing totals', async () => {
    const deal = await newDeal(world.repRed);
    const quote = await newQuote(world.repRed.client, deal.id, { lines: [line()], validUntil: '2999-01-01' });
    const path = `/quotes/${quote.id}`;
    const patched = await world.repRed.client.patch(
      path,
      {
        lines: [line({ quantity: 3, unitPrice: 0.335 }), line({ unitPrice: 50, discountPct: 10 })],
        validUntil: null,
      },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, subtotal: 51.01, discount: 5, total: 46.01 });
    expect(patched.body.validUntil).toBeUndefined();
    expect((await world.repRed.client.patch(path, { lines: [line()] }, { 'if-match': '"1"' })).status).toBe(
      412,
    );

    expect((await world.repRed.client.post(`${path}/send`)).status).toBe(200);
    const late = await world.repRed.client.patch(path, { lines: [line()] });
    expect(late.status).toBe(409);
    expect((await world.repRed.client.get(path)).body.total).toBe(46.01);
  });
});

describe('quote status machine', () => {
  it('moves draft → sent → rejected, answering 409 to every illegal move', async () => {
    const deal = await newDeal(world.repRed);
    const quote = await newQuote(world.repRed.client, deal.id);
    const path = `/quotes/${quote.id}`;
    expect((await world.repRed.client.post(`${path}/accept`)).status).toBe(409);
    expect((await world.repRed.client.post(`${path}/reject`)).status).toBe(409);

    const before = Date.now();
    const sent = await world.repRed.client.post(`${path}/send`, undefined, { 'if-match': '"1"' });
    const after = Date.now();
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'sent', version: 2 });
    expect(Date.parse(sent.body.sentAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(sent.body.sentAt)).toBeLessThanOrEqual(after);
    const again = await world.repRed.client.post(`${path}/send`);
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe('Only a draft quote can be sent; this one is sent');

    const rejected = await world.repRed.client.post(`${path}/reject`);
    expect(rejected.body).toMatchObject({ status: 'rejected', version: 3 });
    expect(rejected.body.rejectedAt).toEqual(expect.any(String));
    for (const action of ['send', 'accept', 'reject'])
      expect((await world.repRed.client.post(`${path}/${action}`)).status).toBe(409);
    expect((await world.repRed.client.get(path)).body.status).toBe('rejected');
  });

  it('answers 412 to a stale If-Match on an action', async () => {
    const deal = await newDeal(world.repRed);
    const quote = await newQuote(world.repRed.client, deal.id);
    expect(
      (await world.repRed.client.post(`/quotes/${quote.id}/send`, undefined, { 'if-match': '"9"' })).status,
    ).toBe(412);
  });

  it('expires a sent quote past validUntil: it reads as expired and cannot be accepted', async () => {
    const deal = await newDeal(world.repRed);
    const quote = await sentQuote(world.repRed.client, deal.id, {
      lines: [line()],
      validUntil: '2999-01-01T00:00:00Z',
    });
    const path = `/quotes/${quote.id}`;
    expect((await world.repRed.client.get(path)).body.status).toBe('sent');
    await letValidityPass(quote.id);

    const read = await world.repRed.client.get(path);
    expect(read.body).toMatchObject({ status: 'expired', version: 2 });
    expect((await world.repRed.client.get(`/deals/${deal.id}/quotes`)).body.items[0].status).toBe('expired');
    const accept = await world.repRed.client.post(`${path}/accept`);
    expect(accept.status).toBe(409);
    expect(accept.body.detail).toContain('expired');
    expect((await world.repRed.client.post(`${path}/reject`)).status).toBe(409);
    // The refusal stored the expiry.
    expect((await world.repRed.client.get(path)).body).toMatchObject({ status: 'expired', version: 3 });
    const dealAfter = await world.repRed.client.get(`/deals/${deal.id}`);
    expect(dealAfter.body).toMatchObject({ amount: 100, status: 'open' });
  });

  it('refuses to send a draft whose validity has passed', async () => {
    const deal = await newDeal(world.repRed);
    const quote = await newQuote(world.repRed.client, deal.id, {
      lines: [line()],
      validUntil: '2999-01-01T00:00:00Z',
    });
    await letValidityPass(quote.id);
    expect((await world.repRed.client.get(`/quotes/${quote.id}`)).body.status).toBe('draft');
    expect((await world.repRed.client.post(`/quotes/${quote.id}/send`)).status).toBe(409);
    const later = await world.repRed.client.patch(`/quotes/${quote.id}`, {
      validUntil: '2999-01-01T00:00:00Z',
    });
    expect(later.status).toBe(200);
    expect((await world.repRed.client.post(`/quotes/${quote.id}/send`)).status).toBe(200);
  });
});

describe('accepting a quote', () => {
  it('sets the deal amount and currency, moves it to the won stage and records the history', async () => {
    const deal = await newDeal(world.repRed, {});
    const quote = await sentQuote(world.repRed.client, deal.id, {
      lines: [line({ quantity: 3, unitPrice: 0.335 }), line({ unitPrice: 1234.5, discountPct: 5 })],
      currency: 'GBP',
    });
    const accepted = await world.repRed.client.post(`/quotes/${quote.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', version: 3, total: 1173.79 });
    expect(accepted.body.acceptedAt).toEqual(expect.any(String));

    const pipelines = await world.repRed.client.get('/pipelines');
    const won = pipelines.body.items[0].stages.find((stage: { kind: string }) => stage.kind === 'won');
    const after = await world.repRed.client.get(`/deals/${deal.id}`);
    expect(after.body).toMatchObject({
      amount: 1173.79,
      currency: 'GBP',
      status: 'won',
      stageId: won.id,
      probability: 100,
      version: 2,
    });
    expect(after.body.closedAt).toEqual(expect.any(String));
    const history = await world.repRed.client.get(`/deals/${deal.id}/history`);
    expect(history.body.items).toHaveLength(2);
    expect(history.body.items[1]).toMatchObject({
      from: { stageId: deal.stageId, name: 'prospecting' },
      to: { stageId: won.id, name: 'won' },
      status: 'won',
      amount: 1173.79,
      currency: 'GBP',
      by: world.repRed.id,
    });

    const other = await sentQuote(world.repRed.client, deal.id, { lines: [line()], currency: 'GBP' });
    const second = await world.repRed.client.post(`/quotes/${other.id}/accept`);
    expect(second.status).toBe(409);
    expect(second.body.detail).toBe('This deal already has an accepted quote');
    expect((await world.repRed.client.post(`/quotes/${quote.id}/accept`)).status).toBe(409);
    expect((await world.repRed.client.get(`/deals/${deal.id}`)).body.amount).toBe(1173.79);
  });

  it('lets exactly one of two racing accepts of one deal’s quotes win', async () => {
    const deal = await newDeal(world.repRed);
    const first = await sentQuote(world.repRed.client, deal.id, { lines: [line({ unitPrice: 111.11 })] });
    const second = await sentQuote(world.repRed.client, deal.id, { lines: [line({ unitPrice: 222.22 })] });
    const results = await Promise.all([
      world.repRed.client.post(`/quotes/${first.id}/accept`),
      world.managerRed.client.post(`/quotes/${second.id}/accept`),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
    const winner = results.find((result) => result.status === 200)?.body;
    const after = await world.repRed.client.get(`/deals/${deal.id}`);
    expect(after.body).toMatchObject({ amount: winner.total, status: 'won' });
    const statuses = (await world.repRed.client.get(`/deals/${deal.id}/quotes`)).body.items.map(
      (quote: { status: string }) => quote.status,
    );
    expect(statuses.sort()).toEqual(['accepted', 'sent']);
    const history = await world.repRed.client.get(`/deals/${deal.id}/history`);
    expect(history.body.items.filter((entry: { status: string }) => entry.status === 'won')).toHaveLength(1);
  });

  it('lets exactly one of several racing accepts of the same quote win', async () => {
    const deal = await newDeal(world.repRed);
    const quote = await sentQuote(world.repRed.client, deal.id);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => world.repRed.client.post(`/quotes/${quote.id}/accept`)),
    );
    expect(results.map((result) => result.status).sort()).toEqual([200, 409, 409, 409]);
  });

  it('refuses to accept a quote of an archived deal', async () => {
    const deal = await newDeal(world.repRed);
    const quote = await sentQuote(world.repRed.client, deal.id);
    expect((await world.repRed.client.delete(`/deals/${deal.id}`)).status).toBe(204);
    expect((await world.repRed.client.post(`/quotes/${quote.id}/accept`)).status).toBe(409);
    expect((await world.repRed.client.post(`/deals/${deal.id}/quotes`, { lines: [line()] })).status).toBe(
      409,
    );
  });
});

describe('quotes: roles and tenancy', () => {
  it('follows the deal: 404 to those who cannot read it, 403 to those who cannot change it', async () => {
    const deal = await newDeal(world.repRed);
    const quote = await newQuote(world.repRed.client, deal.id);
    const path = `/quotes/${quote.id}`;
    const everyRoute = (client: ApiClient) => [
      client.post(`/deals/${deal.id}/quotes`, { lines: [line()] }),
      client.get(`/deals/${deal.id}/quotes`),
      client.get(path),
      client.patch(path, { lines: [line()] }),
      client.post(`${path}/send`),
      client.post(`${path}/accept`),
      client.post(`${path}/reject`),
    ];
    for (const outsider of [world.stranger, world.repBlue]) {
      const statuses = (await Promise.all(everyRoute(outsider.client))).map((response) => response.status);
      expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404]);
    }
    // A teammate reads the deal's quotes but may not change them.
    const teammate = await Promise.all(everyRoute(world.repRed2.client));
    expect(teammate.map((response) => response.status)).toEqual([403, 200, 200, 403, 403, 403, 403]);
    expect((await world.repBlue.client.get(`/deals/${deal.id}/quotes`)).status).toBe(404);

    // The team's manager and the admin may.
    expect((await world.managerRed.client.patch(path, { lines: [line({ unitPrice: 5 })] })).status).toBe(200);
    expect((await world.admin.client.post(`${path}/send`)).status).toBe(200);
    expect((await world.repRed.client.get(path)).body).toMatchObject({
      status: 'sent',
      total: 5,
      version: 3,
    });
  });

  it('lets a rep quote and accept only their own deals', async () => {
    const own = await newDeal(world.repRed2);
    const quote = await sentQuote(world.repRed2.client, own.id);
    expect((await world.repRed.client.post(`/quotes/${quote.id}/accept`)).status).toBe(403);
    expect((await world.repRed2.client.post(`/quotes/${quote.id}/accept`)).status).toBe(200);
    const blueDeal = await newDeal(world.repBlue);
    expect((await world.managerRed.client.get(`/deals/${blueDeal.id}/quotes`)).status).toBe(200);
    expect(
      (await world.managerRed.client.post(`/deals/${blueDeal.id}/quotes`, { lines: [line()] })).status,
    ).toBe(403);
  });
});
