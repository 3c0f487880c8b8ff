import * as z from 'zod/mini';
import { lifecycleStages, marketingStatuses, userSettableMarketingStatuses } from '../domain/contacts.ts';
import type { Contact } from '../domain/records.ts';
import {
  country,
  customFields,
  email,
  listQuery,
  mergePatchOf,
  nonEmpty,
  phone,
  recordBase,
  type StoresEveryField,
  searchText,
  storedCustomFields,
  tags,
  ulid,
  userId,
} from './common.ts';
import { lazy } from './lazy.ts';

const contactFields = () => ({
  firstName: nonEmpty(100),
  lastName: z.optional(nonEmpty(100)),
  email: z.optional(email()),
  phone: z.optional(phone()),
  companyId: z.optional(ulid()),
  title: z.optional(nonEmpty(100)),
  country: z.optional(country()),
  city: z.optional(nonEmpty(100)),
  tags: z.optional(tags()),
  lifecycleStage: z.optional(z.enum(lifecycleStages)),
  marketingStatus: z.optional(z.enum(userSettableMarketingStatuses)),
  ownerId: z.optional(userId()),
  customFields: z.optional(customFields()),
});

export const contactSchemas = /* @__PURE__ */ lazy(() => {
  const fields = contactFields();
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf(fields, ['firstName', 'marketingStatus', 'ownerId']),
    // The stored record: the same fields, plus what every record carries.
    record: z.object({
      ...fields,
      ...recordBase(),
      tags: z.array(z.string()),
      customFields: storedCustomFields(),
      marketingStatus: z.enum(marketingStatuses),
      /** When the latest activity about the contact was logged or completed; kept by the stream. */
      lastActivityAt: z.optional(z.string()),
      /** The campaign whose email the contact last clicked, and when; kept by the stream. */
      lastClickedCampaignId: z.optional(z.string()),
      lastClickedAt: z.optional(z.string()),
      /**
       * 0-100, from the contact's opens, clicks, replies and meetings of the
       * last 90 days (README "How customers are scored"); computed when read.
       */
      engagementScore: z.optional(z.number()),
    }),
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(254)),
      companyId: z.optional(ulid()),
      ownerId: z.optional(userId()),
      tag: z.optional(nonEmpty(50)),
    }),
    deleteQuery: z.strictObject({ erase: z.optional(z.enum(['true', 'false'])) }),
  };
});

type Schemas = ReturnType<typeof contactSchemas>;
export type ContactCreate = z.output<Schemas['create']>;
true satisfies StoresEveryField<ContactCreate, Contact>;
export type ContactPatch = z.output<Schemas['patch']>;
export type ContactListQuery = z.output<Schemas['listQuery']>;
