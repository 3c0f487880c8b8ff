import { beforeAll, describe, expect, it } from 'vitest';
import { createWorld, unique, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

const ids = (response: { body: { items: { id: string }[] } }) => response.body.items.map((item) => item.id);

describe('products', () => {
  it('creates a product with 3-decimal prices, reads, patches, archives and restores it', async () => {
    const sku = unique('SKU');
    const created = await world.managerRed.client.post('/products', {
      name: 'Widget Pro',
      sku,
      unitPrice: 12.345,
      currency: 'eur',
      description: 'The good one',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/products/${created.body.id}`);
    expect(created.body).toMatchObject({
      name: 'Widget Pro',
      sku,
      unitPrice: 12.345,
      currency: 'EUR',
      version: 1,
    });
    const path = `/products/${created.body.id}`;

    expect((await world.repBlue.client.get(path)).body.unitPrice).toBe(12.345);
    const patched = await world.admin.client.patch(
      path,
      { unitPrice: 0.001, description: null },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ unitPrice: 0.001, version: 2 });
    expect(patched.body.description).toBeUndefined();
    expect((await world.admin.client.patch(path, { name: 'Stale' }, { 'if-match': '"1"' })).status).toBe(412);

    expect((await world.managerRed.client.delete(path)).status).toBe(204);
    expect(ids(await world.repRed.client.get('/products?q=widget pro'))).toEqual([]);
    expect(ids(await world.repRed.client.get('/products?q=widget pro&archived=true'))).toEqual([
      created.body.id,
    ]);
    expect((await world.managerRed.client.post(`${path}/restore`)).body.archived).toBe(false);
  });

  it('keeps SKUs unique per tenant, ignoring case', async () => {
    const sku = unique('dup');
    expect(
      (await world.admin.client.post('/products', { name: 'A', sku, unitPrice: 1, currency: 'USD' })).status,
    ).toBe(201);
    const second = await world.admin.client.post('/products', {
      name: 'B',
      sku: sku.toUpperCase(),
      unitPrice: 2,
      currency: 'USD',
    });
    expect(second.status).toBe(409);
    expect(second.body.errors).toEqual([{ path: 'sku', message: 'is already used by another product' }]);
    expect(
      (await world.stranger.client.post('/products', { name: 'C', sku, unitPrice: 1, currency: 'USD' }))
        .status,
    ).toBe(201);
  });

  it('lists everyone the whole price list, by name prefix and currency', async () => {
    const name = unique('Gadget');
    const eur = await world.admin.client.post('/products', { name, unitPrice: 5, currency: 'EUR' });
    const usd = await world.managerRed.client.post('/products', {
      name: `${name} US`,
      unitPrice: 6,
      currency: 'USD',
    });
    for (const member of [world.repBlue, world.repRed, world.managerRed]) {
      expect(ids(await member.client.get(`/products?q=${name}`)).sort()).toEqual(
        [eur.body.id, usd.body.id].sort(),
      );
    }
    expect(ids(await world.repBlue.client.get(`/products?q=${name}&currency=usd`))).toEqual([usd.body.id]);
    expect((await world.stranger.client.get(`/products?q=${name}`)).body.items).toEqual([]);
  });

  it('rejects bad bodies, listing every field', async () => {
    const response = await world.admin.client.post('/products', {
      unitPrice: 1.2345,
      currency: 'EURO',
      colour: 'red',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'name', message: 'is required' },
        { path: 'unitPrice', message: 'must have at most 3 decimal places' },
        { path: 'currency', message: 'has an invalid format' },
        { path: 'colour', message: 'is not a known field' },
      ]),
    );
    const negative = await world.admin.client.post('/products', {
      name: 'N',
      unitPrice: -1,
      currency: 'EUR',
    });
    expect(negative.body.errors).toEqual([{ path: 'unitPrice', message: 'must be at least 0' }]);
  });
});

describe('products: roles and tenancy', () => {
  it('lets admins and any manager change products; reps read them (403 to change), other tenants see nothing', async () => {
    const product = await world.admin.client.post('/products', {
      name: 'Shared',
      unitPrice: 3,
      currency: 'EUR',
    });
    const path = `/products/${product.body.id}`;
    for (const rep of [world.repRed, world.repBlue]) {
      expect((await rep.client.get(path)).status).toBe(200);
      expect((await rep.client.patch(path, { name: 'x' })).status).toBe(403);
      expect((await rep.client.delete(path)).status).toBe(403);
      expect((await rep.client.post(`${path}/restore`)).status).toBe(403);
      expect(
        (await rep.client.post('/products', { name: 'Mine', unitPrice: 1, currency: 'EUR' })).status,
      ).toBe(403);
    }
    // A manager edits products of any team: the price list is not a team's record.
    expect((await world.managerRed.client.patch(path, { unitPrice: 4.5 })).status).toBe(200);
    const missing = '/products/01ARZ3NDEKTSV4RRFFQ69G5FAV';
    // A rep may change no product: refused before the product is looked up.
    expect((await world.repRed.client.patch(missing, { name: 'x' })).status).toBe(403);
    expect((await world.managerRed.client.patch(missing, { name: 'x' })).status).toBe(404);
    for (const request of [
      world.stranger.client.get(path),
      world.stranger.client.patch(path, { name: 'x' }),
      world.stranger.client.delete(path),
      world.stranger.client.post(`${path}/restore`),
    ]) {
      expect((await request).status).toBe(404);
    }
    expect((await world.admin.client.get(path)).body).toMatchObject({ name: 'Shared', unitPrice: 4.5 });
  });
});
