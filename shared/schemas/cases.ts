import * as z from 'zod/mini';
import { caseChannels, casePriorities, caseStatuses, caseTypes, MAX_SLA_HOURS } from '../domain/cases.ts';
import {
  listQuery,
  mergePatchOf,
  multiLineText,
  nonEmpty,
  recordBase,
  searchText,
  ulid,
  userId,
} from './common.ts';
import { lazy } from './lazy.ts';

const caseFields = () => ({
  subject: nonEmpty(200),
  description: z.optional(multiLineText(10_000)),
  type: z.enum(caseTypes),
  priority: z.optional(z.enum(casePriorities)),
  channel: z.optional(z.enum(caseChannels)),
  contactId: ulid(),
  companyId: z.optional(ulid()),
  assigneeId: z.optional(userId()),
});

/** Hours allowed for one priority: positive, at most 30 days, fractions allowed (0.5 = 30 minutes). */
const slaHours = () =>
  z.number().check(z.gt(0), z.lte(MAX_SLA_HOURS), z.refine(Number.isFinite, 'must be a finite number'));

export const caseSchemas = /* @__PURE__ */ lazy(() => {
  const fields = caseFields();
  const record = z.object({
    ...fields,
    ...recordBase(),
    priority: z.enum(casePriorities),
    assigneeId: z.string(),
    status: z.enum(caseStatuses),
    slaStartAt: z.string(),
    slaDueAt: z.string(),
    slaBreachedAt: z.optional(z.string()),
    resolution: z.optional(z.string()),
    resolvedAt: z.optional(z.string()),
    closedAt: z.optional(z.string()),
    reopenedAt: z.optional(z.string()),
    csatScore: z.optional(z.number()),
    csatComment: z.optional(z.string()),
    csatAt: z.optional(z.string()),
  });
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf({ ...fields, status: z.optional(z.enum(caseStatuses)) }, [
      'subject',
      'type',
      'priority',
      'contactId',
      'assigneeId',
      'status',
    ]),
    record,
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(100)),
      status: z.optional(z.enum(caseStatuses)),
      priority: z.optional(z.enum(casePriorities)),
      type: z.optional(z.enum(caseTypes)),
      assigneeId: z.optional(userId()),
      contactId: z.optional(ulid()),
      companyId: z.optional(ulid()),
    }),
    resolve: z.strictObject({ resolution: multiLineText(5000) }),
    resolved: z.object({
      case: record,
      csatUrl: z.nullable(z.string()),
    }),
    csat: z.strictObject({
      score: z.int().check(z.gte(1), z.lte(5)),
      comment: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
    }),
    csatRecorded: z.object({ thanks: z.literal(true) }),
  };
});

export const slaSettingsSchemas = /* @__PURE__ */ lazy(() => {
  const hours = {
    urgent: z.optional(slaHours()),
    high: z.optional(slaHours()),
    normal: z.optional(slaHours()),
    low: z.optional(slaHours()),
  };
  return {
    put: z.strictObject(hours),
    record: z.object({
      urgent: z.number(),
      high: z.number(),
      normal: z.number(),
      low: z.number(),
      updatedAt: z.optional(z.string()),
      updatedBy: z.optional(z.string()),
    }),
  };
});

type Schemas = ReturnType<typeof caseSchemas>;
export type CaseCreate = z.output<Schemas['create']>;
export type CasePatch = z.output<Schemas['patch']>;
