import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as FanOut from '../../functions/stream/consumers/webhook-fan-out.ts';
import type { TableChange } from '../../functions/stream/pipeline/change.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { verifySignature } from '../../shared/domain/webhook-signature.ts';
import { type WebhookPolicy, webhookPolicy } from '../../shared/domain/webhooks.ts';
import type { Queue, QueueName, SendOptions } from '../../shared/queue/queue.ts';
import type * as Deliveries from '../../shared/store/webhook-deliveries.ts';
import type * as Stored from '../../shared/store/webhooks.ts';
import type * as Delivery from '../../shared/webhooks/delivery.ts';
import { type ApiClient, eventually } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * Webhooks through the API and the local runtime (registration, the signed
 * delivery of a real `contact.created` to a listener of this test, the
 * deliveries log, tenants and roles), and the delivery worker and fan-out
 * run directly in this process on the test table with a recording queue, a
 * shrunken policy and a clock of the test's own: retries on a 500 and on a
 * timeout, the in-flight cap, disabling after the failure window with the
 * owner's notification, replayed batches and messages delivering once.
 */

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A local endpoint: records every request; `answer` decides the status (or `hang` to never answer). */
class Listener {
  readonly received: Received[] = [];
  answer: number | 'hang' = 204;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (this.answer !== 'hang') response.writeHead(this.answer).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** The queue the worker and fan-out send to, recording instead of sending. */
class RecordingQueue implements Queue {
  readonly sent: { queue: QueueName; body: unknown; delaySeconds: number }[] = [];
  async sendMessages(queue: QueueName, bodies: readonly unknown[], options?: SendOptions): Promise<void> {
    for (const body of bodies) this.sent.push({ queue, body, delaySeconds: options?.delaySeconds ?? 0 });
  }
  take(): Delivery.DeliveryMessage[] {
    return this.sent.splice(0).map((entry) => entry.body as Delivery.DeliveryMessage);
  }
}

let world: World;
let delivery: typeof Delivery;
let deliveries: typeof Deliveries;
let fanOut: typeof FanOut;
let stored: typeof Stored;
const listener = new Listener();

beforeAll(async () => {
  useTestTable();
  delivery = await import('../../shared/webhooks/delivery.ts');
  deliveries = await import('../../shared/store/webhook-deliveries.ts');
  fanOut = await import('../../functions/stream/consumers/webhook-fan-out.ts');
  stored = await import('../../shared/store/webhooks.ts');
  world = await createWorld();
  await listener.start();
});
afterAll(() => listener.stop());

async function register(client: ApiClient, body: Record<string, unknown>) {
  const response = await client.post('/webhooks', body);
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; secret: string; version: number };
}

describe('webhook routes', () => {
  it('registers with the secret shown once, lists, reads and changes without it', async () => {
    const made = await register(world.admin.client, {
      url: listener.url,
      events: ['deal.won'],
      description: 'Won deals',
    });
    expect(made.secret).toMatch(/^whsec_/);
    const read = await world.admin.client.get(`/webhooks/${made.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body).toMatchObject({ id: made.id, url: listener.url, events: ['deal.won'], enabled: true });
    expect(read.text).not.toContain('whsec_');
    const listed = await world.admin.client.get('/webhooks');
    expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(made.id);
    expect(listed.text).not.toContain('whsec_');

    expect(
      (await world.admin.client.patch(`/webhooks/${made.id}`, { enabled: false }, { 'If-Match': '"7"' }))
        .status,
    ).toBe(412);
    const patched = await world.admin.client.patch(
      `/webhooks/${made.id}`,
      { enabled: false, events: ['deal.won', 'deal.lost'] },
      { 'If-Match': '"1"' },
    );
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, events: ['deal.won', 'deal.lost'], version: 2 });
    expect(patched.body.disabledAt).toEqual(expect.any(String));
    const enabled = await world.admin.client.patch(`/webhooks/${made.id}`, { enabled: true });
    expect(enabled.body.enabled).toBe(true);
    expect(enabled.body.disabledAt).toBeUndefined();

    const rotated = await world.admin.client.post(`/webhooks/${made.id}/rotate-secret`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(made.secret);
    expect(Date.parse(rotated.body.previousSecretValidUntil) - Date.now()).toBeGreaterThan(23 * 3_600_000);

    expect((await world.admin.client.delete(`/webhooks/${made.id}`)).status).toBe(204);
    expect((await world.admin.client.get(`/webhooks/${made.id}`)).status).toBe(404);
  });

  it('answers 400 naming each unknown event type and a URL it cannot deliver to, and writes nothing', async () => {
    const before = (await world.admin.client.get('/webhooks')).body.items.length;
    const unknown = await world.admin.client.post('/webhooks', {
      url: listener.url,
      events: ['contact.created', 'contact.exploded', 'lead.lost'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((error: { path: string }) => error.path)).toEqual([
      'events.1',
      'events.2',
    ]);
    expect(unknown.body.errors[0].message).toMatch(/^must be one of: contact\.created, /);
    const scheme = await world.admin.client.post('/webhooks', {
      url: 'ftp://127.0.0.1/x',
      events: ['deal.won'],
    });
    expect(scheme.status).toBe(400);
    expect(scheme.body.errors).toEqual([{ path: 'url', message: 'must be http or https, not ftp' }]);
    const credentials = await world.admin.client.post('/webhooks', {
      url: 'https://user:secret@hooks.example.com/',
      events: ['deal.won'],
    });
    expect(credentials.body.errors).toEqual([
      { path: 'url', message: expect.stringContaining('credentials') },
    ]);
    expect((await world.admin.client.get('/webhooks')).body.items.length).toBe(before);
  });

  it("answers 404 for another tenant's webhook, whatever the route, and 403 to reps and managers", async () => {
    const made = await register(world.admin.client, { url: listener.url, events: ['deal.won'] });
    const stranger = world.stranger.client;
    expect((await stranger.get(`/webhooks/${made.id}`)).status).toBe(404);
    expect((await stranger.patch(`/webhooks/${made.id}`, { description: 'mine' })).status).toBe(404);
    expect((await stranger.delete(`/webhooks/${made.id}`)).status).toBe(404);
    expect((await stranger.post(`/webhooks/${made.id}/rotate-secret`)).status).toBe(404);
    expect((await stranger.post(`/webhooks/${made.id}/test`)).status).toBe(404);
    expect((await stranger.get(`/webhooks/${made.id}/deliveries`)).status).toBe(404);
    expect((await stranger.get('/webhooks')).body.items).toEqual([]);
    for (const who of [world.repRed, world.managerRed]) {
      expect((await who.client.get(`/webhooks/${made.id}`)).status).toBe(403);
      expect((await who.client.get('/webhooks')).status).toBe(403);
      expect((await who.client.post('/webhooks', { url: listener.url, events: ['deal.won'] })).status).toBe(
        403,
      );
    }
    const still = await world.admin.client.get(`/webhooks/${made.id}`);
    expect(still.body.version).toBe(1);
    await world.admin.client.delete(`/webhooks/${made.id}`);
  });

  it('delivers a signed contact.created to a local listener, end to end, and logs it', async () => {
    const made = await register(world.admin.client, { url: listener.url, events: ['contact.created'] });
    const email = `${unique('hooked')}@example.com`;
    const contact = await world.repRed.client.post('/contacts', { firstName: 'Hooked', email });
    expect(contact.status, contact.text).toBe(201);
    const request = await eventually(() => {
      const found = listener.received.find((entry) => entry.body.includes(email));
      expect(found).toBeDefined();
      return found as Received;
    });
    const event = JSON.parse(request.body) as DomainEvent;
    expect(event).toMatchObject({
      type: 'contact.created',
      tenantId: world.tenant,
      data: { id: contact.body.id, email },
    });
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^ServerlessCRM-Webhooks\//);
    expect(request.headers['x-crm-event-id']).toBe(event.id);
    const signature = request.headers['x-crm-signature'] as string;
    expect(verifySignature(signature, request.body, made.secret)).toMatchObject({ ok: true });
    expect(verifySignature(signature, request.body, 'whsec_wrong')).toEqual({
      ok: false,
      reason: 'mismatch',
    });

    const log = await eventually(async () => {
      const answer = await world.admin.client.get(`/webhooks/${made.id}/deliveries`);
      expect(answer.body.items).toHaveLength(1);
      return answer.body.items[0];
    });
    expect(log).toMatchObject({
      eventId: event.id,
      eventType: 'contact.created',
      attempt: 1,
      state: 'delivered',
      statusCode: 204,
    });

    const tested = await world.admin.client.post(`/webhooks/${made.id}/test`);
    expect(tested.status, tested.text).toBe(200);
    expect(tested.body).toMatchObject({ ok: true, statusCode: 204, eventType: 'contact.created' });
    const sample = listener.received.find((entry) => entry.headers['x-crm-event-id'] === tested.body.eventId);
    expect(
      verifySignature(sample?.headers['x-crm-signature'] as string, sample?.body ?? '', made.secret).ok,
    ).toBe(true);
    const page = await world.admin.client.get(`/webhooks/${made.id}/deliveries?limit=1`);
    expect(page.body.items[0]).toMatchObject({ eventId: tested.body.eventId, test: true });
    const next = await world.admin.client.get(
      `/webhooks/${made.id}/deliveries?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`,
    );
    expect(next.body.items[0]).toMatchObject({ eventId: event.id });
    await world.admin.client.delete(`/webhooks/${made.id}`);
  });
});

describe('the delivery worker', () => {
  /** A policy for tests: no waits worth the name, a failure window of one (fake) hour. */
  const policy: WebhookPolicy = {
    ...webhookPolicy,
    timeoutMs: 300,
    maxAttempts: 3,
    maxInFlight: 1,
    disableAfterMs: 3_600_000,
  };
  let clock = new Date('2026-11-30T10:00:00.000Z');
  const deps = (queue: Queue) => ({
    queue,
    resolver: async () => [{ address: '127.0.0.1', family: 4 as const }],
    localTargets: true,
    policy,
    now: () => clock,
    random: () => 0.5,
  });
  const eventFor = (n: string): DomainEvent => ({
    id: `evt_${unique(n).replace(/-/g, '_')}`,
    type: 'lead.created',
    tenantId: world.tenant,
    occurredAt: clock.toISOString(),
    data: { id: n, firstName: n },
  });
  const firstMessage = (webhookId: string, event: DomainEvent): Delivery.DeliveryMessage => ({
    tenantId: world.tenant,
    webhookId,
    deliveryId: `dlv_${unique('d').replace(/-/g, '_')}`,
    attempt: 1,
    event,
  });
  const logOf = async (webhookId: string) =>
    (await deliveries.deliveryLog(world.tenant, webhookId, 50, undefined)).items;
  /** How many requests the listener got for these events (other tests' hooks post there too, a moment later). */
  const postsOf = (...messages: readonly Delivery.DeliveryMessage[]) => {
    const ids = new Set(messages.map((message) => message.event.id));
    return listener.received.filter((request) => ids.has(String(request.headers['x-crm-event-id']))).length;
  };

  it('retries a 500 after a full-jitter delay through the queue, then delivers and stops the failure clock', async () => {
    const hook = await register(world.admin.client, { url: listener.url, events: ['lead.created'] });
    const queue = new RecordingQueue();
    listener.answer = 500;
    const message = firstMessage(hook.id, eventFor('retry'));
    expect(await delivery.runDelivery(message, deps(queue))).toBe('retrying');
    const [retry] = queue.sent;
    // random() = 0.5 of the first ceiling (30 s).
    expect(retry).toMatchObject({
      queue: 'webhookDeliveries',
      delaySeconds: 15,
      body: { ...message, attempt: 2 },
    });
    expect((await world.admin.client.get(`/webhooks/${hook.id}`)).body.failingSince).toBe(
      clock.toISOString(),
    );
    listener.answer = 204;
    expect(await delivery.runDelivery(queue.take()[0] as Delivery.DeliveryMessage, deps(queue))).toBe(
      'delivered',
    );
    expect(queue.sent).toEqual([]);
    expect((await world.admin.client.get(`/webhooks/${hook.id}`)).body.failingSince).toBeUndefined();
    expect((await logOf(hook.id)).map((entry) => [entry.attempt, entry.state, entry.statusCode])).toEqual([
      [2, 'delivered', 204],
      [1, 'retrying', 500],
    ]);
    expect((await logOf(hook.id))[1]?.nextRetryAt).toBe(new Date(clock.getTime() + 15_000).toISOString());
    // The same message again (a redelivery, a replay): already delivered, nothing sent.
    expect(await delivery.runDelivery(message, deps(queue))).toBe('skipped');
    // The 500 and the delivery, nothing more.
    expect(postsOf(message)).toBe(2);
  });

  it('retries on a timeout, and gives up after the last attempt', async () => {
    const hook = await register(world.admin.client, { url: listener.url, events: ['lead.created'] });
    const queue = new RecordingQueue();
    listener.answer = 'hang';
    try {
      let message: Delivery.DeliveryMessage | undefined = firstMessage(hook.id, eventFor('timeout'));
      const results: string[] = [];
      while (message) {
        results.push(await delivery.runDelivery(message, deps(queue)));
        message = queue.take()[0];
      }
      expect(results).toEqual(['retrying', 'retrying', 'failed']);
      const log = await logOf(hook.id);
      expect(log.map((entry) => entry.state)).toEqual(['failed', 'retrying', 'retrying']);
      expect(log[0]?.error).toBe('timed out after 300 ms');
      expect(log[0]?.nextRetryAt).toBeUndefined();
    } finally {
      listener.answer = 204;
    }
  });

  it('puts a delivery back, not failed, while the webhook has no free slot; an expired lease frees it', async () => {
    const hook = await register(world.admin.client, { url: listener.url, events: ['lead.created'] });
    const queue = new RecordingQueue();
    expect(await deliveries.takeSlot(world.tenant, hook.id, 'crashed-worker', clock, policy)).toBe(0);
    const message = firstMessage(hook.id, eventFor('busy'));
    expect(await delivery.runDelivery(message, deps(queue))).toBe('busy');
    expect(queue.sent).toEqual([{ queue: 'webhookDeliveries', body: message, delaySeconds: 3 }]);
    expect(await logOf(hook.id)).toEqual([]);
    // The crashed worker never releases its slot; past its lease the put-back message goes through.
    clock = new Date(clock.getTime() + policy.slotLeaseMs + 1);
    expect(await delivery.runDelivery(queue.take()[0] as Delivery.DeliveryMessage, deps(queue))).toBe(
      'delivered',
    );
  });

  /** A queue whose message another worker takes at once, before the sender's own writes are done. */
  class EagerQueue implements Queue {
    readonly results: Delivery.DeliveryResult[] = [];
    constructor(private readonly before: () => Promise<void> = async () => {}) {}
    async sendMessages(_queue: QueueName, bodies: readonly unknown[]): Promise<void> {
      await this.before();
      for (const body of bodies)
        this.results.push(
          await delivery.runDelivery(body as Delivery.DeliveryMessage, deps(new RecordingQueue())),
        );
    }
  }

  it('runs a retry that another worker takes before the failed attempt has settled', async () => {
    const hook = await register(world.admin.client, { url: listener.url, events: ['lead.created'] });
    listener.answer = 500;
    const queue = new EagerQueue(async () => {
      listener.answer = 204;
    });
    try {
      expect(await delivery.runDelivery(firstMessage(hook.id, eventFor('eager')), deps(queue))).toBe(
        'retrying',
      );
    } finally {
      listener.answer = 204;
    }
    expect(queue.results).toEqual(['delivered']);
    const log = await logOf(hook.id);
    expect(log.map((entry) => [entry.attempt, entry.state]).sort()).toEqual([
      [1, 'retrying'],
      [2, 'delivered'],
    ]);
  });

  it('runs a put-back delivery that another worker takes before the busy attempt has settled', async () => {
    const hook = await register(world.admin.client, { url: listener.url, events: ['lead.created'] });
    expect(await deliveries.takeSlot(world.tenant, hook.id, 'slow-worker', clock, policy)).toBe(0);
    // The slow worker finishes just as the put-back message is taken.
    const queue = new EagerQueue(() => deliveries.releaseSlot(world.tenant, hook.id, 0, 'slow-worker'));
    const message = firstMessage(hook.id, eventFor('eager-busy'));
    expect(await delivery.runDelivery(message, deps(queue))).toBe('busy');
    expect(queue.results).toEqual(['delivered']);
    expect(postsOf(message)).toBe(1);
  });

  it('puts a delivery back unclaimed when too little of the worker’s time is left for a whole attempt', async () => {
    const hook = await register(world.admin.client, { url: listener.url, events: ['lead.created'] });
    const queue = new RecordingQueue();
    const message = firstMessage(hook.id, eventFor('late'));
    const late = { ...deps(queue), remainingMs: () => delivery.attemptBudgetMs(policy) - 1 };
    expect(await delivery.runDelivery(message, late)).toBe('deferred');
    expect(queue.sent).toEqual([{ queue: 'webhookDeliveries', body: message, delaySeconds: 1 }]);
    expect(postsOf(message)).toBe(0);
    // Unclaimed: the next worker delivers it as the same first attempt.
    const fresh = { ...deps(queue), remainingMs: () => delivery.attemptBudgetMs(policy) };
    expect(await delivery.runDelivery(queue.take()[0] as Delivery.DeliveryMessage, fresh)).toBe('delivered');
    expect((await logOf(hook.id)).map((entry) => entry.attempt)).toEqual([1]);
  });

  it('drops a queued delivery carrying a contact erased since, and sends one of a contact archived', async () => {
    const hook = await register(world.admin.client, {
      url: listener.url,
      events: ['contact.updated', 'email.unsubscribed'],
    });
    const queue = new RecordingQueue();
    const made = async (name: string) => {
      const response = await world.admin.client.post('/contacts', {
        firstName: name,
        email: `${unique(name)}@erase.example.com`,
      });
      expect(response.status, response.text).toBe(201);
      return response.body as { id: string; email: string };
    };
    const [erased, archived] = [await made('Erased'), await made('Archived')];
    const about = (
      type: 'contact.updated' | 'email.unsubscribed',
      contact: { id: string; email: string },
    ) => {
      const message = firstMessage(hook.id, eventFor(type));
      const data =
        type === 'contact.updated'
          ? { id: contact.id, email: contact.email, changedFields: ['title'] }
          : { contactId: contact.id, email: contact.email, status: 'sent', kind: 'campaign' };
      return { ...message, event: { ...message.event, type, data } };
    };
    const queued = [about('contact.updated', erased), about('email.unsubscribed', erased)];
    expect((await world.admin.client.delete(`/contacts/${erased.id}?erase=true`)).status).toBe(204);
    expect((await world.admin.client.delete(`/contacts/${archived.id}`)).status).toBe(204);
    for (const message of queued) expect(await delivery.runDelivery(message, deps(queue))).toBe('skipped');
    expect(postsOf(...queued)).toBe(0);
    const kept = about('contact.updated', archived);
    expect(await delivery.runDelivery(kept, deps(queue))).toBe('delivered');
    expect(postsOf(kept)).toBe(1);
  });

  it('drops queued deliveries of a deleted webhook, and of an event type it no longer hears', async () => {
    const hook = await register(world.admin.client, {
      url: listener.url,
      events: ['lead.created', 'contact.created'],
    });
    const queue = new RecordingQueue();
    const unheard = firstMessage(hook.id, eventFor('unheard'));
    const patched = await world.admin.client.patch(`/webhooks/${hook.id}`, { events: ['lead.created'] });
    expect(patched.status, patched.text).toBe(200);
    expect(
      await delivery.runDelivery(
        { ...unheard, event: { ...unheard.event, type: 'contact.created' } },
        deps(queue),
      ),
    ).toBe('skipped');
    const queued = firstMessage(hook.id, eventFor('orphan'));
    expect((await world.admin.client.delete(`/webhooks/${hook.id}`)).status).toBe(204);
    expect(await delivery.runDelivery(queued, deps(queue))).toBe('skipped');
    expect(postsOf(unheard, queued)).toBe(0);
    expect(queue.sent).toEqual([]);
  });

  it('disables a webhook failing for the whole window and notifies the admin who created it', async () => {
    const hook = await register(world.admin.client, { url: listener.url, events: ['lead.created'] });
    const queue = new RecordingQueue();
    listener.answer = 503;
    try {
      expect(await delivery.runDelivery(firstMessage(hook.id, eventFor('down1')), deps(queue))).toBe(
        'retrying',
      );
      clock = new Date(clock.getTime() + policy.disableAfterMs - 1000);
      await delivery.runDelivery(firstMessage(hook.id, eventFor('down2')), deps(queue));
      expect((await world.admin.client.get(`/webhooks/${hook.id}`)).body.enabled).toBe(true);
      clock = new Date(clock.getTime() + 1000);
      await delivery.runDelivery(firstMessage(hook.id, eventFor('down3')), deps(queue));
    } finally {
      listener.answer = 204;
    }
    const read = await world.admin.client.get(`/webhooks/${hook.id}`);
    expect(read.body).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('failed for 1 h'),
    });
    const notes = await world.admin.client.get('/me/notifications');
    expect(notes.body.items).toContainEqual(
      expect.objectContaining({
        kind: 'webhook_disabled',
        record: expect.objectContaining({ type: 'webhook', id: hook.id }),
      }),
    );
    // Queued retries of a disabled webhook are dropped, not sent.
    const retries = queue.take();
    const before = postsOf(...retries);
    for (const message of retries) expect(await delivery.runDelivery(message, deps(queue))).toBe('skipped');
    expect(postsOf(...retries)).toBe(before);
    // Enabling it again restarts the clock.
    const enabled = await world.admin.client.patch(`/webhooks/${hook.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true });
    expect(enabled.body.failingSince).toBeUndefined();
  });

  it('gives up at once on a 410 Gone, disables the webhook and notifies its owner', async () => {
    const hook = await register(world.admin.client, { url: listener.url, events: ['lead.created'] });
    const queue = new RecordingQueue();
    listener.answer = 410;
    try {
      expect(await delivery.runDelivery(firstMessage(hook.id, eventFor('gone')), deps(queue))).toBe('failed');
    } finally {
      listener.answer = 204;
    }
    expect(queue.sent).toEqual([]);
    expect((await logOf(hook.id)).map((entry) => [entry.attempt, entry.state, entry.statusCode])).toEqual([
      [1, 'failed', 410],
    ]);
    const read = await world.admin.client.get(`/webhooks/${hook.id}`);
    expect(read.body).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410 Gone') });
    const notes = await world.admin.client.get('/me/notifications');
    expect(notes.body.items).toContainEqual(
      expect.objectContaining({
        kind: 'webhook_disabled',
        title: expect.stringContaining('410 Gone'),
        record: expect.objectContaining({ id: hook.id }),
      }),
    );
  });

  it('delivers each event of a replayed stream batch once', async () => {
    const hook = await register(world.admin.client, { url: listener.url, events: ['contact.created'] });
    const queue = new RecordingQueue();
    const at = clock.toISOString();
    // Contacts that exist: a delivery about a contact no longer in the table (erased) is dropped.
    const ids: Record<string, string> = {};
    for (const n of ['r1', 'r2']) {
      const response = await world.admin.client.post('/contacts', { firstName: n });
      expect(response.status, response.text).toBe(201);
      ids[n] = response.body.id;
    }
    const changes: TableChange[] = ['r1', 'r2'].map((n) => {
      const id = ids[n] as string;
      const email = `${unique(n)}@replay.example.com`;
      return {
        eventId: unique(`stream-${n}`),
        sequenceNumber: '1',
        tenantId: world.tenant,
        entity: 'contact',
        keys: { pk: `T#${world.tenant}#CONTACT#${id}`, sk: 'A' },
        old: undefined,
        new: {
          pk: `T#${world.tenant}#CONTACT#${id}`,
          sk: 'A',
          entity: 'contact',
          tenantId: world.tenant,
          id,
          createdAt: at,
          updatedAt: at,
          version: 1,
          ownerId: world.repRed.id,
          archived: false,
          firstName: n,
          email,
          tags: [],
          customFields: {},
        },
        kind: 'insert',
      };
    });
    const consumer = fanOut.webhookFanOutWith({
      eventsOf: (await import('../../functions/stream/events/derive.ts')).domainEventsOf,
      // The store's read, narrowed to this test's webhook (the tenant has others).
      webhooksOf: async (tenantId) =>
        (await stored.tenantWebhooks(tenantId, true)).filter((webhook) => webhook.id === hook.id),
      queue: async () => queue,
    });
    expect((await consumer.apply(changes)).size).toBe(0);
    expect((await consumer.apply(changes)).size).toBe(0);
    const messages = queue.take();
    expect(messages).toHaveLength(4);
    expect(new Set(messages.map((message) => message.deliveryId)).size).toBe(2);
    const before = listener.received.length;
    const results = [];
    for (const message of messages) results.push(await delivery.runDelivery(message, deps(queue)));
    expect(results.sort()).toEqual(['delivered', 'delivered', 'skipped', 'skipped']);
    // Only these events count: the runtime's own stream also tells the hook of the contacts created above.
    const eventIds = new Set(messages.map((message) => message.event.id));
    const posted = listener.received
      .slice(before)
      .filter((request) => eventIds.has(String(request.headers['x-crm-event-id'])));
    expect(posted).toHaveLength(2);
  });
});
