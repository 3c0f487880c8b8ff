import type { RouteExamples } from '../../route.ts';
import { changed, lastPage } from '../common.ts';
import { productExamples } from '../sales.ts';

/** Examples of the products routes for the OpenAPI document, by operationId. */
export const productsRouteExamples = {
  listProducts: { response: lastPage(productExamples.record) },
  createProduct: { request: productExamples.create, response: productExamples.record },
  getProduct: { response: productExamples.record },
  updateProduct: {
    request: productExamples.patch,
    response: changed(productExamples.record, productExamples.patch),
  },
  restoreProduct: { response: productExamples.record },
} satisfies Readonly<Record<string, RouteExamples>>;
