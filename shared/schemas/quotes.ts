import * as z from 'zod/mini';
import { isCalendarDateOrDateTime } from '../domain/calendar.ts';
import { DISCOUNT_DIGITS, MAX_LINES, MAX_QUANTITY, QUANTITY_DIGITS } from '../domain/quote-totals.ts';
import { quoteStatuses, validityEnd } from '../domain/quotes.ts';
import {
  currency,
  isoDateOrDateTime,
  listQuery,
  mergePatchOf,
  multiLineText,
  recordBase,
  ulid,
} from './common.ts';
import { lazy } from './lazy.ts';
import { decimal, unitPrice } from './products.ts';

const lineFields = () => ({
  productId: z.optional(ulid()),
  description: multiLineText(1000),
  quantity: decimal({ min: 0, exclusive: true, max: MAX_QUANTITY, digits: QUANTITY_DIGITS }),
  unitPrice: unitPrice(),
  discountPct: z.optional(decimal({ min: 0, max: 100, digits: DISCOUNT_DIGITS })),
});

const lines = () => z.array(z.strictObject(lineFields())).check(z.minLength(1), z.maxLength(MAX_LINES));

/** An ISO date (valid through that day, UTC) or date-time that has not passed yet. */
const validUntil = () =>
  isoDateOrDateTime().check(
    z.refine(
      (value) => !isCalendarDateOrDateTime(value) || Date.parse(validityEnd(value)) > Date.now(),
      'must be in the future',
    ),
  );

export const quoteSchemas = /* @__PURE__ */ lazy(() => {
  const createFields = {
    lines: lines(),
    validUntil: z.optional(validUntil()),
    currency: z.optional(currency()),
  };
  const { currency: _fixed, ...changeable } = createFields;
  const { archived: _never, ...paging } = listQuery();
  return {
    create: z.strictObject(createFields),
    // The currency is the deal's and stays; lines and validity change while the quote is a draft.
    patch: mergePatchOf(changeable, ['lines']),
    record: z.object({
      ...recordBase(),
      dealId: z.string(),
      number: z.optional(z.string()),
      status: z.enum(quoteStatuses),
      currency: z.string(),
      lines: z.array(z.object({ ...lineFields(), lineTotal: z.number() })),
      subtotal: z.number(),
      discount: z.number(),
      total: z.number(),
      validUntil: z.optional(z.string()),
      sentAt: z.optional(z.string()),
      acceptedAt: z.optional(z.string()),
      rejectedAt: z.optional(z.string()),
    }),
    // Quotes are never archived: a deal's list is every quote it has had.
    listQuery: z.strictObject(paging),
  };
});

type Schemas = ReturnType<typeof quoteSchemas>;
export type QuoteCreate = z.output<Schemas['create']>;
export type QuotePatch = z.output<Schemas['patch']>;
