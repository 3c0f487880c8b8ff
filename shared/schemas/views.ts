import * as z from 'zod/mini';
import { isPrototypeKey, PROTOTYPE_KEY_RULE } from '../domain/own-keys.ts';
import { viewEntities, viewVisibilities } from '../domain/views.ts';
import { listQuery, mergePatchOf, nonEmpty, recordBase } from './common.ts';
import { lazy } from './lazy.ts';

/**
 * A saved view's shape. What its `filter`, `sort.field` and `columns` may
 * name depends on its entity and the tenant's custom fields, so the HTTP
 * layer checks those against the entity's list route and record
 * (shared/http/view-checks.ts); here only their form.
 */

/** At most this many filter parameters, each name and value at most this long. */
const MAX_FILTERS = 30;
const MAX_NAME = 100;
const MAX_VALUE = 2000;
const MAX_COLUMNS = 50;

const fieldName = () => z.string().check(z.minLength(1), z.maxLength(MAX_NAME));

const viewFields = () => ({
  name: nonEmpty(200),
  entity: z.enum(viewEntities),
  filter: z.optional(
    z
      .record(
        // A filter's names become property names of the stored map: none every object already has.
        fieldName().check(z.refine((name) => !isPrototypeKey(name), PROTOTYPE_KEY_RULE)),
        z.string().check(z.maxLength(MAX_VALUE)),
      )
      .check(
        z.refine(
          (filter) => Object.keys(filter).length <= MAX_FILTERS,
          `must have at most ${MAX_FILTERS} parameters`,
        ),
      ),
  ),
  sort: z.optional(z.strictObject({ field: fieldName(), direction: z.enum(['asc', 'desc']) })),
  columns: z.optional(
    z.array(fieldName()).check(
      z.minLength(1),
      z.maxLength(MAX_COLUMNS),
      z.refine((columns) => new Set(columns).size === columns.length, 'must not repeat a column'),
    ),
  ),
  visibility: z.optional(z.enum(viewVisibilities)),
});

export const viewSchemas = /* @__PURE__ */ lazy(() => {
  const fields = viewFields();
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf(fields, ['name', 'entity', 'visibility']),
    record: z.object({
      ...fields,
      visibility: z.enum(viewVisibilities),
      ...recordBase(),
      /**
       * On reads: the parts of `filter`, `sort` and `columns` that no longer
       * apply (a custom field removed or retyped since), at their paths; drop
       * them when reopening the view. Absent when everything applies.
       */
      stale: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
    }),
    listQuery: z.strictObject({
      limit: listQuery().limit,
      cursor: listQuery().cursor,
      entity: z.optional(z.enum(viewEntities)),
    }),
  };
});

type Schemas = ReturnType<typeof viewSchemas>;
export type ViewCreate = z.output<Schemas['create']>;
export type ViewPatch = z.output<Schemas['patch']>;
