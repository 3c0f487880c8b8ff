import * as z from 'zod/mini';
import type { Company } from '../domain/records.ts';
import {
  country,
  customFields,
  domain,
  listQuery,
  mergePatchOf,
  nonEmpty,
  phone,
  recordBase,
  type StoresEveryField,
  searchText,
  storedCustomFields,
  tags,
  url,
  userId,
} from './common.ts';
import { lazy } from './lazy.ts';

const companyFields = () => ({
  name: nonEmpty(200),
  domain: z.optional(domain()),
  industry: z.optional(nonEmpty(100)),
  /** Number of employees. */
  size: z.optional(z.int().check(z.gte(0), z.lte(10_000_000))),
  country: z.optional(country()),
  city: z.optional(nonEmpty(100)),
  phone: z.optional(phone()),
  website: z.optional(url()),
  tags: z.optional(tags()),
  ownerId: z.optional(userId()),
  customFields: z.optional(customFields()),
});

export const companySchemas = /* @__PURE__ */ lazy(() => {
  const fields = companyFields();
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf(fields, ['name', 'ownerId']),
    // The stored record: the same fields, plus what every record carries.
    record: z.object({
      ...fields,
      ...recordBase(),
      tags: z.array(z.string()),
      customFields: storedCustomFields(),
    }),
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(100)),
      ownerId: z.optional(userId()),
      tag: z.optional(nonEmpty(50)),
      country: z.optional(country()),
    }),
  };
});

type Schemas = ReturnType<typeof companySchemas>;
export type CompanyCreate = z.output<Schemas['create']>;
true satisfies StoresEveryField<CompanyCreate, Company>;
export type CompanyPatch = z.output<Schemas['patch']>;
export type CompanyListQuery = z.output<Schemas['listQuery']>;
