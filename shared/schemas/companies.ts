import * as z from 'zod/mini';
import {
  country,
  customFields,
  domain,
  listQuery,
  mergePatchOf,
  nonEmpty,
  phone,
  recordBase,
  tags,
  url,
  userId,
} from './common.ts';

const companyFields = {
  name: nonEmpty(200),
  domain: z.optional(domain),
  industry: z.optional(nonEmpty(100)),
  /** Number of employees. */
  size: z.optional(z.int().check(z.gte(0), z.lte(10_000_000))),
  country: z.optional(country),
  city: z.optional(nonEmpty(100)),
  phone: z.optional(phone),
  website: z.optional(url),
  tags: z.optional(tags),
  ownerId: z.optional(userId),
  customFields: z.optional(customFields),
};

export const companyCreate = z.strictObject(companyFields);
export const companyPatch = mergePatchOf(companyFields, ['name']);

export const company = z.object({
  ...recordBase,
  name: z.string(),
  domain: z.optional(z.string()),
  industry: z.optional(z.string()),
  size: z.optional(z.number()),
  country: z.optional(z.string()),
  city: z.optional(z.string()),
  phone: z.optional(z.string()),
  website: z.optional(z.string()),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
});

export const companyListQuery = z.strictObject({
  ...listQuery,
  q: z.optional(nonEmpty(100)),
  ownerId: z.optional(userId),
  tag: z.optional(nonEmpty(50)),
  country: z.optional(country),
});

export type CompanyCreate = z.output<typeof companyCreate>;
export type CompanyPatch = z.output<typeof companyPatch>;
export type CompanyListQuery = z.output<typeof companyListQuery>;
