import { fromMinor, toMinor } from './money.ts';
import type { QuoteLine } from './quote-totals.ts';
import type { DealProductLine } from './records.ts';

/** A deal lists at most this many products (the deal schema's limit on `productIds`). */
export const MAX_DEAL_PRODUCTS = 20;

/**
 * Distinct products a deal keeps from its accepted quote. Each becomes one
 * sales-by-product item in the stream write of the deal's change, which holds
 * at most 99 items with the deal's other report items, so beyond this the
 * smallest products are summed under OTHER_PRODUCTS.
 */
export const MAX_PRODUCT_LINES = 60;
export const OTHER_PRODUCTS = 'other';

const THOUSANDTHS = 1000;

/**
 * What an accepted quote tells its deal about products (SPEC "Reports", sales
 * by product): `productLines`, one per product named by the quote's lines,
 * with the quantities and line totals (after each line's discount, exact in
 * minor units) summed, largest total first; and those products as the deal's
 * `productIds` (the first MAX_DEAL_PRODUCTS). Lines without a product count
 * in the deal's amount only.
 */
export function acceptedProducts(lines: readonly QuoteLine[]): {
  productIds: string[];
  productLines: DealProductLine[];
} {
  const sums = new Map<string, { quantity: number; minor: number; order: number }>();
  for (const line of lines) {
    if (!line.productId) continue;
    const sum = sums.get(line.productId) ?? { quantity: 0, minor: 0, order: sums.size };
    sum.quantity += Math.round(line.quantity * THOUSANDTHS);
    sum.minor += toMinor(line.lineTotal);
    sums.set(line.productId, sum);
  }
  const ranked = [...sums].sort(([, a], [, b]) => b.minor - a.minor || a.order - b.order);
  const kept = ranked.length > MAX_PRODUCT_LINES ? ranked.slice(0, MAX_PRODUCT_LINES - 1) : ranked;
  const rest = ranked.slice(kept.length);
  const line = (productId: string, quantity: number, minor: number): DealProductLine => ({
    productId,
    quantity: quantity / THOUSANDTHS,
    total: fromMinor(minor),
  });
  const productLines = kept.map(([productId, sum]) => line(productId, sum.quantity, sum.minor));
  if (rest.length > 0)
    productLines.push(
      line(
        OTHER_PRODUCTS,
        rest.reduce((total, [, sum]) => total + sum.quantity, 0),
        rest.reduce((total, [, sum]) => total + sum.minor, 0),
      ),
    );
  const productIds = [...sums]
    .sort(([, a], [, b]) => a.order - b.order)
    .slice(0, MAX_DEAL_PRODUCTS)
    .map(([productId]) => productId);
  return { productIds, productLines };
}
