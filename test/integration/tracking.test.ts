import { createHmac, randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeliveryRef } from '#shared/domain/delivery';
import type { TrackingClaim } from '#shared/domain/tracking-token';
import { api, eventually } from '../support/api.ts';
import { newContact, type RuntimeStore, sentDelivery, useRuntimeStore } from './deliveries.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
let store: RuntimeStore;
let tokens: typeof import('#shared/domain/tracking-token');
const anonymous = api(undefined);

beforeAll(async () => {
  world = await createWorld();
  store = await useRuntimeStore();
  tokens = await import('#shared/domain/tracking-token');
});

const emailOf = (name: string) => `${unique(name).toLowerCase()}@${world.tenant}.test`;
const sign = (claim: TrackingClaim, key = store.signingKey) => tokens.signTrackingToken(claim, key);
const MINUTE = 60_000;

/** A contact of the world's tenant and a campaign email sent to them a minute ago. */
async function sentToNewContact(options: { sentAgoMs?: number } = {}) {
  const contact = await newContact(world.admin.client, emailOf('reader'));
  const { ref } = await sentDelivery(store, world.tenant, contact, {
    sentAgoMs: options.sentAgoMs ?? MINUTE,
  });
  const claim = (purpose: TrackingClaim['purpose'], url?: string): TrackingClaim => ({
    purpose,
    tenantId: world.tenant,
    ref,
    ...(url ? { url } : {}),
  });
  return {
    contact,
    ref,
    open: `/t/o/${sign(claim('open'))}.gif`,
    click: (url: string) => `/t/c/${sign(claim('click', url))}`,
    unsubscribe: `/u/${sign(claim('unsubscribe'))}`,
    claim,
  };
}

const delivery = (ref: DeliveryRef, tenantId = world.tenant) => store.getDelivery(tenantId, ref);
const campaignOf = (ref: DeliveryRef) => (ref.kind === 'campaign' ? ref.campaignId : '');

/** The token with one byte of its body changed (the MAC left as it was). */
function tampered(token: string, at = 5): string {
  const bytes = Buffer.from(token, 'base64url');
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

/** A token carrying `url`, sealed with the real key: what only someone holding the key could make. */
function sealedWithUrl(token: string, url: string): string {
  const bytes = Buffer.from(token, 'base64url');
  const body = bytes.subarray(0, bytes.length - 16);
  // A click token's body ends with the URL; swap it and seal again.
  const original = body.toString('latin1');
  const start = original.lastIndexOf('https://');
  const newBody = Buffer.concat([body.subarray(0, start), Buffer.from(url, 'utf8')]);
  const mac = createHmac('sha256', store.signingKey)
    .update('crm:tracking-token:v1\n')
    .update(newBody)
    .digest()
    .subarray(0, 16);
  return Buffer.concat([newBody, mac]).toString('base64url');
}

async function fetchRaw(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, inject('apiUrl')), { redirect: 'manual', headers });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

async function contactOf(id: string) {
  const response = await world.admin.client.get(`/contacts/${id}`);
  expect(response.status).toBe(200);
  return response.body;
}

describe('open pixel', () => {
  it('answers a 1x1 transparent GIF, never cached, and records the first open once', async () => {
    const sent = await sentToNewContact();
    const response = await fetchRaw(sent.open);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(response.bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(response.bytes).toHaveLength(43);

    const first = await delivery(sent.ref);
    expect(first?.openedAt).toBeDefined();
    expect(first?.machineOpenedAt).toBeUndefined();
    expect(
      await store.engagementItem(world.tenant, campaignOf(sent.ref), 'opened', sent.contact.id),
    ).toMatchObject({
      contactId: sent.contact.id,
    });

    expect((await fetchRaw(sent.open)).status).toBe(200);
    expect((await delivery(sent.ref))?.openedAt).toBe(first?.openedAt);
  });

  it('an open within seconds of the send is a machine open: reported apart, no engagement', async () => {
    // Stamped a minute ahead rather than now: however slow the machine is between the send
    // and the open, the open still lands inside the window after it.
    const sent = await sentToNewContact({ sentAgoMs: -MINUTE });
    expect((await fetchRaw(sent.open)).status).toBe(200);
    const after = await delivery(sent.ref);
    expect(after?.machineOpenedAt).toBeDefined();
    expect(after?.openedAt).toBeUndefined();
    expect(
      await store.engagementItem(world.tenant, campaignOf(sent.ref), 'opened', sent.contact.id),
    ).toBeUndefined();
  });

  it("an image proxy's or a scanner's fetch is a machine open, however late; a mail client's is a person's", async () => {
    const machines = [
      'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
      'python-requests/2.31.0',
    ];
    for (const agent of machines) {
      const sent = await sentToNewContact();
      expect((await fetchRaw(sent.open, { 'user-agent': agent })).status).toBe(200);
      const after = await delivery(sent.ref);
      expect(after?.machineOpenedAt, agent).toBeDefined();
      expect(after?.openedAt, agent).toBeUndefined();
      expect(
        await store.engagementItem(world.tenant, campaignOf(sent.ref), 'opened', sent.contact.id),
      ).toBeUndefined();
    }
    const sent = await sentToNewContact();
    const reader =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
    expect((await fetchRaw(sent.open, { 'user-agent': reader })).status).toBe(200);
    const after = await delivery(sent.ref);
    expect(after?.openedAt).toBeDefined();
    expect(after?.machineOpenedAt).toBeUndefined();
  });

  it('answers 404 and records nothing without the .gif suffix, for a tampered token or another purpose', async () => {
    const sent = await sentToNewContact();
    const token = sent.open.slice('/t/o/'.length, -'.gif'.length);
    const attempts = [
      `/t/o/${token}`,
      `/t/o/${token}.png`,
      `/t/o/${tampered(token)}.gif`,
      `/t/o/${token.slice(0, -3)}.gif`,
      `/t/o/${sent.unsubscribe.slice('/u/'.length)}.gif`,
      `/t/o/${sign(sent.claim('open'), randomBytes(32))}.gif`,
      '/t/o/.gif',
    ];
    for (const path of attempts) expect((await fetchRaw(path)).status, path).toBe(404);
    const after = await delivery(sent.ref);
    expect(after?.openedAt).toBeUndefined();
    expect(after?.machineOpenedAt).toBeUndefined();
  });
});

describe('click redirect', () => {
  it("redirects a scanner too, but records its fetch as a machine's: no click, no open", async () => {
    const sent = await sentToNewContact();
    const response = await fetchRaw(sent.click('https://shop.example.com/autumn'), {
      'user-agent': 'python-requests/2.31.0',
    });
    expect(response.status).toBe(302);
    const after = await delivery(sent.ref);
    expect(after?.machineOpenedAt).toBeDefined();
    expect(after?.clickedAt).toBeUndefined();
    expect(after?.openedAt).toBeUndefined();
    expect(
      await store.engagementItem(world.tenant, campaignOf(sent.ref), 'clicked', sent.contact.id),
    ).toBeUndefined();
  });

  it('redirects (302) to the sealed URL only, records the click and an open, once', async () => {
    const sent = await sentToNewContact();
    const url = 'https://shop.example.com/autumn?utm_source=crm&x=1';
    const path = sent.click(url);
    // Query parameters cannot re-point it.
    const response = await anonymous.get(`${path}?url=https://evil.example&redirect=https://evil.example`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(url);
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');

    const after = await delivery(sent.ref);
    expect(after?.clickedAt).toBeDefined();
    expect(after?.openedAt).toBeDefined();
    const campaignId = campaignOf(sent.ref);
    expect(await store.engagementItem(world.tenant, campaignId, 'clicked', sent.contact.id)).toBeDefined();
    expect(await store.engagementItem(world.tenant, campaignId, 'opened', sent.contact.id)).toBeDefined();

    expect((await anonymous.get(path)).status).toBe(302);
    expect((await delivery(sent.ref))?.clickedAt).toBe(after?.clickedAt);
  });

  it('a stamp proves its engagement item: later opens and clicks write nothing, a half-done first one is finished', async () => {
    const sent = await sentToNewContact();
    const campaignId = campaignOf(sent.ref);
    const url = 'https://shop.example.com/again';
    expect((await fetchRaw(sent.open)).status).toBe(200);
    expect((await anonymous.get(sent.click(url))).status).toBe(302);
    const stamped = await delivery(sent.ref);
    expect(stamped?.openedAt).toBeDefined();
    expect(stamped?.clickedAt).toBeDefined();
    // Gone behind the handler's back: a repeat that wrote anything would put them back.
    for (const kind of ['opened', 'clicked'] as const)
      await store.removeEngagementItem(world.tenant, campaignId, kind, sent.contact.id);
    expect((await fetchRaw(sent.open)).status).toBe(200);
    expect((await anonymous.get(sent.click(url))).status).toBe(302);
    for (const kind of ['opened', 'clicked'] as const)
      expect(await store.engagementItem(world.tenant, campaignId, kind, sent.contact.id)).toBeUndefined();
    expect(await delivery(sent.ref)).toEqual(stamped);

    // A first click that stopped after its engagement items: the next click sets the stamps.
    const half = await sentToNewContact();
    const { recordEngagementItem } = await import('#shared/store/marketing');
    const at = new Date(Date.now() - MINUTE / 2);
    for (const kind of ['opened', 'clicked'] as const)
      await recordEngagementItem(world.tenant, campaignOf(half.ref), kind, half.contact.id, at);
    expect((await anonymous.get(half.click(url))).status).toBe(302);
    const finished = await delivery(half.ref);
    expect(finished?.clickedAt).toBeDefined();
    expect(finished?.openedAt).toBeDefined();
    expect(
      await store.engagementItem(world.tenant, campaignOf(half.ref), 'clicked', half.contact.id),
    ).toMatchObject({ at: at.toISOString() });
  });

  it('never redirects a modified, foreign or non-http token: 404, nothing recorded', async () => {
    const sent = await sentToNewContact();
    const token = sent.click('https://shop.example.com/a').slice('/t/c/'.length);
    const bytes = Buffer.from(token, 'base64url');
    const urlAt = bytes.length - 16 - 'https://shop.example.com/a'.length;
    const attempts = [
      // The URL changed, the MAC kept.
      tampered(token, bytes.length - 17),
      tampered(token, urlAt + 8),
      // Sealed with another deployment's key.
      sign(sent.claim('click', 'https://evil.example/'), randomBytes(32)),
      // Sealed with the real key, but not an http(s) target.
      sealedWithUrl(token, 'javascript:alert(document.domain)'),
      sealedWithUrl(token, 'data:text/html,<script>alert(1)</script>'),
      sealedWithUrl(token, '//evil.example/'),
      sealedWithUrl(token, 'https://user:pass@evil.example/'),
      // Tokens for another purpose.
      sent.open.slice('/t/o/'.length, -'.gif'.length),
      sent.unsubscribe.slice('/u/'.length),
      token.slice(0, 40),
      // Refused by the path check before the handler: the same answer all the same.
      'A'.repeat(5000),
      `${token.slice(0, 20)}~${token.slice(21)}`,
    ];
    for (const attempt of attempts) {
      const response = await anonymous.get(`/t/c/${attempt}`);
      expect(response.status, attempt).toBe(404);
      expect(response.headers.get('location')).toBeNull();
      expect(response.body, attempt).toMatchObject({ detail: 'Link not found' });
    }
    const after = await delivery(sent.ref);
    expect(after?.clickedAt).toBeUndefined();
    expect(after?.openedAt).toBeUndefined();
  });

  it('refuses to seal a javascript: URL in the first place', () => {
    expect(() =>
      sign({
        purpose: 'click',
        tenantId: world.tenant,
        ref: { kind: 'campaign', campaignId: 'c', contactId: 'p' },
        url: 'javascript:alert(1)',
      }),
    ).toThrow();
  });
});

describe('writes of a click (the handler in process, its DynamoDB writes counted)', () => {
  const clickEvent = (path: string) =>
    ({
      version: '2.0',
      routeKey: 'GET /t/c/{token}',
      rawPath: path,
      rawQueryString: '',
      headers: { host: 'localhost', 'user-agent': 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15' },
      pathParameters: { token: path.slice('/t/c/'.length) },
      isBase64Encoded: false,
      requestContext: {
        domainName: 'localhost',
        requestId: 'r',
        http: {
          method: 'GET',
          sourceIp: '198.51.100.7',
          userAgent: 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15',
        },
      },
    }) as unknown as Parameters<typeof import('#functions/http/tracking').handler>[0];

  it('a first click without an open writes the delivery once, both moments set; a repeat writes nothing', async () => {
    const sent = await sentToNewContact();
    const [{ handler }, { dynamo }, { testContext }] = await Promise.all([
      import('#functions/http/tracking'),
      import('#shared/store/client'),
      import('../support/http-event.ts'),
    ]);
    const writes: string[] = [];
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName).replace(/Command$/, '');
        if (/Put|Update|Delete|Transact|BatchWrite/.test(operation)) writes.push(operation);
        return next(args);
      },
      { step: 'initialize', name: 'countTrackingWrites' },
    );
    try {
      const path = sent.click('https://shop.example.com/first');
      const first = await handler(clickEvent(path), testContext);
      expect(first).toMatchObject({ statusCode: 302 });
      // Two engagement items, one delivery update.
      expect(writes).toEqual(['PutItem', 'PutItem', 'UpdateItem']);
      const after = await delivery(sent.ref);
      expect(after?.clickedAt).toBeDefined();
      expect(after?.openedAt).toBe(after?.clickedAt);
      const campaignId = campaignOf(sent.ref);
      for (const kind of ['opened', 'clicked'] as const)
        expect(await store.engagementItem(world.tenant, campaignId, kind, sent.contact.id)).toBeDefined();

      writes.length = 0;
      expect(await handler(clickEvent(path), testContext)).toMatchObject({ statusCode: 302 });
      expect(writes).toEqual([]);
      expect(await delivery(sent.ref)).toEqual(after);
    } finally {
      dynamo.middlewareStack.remove('countTrackingWrites');
    }
  });
});

describe('links as the author wrote them', () => {
  it('redirects a link with non-ASCII, an escaped ampersand and escapes to exactly that address', async () => {
    const sent = await sentToNewContact();
    const cases = [
      // What the composer seals for href="https://shop.example/café/日本?q=ü&amp;x=1#größe".
      [
        'https://shop.example/café/日本?q=ü&x=1#größe',
        'https://shop.example/caf%C3%A9/%E6%97%A5%E6%9C%AC?q=%C3%BC&x=1#gr%C3%B6%C3%9Fe',
      ],
      ['https://shop.example/caf%C3%A9?q=%C3%BC', 'https://shop.example/caf%C3%A9?q=%C3%BC'],
      ['https://tienda.müller.example/ñ', 'https://tienda.xn--mller-kva.example/%C3%B1'],
    ] as const;
    for (const [authored, location] of cases) {
      const response = await fetchRaw(sent.click(authored));
      expect(response.status, authored).toBe(302);
      expect(response.headers.get('location')).toBe(location);
      // A browser lands where it would for the authored link.
      expect(new URL(location).href).toBe(new URL(authored).href);
    }
  });
});

describe('a bounced message', () => {
  it('serves its pixel and follows its links, but records no open, click or engagement', async () => {
    const sent = await sentToNewContact();
    await store.recordEngagement(world.tenant, sent.ref, 'bouncedAt', new Date());
    const pixel = await fetchRaw(sent.open);
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    const click = await fetchRaw(sent.click('https://example.com/offer'));
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://example.com/offer');
    const after = await delivery(sent.ref);
    expect(after).toMatchObject({ status: 'sent' });
    expect(after?.openedAt).toBeUndefined();
    expect(after?.machineOpenedAt).toBeUndefined();
    expect(after?.clickedAt).toBeUndefined();
    const campaignId = campaignOf(sent.ref);
    expect(await store.engagementItem(world.tenant, campaignId, 'opened', sent.contact.id)).toBeUndefined();
    expect(await store.engagementItem(world.tenant, campaignId, 'clicked', sent.contact.id)).toBeUndefined();
  });
});

describe('re-subscribing after a one-click unsubscribe', () => {
  const oneClick = (path: string) =>
    anonymous.raw('POST', path, 'List-Unsubscribe=One-Click', {
      'content-type': 'application/x-www-form-urlencoded',
    });

  it('lifts the unsubscribe from the suppression list and records the consent change on the timeline', async () => {
    const sent = await sentToNewContact();
    expect((await oneClick(sent.unsubscribe)).status).toBe(200);
    expect(await store.suppressionItem(world.tenant, sent.contact.email)).toMatchObject({
      reason: 'unsubscribed',
    });

    const patch = await world.repRed.client.patch(`/contacts/${sent.contact.id}`, {
      marketingStatus: 'subscribed',
    });
    expect(patch.status).toBe(404); // not the rep's contact: nothing may change
    expect(await store.suppressionItem(world.tenant, sent.contact.email)).toBeDefined();

    const resubscribed = await world.admin.client.patch(`/contacts/${sent.contact.id}`, {
      marketingStatus: 'subscribed',
    });
    expect(resubscribed.status, resubscribed.text).toBe(200);
    expect(resubscribed.body.marketingStatus).toBe('subscribed');
    expect(await store.suppressionItem(world.tenant, sent.contact.email)).toBeUndefined();
    await eventually(async () => {
      const timeline = await world.admin.client.get(`/contacts/${sent.contact.id}/timeline`);
      const changes = timeline.body.items.flatMap((entry: { changes?: unknown[]; actorId?: string }) =>
        (entry.changes ?? []).map((change) => ({ ...(change as object), actorId: entry.actorId })),
      );
      expect(changes).toContainEqual({
        field: 'marketingStatus',
        from: 'unsubscribed',
        to: 'subscribed',
        actorId: world.admin.id,
      });
      expect(changes).toContainEqual({
        field: 'marketingStatus',
        from: 'subscribed',
        to: 'unsubscribed',
        actorId: 'system:unsubscribe',
      });
    });
  });

  it('a new contact with a suppressed address reads as sending will treat it; creating it subscribed is a new opt-in', async () => {
    const sent = await sentToNewContact();
    const address = sent.contact.email;
    expect((await oneClick(sent.unsubscribe)).status).toBe(200);
    // The address moves to a new contact: it reads as what sending will do.
    expect(
      (await world.admin.client.patch(`/contacts/${sent.contact.id}`, { email: emailOf('moved') })).status,
    ).toBe(200);
    const again = await world.admin.client.post('/contacts', { firstName: 'Again', email: address });
    expect(again.status, again.text).toBe(201);
    expect(again.body.marketingStatus).toBe('unsubscribed');
    expect((await world.admin.client.get(`/contacts/${again.body.id}`)).body.marketingStatus).toBe(
      'unsubscribed',
    );
    expect(await store.suppressionItem(world.tenant, address)).toMatchObject({ reason: 'unsubscribed' });

    // Created subscribed: the person opted in anew, so the unsubscribe is lifted.
    await world.admin.client.patch(`/contacts/${again.body.id}`, { email: emailOf('moved-again') });
    const optedIn = await world.admin.client.post('/contacts', {
      firstName: 'Optin',
      email: address,
      marketingStatus: 'subscribed',
    });
    expect(optedIn.status, optedIn.text).toBe(201);
    expect(optedIn.body.marketingStatus).toBe('subscribed');
    expect(await store.suppressionItem(world.tenant, address)).toBeUndefined();

    // Erased: never lifted through the API, and a new contact reads unsubscribed.
    expect((await world.admin.client.delete(`/contacts/${optedIn.body.id}?erase=true`)).status).toBe(204);
    const refused = await world.admin.client.post('/contacts', {
      firstName: 'Optin',
      email: address,
      marketingStatus: 'subscribed',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([
      {
        path: 'marketingStatus',
        message: 'cannot be subscribed: the address bounced, complained or was erased',
      },
    ]);
    const plain = await world.admin.client.post('/contacts', { firstName: 'Plain', email: address });
    expect(plain.status).toBe(201);
    expect(plain.body.marketingStatus).toBe('unsubscribed');
    expect(await store.suppressionItem(world.tenant, address)).toMatchObject({ reason: 'erased' });
  });

  it('a lead converted into a new contact with an unsubscribed address starts unsubscribed', async () => {
    const sent = await sentToNewContact();
    const address = sent.contact.email;
    expect((await oneClick(sent.unsubscribe)).status).toBe(200);
    expect(
      (await world.admin.client.patch(`/contacts/${sent.contact.id}`, { email: emailOf('moved') })).status,
    ).toBe(200);
    const lead = await world.admin.client.post('/leads', { firstName: 'Lead', email: address });
    expect(lead.status, lead.text).toBe(201);
    const converted = await world.admin.client.post(`/leads/${lead.body.id}/convert`, {});
    expect(converted.status, converted.text).toBe(200);
    expect(converted.body.contact).toMatchObject({ email: address, marketingStatus: 'unsubscribed' });
  });
});

describe('unsubscribe', () => {
  it('GET shows a confirmation page and changes nothing', async () => {
    const sent = await sentToNewContact();
    const response = await anonymous.get(sent.unsubscribe);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    // The local inbox shows each email in a frame, so its links open there; no other site may frame the page.
    const inbox = new URL(inject('inboxUrl'));
    expect(response.headers.get('content-security-policy')).toContain(
      `frame-ancestors ${inbox.origin} http://127.0.0.1:${inbox.port};`,
    );
    expect(response.text).toMatch(/<form method="post">/);
    expect(response.text).toContain('value="One-Click"');
    // The address is recognisable but not shown in full.
    const [local, domain] = sent.contact.email.split('@') as [string, string];
    expect(response.text).toContain(`${local.slice(0, 2)}•••@${domain}`);
    expect(response.text).not.toContain(sent.contact.email);

    const contact = await contactOf(sent.contact.id);
    expect(contact.marketingStatus).toBe('subscribed');
    expect(contact.version).toBe(sent.contact.version);
    expect(await store.suppressionItem(world.tenant, sent.contact.email)).toBeUndefined();
    expect((await delivery(sent.ref))?.unsubscribedAt).toBeUndefined();
  });

  it('POST List-Unsubscribe=One-Click (RFC 8058) unsubscribes in one request; a second changes nothing', async () => {
    const sent = await sentToNewContact();
    const oneClick = () =>
      anonymous.raw('POST', sent.unsubscribe, 'List-Unsubscribe=One-Click', {
        'content-type': 'application/x-www-form-urlencoded',
      });
    const response = await oneClick();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.text).toContain('You are unsubscribed');

    const contact = await contactOf(sent.contact.id);
    expect(contact).toMatchObject({
      marketingStatus: 'unsubscribed',
      version: sent.contact.version + 1,
      updatedBy: 'system:unsubscribe',
    });
    expect(await store.suppressionItem(world.tenant, sent.contact.email)).toMatchObject({
      reason: 'unsubscribed',
      tenantId: world.tenant,
    });
    const unsubscribedAt = (await delivery(sent.ref))?.unsubscribedAt;
    expect(unsubscribedAt).toBeDefined();

    const again = await oneClick();
    expect(again.status).toBe(200);
    expect((await contactOf(sent.contact.id)).version).toBe(contact.version);
    expect((await delivery(sent.ref))?.unsubscribedAt).toBe(unsubscribedAt);
    // The page now says so instead of offering the button.
    const page = await anonymous.get(sent.unsubscribe);
    expect(page.text).toContain('You are unsubscribed');
    expect(page.text).not.toContain('<form');
  });

  it('POST needs no body and no JSON (a mail client, or the page button)', async () => {
    const sent = await sentToNewContact();
    expect((await anonymous.raw('POST', sent.unsubscribe)).status).toBe(200);
    expect((await contactOf(sent.contact.id)).marketingStatus).toBe('unsubscribed');
  });

  it('keeps a bounced contact bounced', async () => {
    const sent = await sentToNewContact();
    const { changeMarketingStatus } = await import('#shared/store/marketing');
    await changeMarketingStatus(world.tenant, sent.contact.id, 'bounced', { actor: 'system:ses' });
    expect((await anonymous.raw('POST', sent.unsubscribe)).status).toBe(200);
    expect((await contactOf(sent.contact.id)).marketingStatus).toBe('bounced');
    // The address is suppressed anyway.
    expect(await store.suppressionItem(world.tenant, sent.contact.email)).toBeDefined();
  });

  it('a tampered or foreign token answers 404 and unsubscribes nobody', async () => {
    const sent = await sentToNewContact();
    const token = sent.unsubscribe.slice('/u/'.length);
    for (const attempt of [
      tampered(token),
      sign(sent.claim('unsubscribe'), randomBytes(32)),
      token.slice(1),
    ]) {
      expect((await anonymous.get(`/u/${attempt}`)).status).toBe(404);
      expect((await anonymous.raw('POST', `/u/${attempt}`, 'List-Unsubscribe=One-Click')).status).toBe(404);
    }
    expect((await contactOf(sent.contact.id)).marketingStatus).toBe('subscribed');
    expect(await store.suppressionItem(world.tenant, sent.contact.email)).toBeUndefined();
  });

  it('escapes what the page shows', async () => {
    const contact = await newContact(world.admin.client, emailOf('escape'));
    const ref = { kind: 'campaign' as const, campaignId: ulid(), contactId: contact.id };
    // A delivery address as odd as an address can be, straight in the table.
    const odd = `"<script>alert(1)</script>"@${world.tenant}.test`;
    await store.createDelivery(world.tenant, { ref, email: odd, status: 'pending' });
    const claimed = await store.claimDelivery(world.tenant, ref);
    await store.markSent(world.tenant, ref, claimed?.claimId ?? '', `0100${ulid()}`);
    const page = await anonymous.get(`/u/${sign({ purpose: 'unsubscribe', tenantId: world.tenant, ref })}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<script>');
    expect(page.text).toContain('&#60;');
  });
});

describe('which deliveries a token reaches', () => {
  it('a deleted or erased contact: 404 everywhere, nothing recorded', async () => {
    for (const query of ['', '?erase=true']) {
      const sent = await sentToNewContact();
      expect((await world.admin.client.delete(`/contacts/${sent.contact.id}${query}`)).status).toBe(204);
      expect((await fetchRaw(sent.open)).status).toBe(404);
      expect((await anonymous.get(sent.click('https://shop.example.com/'))).status).toBe(404);
      expect((await anonymous.get(sent.unsubscribe)).status).toBe(404);
      expect((await anonymous.raw('POST', sent.unsubscribe)).status).toBe(404);
      const after = await delivery(sent.ref);
      expect(after?.openedAt ?? after?.clickedAt ?? after?.unsubscribedAt).toBeUndefined();
    }
  });

  it('a delivery that was never sent: 404', async () => {
    const contact = await newContact(world.admin.client, emailOf('pending'));
    const ref = { kind: 'campaign' as const, campaignId: ulid(), contactId: contact.id };
    await store.createDelivery(world.tenant, { ref, email: contact.email, status: 'pending' });
    expect(
      (await fetchRaw(`/t/o/${sign({ purpose: 'open', tenantId: world.tenant, ref })}.gif`)).status,
    ).toBe(404);
    expect(
      (await anonymous.raw('POST', `/u/${sign({ purpose: 'unsubscribe', tenantId: world.tenant, ref })}`))
        .status,
    ).toBe(404);
    expect((await delivery(ref))?.unsubscribedAt).toBeUndefined();
  });

  it("tenant isolation: another tenant's genuine token cannot touch this tenant's delivery", async () => {
    const sent = await sentToNewContact();
    const otherTenant = `${world.tenant}-other`;
    // Same campaign and contact ids, signed for another tenant: it names that tenant's (absent) delivery.
    const foreign = (purpose: TrackingClaim['purpose'], url?: string) =>
      sign({ purpose, tenantId: otherTenant, ref: sent.ref, ...(url ? { url } : {}) });
    expect((await fetchRaw(`/t/o/${foreign('open')}.gif`)).status).toBe(404);
    expect((await anonymous.get(`/t/c/${foreign('click', 'https://shop.example.com/')}`)).status).toBe(404);
    expect((await anonymous.raw('POST', `/u/${foreign('unsubscribe')}`)).status).toBe(404);
    // The tenant bytes of a genuine token cannot be swapped either.
    const token = sent.unsubscribe.slice('/u/'.length);
    const bytes = Buffer.from(token, 'base64url');
    const tenantAt = bytes.indexOf(Buffer.from(world.tenant));
    expect(tenantAt).toBeGreaterThan(0);
    expect((await anonymous.raw('POST', `/u/${tampered(token, tenantAt + 1)}`)).status).toBe(404);

    const after = await delivery(sent.ref);
    expect(after?.openedAt ?? after?.clickedAt ?? after?.unsubscribedAt).toBeUndefined();
    expect((await contactOf(sent.contact.id)).marketingStatus).toBe('subscribed');
    expect(await delivery(sent.ref, otherTenant)).toBeUndefined();
  });

  it('sequence deliveries are tracked too (no campaign engagement items)', async () => {
    const contact = await newContact(world.admin.client, emailOf('sequence'));
    const ref = { kind: 'sequence' as const, sequenceId: ulid(), contactId: contact.id, step: 2 };
    await store.createDelivery(world.tenant, { ref, email: contact.email, status: 'pending' });
    const claimed = await store.claimDelivery(world.tenant, ref, new Date(Date.now() - MINUTE));
    await store.markSent(
      world.tenant,
      ref,
      claimed?.claimId ?? '',
      `0100${ulid()}`,
      new Date(Date.now() - MINUTE),
    );
    const url = 'https://shop.example.com/next-step';
    const response = await anonymous.get(
      `/t/c/${sign({ purpose: 'click', tenantId: world.tenant, ref, url })}`,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(url);
    expect(await delivery(ref)).toMatchObject({
      clickedAt: expect.any(String),
      openedAt: expect.any(String),
    });
  });

  it('other routes keep the strict path-parameter rule', async () => {
    const long = 'A'.repeat(200);
    expect((await world.admin.client.get(`/contacts/${long}`)).status).toBe(404);
    expect((await world.admin.client.get('/contacts/abc.gif')).status).toBe(404);
  });
});
