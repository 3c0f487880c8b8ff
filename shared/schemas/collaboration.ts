import * as z from 'zod/mini';
import { listQuery, multiLineText } from './common.ts';
import { lazy } from './lazy.ts';

/** A record as views point at it: type and id to link, name to read. */
const namedRef = () => z.object({ type: z.string(), id: z.string(), name: z.optional(z.string()) });

export const collaborationSchemas = /* @__PURE__ */ lazy(() => ({
  comment: z.strictObject({ body: multiLineText(5000) }),
  commentRecord: z.object({
    id: z.string(),
    recordType: z.string(),
    recordId: z.string(),
    body: z.string(),
    authorId: z.string(),
    mentions: z.array(z.string()),
    createdAt: z.string(),
  }),
  following: z.object({ following: z.boolean() }),
  timelineQuery: z.strictObject({ limit: listQuery().limit, cursor: listQuery().cursor }),
  timelineEntry: z.object({
    id: z.string(),
    kind: z.string(),
    subject: namedRef(),
    at: z.string(),
    actorId: z.optional(z.string()),
    actor: z.optional(z.object({ id: z.string(), name: z.string() })),
    summary: z.optional(z.string()),
    changes: z.optional(
      z.array(
        // summarised: a value too large to keep is shown by its start and size (shared/domain/bounded.ts).
        z.object({
          field: z.string(),
          from: z.unknown(),
          to: z.unknown(),
          summarised: z.optional(z.boolean()),
        }),
      ),
    ),
    data: z.optional(z.record(z.string(), z.unknown())),
  }),
  notificationsQuery: z.strictObject({
    limit: listQuery().limit,
    cursor: listQuery().cursor,
    unread: z.optional(z.enum(['true', 'false'])),
  }),
  notification: z.object({
    id: z.string(),
    kind: z.string(),
    title: z.string(),
    record: z.optional(namedRef()),
    related: z.optional(namedRef()),
    actorId: z.optional(z.string()),
    actor: z.optional(z.object({ id: z.string(), name: z.string() })),
    commentId: z.optional(z.string()),
    excerpt: z.optional(z.string()),
    alert: z.optional(z.object({ kind: z.string(), reason: z.string() })),
    occurredAt: z.string(),
    read: z.boolean(),
  }),
  markRead: z
    .strictObject({
      ids: z.optional(z.array(z.string().check(z.maxLength(512))).check(z.minLength(1), z.maxLength(100))),
      all: z.optional(z.literal(true)),
    })
    .check(
      z.refine(
        (body) => (body.ids === undefined) !== (body.all === undefined),
        'must give either ids or all: true',
      ),
    ),
}));
