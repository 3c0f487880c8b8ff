import { createHash } from 'node:crypto';
import type { DomainEvent } from './domain-events.ts';

/**
 * The rules of webhook deliveries (SPEC "Import, export, extensibility"):
 * at least once, retried with exponential backoff and full jitter through a
 * queue, at most a few in flight per endpoint, and a webhook that keeps
 * failing for a day disabled. The numbers are gathered in
 * {@link WebhookPolicy} so tests can shrink them; the store, the worker and
 * the README read {@link webhookPolicy}. No AWS here.
 */

export interface WebhookPolicy {
  /** A delivery's HTTP request may take this long, connection included (ms). */
  readonly timeoutMs: number;
  /** Attempts of one delivery before it is given up (logged as such). */
  readonly maxAttempts: number;
  /** The first retry waits up to this (s); each later one up to twice the previous, capped. */
  readonly retryBaseSeconds: number;
  /** The most one retry waits (s): SQS DelaySeconds allows 900. */
  readonly retryCapSeconds: number;
  /** Deliveries of one webhook in flight at once, across every worker. */
  readonly maxInFlight: number;
  /** A slot held longer than this (ms) is free again: a worker that died mid-request cannot keep it. */
  readonly slotLeaseMs: number;
  /** A delivery over the cap is put back after up to this (s), not counted as an attempt. */
  readonly busyDelaySeconds: number;
  /** A webhook failing without a success for this long (ms) is disabled and its creator notified. */
  readonly disableAfterMs: number;
  /** How long a rotated-out secret still signs deliveries beside the new one (ms). */
  readonly secretOverlapMs: number;
  /** How long delivery log entries and delivery states are kept (s). */
  readonly logRetentionSeconds: number;
}

const HOUR_MS = 60 * 60 * 1000;

export const webhookPolicy: WebhookPolicy = {
  timeoutMs: 10_000,
  // 30 s, 1, 2, 4, 8 min, then 15 min: about four hours of ceilings, two on average with full jitter.
  maxAttempts: 20,
  retryBaseSeconds: 30,
  retryCapSeconds: 900,
  maxInFlight: 5,
  slotLeaseMs: 60_000,
  busyDelaySeconds: 5,
  disableAfterMs: 24 * HOUR_MS,
  secretOverlapMs: 24 * HOUR_MS,
  logRetentionSeconds: 30 * 24 * 60 * 60,
};

/** A tenant holds at most this many webhooks: fan-out reads the enabled ones in one Query. */
export const MAX_WEBHOOKS_PER_TENANT = 50;

/**
 * The delay before attempt `attempt + 1` after attempt `attempt` (1-based)
 * failed, in whole seconds: "full jitter" (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"), uniform in [0, min(cap, base × 2^(attempt-1))], so
 * endpoints that failed together do not retry together.
 */
export function retryDelaySeconds(
  attempt: number,
  policy: Pick<WebhookPolicy, 'retryBaseSeconds' | 'retryCapSeconds'> = webhookPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.retryCapSeconds, policy.retryBaseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.min(policy.retryCapSeconds, Math.floor(random() * (ceiling + 1)));
}

/**
 * The one delivery of event `eventId` to webhook `webhookId`: `dlv_` and 32
 * hex digits of SHA-256 over both. A replayed stream batch yields the same
 * events, hence the same delivery ids, which the worker finds already claimed.
 */
export function deliveryIdOf(webhookId: string, eventId: string): string {
  return `dlv_${createHash('sha256').update(`${webhookId}\n${eventId}`).digest('hex').slice(0, 32)}`;
}

/** What one attempt came to. `statusCode` when an answer came; `error` says why it failed otherwise (or what a non-2xx was). */
export interface AttemptOutcome {
  readonly ok: boolean;
  readonly statusCode?: number;
  readonly error?: string;
  readonly durationMs: number;
}

/** Only a 2xx is a success: a 3xx is not followed (its target was never checked), so it fails. */
export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

/**
 * 410 Gone: the endpoint says it is gone for good (RFC 9110 section 15.5.11),
 * so the delivery is given up at once and the webhook disabled, as REST Hooks
 * subscribers expect of a 410, rather than retried for hours.
 */
export const isGoneStatus = (status: number | undefined): boolean => status === 410;

/**
 * What a failed attempt does to its webhook: `start` the failure clock when it
 * was not running, `continue` while it runs, `disable` once it has run for
 * `disableAfterMs` (SPEC: "a webhook failing for 24 h is disabled").
 */
export function afterFailure(
  failingSince: string | undefined,
  now: Date,
  policy: Pick<WebhookPolicy, 'disableAfterMs'> = webhookPolicy,
): 'start' | 'continue' | 'disable' {
  if (!failingSince) return 'start';
  return now.getTime() - Date.parse(failingSince) >= policy.disableAfterMs ? 'disable' : 'continue';
}

/**
 * The secrets a delivery at `now` is signed with: the current one, and the
 * previous one while its overlap after a rotation lasts.
 */
export function signingSecrets(
  webhook: {
    readonly secret: string;
    readonly previousSecret?: string;
    readonly previousSecretUntil?: string;
  },
  now: Date,
): string[] {
  const overlap =
    webhook.previousSecret &&
    webhook.previousSecretUntil &&
    Date.parse(webhook.previousSecretUntil) > now.getTime();
  return overlap ? [webhook.secret, webhook.previousSecret as string] : [webhook.secret];
}

/** What came of an attempt, as its log entry says: `retrying` (the next attempt is queued) or `failed` (given up). */
export type DeliveryState = 'delivered' | 'retrying' | 'failed';

/**
 * The contact whose personal data an event carries, when it carries any: the
 * contact of a `contact.*` event (not the `{id, erased}` of an erasure), the
 * recipient of an `email.*` event, the `contactId` of a lead, case or other
 * record. A delivery still queued when that contact is erased must not send
 * the erased values anywhere, so the worker drops it once the contact is gone.
 */
export function personOf(event: Pick<DomainEvent, 'type' | 'data'>): string | undefined {
  const { data } = event;
  if (event.type.startsWith('contact.'))
    return data.erased === true || typeof data.id !== 'string' ? undefined : data.id;
  return typeof data.contactId === 'string' ? data.contactId : undefined;
}
