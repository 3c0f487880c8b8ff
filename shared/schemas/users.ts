import * as z from 'zod/mini';
import { email, nonEmpty, recordBase, ulid } from './common.ts';

export const roles = ['admin', 'manager', 'rep'] as const;
export const role = z.enum(roles);
export type Role = (typeof roles)[number];

export const userCreate = z.strictObject({
  email,
  name: nonEmpty(200),
  role,
  teamId: z.optional(ulid),
});

export const userPatch = z
  .strictObject({
    name: z.optional(nonEmpty(200)),
    role: z.optional(role),
    teamId: z.optional(z.nullable(ulid)),
    active: z.optional(z.boolean()),
  })
  .check(z.refine((patch) => Object.keys(patch).length > 0, 'must change at least one field'));

export const user = z.object({
  ...recordBase,
  email: z.string(),
  name: z.string(),
  role,
  active: z.boolean(),
});

export const me = z.object({
  id: z.string(),
  tenantId: z.string(),
  email: z.optional(z.string()),
  name: z.optional(z.string()),
  role,
  teamId: z.optional(z.string()),
});

export type UserCreate = z.output<typeof userCreate>;
export type UserPatch = z.output<typeof userPatch>;
