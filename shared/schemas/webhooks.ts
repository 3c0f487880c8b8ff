import * as z from 'zod/mini';
import { domainEventTypes } from '../domain/domain-events.ts';
import { MAX_URL_LENGTH } from '../domain/webhook-targets.ts';
import { listQuery, mergePatchOf, multiLineText, recordBase } from './common.ts';
import { lazy } from './lazy.ts';

/**
 * A webhook's shape (SPEC "Import, export, extensibility"). Whether its URL
 * may be delivered to (scheme, credentials, the addresses its host resolves
 * to) is the SSRF guard's call in the handler (shared/webhooks/target-guard.ts),
 * answered as a 400 at `url` like a schema error.
 */
const webhookFields = () => ({
  url: z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_URL_LENGTH)),
  /** Domain event types, each once; an unknown name is an error at its index (`events.2`). */
  events: z.array(z.enum(domainEventTypes)).check(
    z.minLength(1),
    z.maxLength(domainEventTypes.length),
    z.refine((events) => new Set(events).size === events.length, 'must not repeat an event type'),
  ),
  description: z.optional(multiLineText(500)),
});

const isoTime = () => z.string();

export const webhookSchemas = /* @__PURE__ */ lazy(() => {
  const fields = webhookFields();
  const record = z.object({
    ...fields,
    enabled: z.boolean(),
    /** When the current run of failed deliveries began; absent while they succeed. */
    failingSince: z.optional(isoTime()),
    /** When and why it was disabled (after failing for 24 h); absent while enabled. */
    disabledAt: z.optional(isoTime()),
    disabledReason: z.optional(z.string()),
    ...recordBase(),
  });
  const attempt = {
    /** The endpoint's HTTP status, when it answered. */
    statusCode: z.optional(z.number()),
    /** Why the attempt failed: timeout, connection refused, an address the guard refused, a non-2xx. */
    error: z.optional(z.string()),
    durationMs: z.number(),
  };
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf({ ...fields, enabled: z.optional(z.boolean()) }, ['url', 'events', 'enabled']),
    record,
    /** The answer to a create: the record and its signing secret, shown this once. */
    created: z.object({ ...record.shape, secret: z.string() }),
    rotated: z.object({
      id: z.string(),
      /** The new signing secret, shown this once. */
      secret: z.string(),
      /** Until then deliveries carry a second `v1=` signed with the previous secret. */
      previousSecretValidUntil: isoTime(),
    }),
    tested: z.object({
      ok: z.boolean(),
      ...attempt,
      eventId: z.string(),
      eventType: z.enum(domainEventTypes),
    }),
    delivery: z.object({
      deliveryId: z.string(),
      eventId: z.string(),
      eventType: z.enum(domainEventTypes),
      attempt: z.number(),
      state: z.enum(['delivered', 'retrying', 'failed']),
      ...attempt,
      at: isoTime(),
      nextRetryAt: z.optional(isoTime()),
      test: z.optional(z.boolean()),
    }),
    listQuery: z.strictObject({ limit: listQuery().limit, cursor: listQuery().cursor }),
  };
});

type Schemas = ReturnType<typeof webhookSchemas>;
export type WebhookCreate = z.output<Schemas['create']>;
export type WebhookPatch = z.output<Schemas['patch']>;
