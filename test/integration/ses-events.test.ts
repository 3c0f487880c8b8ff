import { readFileSync } from 'node:fs';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeliveryRef } from '#shared/domain/delivery';
import { eventually } from '../support/api.ts';
import { newContact, type RuntimeStore, sentDelivery, useRuntimeStore } from './deliveries.ts';
import { createWorld, unique, type World } from './world.ts';

type Json = Record<string, unknown>;

let world: World;
let store: RuntimeStore;
let sesEvents: typeof import('#functions/events/sesEvents');

beforeAll(async () => {
  world = await createWorld();
  store = await useRuntimeStore();
  process.env.AWS_ENDPOINT_URL_SESV2 = inject('sesEndpoint');
  sesEvents = await import('#functions/events/sesEvents');
});

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/ses-events/${name}.json`, import.meta.url), 'utf8'));

const tagsOf = (tenantId: string, ref: DeliveryRef): Record<string, string[]> =>
  ref.kind === 'campaign'
    ? { tenant: [tenantId], kind: ['campaign'], campaign: [ref.campaignId], contact: [ref.contactId] }
    : {
        tenant: [tenantId],
        kind: ['sequence'],
        sequence: [ref.sequenceId],
        contact: [ref.contactId],
        step: [String(ref.step)],
      };

/**
 * A fixture as SES would publish it for a message we sent: our tags and message id,
 * the recipient being the delivery's address.
 */
function eventFor(
  name: string,
  sent: { ref: DeliveryRef; messageId: string; email: string; tenantId?: string },
  change: (detail: Json) => void = () => undefined,
): Json {
  const event = fixture(name);
  const detail = event.detail as Json;
  const mail = detail.mail as Json;
  const original = (mail.destination as string[])[0] ?? '';
  const text = JSON.stringify(detail).replaceAll(original, sent.email);
  const replaced = JSON.parse(text) as Json;
  const replacedMail = replaced.mail as Json;
  replacedMail.messageId = sent.messageId;
  replacedMail.tags = { ...(replacedMail.tags as Json), ...tagsOf(sent.tenantId ?? world.tenant, sent.ref) };
  change(replaced);
  return { ...event, detail: replaced };
}

/** Another event type around the delivery fixture's mail section. */
function otherEvent(eventType: string, section: Json, sent: Parameters<typeof eventFor>[1]): Json {
  return eventFor('delivery', sent, (detail) => {
    delete detail.delivery;
    Object.assign(detail, { eventType, ...section });
  });
}

const emailOf = (name: string) => `${unique(name).toLowerCase()}@${world.tenant}.test`;

async function sentToNewContact(options: Parameters<typeof sentDelivery>[3] = {}) {
  const contact = await newContact(world.admin.client, emailOf('recipient'));
  const sent = await sentDelivery(store, world.tenant, contact, options);
  return { contact, ...sent, email: contact.email };
}

async function contactOf(id: string) {
  const response = await world.admin.client.get(`/contacts/${id}`);
  expect(response.status).toBe(200);
  return response.body;
}

const delivery = (ref: DeliveryRef) => store.getDelivery(world.tenant, ref);

describe('SES events from the fixtures', () => {
  it('the fixtures as given (mail we never sent, no tags) change nothing and do not fail', async () => {
    for (const name of ['delivery', 'bounce-permanent', 'complaint']) {
      await expect(sesEvents.applySesEvent(fixture(name))).resolves.toBe('ignored');
      await expect(sesEvents.handler(fixture(name))).resolves.toBeUndefined();
    }
  });

  it('Delivery sets deliveredAt once; a duplicate changes nothing', async () => {
    const sent = await sentToNewContact();
    const event = eventFor('delivery', sent);
    expect(await sesEvents.applySesEvent(event)).toBe('applied');
    const first = await delivery(sent.ref);
    expect(first?.deliveredAt).toBe('2026-11-20T10:15:31.987Z');
    await sesEvents.handler(event);
    expect(await delivery(sent.ref)).toEqual(first);
  });

  it('a permanent bounce: bouncedAt, the address suppressed, the contact bounced (a versioned write); once', async () => {
    const sent = await sentToNewContact();
    const event = eventFor('bounce-permanent', sent);
    await sesEvents.handler(event);
    expect((await delivery(sent.ref))?.bouncedAt).toBe('2026-11-20T10:16:01.669Z');
    expect(await store.suppressionItem(world.tenant, sent.email)).toMatchObject({ reason: 'bounced' });
    const contact = await contactOf(sent.contact.id);
    expect(contact).toMatchObject({
      marketingStatus: 'bounced',
      version: sent.contact.version + 1,
      updatedBy: 'system:ses',
    });
    // Replayed: nothing moves.
    await sesEvents.handler(event);
    expect((await contactOf(sent.contact.id)).version).toBe(contact.version);
    // Users cannot re-subscribe a bounced address.
    const resubscribe = await world.admin.client.patch(`/contacts/${sent.contact.id}`, {
      marketingStatus: 'subscribed',
    });
    expect(resubscribe.status).toBe(409);
  });

  it('a complaint: complainedAt, suppressed as complained (over an unsubscribe), the contact complained', async () => {
    const sent = await sentToNewContact();
    const { addSuppression, changeMarketingStatus } = await import('#shared/store/marketing');
    await changeMarketingStatus(world.tenant, sent.contact.id, 'unsubscribed', {
      actor: 'system:unsubscribe',
    });
    await addSuppression(world.tenant, sent.email, 'unsubscribed');
    await sesEvents.handler(eventFor('complaint', sent));
    expect((await delivery(sent.ref))?.complainedAt).toBe('2026-11-20T12:40:09.000Z');
    expect(await store.suppressionItem(world.tenant, sent.email)).toMatchObject({ reason: 'complained' });
    expect((await contactOf(sent.contact.id)).marketingStatus).toBe('complained');
  });

  it('a transient bounce suppresses nobody: only delayedAt', async () => {
    const sent = await sentToNewContact();
    await sesEvents.handler(
      eventFor('bounce-permanent', sent, (detail) => {
        Object.assign(detail.bounce as Json, { bounceType: 'Transient', bounceSubType: 'MailboxFull' });
      }),
    );
    const after = await delivery(sent.ref);
    expect(after?.delayedAt).toBeDefined();
    expect(after?.bouncedAt).toBeUndefined();
    expect(await store.suppressionItem(world.tenant, sent.email)).toBeUndefined();
    expect((await contactOf(sent.contact.id)).marketingStatus).toBe('subscribed');
  });

  it('a bounce of an address the contact no longer has suppresses that address, not the contact', async () => {
    const sent = await sentToNewContact();
    const newAddress = emailOf('moved');
    expect(
      (await world.admin.client.patch(`/contacts/${sent.contact.id}`, { email: newAddress })).status,
    ).toBe(200);
    await sesEvents.handler(eventFor('bounce-permanent', sent));
    expect(await store.suppressionItem(world.tenant, sent.email)).toBeDefined();
    expect(await store.suppressionItem(world.tenant, newAddress)).toBeUndefined();
    expect((await contactOf(sent.contact.id)).marketingStatus).toBe('subscribed');
  });
});

describe('SES events: the other types', () => {
  it('Reject and Rendering Failure set rejectedAt; DeliveryDelay sets delayedAt', async () => {
    const rejected = await sentToNewContact();
    await sesEvents.handler(otherEvent('Reject', { reject: { reason: 'Bad content' } }, rejected));
    expect((await delivery(rejected.ref))?.rejectedAt).toBeDefined();

    const failed = await sentToNewContact();
    await sesEvents.handler(
      otherEvent('Rendering Failure', { failure: { errorMessage: 'x', templateName: 't' } }, failed),
    );
    expect((await delivery(failed.ref))?.rejectedAt).toBeDefined();

    const delayed = await sentToNewContact();
    await sesEvents.handler(
      otherEvent(
        'DeliveryDelay',
        {
          deliveryDelay: {
            timestamp: '2026-11-20T11:00:00.000Z',
            delayType: 'MailboxFull',
            delayedRecipients: [{ emailAddress: delayed.email, status: '4.2.2' }],
          },
        },
        delayed,
      ),
    );
    expect((await delivery(delayed.ref))?.delayedAt).toBe('2026-11-20T11:00:00.000Z');
  });

  it('Open, Click and Subscription are ignored (tracked first-party)', async () => {
    const sent = await sentToNewContact();
    for (const type of ['Open', 'Click', 'Subscription']) {
      expect(await sesEvents.applySesEvent(otherEvent(type, {}, sent))).toBe('ignored');
    }
    const after = await delivery(sent.ref);
    expect(after?.openedAt ?? after?.clickedAt ?? after?.unsubscribedAt).toBeUndefined();
  });

  it('Send heals a delivery whose sender crashed after SES took the message', async () => {
    const contact = await newContact(world.admin.client, emailOf('crash'));
    const ref = { kind: 'campaign' as const, campaignId: ulid(), contactId: contact.id };
    await store.createDelivery(world.tenant, { ref, email: contact.email, status: 'pending' });
    await store.claimDelivery(world.tenant, ref);
    const sent = { ref, messageId: `0100${ulid()}`, email: contact.email };
    await sesEvents.handler(otherEvent('Send', { send: {} }, sent));
    expect(await delivery(ref)).toMatchObject({ status: 'sent', messageId: sent.messageId });
  });

  it('Delivery heals a claim given up as interrupted, then records the delivery', async () => {
    const contact = await newContact(world.admin.client, emailOf('interrupted'));
    const ref = { kind: 'campaign' as const, campaignId: ulid(), contactId: contact.id };
    await store.createDelivery(world.tenant, { ref, email: contact.email, status: 'pending' });
    await store.claimDelivery(world.tenant, ref, new Date(Date.now() - 3_600_000));
    expect((await store.abandonStaleClaim(world.tenant, ref, new Date()))?.reason).toBe('interrupted');
    const sent = { ref, messageId: `0100${ulid()}`, email: contact.email };
    await sesEvents.handler(eventFor('delivery', sent));
    expect(await delivery(ref)).toMatchObject({
      status: 'sent',
      messageId: sent.messageId,
      deliveredAt: '2026-11-20T10:15:31.987Z',
    });
    expect((await delivery(ref))?.reason).toBeUndefined();
  });
});

describe('SES events that match nothing change nothing', () => {
  it('an unknown message id, or another tenant in the tags, is a no-op', async () => {
    const sent = await sentToNewContact();
    const before = await delivery(sent.ref);
    const stranger = { ...sent, tenantId: `${world.tenant}-other` };
    for (const event of [
      eventFor('bounce-permanent', { ...sent, messageId: 'never-sent-by-us' }),
      eventFor('bounce-permanent', stranger),
      eventFor('complaint', { ...sent, ref: { ...sent.ref, campaignId: ulid() } }),
    ]) {
      expect(await sesEvents.applySesEvent(event)).toBe('unmatched');
    }
    expect(await delivery(sent.ref)).toEqual(before);
    expect(await store.suppressionItem(world.tenant, sent.email)).toBeUndefined();
    expect((await contactOf(sent.contact.id)).marketingStatus).toBe('subscribed');
  });

  it('a Send for a delivery already sent as another message does not re-point it', async () => {
    const sent = await sentToNewContact();
    await sesEvents.handler(otherEvent('Send', { send: {} }, { ...sent, messageId: 'another-message' }));
    expect((await delivery(sent.ref))?.messageId).toBe(sent.messageId);
  });
});

describe('SES events locally: the mailbox simulator through the local runtime', () => {
  /** A real send through the runtime's SES endpoint with our tags, recorded as sent. */
  async function sendTo(address: string) {
    const { sesMailer } = await import('#shared/mail/ses-mailer');
    const contact = await newContact(world.admin.client, address);
    const ref = { kind: 'campaign' as const, campaignId: ulid(), contactId: contact.id };
    await store.createDelivery(world.tenant, { ref, email: contact.email, status: 'pending' });
    const claimed = await store.claimDelivery(world.tenant, ref);
    const messageId = await sesMailer({ from: 'sales@acme.test' }).send({
      to: contact.email,
      subject: unique('Autumn offer'),
      text: 'Hello',
      tags: { tenant: world.tenant, kind: 'campaign', campaign: ref.campaignId, contact: contact.id },
    });
    expect((await store.markSent(world.tenant, ref, claimed?.claimId ?? '', messageId))?.status).toBe('sent');
    return { contact, ref, messageId };
  }

  it('bounce@ bounces: the contact ends bounced and suppressed', async () => {
    const { contact, ref } = await sendTo('bounce@simulator.amazonses.com');
    await eventually(async () => expect((await contactOf(contact.id)).marketingStatus).toBe('bounced'));
    expect((await delivery(ref))?.bouncedAt).toBeDefined();
    expect(await store.suppressionItem(world.tenant, contact.email)).toMatchObject({ reason: 'bounced' });
  });

  it('complaint@ is delivered, then complains', async () => {
    const { contact, ref } = await sendTo('complaint@simulator.amazonses.com');
    await eventually(async () => expect((await contactOf(contact.id)).marketingStatus).toBe('complained'));
    expect(await delivery(ref)).toMatchObject({
      deliveredAt: expect.any(String),
      complainedAt: expect.any(String),
    });
  });

  it('success@ is delivered, nothing else; the message is in the local inbox through the proxy', async () => {
    const { contact, ref, messageId } = await sendTo('success@simulator.amazonses.com');
    await eventually(async () => expect((await delivery(ref))?.deliveredAt).toBeDefined());
    expect((await contactOf(contact.id)).marketingStatus).toBe('subscribed');
    const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as {
      emails: { messageId: string }[];
    };
    expect(store.emails.some((email) => email.messageId === messageId)).toBe(true);
    const inbox = await fetch(inject('inboxUrl'));
    expect(inbox.status).toBe(200);
    expect(inbox.headers.get('content-type')).toContain('text/html');
  });
});
