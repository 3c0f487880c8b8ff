import { toMinor } from '../money.ts';
import {
  type Contribution,
  type Counters,
  groupKey,
  type Image,
  isLive,
  type ReportAggregate,
} from './aggregate.ts';
import { customGroupContributions } from './custom-groups.ts';
import { counter, moneyByCurrency } from './figures.ts';
import { dayOf, money, moneyCounter, strings, text } from './image.ts';
import { periodContributions } from './periods.ts';

/**
 * Sales: won deals by the day they closed, under each dimension of
 * `GET /reports/sales?groupBy=`. Keys are `<dimension>#<day>[#<value>]`, so
 * one Query between two days reads a period of one dimension.
 *
 * By product, a deal counts its accepted quote's lines (`productLines`,
 * quantity and line total per product); a deal without a quote counts each
 * of its `productIds` once, with its amount split evenly across them in
 * minor units (the remainder to the first), so the products' amounts add up
 * to the deal's.
 */
export const salesDimensions = ['month', 'owner', 'team', 'product', 'country'] as const;
export type SalesDimension = (typeof salesDimensions)[number];

/** The value a dimension takes for a record that has none. */
export const UNASSIGNED = 'none';

export interface ProductLine {
  readonly productId: string;
  readonly quantity: number;
  /** In the deal's currency, decimal. */
  readonly total: number;
}

/** The accepted quote's lines a deal keeps (`productLines`), read defensively. */
export function productLinesOf(image: Image): ProductLine[] {
  const lines = image.productLines;
  if (!Array.isArray(lines)) return [];
  return lines.flatMap((line: unknown) => {
    if (typeof line !== 'object' || line === null) return [];
    const { productId, quantity, total } = line as Record<string, unknown>;
    return typeof productId === 'string' && typeof quantity === 'number' && typeof total === 'number'
      ? [{ productId, quantity, total }]
      : [];
  });
}

/** Splits `minor` into `parts` integers that add up to it, the remainder going to the first. */
export function splitEvenly(minor: number, parts: number): number[] {
  const share = Math.trunc(minor / parts);
  return Array.from({ length: parts }, (_, index) => (index === 0 ? minor - share * (parts - 1) : share));
}

/** Quantities count in thousandths so fractional quantities (2.5 hours) stay exact integers. */
export const QUANTITY_SCALE = 1000;

function productContributions(image: Image, day: string): Contribution[] {
  const deal = money(image);
  const lines = productLinesOf(image);
  if (lines.length > 0) {
    return lines.map((line) => ({
      report: 'sales',
      key: groupKey('product', day, line.productId),
      counters: {
        count: 1,
        quantity: Math.round(line.quantity * QUANTITY_SCALE),
        ...(deal ? { [moneyCounter('amount', deal.currency)]: toMinor(line.total) } : {}),
      },
    }));
  }
  const productIds = strings(image, 'productIds');
  const shares = deal ? splitEvenly(deal.minor, productIds.length) : [];
  return productIds.map((productId, index) => ({
    report: 'sales',
    key: groupKey('product', day, productId),
    counters: {
      count: 1,
      quantity: QUANTITY_SCALE,
      ...(deal ? { [moneyCounter('amount', deal.currency)]: shares[index] ?? 0 } : {}),
    },
  }));
}

export const salesAggregate: ReportAggregate = {
  report: 'sales',
  entities: ['deal'],
  contribute(image) {
    if (!isLive(image, ['deal']) || image.status !== 'won') return [];
    const day = dayOf(text(image, 'closedAt'));
    if (!day) return [];
    const deal = money(image);
    const counters = { count: 1, ...(deal ? { [moneyCounter('amount', deal.currency)]: deal.minor } : {}) };
    return [
      ...periodContributions('sales', day, counters, {
        owner: text(image, 'ownerId') ?? UNASSIGNED,
        team: text(image, 'teamId') ?? UNASSIGNED,
        country: text(image, 'country') ?? UNASSIGNED,
      }),
      ...productContributions(image, day),
      ...customGroupContributions('sales', image, day, counters),
    ];
  },
};

/** One row of `GET /reports/sales`: won deals and their amount per currency. */
export interface SalesRow {
  readonly key: string;
  readonly count: number;
  readonly amount: Record<string, number>;
  /** By product: units sold (quantities of quote lines; 1 per deal without a quote). */
  readonly quantity?: number;
}

export function salesRow(key: string, counters: Counters, dimension: string): SalesRow {
  return {
    key,
    count: counter(counters, 'count'),
    amount: moneyByCurrency(counters, 'amount'),
    ...(dimension === 'product' ? { quantity: counter(counters, 'quantity') / QUANTITY_SCALE } : {}),
  };
}
