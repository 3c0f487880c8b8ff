import * as z from 'zod/mini';
import { listQuery, nonEmpty, recordBase } from './common.ts';
import { lazy } from './lazy.ts';

export const teamSchemas = /* @__PURE__ */ lazy(() => ({
  create: z.strictObject({ name: nonEmpty(100) }),
  patch: z.strictObject({ name: nonEmpty(100) }),
  record: z.object({ ...recordBase(), name: z.string() }),
  listQuery: z.strictObject(listQuery()),
}));
