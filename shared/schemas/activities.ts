import * as z from 'zod/mini';
import { activityStatuses, activityTypes, relatedTypes, reminderStates } from '../domain/activities.ts';
import {
  isoDateTime,
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

const related = () => z.strictObject({ type: z.enum(relatedTypes), id: ulid() });

const activityFields = () => ({
  type: z.enum(activityTypes),
  subject: nonEmpty(200),
  body: z.optional(multiLineText(10_000)),
  dueAt: z.optional(isoDateTime()),
  remindAt: z.optional(isoDateTime()),
  /** Up to a week. */
  durationMin: z.optional(z.int().check(z.gte(1), z.lte(7 * 24 * 60))),
  assigneeId: z.optional(userId()),
  related: z.optional(related()),
  /**
   * For a logged email or call: `inbound` when the contact reached out. An
   * inbound email related to a contact is a reply (follow-up sequences exit on it).
   */
  direction: z.optional(z.enum(['inbound', 'outbound'])),
  status: z.optional(z.enum(activityStatuses)),
});

export const activitySchemas = /* @__PURE__ */ lazy(() => {
  const fields = activityFields();
  const record = z.object({
    ...fields,
    ...recordBase(),
    assigneeId: z.string(),
    status: z.enum(activityStatuses),
    relatedKey: z.optional(z.string()),
    /** The company of the related contact, deal or case when the activity was related to it. */
    companyId: z.optional(z.string()),
    completedAt: z.optional(z.string()),
    reminderState: z.enum(reminderStates),
    remindedAt: z.optional(z.string()),
    /** An email logged from the tenant's logging address: the message it came from (set by the CRM only). */
    email: z.optional(
      z.object({
        messageId: z.optional(z.string()),
        from: z.object({ address: z.string(), name: z.optional(z.string()) }),
        to: z.array(z.string()),
        cc: z.array(z.string()),
        date: z.optional(z.string()),
        /** Sanitised: no scripts, styles or event handlers; images are links, never loaded. */
        html: z.optional(z.string()),
        /** Listed only; the files are not stored. */
        attachments: z.array(
          z.object({ filename: z.optional(z.string()), contentType: z.string(), size: z.int() }),
        ),
      }),
    ),
  });
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf(fields, ['type', 'subject', 'assigneeId', 'status']),
    record,
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(100)),
      assigneeId: z.optional(userId()),
      status: z.optional(z.enum(activityStatuses)),
      related: z.optional(
        z
          .string()
          .check(
            z.regex(
              new RegExp(`^(${relatedTypes.join('|')}):[0-9A-HJKMNP-TV-Z]{26}$`),
              `must be <type>:<id> with a type of ${relatedTypes.join(', ')}`,
            ),
          ),
      ),
      dueBefore: z.optional(isoDateTime()),
    }),
    agendaQuery: z.strictObject({ limit: listQuery().limit, cursor: listQuery().cursor }),
  };
});

/** The tenant's logging address (GET and rotate `/settings/inbound-email`). */
export const inboundEmailSchemas = /* @__PURE__ */ lazy(() => ({
  address: z.object({
    /** `log-<token>@<inbound domain>`: mail sent or copied there is logged as email activities. */
    address: z.string(),
    domain: z.string(),
    rotatedAt: z.optional(z.string()),
  }),
}));

type Schemas = ReturnType<typeof activitySchemas>;
export type ActivityCreate = z.output<Schemas['create']>;
export type ActivityPatch = z.output<Schemas['patch']>;
