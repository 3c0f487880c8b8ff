import * as z from 'zod/mini';
import { dealStatuses } from '../domain/deal.ts';
import { leadSources } from '../domain/leads.ts';
import {
  country,
  currency,
  customFields,
  isoDate,
  listQuery,
  mergePatchOf,
  money,
  multiLineText,
  nonEmpty,
  recordBase,
  searchText,
  storedCustomFields,
  ulid,
  userId,
} from './common.ts';
import { lazy } from './lazy.ts';

const dealFields = () => ({
  name: nonEmpty(200),
  /** The deal's id in another system (a CRM it came from); unique per tenant, compared without case. */
  externalId: z.optional(nonEmpty(200)),
  amount: z.optional(money()),
  currency: z.optional(currency()),
  pipelineId: z.optional(ulid()),
  stageId: z.optional(ulid()),
  lostReason: z.optional(multiLineText(500)),
  companyId: z.optional(ulid()),
  contactIds: z.optional(
    z.array(ulid()).check(
      z.maxLength(20),
      z.refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
    ),
  ),
  productIds: z.optional(
    z.array(ulid()).check(
      z.maxLength(20),
      z.refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
    ),
  ),
  expectedCloseDate: z.optional(isoDate()),
  ownerId: z.optional(userId()),
  source: z.optional(z.enum(leadSources)),
  country: z.optional(country()),
  campaignId: z.optional(ulid()),
  customFields: z.optional(customFields()),
});

/** An amount is meaningless without its currency. */
const amountHasCurrency = (deal: { amount?: number | null; currency?: string | null }) =>
  deal.amount === undefined || deal.amount === null || Boolean(deal.currency);

export const dealSchemas = /* @__PURE__ */ lazy(() => {
  const fields = dealFields();
  return {
    create: z
      .strictObject(fields)
      .check(z.refine(amountHasCurrency, { message: 'is required with an amount', path: ['currency'] })),
    patch: mergePatchOf(fields, ['name', 'ownerId', 'pipelineId', 'stageId']),
    record: z.object({
      ...fields,
      ...recordBase(),
      pipelineId: z.string(),
      stageId: z.string(),
      status: z.enum(dealStatuses),
      probability: z.number(),
      closedAt: z.optional(z.string()),
      contactIds: z.array(z.string()),
      productIds: z.array(z.string()),
      // Deals stored before custom fields came to deals carry none.
      customFields: z.optional(storedCustomFields()),
      stageEnteredAt: z.optional(z.string()),
      productLines: z.optional(
        z.array(z.object({ productId: z.string(), quantity: z.number(), total: z.number() })),
      ),
      /** Kept by the stream from the deal's activities and stage changes (stale-deal alerts). */
      lastActivityAt: z.optional(z.string()),
    }),
    history: z.object({
      id: z.string(),
      dealId: z.string(),
      from: z.nullable(z.object({ stageId: z.string(), name: z.string() })),
      to: z.object({ stageId: z.string(), name: z.string() }),
      status: z.enum(dealStatuses),
      amount: z.optional(z.number()),
      currency: z.optional(z.string()),
      by: z.string(),
      at: z.string(),
    }),
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(100)),
      pipelineId: z.optional(ulid()),
      stageId: z.optional(ulid()),
      ownerId: z.optional(userId()),
      companyId: z.optional(ulid()),
      status: z.optional(z.enum(dealStatuses)),
    }),
    historyQuery: z.strictObject({ limit: listQuery().limit, cursor: listQuery().cursor }),
  };
});

type Schemas = ReturnType<typeof dealSchemas>;
export type DealCreate = z.output<Schemas['create']>;
export type DealPatch = z.output<Schemas['patch']>;
