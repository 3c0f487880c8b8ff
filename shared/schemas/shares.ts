import * as z from 'zod/mini';
import { exportFormats } from '../domain/exports/index.ts';
import { listQuery, nonEmpty } from './common.ts';
import { lazy } from './lazy.ts';

/** Most days a shared link may live (SPEC "Natural-language segments, saved views, shared lists"). */
export const MAX_SHARE_DAYS = 90;

/** Why a live share's link does not serve now (shared/http/shares.ts shareServing). */
export const shareSuspensions = [
  'creator-deactivated',
  'creator-cannot-read-segment',
  'segment-archived',
  'segment-missing',
] as const;
export type ShareSuspension = (typeof shareSuspensions)[number];

export const shareSchemas = /* @__PURE__ */ lazy(() => ({
  create: z.strictObject({
    /** Whole days the link works, 1 to 90. */
    expiresInDays: z.int().check(z.gte(1), z.lte(MAX_SHARE_DAYS)),
    /** Default `csv`. */
    format: z.optional(z.enum(exportFormats)),
    /** Who the link is for, e.g. the partner's name. */
    label: z.optional(nonEmpty(200)),
  }),
  /** A share as its routes show it; `url` only to those who may revoke it (it is the credential). */
  share: z.object({
    id: z.string(),
    segmentId: z.string(),
    format: z.enum(exportFormats),
    label: z.optional(z.string()),
    url: z.optional(z.string()),
    expiresAt: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    downloads: z.number(),
    lastDownloadAt: z.optional(z.string()),
    /** In lists: whether the link serves now (`active`) or answers 404 until its `reason` passes (`suspended`). */
    state: z.optional(z.enum(['active', 'suspended'])),
    reason: z.optional(z.enum(shareSuspensions)),
  }),
  download: z.object({
    id: z.string(),
    at: z.string(),
    format: z.enum(exportFormats),
    /** `inline`: the file in the response; `job`: 202 while an export job writes it; `redirect`: 302 to the file. */
    outcome: z.enum(['inline', 'job', 'redirect']),
    rows: z.optional(z.number()),
    bytes: z.optional(z.number()),
    ip: z.optional(z.string()),
    userAgent: z.optional(z.string()),
    exportId: z.optional(z.string()),
  }),
  downloadsQuery: z.strictObject({
    limit: listQuery().limit,
    cursor: listQuery().cursor,
  }),
  /** A contact as a shared link's JSON holds it: only the fields a partner gets (shared/domain/exports/shared-list.ts). */
  sharedContact: z.strictObject({
    firstName: z.string(),
    lastName: z.optional(z.string()),
    email: z.optional(z.string()),
    phone: z.optional(z.string()),
    /** The company's name. */
    company: z.optional(z.string()),
    title: z.optional(z.string()),
    city: z.optional(z.string()),
    country: z.optional(z.string()),
    tags: z.array(z.string()),
  }),
  /** The short body of a 202 from a shared link. */
  preparing: z.object({ status: z.literal('preparing'), retryAfterSeconds: z.number(), detail: z.string() }),
}));

type Schemas = ReturnType<typeof shareSchemas>;
export type ShareView = z.output<Schemas['share']>;
export type ShareDownloadView = z.output<Schemas['download']>;
