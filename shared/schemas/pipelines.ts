import * as z from 'zod/mini';
import { stageKinds } from '../domain/pipeline.ts';
import { listQuery, nonEmpty, recordBase, ulid } from './common.ts';
import { lazy } from './lazy.ts';

export const pipelineSchemas = /* @__PURE__ */ lazy(() => {
  const stage = z.strictObject({
    id: z.optional(ulid()),
    name: nonEmpty(60),
    probability: z.int().check(z.gte(0), z.lte(100)),
    kind: z._default(z.enum(stageKinds), 'open'),
  });
  const stages = z.array(stage).check(z.minLength(3), z.maxLength(30));
  return {
    create: z.strictObject({ name: nonEmpty(100), stages }),
    patch: z
      .strictObject({
        name: z.optional(nonEmpty(100)),
        stages: z.optional(stages),
        /** Where the deals of each removed stage go: `{ removedStageId: targetStageId }`. */
        moveDeals: z.optional(z.record(ulid(), ulid())),
      })
      .check(
        z.refine(
          (patch) => patch.name !== undefined || patch.stages !== undefined,
          'must change the name or the stages',
        ),
      ),
    record: z.object({
      ...recordBase(),
      name: z.string(),
      stages: z.array(
        z.object({ id: z.string(), name: z.string(), probability: z.number(), kind: z.enum(stageKinds) }),
      ),
      isDefault: z.boolean(),
    }),
    listQuery: z.strictObject(listQuery()),
  };
});

type Schemas = ReturnType<typeof pipelineSchemas>;
export type PipelineCreate = z.output<Schemas['create']>;
export type PipelinePatch = z.output<Schemas['patch']>;
