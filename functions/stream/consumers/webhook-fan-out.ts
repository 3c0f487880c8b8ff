import type { DomainEvent } from '#shared/domain/domain-events';
import { deliveryIdOf } from '#shared/domain/webhooks';
import { logger } from '#shared/observability/logger';
import { MAX_MESSAGE_BYTES, type Queue } from '#shared/queue/queue';
import { getQueue } from '#shared/queue/select';
import { tenantWebhooks, type Webhook } from '#shared/store/webhooks';
import type { DeliveryMessage } from '#shared/webhooks/delivery';
import { domainEventsOf } from '../events/derive.ts';
import type { Consumer, FailedIds, TableChange } from '../pipeline/change.ts';
import { applyIsolated, describeError } from '../pipeline/isolation.ts';

/**
 * The webhook fan-out: for each tenant in the batch with domain events, its
 * enabled webhooks (one Query per tenant and batch), and one
 * `webhookDeliveries` message per (webhook, event) it subscribes to, the
 * first attempt of that delivery (shared/webhooks/delivery.ts). A replayed
 * batch yields the same events and so the same delivery ids
 * (shared/domain/webhooks.ts deliveryIdOf), which the worker finds claimed:
 * no event reaches a webhook twice.
 */
export interface FanOutDeps {
  readonly eventsOf: (change: TableChange) => DomainEvent[];
  readonly webhooksOf: (tenantId: string) => Promise<readonly Webhook[]>;
  readonly queue: () => Promise<Queue>;
}

/** The messages of one change's events for a tenant's enabled webhooks. */
export function deliveryMessages(
  events: readonly DomainEvent[],
  hooks: readonly Webhook[],
): DeliveryMessage[] {
  return events.flatMap((event) =>
    hooks
      .filter((hook) => hook.enabled && hook.events.includes(event.type))
      .map((hook) => ({
        tenantId: event.tenantId,
        webhookId: hook.id,
        deliveryId: deliveryIdOf(hook.id, event.id),
        attempt: 1,
        event,
      })),
  );
}

/** Room left in an SQS message for the event beside the envelope's ids. */
const MAX_EVENT_BYTES = MAX_MESSAGE_BYTES - 1024;

/**
 * The event as a delivery carries it: whole when it fits a queue message, else
 * (a record near DynamoDB's 400 KB; SQS carries 256 KB) with `data` cut to
 * `{id, truncated: true}`, as the bus cuts it (shared/events/bus.ts busEntry),
 * so the webhook still hears of the change and reads the record from the API.
 */
export function fittingEvent(event: DomainEvent): DomainEvent {
  if (Buffer.byteLength(JSON.stringify(event)) <= MAX_EVENT_BYTES) return event;
  logger.warn('webhook fan-out: an event too large for a queue message; its data is cut to its id', {
    eventId: event.id,
    type: event.type,
  });
  return { ...event, data: { id: event.data.id, truncated: true } };
}

export function webhookFanOutWith(deps: FanOutDeps): Consumer {
  return {
    name: 'webhook fan-out',
    async apply(changes: readonly TableChange[]): Promise<FailedIds> {
      const failed: FailedIds = new Map();
      const byTenant = new Map<string, { change: TableChange; events: DomainEvent[] }[]>();
      for (const change of changes) {
        let events: DomainEvent[];
        try {
          events = deps.eventsOf(change);
        } catch (error) {
          logger.error('webhook fan-out: the change has no readable events', {
            eventId: change.eventId,
            error: describeError(error),
          });
          failed.set(change.eventId, error);
          continue;
        }
        const sendable = events.map(fittingEvent);
        if (sendable.length === 0 || !change.tenantId) continue;
        byTenant.set(change.tenantId, [
          ...(byTenant.get(change.tenantId) ?? []),
          { change, events: sendable },
        ]);
      }
      await Promise.all(
        [...byTenant].map(async ([tenantId, entries]) => {
          let hooks: readonly Webhook[];
          try {
            hooks = await deps.webhooksOf(tenantId);
          } catch (error) {
            logger.error('webhook fan-out: the tenant’s webhooks could not be read', {
              tenantId,
              error: describeError(error),
            });
            for (const { change } of entries) failed.set(change.eventId, error);
            return;
          }
          if (hooks.length === 0) return;
          const queue = await deps.queue();
          const unsent = await applyIsolated(entries, async (group) => {
            const messages = group.flatMap(({ events }) => deliveryMessages(events, hooks));
            if (messages.length > 0) await queue.sendMessages('webhookDeliveries', messages);
          });
          for (const { item, error } of unsent) {
            logger.error('webhook fan-out: deliveries not queued', {
              eventId: item.change.eventId,
              error: describeError(error),
            });
            failed.set(item.change.eventId, error);
          }
        }),
      );
      return failed;
    },
  };
}

/** The fan-out as the stream pipeline runs it. */
export const webhookFanOut: Consumer = webhookFanOutWith({
  eventsOf: domainEventsOf,
  webhooksOf: (tenantId) => tenantWebhooks(tenantId, true),
  queue: getQueue,
});
