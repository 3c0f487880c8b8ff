import * as z from 'zod/mini';
import { type SegmentFilter, validateFilter } from '../domain/segment-filter.ts';
import {
  listQuery,
  mergePatchOf,
  multiLineText,
  nonEmpty,
  recordBase,
  searchText,
  userId,
} from './common.ts';
import { lazy } from './lazy.ts';

/**
 * A segment filter, checked by the filter language itself so that every
 * problem is listed at once, each at its own path (`filter.all[1].field`).
 */
const filter = () =>
  z.record(z.string(), z.unknown()).check(
    z.superRefine((value, context) => {
      for (const error of validateFilter(value))
        context.addIssue({ code: 'custom', message: error.message, path: error.path ? [error.path] : [] });
    }),
  ) as unknown as z.ZodMiniType<SegmentFilter>;

const segmentFields = () => ({
  name: nonEmpty(200),
  description: z.optional(multiLineText(2000)),
  filter: filter(),
  ownerId: z.optional(userId()),
});

export const segmentSchemas = /* @__PURE__ */ lazy(() => {
  const fields = segmentFields();
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf(fields, ['name', 'filter', 'ownerId']),
    record: z.object({ ...fields, ...recordBase() }),
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(200)),
      ownerId: z.optional(userId()),
    }),
    previewQuery: z.strictObject({
      limit: z.optional(
        z.string().check(
          z.regex(/^\d{1,3}$/, 'must be an integer from 1 to 100'),
          z.refine((value) => Number(value) >= 1 && Number(value) <= 100, 'must be an integer from 1 to 100'),
        ),
      ),
    }),
  };
});

export const segmentPreviewSchema = /* @__PURE__ */ lazy(() =>
  z.object({ count: z.number(), sample: z.array(z.record(z.string(), z.unknown())) }),
);

type Schemas = ReturnType<typeof segmentSchemas>;
export type SegmentCreate = z.output<Schemas['create']>;
export type SegmentPatch = z.output<Schemas['patch']>;

export const segmentLanguages = ['es', 'en'] as const;

/** `POST /segments/interpret`: a sentence of 1 to 500 characters, not only spaces, and its language if known. */
export const segmentInterpretSchemas = /* @__PURE__ */ lazy(() => {
  const filterOrNull = z.nullable(z.record(z.string(), z.unknown()));
  const answer = z.object({
    filter: filterOrNull,
    explanation: z.array(z.string()),
    unmatched: z.array(z.string()),
    count: z.nullable(z.number()),
    lang: z.enum(segmentLanguages),
    suggestion: z.optional(z.object({ filter: z.record(z.string(), z.unknown()), count: z.number() })),
  });
  z.globalRegistry.add(answer, {
    examples: [
      {
        filter: {
          all: [
            { field: 'lifecycleStage', op: 'eq', value: 'customer' },
            { field: 'city', op: 'eq', value: 'Madrid' },
          ],
        },
        explanation: ['"clientes" → etapa es cliente', '"Madird" → ciudad es Madrid (corregido)'],
        unmatched: [],
        count: 42,
        lang: 'es',
      },
    ],
  });
  return {
    body: z.strictObject({
      // One message per problem: an empty text is "only spaces" too, so that check alone speaks for it.
      text: z.string().check(
        z.maxLength(500, 'must hold 1 to 500 characters'),
        z.refine((value) => value.trim() !== '', 'must hold 1 to 500 characters, more than spaces'),
      ),
      lang: z.optional(z.enum(segmentLanguages)),
    }),
    answer,
  };
});
