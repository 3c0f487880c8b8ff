import { listOf } from '../schemas/common.ts';
import { productSchemas } from '../schemas/products.ts';
import { defineRoutes } from './route.ts';

export const productRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/products',
    operationId: 'listProducts',
    summary: "List the tenant's price list; `q` is a name prefix (case- and accent-insensitive)",
    query: () => productSchemas().listQuery,
    response: () => listOf(productSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/products',
    operationId: 'createProduct',
    role: { least: 'manager' },
    summary: 'Create a product (admin or manager); `sku` is unique per tenant, ignoring case',
    body: () => productSchemas().create,
    response: () => productSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/products/{id}',
    operationId: 'getProduct',
    summary: 'Read a product',
    response: () => productSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/products/{id}',
    operationId: 'updateProduct',
    role: { least: 'manager' },
    summary: 'Change a product (admin or manager; JSON merge patch)',
    body: () => productSchemas().patch,
    response: () => productSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/products/{id}',
    operationId: 'deleteProduct',
    role: { least: 'manager' },
    summary: 'Archive a product (admin or manager); quotes keep their own copy of each line',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/products/{id}/restore',
    operationId: 'restoreProduct',
    role: { least: 'manager' },
    summary: 'Restore an archived product (admin or manager)',
    response: () => productSchemas().record,
    status: 200,
  },
]);
