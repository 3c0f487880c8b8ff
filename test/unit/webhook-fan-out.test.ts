import { describe, expect, it } from 'vitest';
import { webhookFanOutWith } from '../../functions/stream/consumers/webhook-fan-out.ts';
import type { TableChange } from '../../functions/stream/pipeline/change.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { deliveryIdOf } from '../../shared/domain/webhooks.ts';
import { MAX_MESSAGE_BYTES, type Queue, type QueueName } from '../../shared/queue/queue.ts';
import type { Webhook } from '../../shared/store/webhooks.ts';
import type { DeliveryMessage } from '../../shared/webhooks/delivery.ts';

/**
 * The webhook fan-out with its reads stubbed: one message per webhook that
 * hears the event's type, none for a disabled one, and an event too large for
 * a queue message still delivered, its data cut to its id as the bus cuts it.
 */
const change = (eventId: string, tenantId = 'acme'): TableChange => ({
  eventId,
  sequenceNumber: '1',
  tenantId,
  entity: 'contact',
  keys: undefined,
  old: undefined,
  new: {},
  kind: 'insert',
});

const hook = (id: string, events: Webhook['events'], enabled = true): Webhook =>
  ({ id, events, enabled, url: 'https://hooks.example.com/', secret: 'whsec_x' }) as Webhook;

class RecordingQueue implements Queue {
  readonly sent: DeliveryMessage[] = [];
  async sendMessages(_queue: QueueName, bodies: readonly unknown[]): Promise<void> {
    this.sent.push(...(bodies as DeliveryMessage[]));
  }
}

function fanOut(events: Record<string, DomainEvent[]>, hooks: Webhook[]) {
  const queue = new RecordingQueue();
  const consumer = webhookFanOutWith({
    eventsOf: (c) => events[c.eventId] ?? [],
    webhooksOf: async () => hooks,
    queue: async () => queue,
  });
  return { consumer, queue };
}

const event = (id: string, data: Record<string, unknown>): DomainEvent => ({
  id,
  type: 'contact.created',
  tenantId: 'acme',
  occurredAt: '2026-11-30T10:00:00.000Z',
  data,
});

describe('webhook fan-out', () => {
  it('queues one first attempt per webhook hearing the type, none for a disabled or deaf one', async () => {
    const hooks = [
      hook('h1', ['contact.created']),
      hook('h2', ['contact.created', 'deal.won']),
      hook('h3', ['deal.won']),
      hook('h4', ['contact.created'], false),
    ];
    const { consumer, queue } = fanOut({ r1: [event('evt_1', { id: 'c1' })] }, hooks);
    expect((await consumer.apply([change('r1')])).size).toBe(0);
    expect(queue.sent.map((m) => [m.webhookId, m.deliveryId, m.attempt])).toEqual([
      ['h1', deliveryIdOf('h1', 'evt_1'), 1],
      ['h2', deliveryIdOf('h2', 'evt_1'), 1],
    ]);
  });

  it('delivers an event too large for a queue message with its data cut to its id', async () => {
    const huge = event('evt_big', { id: 'c-big', notes: 'x'.repeat(MAX_MESSAGE_BYTES) });
    const { consumer, queue } = fanOut({ r1: [huge] }, [hook('h1', ['contact.created'])]);
    expect((await consumer.apply([change('r1')])).size).toBe(0);
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]?.event).toEqual({ ...huge, data: { id: 'c-big', truncated: true } });
    expect(Buffer.byteLength(JSON.stringify(queue.sent[0]))).toBeLessThan(MAX_MESSAGE_BYTES);
  });
});
