import * as z from 'zod/mini';
import { roles } from '../domain/access.ts';
import { email, listQuery, nonEmpty, recordBase, ulid } from './common.ts';
import { lazy } from './lazy.ts';

export const userSchemas = /* @__PURE__ */ lazy(() => {
  const role = z.enum(roles);
  return {
    create: z.strictObject({ email: email(), name: nonEmpty(200), role, teamId: z.optional(ulid()) }),
    patch: z
      .strictObject({
        name: z.optional(nonEmpty(200)),
        role: z.optional(role),
        teamId: z.optional(z.nullable(ulid())),
        active: z.optional(z.boolean()),
      })
      .check(z.refine((patch) => Object.keys(patch).length > 0, 'must change at least one field')),
    record: z.object({ ...recordBase(), email: z.string(), name: z.string(), role, active: z.boolean() }),
    me: z.object({
      id: z.string(),
      tenantId: z.string(),
      email: z.optional(z.string()),
      name: z.optional(z.string()),
      role,
      teamId: z.optional(z.string()),
    }),
    listQuery: z.strictObject(listQuery()),
  };
});
