import { ulid } from 'ulid';
import { webhookRoutes } from '#shared/api/webhooks';
import { config } from '#shared/config';
import type { DomainEvent } from '#shared/domain/domain-events';
import { applyMergePatch } from '#shared/domain/merge-patch';
import { newWebhookSecret } from '#shared/domain/webhook-signature';
import { deliveryIdOf, MAX_WEBHOOKS_PER_TENANT, webhookPolicy } from '#shared/domain/webhooks';
import type { Caller } from '#shared/http/auth';
import { httpHandler } from '#shared/http/handler';
import { badRequest } from '#shared/http/problem';
import { create, newRecordBase, readable, remove, update } from '#shared/http/records';
import { created, noContent, ok } from '#shared/http/results';
import type { WebhookPatch } from '#shared/schemas/webhooks';
import { listRecords } from '#shared/store/records';
import { deliveryLog, logAttempt } from '#shared/store/webhook-deliveries';
import {
  countNewWebhook,
  shownWebhook,
  uncountWebhook,
  type Webhook,
  webhooks,
} from '#shared/store/webhooks';
import { attemptDelivery } from '#shared/webhooks/delivery';
import { systemResolver } from '#shared/webhooks/resolver';
import { registrationRefusal } from '#shared/webhooks/target-guard';

const guard = () => ({ resolver: systemResolver, localTargets: config.webhookLocalTargets });

/** 400 at `url` when the SSRF guard refuses it (shared/webhooks/target-guard.ts). */
async function assertDeliverable(url: string): Promise<void> {
  const refusal = await registrationRefusal(url, guard());
  if (refusal)
    throw badRequest('Webhooks cannot be delivered to this URL', [{ path: 'url', message: refusal }]);
}

/**
 * A patch applied: `events` replaced whole (a merge patch replaces arrays);
 * a new URL or re-enabling starts the failure clock afresh; disabling by hand
 * is recorded like an automatic disabling, with who did it.
 */
function patched(caller: Caller, current: Webhook, body: WebhookPatch, now: Date): Webhook {
  const next = applyMergePatch(current, body as Record<string, unknown>) as Webhook;
  const { failingSince: _since, disabledAt: _at, disabledReason: _why, ...settings } = next;
  if (body.enabled === true && !current.enabled) return settings;
  if (body.enabled === false && current.enabled)
    return { ...settings, disabledAt: now.toISOString(), disabledReason: `Disabled by ${caller.userId}` };
  if (body.url !== undefined && body.url !== current.url) {
    const { failingSince: _clock, ...rest } = next;
    return rest;
  }
  return next;
}

/** The event `POST /webhooks/{id}/test` delivers: a `contact.created` of a sample contact, marked `sample`. */
function sampleEvent(tenantId: string, now: Date): DomainEvent {
  const at = now.toISOString();
  return {
    id: `evt_test_${ulid()}`,
    type: 'contact.created',
    tenantId,
    occurredAt: at,
    data: {
      id: '00000000000000000000000000',
      createdAt: at,
      updatedAt: at,
      version: 1,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada.lovelace@example.com',
      tags: [],
      customFields: {},
      sample: true,
    },
  };
}

export const handler = httpHandler(webhookRoutes, {
  async listWebhooks({ caller, page }) {
    const listed = await listRecords(webhooks, caller.tenantId, {
      archived: false,
      limit: page.limit,
      startKey: page.startKey,
    });
    return ok({ items: listed.items.map(shownWebhook), nextCursor: await page.next(listed.lastKey) });
  },

  async createWebhook({ caller, body }) {
    await assertDeliverable(body.url);
    const secret = newWebhookSecret();
    const webhook: Webhook = {
      ...newRecordBase({ ownerId: caller.userId, ...(caller.teamId ? { teamId: caller.teamId } : {}) }),
      url: body.url,
      events: body.events,
      ...(body.description === undefined ? {} : { description: body.description }),
      enabled: true,
      secret,
    };
    await create(webhooks, caller, webhook, [
      {
        item: countNewWebhook(caller.tenantId),
        error: {
          path: '(root)',
          message: `a tenant holds at most ${MAX_WEBHOOKS_PER_TENANT} webhooks`,
          conflict: `This tenant already holds ${MAX_WEBHOOKS_PER_TENANT} webhooks; delete one first`,
        },
      },
    ]);
    return created({ ...shownWebhook(webhook), secret }, `/webhooks/${webhook.id}`);
  },

  async getWebhook({ caller, params }) {
    return ok(shownWebhook(await readable(webhooks, caller, params.id)));
  },

  async updateWebhook({ caller, params, body, ifMatch }) {
    if (body.url !== undefined) await assertDeliverable(body.url);
    const next = await update(webhooks, caller, params.id, {
      ifMatch,
      change: (current) => patched(caller, current, body, new Date()),
    });
    return ok(shownWebhook(next));
  },

  async deleteWebhook({ caller, params, ifMatch }) {
    await remove(webhooks, caller, params.id, { ifMatch, extra: [uncountWebhook(caller.tenantId)] });
    return noContent();
  },

  async rotateWebhookSecret({ caller, params }) {
    const secret = newWebhookSecret();
    const until = new Date(Date.now() + webhookPolicy.secretOverlapMs).toISOString();
    const next = await update(webhooks, caller, params.id, {
      ifMatch: undefined,
      change: (current) => ({
        ...current,
        secret,
        previousSecret: current.secret,
        previousSecretUntil: until,
      }),
    });
    return ok({ id: next.id, secret, previousSecretValidUntil: until });
  },

  async testWebhook({ caller, params }) {
    const webhook = await readable(webhooks, caller, params.id);
    const now = new Date();
    const event = sampleEvent(caller.tenantId, now);
    const outcome = await attemptDelivery(webhook, event, guard(), now);
    await logAttempt(
      caller.tenantId,
      webhook.id,
      {
        deliveryId: deliveryIdOf(webhook.id, event.id),
        eventId: event.id,
        eventType: event.type,
        attempt: 1,
        state: outcome.ok ? 'delivered' : 'failed',
        ...(outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode }),
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        durationMs: outcome.durationMs,
        at: now.toISOString(),
        test: true,
      },
      webhookPolicy,
    );
    return ok({ ...outcome, eventId: event.id, eventType: event.type });
  },

  async listWebhookDeliveries({ caller, params, page }) {
    await readable(webhooks, caller, params.id);
    const log = await deliveryLog(caller.tenantId, params.id, page.limit, page.startKey);
    return ok({ items: log.items, nextCursor: await page.next(log.lastKey) });
  },
});
