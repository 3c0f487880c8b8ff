import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/api.ts';
import { listAll } from './report-replay.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * What deals carry for the sales report and quotes for people: a deal's
 * country (defaulting to its company's), its products from the accepted
 * quote, its source from the lead it came from, and quote numbers per year.
 */
let world: World;
beforeAll(async () => {
  world = await createWorld();
});

interface DealRecord {
  id: string;
  amount?: number;
  currency?: string;
  closedAt?: string;
  country?: string;
  productIds: string[];
  source?: string;
}
interface QuoteRecord {
  status: string;
  number?: string;
  lines: { productId?: string; quantity: number; lineTotal: number }[];
}

const minor = (amount: number) => Math.round(amount * 100);

/** Sales by product and country recomputed from the won deals and their accepted quotes' lines. */
async function expectedSales(groupBy: 'product' | 'country', from: string, to: string) {
  const { admin } = world;
  const won = await listAll<DealRecord>(admin.client, '/deals?status=won');
  const rows = new Map<string, { count: number; minor: Record<string, number>; quantity: number }>();
  const add = (key: string, currency: string | undefined, amount: number, quantity: number) => {
    const row = rows.get(key) ?? { count: 0, minor: {}, quantity: 0 };
    row.count++;
    row.quantity += quantity;
    if (currency) row.minor[currency] = (row.minor[currency] ?? 0) + amount;
    rows.set(key, row);
  };
  for (const deal of won) {
    const day = deal.closedAt?.slice(0, 10) ?? '';
    if (day < from || day > to) continue;
    const currency = deal.amount !== undefined ? deal.currency : undefined;
    if (groupBy === 'country') {
      add(deal.country ?? 'none', currency, minor(deal.amount ?? 0), 0);
      continue;
    }
    const quotes = await listAll<QuoteRecord>(admin.client, `/deals/${deal.id}/quotes`);
    const lines =
      quotes.find((quote) => quote.status === 'accepted')?.lines.filter((line) => line.productId) ?? [];
    if (lines.length > 0) {
      // One entry per product of the deal, its lines summed.
      const perProduct = new Map<string, { minor: number; quantity: number }>();
      for (const line of lines) {
        const sum = perProduct.get(line.productId as string) ?? { minor: 0, quantity: 0 };
        sum.minor += minor(line.lineTotal);
        sum.quantity += Math.round(line.quantity * 1000);
        perProduct.set(line.productId as string, sum);
      }
      for (const [productId, sum] of perProduct) add(productId, currency, sum.minor, sum.quantity);
      continue;
    }
    const total = minor(deal.amount ?? 0);
    const share = Math.trunc(total / deal.productIds.length);
    deal.productIds.forEach((productId, index) => {
      add(productId, currency, index === 0 ? total - share * (deal.productIds.length - 1) : share, 1000);
    });
  }
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, row]) => ({
      key,
      count: row.count,
      amount: Object.fromEntries(
        Object.entries(row.minor)
          .filter(([, value]) => value !== 0)
          .map(([currency, value]) => [currency, value / 100]),
      ),
      ...(groupBy === 'product' ? { quantity: Math.round(row.quantity) / 1000 } : {}),
    }));
}

describe('deal inputs of the sales report', () => {
  it('numbers quotes per tenant and year without gaps or repeats, also when created at once', async () => {
    const { admin } = world;
    const deal = await admin.client.post('/deals', { name: unique('Numbered'), amount: 1, currency: 'EUR' });
    expect(deal.status).toBe(201);
    const body = { lines: [{ description: 'Service', quantity: 1, unitPrice: 10 }] };
    const first = await admin.client.post(`/deals/${deal.body.id}/quotes`, body);
    expect(first.status).toBe(201);
    const year = new Date(first.body.createdAt).getUTCFullYear();
    expect(first.body.number).toBe(`Q-${year}-0001`);
    const racing = await Promise.all(
      Array.from({ length: 8 }, () => admin.client.post(`/deals/${deal.body.id}/quotes`, body)),
    );
    for (const response of racing) expect(response.status).toBe(201);
    const listed = await listAll<QuoteRecord>(admin.client, `/deals/${deal.body.id}/quotes`);
    expect(listed.map((quote) => quote.number).sort()).toEqual(
      Array.from({ length: 9 }, (_, index) => `Q-${year}-${String(index + 1).padStart(4, '0')}`),
    );
    const read = await admin.client.get(`/quotes/${first.body.id}`);
    expect(read.body.number).toBe(`Q-${year}-0001`);
    const patched = await admin.client.patch(`/quotes/${first.body.id}`, { lines: body.lines });
    expect(patched.status).toBe(200);
    expect(patched.body.number).toBe(`Q-${year}-0001`);
    const theirs = await world.stranger.client.post('/deals', { name: 'Theirs', amount: 1, currency: 'EUR' });
    const strangerQuote = await world.stranger.client.post(`/deals/${theirs.body.id}/quotes`, body);
    expect(strangerQuote.body.number).toBe(`Q-${year}-0001`);
  });

  it('gives deals the company’s country unless told otherwise, and the lead’s source on conversion', async () => {
    const { admin, repRed } = world;
    const company = async (country?: string) =>
      (await repRed.client.post('/companies', { name: unique('Co'), ...(country ? { country } : {}) })).body
        .id as string;
    const spain = await company('ES');
    const germany = await company('DE');
    const nowhere = await company();
    const deal = async (body: Record<string, unknown>) => {
      const response = await repRed.client.post('/deals', { name: unique('C'), ...body });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body as DealRecord;
    };
    expect((await deal({ companyId: spain })).country).toBe('ES');
    expect((await deal({ companyId: spain, country: 'fr' })).country).toBe('FR');
    expect((await deal({ companyId: nowhere })).country).toBeUndefined();
    const moving = await deal({ companyId: spain, source: 'web' });
    expect(moving.source).toBe('web');
    const moved = await repRed.client.patch(`/deals/${moving.id}`, { companyId: germany });
    expect(moved.body.country).toBe('DE');
    const told = await repRed.client.patch(`/deals/${moving.id}`, { companyId: spain, country: 'IT' });
    expect(told.body.country).toBe('IT');
    const cleared = await repRed.client.patch(`/deals/${moving.id}`, { country: null, source: null });
    expect(cleared.body.country).toBeUndefined();
    expect(cleared.body.source).toBeUndefined();
    for (const bad of [{ country: 'Spain' }, { source: 'tv' }]) {
      const response = await repRed.client.post('/deals', { name: 'Bad', ...bad });
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }

    const lead = await admin.client.post('/leads', {
      firstName: 'Inês',
      lastName: unique('Costa'),
      companyName: unique('Costa Lda'),
      source: 'event',
      country: 'PT',
    });
    expect(lead.status).toBe(201);
    const converted = await admin.client.post(`/leads/${lead.body.id}/convert`, {
      deal: { name: 'Costa fleet', amount: 10, currency: 'EUR' },
    });
    expect(converted.status, JSON.stringify(converted.body)).toBe(200);
    expect(converted.body.deal).toMatchObject({ source: 'event', country: 'PT' });
  });

  it('sells by product from the accepted quote’s lines, or the deal’s products split evenly, and by country', async () => {
    const { admin, managerRed } = world;
    const product = async (name: string) =>
      (await admin.client.post('/products', { name: unique(name), unitPrice: 10, currency: 'EUR' })).body
        .id as string;
    const [alpha, beta, gamma] = [await product('Alpha'), await product('Beta'), await product('Gamma')];
    const sales = (await admin.client.get('/pipelines')).body.items.find(
      (p: { isDefault: boolean }) => p.isDefault,
    );
    const won = sales.stages.find((s: { kind: string }) => s.kind === 'won').id;
    const company = (await admin.client.post('/companies', { name: unique('Nord'), country: 'SE' })).body.id;

    // Quoted: two product lines (one discounted, fractional quantity) and one without a product.
    const quoted = (
      await admin.client.post('/deals', { name: unique('Q'), productIds: [gamma], companyId: company })
    ).body;
    const quote = await admin.client.post(`/deals/${quoted.id}/quotes`, {
      currency: 'EUR',
      lines: [
        { productId: alpha, description: 'Alpha', quantity: 2.5, unitPrice: 10.01, discountPct: 10 },
        { productId: beta, description: 'Beta', quantity: 1, unitPrice: 99.99 },
        { description: 'Setup', quantity: 1, unitPrice: 50 },
        { productId: beta, description: 'Beta, second unit', quantity: 1, unitPrice: 99.99, discountPct: 50 },
      ],
    });
    expect(quote.status, JSON.stringify(quote.body)).toBe(201);
    expect((await admin.client.post(`/quotes/${quote.body.id}/send`)).status).toBe(200);
    expect((await admin.client.post(`/quotes/${quote.body.id}/accept`)).status).toBe(200);
    const accepted = (await admin.client.get(`/deals/${quoted.id}`)).body;
    expect(accepted).toMatchObject({ status: 'won', amount: quote.body.total, country: 'SE' });
    expect([...accepted.productIds].sort()).toEqual([alpha, beta].sort());

    // Without a quote: 0.05 EUR over three products is 3 + 1 + 1 cents.
    const split = (
      await admin.client.post('/deals', {
        name: unique('S'),
        amount: 0.05,
        currency: 'EUR',
        country: 'NO',
        productIds: [alpha, beta, gamma],
      })
    ).body;
    expect((await admin.client.patch(`/deals/${split.id}`, { stageId: won })).status).toBe(200);
    const usd = (
      await managerRed.client.post('/deals', {
        name: unique('U'),
        amount: 12,
        currency: 'USD',
        productIds: [beta],
      })
    ).body;
    expect((await admin.client.patch(`/deals/${usd.id}`, { stageId: won })).status).toBe(200);

    const today = new Date().toISOString().slice(0, 10);
    const from = `${today.slice(0, 4)}-01-01`;
    for (const groupBy of ['product', 'country'] as const) {
      await eventually(async () => {
        const response = await managerRed.client.get(
          `/reports/sales?groupBy=${groupBy}&from=${from}&to=${today}`,
        );
        expect(response.status).toBe(200);
        expect(response.body).toEqual({
          from,
          to: today,
          groupBy,
          items: await expectedSales(groupBy, from, today),
        });
      });
    }
    const byProduct = (await admin.client.get(`/reports/sales?groupBy=product&from=${from}&to=${today}`)).body
      .items;
    expect(byProduct.find((row: { key: string }) => row.key === gamma)).toEqual({
      key: gamma,
      count: 1,
      amount: { EUR: 0.01 },
      quantity: 1,
    });
    expect(byProduct.find((row: { key: string }) => row.key === alpha)).toEqual({
      key: alpha,
      count: 2,
      amount: { EUR: 22.55 },
      quantity: 3.5,
    });
  });
});
