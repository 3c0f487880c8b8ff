import { productRoutes } from '#shared/api/products';
import { applyMergePatch } from '#shared/domain/merge-patch';
import type { Caller } from '#shared/http/auth';
import { httpHandler } from '#shared/http/handler';
import { forbidden, notFound } from '#shared/http/problem';
import { archive, create, listPage, newRecordBase, restore, update } from '#shared/http/records';
import { created, noContent, ok } from '#shared/http/results';
import { type Product, products } from '#shared/store/entities';
import { getRecord } from '#shared/store/records';

/**
 * A price list is tenant-wide configuration, like teams: everyone in the tenant
 * reads every product, and admins and managers change any of them (not only
 * their team's), so reps get no visibility filter and no write rights.
 */
const onlyEditors = () => forbidden('Only admins and managers change products');

async function readProduct(caller: Caller, id: string): Promise<Product> {
  const product = await getRecord(products, caller.tenantId, id);
  if (!product) throw notFound('Product');
  return product;
}

/**
 * The caller as the record helpers (update, archive, restore) should see it:
 * with tenant-wide write rights for an editor. A rep gets 404 for a missing
 * product and 403 for an existing one.
 */
async function editor(caller: Caller, id: string): Promise<Caller> {
  if (caller.role !== 'rep') return { ...caller, role: 'admin' };
  await readProduct(caller, id);
  throw onlyEditors();
}

export const handler = httpHandler(productRoutes, {
  async listProducts({ caller, query, page }) {
    return listPage(products, caller, page, {
      archived: query.archived,
      visibility: 'tenant',
      ...(query.q ? { via: { pattern: 'byName' as const, prefix: query.q } } : {}),
      filter: { equals: query.currency ? { currency: query.currency } : {} },
    });
  },

  async createProduct({ caller, body }) {
    if (caller.role === 'rep') throw onlyEditors();
    const product: Product = {
      ...newRecordBase({ ownerId: caller.userId, ...(caller.teamId ? { teamId: caller.teamId } : {}) }),
      ...body,
    };
    await create(products, caller, product);
    return created(product, `/products/${product.id}`);
  },

  async getProduct({ caller, params }) {
    return ok(await readProduct(caller, params.id));
  },

  async updateProduct({ caller, params, body, ifMatch }) {
    const id = params.id;
    return ok(
      await update(products, await editor(caller, id), id, {
        ifMatch,
        change: (current) => applyMergePatch(current, body),
      }),
    );
  },

  async deleteProduct({ caller, params, ifMatch }) {
    const id = params.id;
    await archive(products, await editor(caller, id), id, ifMatch);
    return noContent();
  },

  async restoreProduct({ caller, params }) {
    const id = params.id;
    return ok(await restore(products, await editor(caller, id), id));
  },
});
