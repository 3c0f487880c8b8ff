import { type DomainEvent, isDomainEventType } from '#shared/domain/domain-events';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from '#shared/domain/webhook-signature';
import {
  type AttemptOutcome,
  afterFailure,
  type DeliveryState,
  isGoneStatus,
  personOf,
  retryDelaySeconds,
  signingSecrets,
  type WebhookPolicy,
  webhookPolicy,
} from '#shared/domain/webhooks';
import { logger } from '#shared/observability/logger';
import type { Queue } from '#shared/queue/queue';
import { contacts } from '#shared/store/entities';
import { notify } from '#shared/store/notifications';
import { getRecord } from '#shared/store/records';
import {
  claimDelivery,
  type DeliveryRef,
  logAttempt,
  releaseSlot,
  settleDelivery,
  takeSlot,
} from '#shared/store/webhook-deliveries';
import {
  currentWebhook,
  disableFailingWebhook,
  startFailureClock,
  stopFailureClock,
  type Webhook,
} from '#shared/store/webhooks';
import { postToTarget, WEBHOOK_USER_AGENT } from './post.ts';
import type { Resolver } from './resolver.ts';
import { checkTarget, RESOLVE_TIMEOUT_MS } from './target-guard.ts';

/**
 * The delivery of one domain event to one webhook, one attempt per queue
 * message (`webhookDeliveries`): drop it when the webhook is deleted,
 * disabled or no longer hears the event's type, or when the contact whose
 * data the event carries has been erased since; put it back unclaimed when
 * the worker's time left cannot hold a whole attempt; claim the delivery (a
 * replayed or redelivered message finds it taken and stops), take one of the webhook's
 * in-flight slots (none free: put the message back shortly, not an attempt),
 * check the URL again and POST the signed event to the checked address, log
 * the attempt, then settle: delivered; or retried through the queue after a
 * full-jitter backoff; or given up after the last attempt (at once on a 410
 * Gone, which also disables the webhook). Other failures run the
 * webhook's failure clock; one that has run for a day disables the webhook
 * and notifies its owner.
 */

/** A queue message of `webhookDeliveries`. */
export interface DeliveryMessage extends DeliveryRef {
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly event: DomainEvent;
}

export interface DeliveryDeps {
  readonly queue: Queue;
  readonly resolver: Resolver;
  readonly localTargets: boolean;
  readonly policy?: WebhookPolicy;
  readonly now?: () => Date;
  readonly random?: () => number;
  /** What is left of the worker's own time (ms; Lambda's getRemainingTimeInMillis), when it has a limit. */
  readonly remainingMs?: () => number;
}

/** Time an attempt may need, worst case: the DNS bound, the request's, and a margin for the table's writes (ms). */
export const attemptBudgetMs = (policy: Pick<WebhookPolicy, 'timeoutMs'>): number =>
  RESOLVE_TIMEOUT_MS + policy.timeoutMs + 5_000;

/** What one message came to (logs and tests): `deferred` = put back unclaimed, the worker's time being nearly up. */
export type DeliveryResult = 'skipped' | 'busy' | 'deferred' | DeliveryState;

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The message of a body, or undefined when it is not one. */
export function parseDeliveryMessage(body: string): DeliveryMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const message = value as Partial<DeliveryMessage> | null;
  if (!message || typeof message !== 'object') return undefined;
  const { tenantId, webhookId, deliveryId, attempt, event } = message;
  if (![tenantId, webhookId, deliveryId].every((id) => typeof id === 'string' && ID.test(id)))
    return undefined;
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) return undefined;
  if (!event || typeof event !== 'object' || typeof event.id !== 'string' || !isDomainEventType(event.type))
    return undefined;
  if (event.tenantId !== tenantId) return undefined;
  return message as DeliveryMessage;
}

/** The request a delivery sends: the event as JSON and its headers, signed at `now`. */
export function signedRequest(
  webhook: Pick<Webhook, 'secret' | 'previousSecret' | 'previousSecretUntil'>,
  event: DomainEvent,
  now: Date,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event);
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': WEBHOOK_USER_AGENT,
      [EVENT_ID_HEADER]: event.id,
      [SIGNATURE_HEADER]: signatureHeader(signingSecrets(webhook, now), timestamp, body),
    },
  };
}

/** One signed attempt at `now`: the SSRF check (a refusal is a failed attempt), then the POST. */
export async function attemptDelivery(
  webhook: Webhook,
  event: DomainEvent,
  deps: Pick<DeliveryDeps, 'resolver' | 'localTargets' | 'policy'>,
  now: Date,
): Promise<AttemptOutcome> {
  const policy = deps.policy ?? webhookPolicy;
  const started = performance.now();
  const check = await checkTarget(webhook.url, { resolver: deps.resolver, localTargets: deps.localTargets });
  if (!check.ok)
    return {
      ok: false,
      error: `refused: the URL ${check.refused}`,
      durationMs: Math.round(performance.now() - started),
    };
  const { body, headers } = signedRequest(webhook, event, now);
  return postToTarget(check, body, headers, policy.timeoutMs);
}

/** Runs one message: see the module comment. Throws only when the table or the queue does (the message is then retried). */
export async function runDelivery(message: DeliveryMessage, deps: DeliveryDeps): Promise<DeliveryResult> {
  const policy = deps.policy ?? webhookPolicy;
  const clock = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const { tenantId, webhookId, deliveryId, attempt, event } = message;
  const webhook = await currentWebhook(tenantId, webhookId);
  if (!webhook?.enabled) {
    logger.info('webhook delivery: the webhook is gone or disabled; dropped', { webhookId, deliveryId });
    return 'skipped';
  }
  if (!webhook.events.includes(event.type)) {
    // Queued before the webhook's events were changed: it no longer wants this type.
    logger.info('webhook delivery: the webhook no longer hears this event type; dropped', {
      webhookId,
      deliveryId,
      type: event.type,
    });
    return 'skipped';
  }
  const person = personOf(event);
  if (person && !(await getRecord(contacts, tenantId, person, true))) {
    // Erased since the event was queued: its data holds what the erasure removed.
    logger.info('webhook delivery: the contact it carries was erased; dropped', { webhookId, deliveryId });
    return 'skipped';
  }
  if (deps.remainingMs && deps.remainingMs() < attemptBudgetMs(policy)) {
    // An attempt cut off by the worker's timeout would take the rest of its batch down with it.
    await deps.queue.sendMessages('webhookDeliveries', [message], { delaySeconds: 1 });
    return 'deferred';
  }
  const startedAt = clock();
  if (!(await claimDelivery(message, attempt, startedAt, policy))) {
    logger.info('webhook delivery: already claimed or done; skipped', { webhookId, deliveryId, attempt });
    return 'skipped';
  }
  const holder = `${deliveryId}#${attempt}`;
  const slot = await takeSlot(tenantId, webhookId, holder, startedAt, policy, random);
  if (slot === undefined) {
    // Settle first: the put-back message claims `waiting` at `attempt - 1`, even when another
    // worker takes it at once. Should the send fail, this message comes back and claims the same way.
    const delaySeconds = 1 + Math.floor(random() * policy.busyDelaySeconds);
    await settleDelivery(message, attempt, 'waiting', attempt - 1);
    await deps.queue.sendMessages('webhookDeliveries', [message], { delaySeconds });
    return 'busy';
  }
  let outcome: AttemptOutcome;
  try {
    outcome = await attemptDelivery(webhook, event, deps, startedAt);
  } finally {
    await releaseSlot(tenantId, webhookId, slot, holder);
  }
  const gone = !outcome.ok && isGoneStatus(outcome.statusCode);
  const last = attempt >= policy.maxAttempts || gone;
  const state: DeliveryState = outcome.ok ? 'delivered' : last ? 'failed' : 'retrying';
  const delaySeconds = state === 'retrying' ? retryDelaySeconds(attempt, policy, random) : undefined;
  if (delaySeconds !== undefined)
    await deps.queue.sendMessages('webhookDeliveries', [{ ...message, attempt: attempt + 1 }], {
      delaySeconds,
    });
  await logAttempt(
    tenantId,
    webhookId,
    {
      deliveryId,
      eventId: event.id,
      eventType: event.type,
      attempt,
      state,
      ...(outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode }),
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      durationMs: outcome.durationMs,
      at: startedAt.toISOString(),
      ...(delaySeconds === undefined
        ? {}
        : { nextRetryAt: new Date(clock().getTime() + delaySeconds * 1000).toISOString() }),
    },
    policy,
  );
  await settleDelivery(message, attempt, state === 'retrying' ? 'waiting' : state);
  if (outcome.ok) {
    if (webhook.failingSince) await stopFailureClock(tenantId, webhookId);
  } else if (gone) {
    await disableAndNotify(tenantId, webhook, clock(), {
      reason: `The endpoint answered 410 Gone (delivery ${deliveryId})`,
      title: `Webhook to ${new URL(webhook.url).host} disabled: the endpoint answered 410 Gone`,
    });
  } else {
    await recordFailure(tenantId, webhook, clock(), policy);
  }
  return state;
}

/** Runs the failure clock of a webhook after a failed attempt; disables it and notifies its owner after `disableAfterMs`. */
async function recordFailure(
  tenantId: string,
  webhook: Webhook,
  now: Date,
  policy: WebhookPolicy,
): Promise<void> {
  const step = afterFailure(webhook.failingSince, now, policy);
  if (step === 'start') return startFailureClock(tenantId, webhook.id, now.toISOString());
  if (step === 'continue') return;
  const hours = Math.round(policy.disableAfterMs / 3_600_000);
  await disableAndNotify(tenantId, webhook, now, {
    reason: `Every delivery failed for ${hours} h (since ${webhook.failingSince})`,
    title: `Webhook to ${new URL(webhook.url).host} disabled: its deliveries failed for ${hours} h`,
  });
}

/** Disables a webhook (once, whoever races) and notifies its owner, with why. */
async function disableAndNotify(
  tenantId: string,
  webhook: Webhook,
  now: Date,
  why: { readonly reason: string; readonly title: string },
): Promise<void> {
  if (!(await disableFailingWebhook(tenantId, webhook, now, why.reason))) return;
  logger.info('webhook disabled', { webhookId: webhook.id, reason: why.reason });
  await notify(tenantId, [webhook.ownerId], {
    kind: 'webhook_disabled',
    title: why.title,
    record: { type: 'webhook', id: webhook.id, name: webhook.description ?? webhook.url },
    occurredAt: now.toISOString(),
    key: `webhook-disabled:${webhook.id}`,
  });
}
