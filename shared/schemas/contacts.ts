import * as z from 'zod/mini';
import {
  country,
  customFields,
  email,
  listQuery,
  mergePatchOf,
  nonEmpty,
  phone,
  recordBase,
  tags,
  ulid,
  userId,
} from './common.ts';

export const lifecycleStages = [
  'subscriber',
  'lead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;
export const marketingStatuses = ['subscribed', 'unsubscribed', 'bounced', 'complained'] as const;
/** Only SES events set `bounced`/`complained`; people may only opt in or out. */
export const userSettableMarketingStatuses = ['subscribed', 'unsubscribed'] as const;

const contactFields = {
  firstName: nonEmpty(100),
  lastName: z.optional(nonEmpty(100)),
  email: z.optional(email),
  phone: z.optional(phone),
  companyId: z.optional(ulid),
  title: z.optional(nonEmpty(100)),
  country: z.optional(country),
  city: z.optional(nonEmpty(100)),
  tags: z.optional(tags),
  lifecycleStage: z.optional(z.enum(lifecycleStages)),
  marketingStatus: z.optional(z.enum(userSettableMarketingStatuses)),
  ownerId: z.optional(userId),
  customFields: z.optional(customFields),
};

export const contactCreate = z.strictObject(contactFields);
export const contactPatch = mergePatchOf(contactFields, ['firstName', 'marketingStatus']);

export const contact = z.object({
  ...recordBase,
  firstName: z.string(),
  lastName: z.optional(z.string()),
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  companyId: z.optional(z.string()),
  title: z.optional(z.string()),
  country: z.optional(z.string()),
  city: z.optional(z.string()),
  tags: z.array(z.string()),
  lifecycleStage: z.optional(z.enum(lifecycleStages)),
  marketingStatus: z.enum(marketingStatuses),
  customFields: z.record(z.string(), z.unknown()),
});

export const contactListQuery = z.strictObject({
  ...listQuery,
  q: z.optional(nonEmpty(254)),
  companyId: z.optional(ulid),
  ownerId: z.optional(userId),
  tag: z.optional(nonEmpty(50)),
});

export const contactDeleteQuery = z.strictObject({ erase: z.optional(z.enum(['true', 'false'])) });

export type ContactCreate = z.output<typeof contactCreate>;
export type ContactPatch = z.output<typeof contactPatch>;
export type ContactListQuery = z.output<typeof contactListQuery>;
