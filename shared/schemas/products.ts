import * as z from 'zod/mini';
import { hasAtMostDecimals, MAX_UNIT_PRICE, UNIT_PRICE_DIGITS } from '../domain/quote-totals.ts';
import {
  currency,
  listQuery,
  mergePatchOf,
  multiLineText,
  nonEmpty,
  recordBase,
  searchText,
} from './common.ts';
import { lazy } from './lazy.ts';

/** A non-negative decimal with at most `digits` fraction digits, read exactly (see quote-totals.ts). */
export const decimal = (options: { min: number; exclusive?: boolean; max: number; digits: number }) =>
  z.number().check(
    options.exclusive ? z.gt(options.min) : z.gte(options.min),
    z.lte(options.max),
    z.refine(
      (value) => hasAtMostDecimals(value, options.digits),
      `must have at most ${options.digits} decimal places`,
    ),
  );

export const unitPrice = () => decimal({ min: 0, max: MAX_UNIT_PRICE, digits: UNIT_PRICE_DIGITS });

const productFields = () => ({
  name: nonEmpty(200),
  // Compared case-insensitively for uniqueness, kept as written.
  sku: z.optional(
    z.string().check(z.trim(), z.regex(/^[\w./#-]{1,64}$/, 'must be 1-64 letters, digits or . / # - _')),
  ),
  unitPrice: unitPrice(),
  currency: currency(),
  description: z.optional(multiLineText(2000)),
});

export const productSchemas = /* @__PURE__ */ lazy(() => {
  const fields = productFields();
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf(fields, ['name', 'unitPrice', 'currency']),
    record: z.object({ ...fields, ...recordBase() }),
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(200)),
      currency: z.optional(currency()),
    }),
  };
});

type Schemas = ReturnType<typeof productSchemas>;
export type ProductCreate = z.output<Schemas['create']>;
export type ProductPatch = z.output<Schemas['patch']>;
