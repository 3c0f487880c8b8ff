import * as z from 'zod/mini';

import { csvDelimiters, csvEncodings, importEntities } from '../domain/imports/index.ts';

import { listQuery } from './common.ts';
import { lazy } from './lazy.ts';

/** The status an import moves through: uploading → processing → done | failed. */
export const importStatuses = ['uploading', 'processing', 'done', 'failed'] as const;
export const importModes = ['create', 'upsert'] as const;

/**
 * `POST /imports`, `GET /imports/{id}` and `GET /imports` (SPEC "Import, export,
 * extensibility"). `mapping` maps a CSV header cell to a field (a canonical
 * column name such as `email`, `company` or `customFields.<key>`), or to null to
 * ignore the column.
 */
export const importSchemas = /* @__PURE__ */ lazy(() => {
  const view = {
    id: z.string(),
    entity: z.enum(importEntities),
    mode: z.enum(importModes),
    dryRun: z.boolean(),
    status: z.enum(importStatuses),
    ownerId: z.string(),
    /** Data rows read so far (blank lines not counted). */
    totalRows: z.number(),
    /** created + updated + skipped + failed, always. */
    processedRows: z.number(),
    created: z.number(),
    updated: z.number(),
    /** Rows of an upsert that matched a record already holding every value. */
    skipped: z.number(),
    failed: z.number(),
    /**
     * Rows written with a note in the error CSV (an owner who is not a user
     * here, a company or contact not found: imported without it); not part
     * of processedRows' sum.
     */
    notes: z.number(),
    /** A presigned GET (15 minutes) of the error CSV `row,column,value,reason`, once the import has one. */
    errorsUrl: z.nullable(z.string()),
    /** Each header cell and the field it maps to (null: ignored), once the file is read. */
    columns: z.optional(
      z.array(z.object({ column: z.string(), index: z.number(), field: z.nullable(z.string()) })),
    ),
    mapping: z.optional(z.record(z.string(), z.nullable(z.string()))),
    encoding: z.optional(z.enum(csvEncodings)),
    delimiter: z.optional(z.enum(csvDelimiters)),
    /** Why a failed import stopped (a file error), in plain words. */
    error: z.optional(z.string()),
    createdAt: z.string(),
    finishedAt: z.optional(z.string()),
  };
  return {
    create: z.strictObject({
      entity: z.enum(importEntities),
      mode: z.optional(z.enum(importModes)),
      mapping: z.optional(
        z
          .record(
            z.string().check(z.minLength(1), z.maxLength(200)),
            z.nullable(z.string().check(z.maxLength(200))),
          )
          .check(z.refine((mapping) => Object.keys(mapping).length <= 200, 'must map at most 200 columns')),
      ),
      encoding: z.optional(z.enum(csvEncodings)),
      delimiter: z.optional(z.enum(csvDelimiters)),
      dryRun: z.optional(z.boolean()),
    }),
    view: z.object(view),
    created: z.object({
      ...view,
      /** Accepts one HTTP PUT of the CSV file until `expiresAt`. */
      uploadUrl: z.string(),
      expiresAt: z.string(),
      /** The largest file accepted, in bytes. */
      maxBytes: z.number(),
    }),
    listQuery: z.strictObject({ limit: listQuery().limit, cursor: listQuery().cursor }),
  };
});

type Schemas = ReturnType<typeof importSchemas>;
export type ImportCreate = z.output<Schemas['create']>;
export type ImportView = z.output<Schemas['view']>;
