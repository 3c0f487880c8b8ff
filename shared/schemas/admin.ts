import * as z from 'zod/mini';
import { lazy } from './lazy.ts';

const counters = () => z.record(z.string(), z.number());

export const adminSchemas = /* @__PURE__ */ lazy(() => {
  const rebuildResult = {
    aggregatesChecked: z.number(),
    drifted: z.array(z.object({ report: z.string(), key: z.string(), was: counters(), now: counters() })),
  };
  return {
    rebuildQuery: z.strictObject({ async: z.optional(z.enum(['true', 'false'])) }),
    /** The answer of a rebuild run at once (200), or of a background run (202, `{id, status}`). */
    rebuild: z.union([z.object(rebuildResult), z.object({ id: z.string(), status: z.literal('running') })]),
    rebuildJob: z.object({
      id: z.string(),
      status: z.enum(['running', 'done', 'failed']),
      aggregatesChecked: z.optional(rebuildResult.aggregatesChecked),
      drifted: z.optional(rebuildResult.drifted),
    }),
  };
});
