import * as z from 'zod/mini';
import { assignmentStrategies } from '../domain/lead-assignment.ts';
import { leadSources, leadStatuses, settableLeadStatuses } from '../domain/leads.ts';
import {
  country,
  currency,
  customFields,
  email,
  listQuery,
  mergePatchOf,
  money,
  nonEmpty,
  phone,
  recordBase,
  searchText,
  storedCustomFields,
  ulid,
  userId,
} from './common.ts';
import { companySchemas } from './companies.ts';
import { contactSchemas } from './contacts.ts';
import { dealSchemas } from './deals.ts';
import { marketingConsentSchema } from './forms.ts';
import { lazy } from './lazy.ts';

const leadFields = () => ({
  firstName: nonEmpty(100),
  lastName: z.optional(nonEmpty(100)),
  email: z.optional(email()),
  companyName: z.optional(nonEmpty(200)),
  phone: z.optional(phone()),
  source: z.optional(z.enum(leadSources)),
  ownerId: z.optional(userId()),
  country: z.optional(country()),
  campaignId: z.optional(ulid()),
  customFields: z.optional(customFields()),
});

/** An amount is meaningless without its currency. */
const amountHasCurrency = (deal: { amount?: number; currency?: string }) =>
  deal.amount === undefined || Boolean(deal.currency);

export const leadSchemas = /* @__PURE__ */ lazy(() => {
  const fields = leadFields();
  const record = z.object({
    ...fields,
    ...recordBase(),
    status: z.enum(leadStatuses),
    convertedAt: z.optional(z.string()),
    contactId: z.optional(z.string()),
    companyId: z.optional(z.string()),
    dealId: z.optional(z.string()),
    // What a web-to-lead form (POST /f/{formId}) recorded: the form, its UTM parameters, the page, consent.
    formId: z.optional(z.string()),
    utm: z.optional(
      z.object({
        source: z.optional(z.string()),
        medium: z.optional(z.string()),
        campaign: z.optional(z.string()),
        term: z.optional(z.string()),
        content: z.optional(z.string()),
      }),
    ),
    referrer: z.optional(z.string()),
    marketingConsent: z.optional(marketingConsentSchema()),
    // Leads stored before custom fields came to leads carry none.
    customFields: z.optional(storedCustomFields()),
  });
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf({ ...fields, status: z.optional(z.enum(settableLeadStatuses)) }, [
      'firstName',
      'ownerId',
      'status',
    ]),
    record,
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(100)),
      status: z.optional(z.enum(leadStatuses)),
      source: z.optional(z.enum(leadSources)),
      ownerId: z.optional(userId()),
    }),
    convert: z.strictObject({
      companyId: z.optional(ulid()),
      deal: z.optional(
        z
          .strictObject({
            name: nonEmpty(200),
            amount: z.optional(money()),
            currency: z.optional(currency()),
            pipelineId: z.optional(ulid()),
            stageId: z.optional(ulid()),
          })
          .check(z.refine(amountHasCurrency, { message: 'is required with an amount', path: ['currency'] })),
      ),
    }),
    converted: z.object({
      lead: record,
      contact: contactSchemas().record,
      company: z.nullable(companySchemas().record),
      deal: z.optional(dealSchemas().record),
    }),
  };
});

export const leadAssignmentSchemas = /* @__PURE__ */ lazy(() => {
  const rule = {
    strategy: z.enum(assignmentStrategies),
    userIds: z.optional(
      z.array(userId()).check(
        z.maxLength(100),
        z.refine((ids) => new Set(ids).size === ids.length, 'must not repeat a user'),
      ),
    ),
    countries: z.optional(
      z
        .record(z.string().check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')), userId())
        .check(z.refine((map) => Object.keys(map).length <= 250, 'must have at most 250 countries')),
    ),
  };
  return {
    put: z.strictObject(rule),
    record: z.object({
      strategy: rule.strategy,
      userIds: z.array(z.string()),
      countries: z.record(z.string(), z.string()),
      updatedAt: z.optional(z.string()),
      updatedBy: z.optional(z.string()),
    }),
  };
});

type Schemas = ReturnType<typeof leadSchemas>;
export type LeadCreate = z.output<Schemas['create']>;
export type LeadPatch = z.output<Schemas['patch']>;
export type LeadConvert = z.output<Schemas['convert']>;
export type LeadAssignmentPut = z.output<ReturnType<typeof leadAssignmentSchemas>['put']>;
