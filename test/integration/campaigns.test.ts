import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { emailHash } from '../../shared/domain/suppression.ts';
import { RECIPIENTS_PER_MESSAGE } from '../../shared/store/campaign-run.ts';
import {
  type AnyBody,
  type ApiClient,
  api,
  eventually,
  runDueSchedules,
  scheduledRunId,
  tokenFor,
} from '../support/api.ts';
import { dynamoClient } from '../support/dynamo.ts';
import { backdateDelivery, type RuntimeStore, useHeldCampaignQueue, useRuntimeStore } from './deliveries.ts';
import { createWorld, type World } from './world.ts';

/**
 * The campaign pipeline through the local runtime: schedule → start (freeze,
 * queue) → sender → local SES → stream stats. Some tests also run the start
 * and the sender in this process against a queue table nobody else consumes,
 * to fire duplicates and to hold messages while a campaign is paused.
 */
let world: World;
let admin: ApiClient;
let controlToken: string;
let start: typeof import('#functions/schedule/campaignStart');
let send: typeof import('#functions/queue/campaignSend');
let localQueue: typeof import('#shared/queue/local-queue');
/** This process's own queue table: messages the in-process start writes wait here. */
let heldQueue: string;
let runtimeStore: RuntimeStore;
const anonymous = api(undefined);

interface SesEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

async function sesEmails(): Promise<SesEmail[]> {
  const response = await fetch(new URL('/store', inject('sesEndpoint')));
  return ((await response.json()) as { emails: SesEmail[] }).emails;
}

/** How many emails each address received. */
async function receivedBy(addresses: readonly string[]): Promise<Map<string, number>> {
  const wanted = new Set(addresses);
  const counts = new Map<string, number>();
  for (const email of await sesEmails())
    for (const to of email.destination.to) if (wanted.has(to)) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

beforeAll(async () => {
  world = await createWorld();
  admin = world.admin.client;
  controlToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
  heldQueue = await useHeldCampaignQueue('held');
  start = await import('#functions/schedule/campaignStart');
  send = await import('#functions/queue/campaignSend');
  localQueue = await import('#shared/queue/local-queue');
  runtimeStore = await useRuntimeStore();
});

let sequence = 0;
const label = (name: string) => `${name}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

/** Contacts tagged `tag`, created through the API `parallel` at a time. */
async function contactsTagged(
  client: ApiClient,
  tag: string,
  count: number,
  extra: (index: number) => Record<string, unknown> = () => ({}),
): Promise<{ id: string; email?: string }[]> {
  const created: { id: string; email?: string }[] = [];
  const parallel = 25;
  for (let start = 0; start < count; start += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, count - start) }, async (_, offset) => {
        const index = start + offset;
        const body = {
          firstName: `P${index}`,
          email: `${tag}-${index}@example.com`,
          tags: [tag],
          ...extra(index),
        };
        const response = await client.post('/contacts', body);
        expect(response.status, response.text).toBe(201);
        return { id: response.body.id as string, email: response.body.email as string | undefined };
      }),
    );
    created.push(...batch);
  }
  return created;
}

async function campaignFor(
  client: ApiClient,
  tag: string,
  content: { html?: string; text?: string; subject?: string; fromName?: string } = {},
): Promise<AnyBody> {
  const template = await client.post('/templates', {
    name: label('tpl'),
    subject: content.subject ?? 'Hello {{contact.firstName}}',
    html:
      content.html ??
      '<html><body><p>Hi {{contact.firstName}}</p><a href="https://example.com/offer?a=1&amp;b=2">Offer</a></body></html>',
    ...(content.text === undefined ? {} : { text: content.text }),
  });
  expect(template.status, template.text).toBe(201);
  const segment = await client.post('/segments', {
    name: label('seg'),
    filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
  });
  expect(segment.status, segment.text).toBe(201);
  const campaign = await client.post('/campaigns', {
    name: label('campaign'),
    templateId: template.body.id,
    segmentId: segment.body.id,
    fromEmail: 'news@example.com',
    fromName: content.fromName ?? 'Example News',
  });
  expect(campaign.status, campaign.text).toBe(201);
  expect(campaign.body.status).toBe('draft');
  return campaign.body;
}

const statusOf = async (id: string) => (await admin.get(`/campaigns/${id}`)).body.status as string;

async function waitForStatus(id: string, status: string, timeoutMs = 150_000) {
  try {
    await eventually(async () => expect(await statusOf(id)).toBe(status), { timeoutMs, intervalMs: 250 });
  } catch (error) {
    const campaign = (await admin.get(`/campaigns/${id}`)).body;
    const stats = (await admin.get(`/campaigns/${id}/stats`)).body;
    const pending = (await admin.get(`/campaigns/${id}/recipients?status=pending&limit=5`)).body;
    const sending = (await admin.get(`/campaigns/${id}/recipients?status=sending&limit=5`)).body;
    console.error(
      JSON.stringify({ campaign: { ...campaign, snapshot: undefined }, stats, pending, sending }, null, 1),
    );
    throw error;
  }
}

/** Runs the in-process sender over every message in this process's own queue table. */
async function drainHeldQueue(): Promise<number> {
  const { QueryCommand, DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
  const { Items = [] } = await dynamoClient().send(
    new QueryCommand({
      TableName: heldQueue,
      KeyConditionExpression: '#q = :q',
      ExpressionAttributeNames: { '#q': 'queue' },
      ExpressionAttributeValues: { ':q': { S: 'campaignSend' } },
      ConsistentRead: true,
    }),
  );
  for (const item of Items) {
    const message = localQueue.fromMessageItem(item);
    const event = {
      Records: [{ messageId: message.messageId, body: message.body }],
    } as unknown as SQSEvent;
    await send.handler(event);
    await dynamoClient().send(
      new DeleteItemCommand({
        TableName: heldQueue,
        Key: { queue: { S: 'campaignSend' }, messageId: { S: message.messageId } },
      }),
    );
  }
  return Items.length;
}

describe('a campaign sent end to end', () => {
  /**
   * Eight full send messages and a partial one (RECIPIENTS_PER_MESSAGE), several stream
   * batches of stats, and sent recipients over two full pages of 200 and a short third; throughput
   * and exactly-once at 10,000 recipients are the campaign bench's (`npm run bench`).
   */
  const RECIPIENTS = 8 * RECIPIENTS_PER_MESSAGE + 20;
  it(`sends ${RECIPIENTS} recipients exactly once each, with tracking, unsubscribe headers and stats`, async () => {
    const tag = label('big');
    // Two of them are SES mailbox-simulator addresses: one bounces, one complains.
    const simulated = ['bounce', 'complaint'];
    const people = await contactsTagged(admin, tag, RECIPIENTS, (index) =>
      index < simulated.length ? { email: `${simulated[index]}+${tag}@simulator.amazonses.com` } : {},
    );
    const [bouncer, complainer] = people;
    const campaign = await campaignFor(admin, tag);
    const sent = await admin.post(`/campaigns/${campaign.id}/send`);
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body.status).toBe('scheduled');

    await waitForStatus(campaign.id, 'sent', 400_000);
    const counts = await receivedBy(people.map((person) => person.email as string));
    expect(counts.get(bouncer?.email as string)).toBe(1);
    expect(counts.size).toBe(RECIPIENTS);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);

    const one = (await sesEmails()).find((email) => email.destination.to[0] === people[7]?.email);
    expect(one?.subject).toBe('Hello P7');
    const headers = Object.fromEntries((one?.headers ?? []).map((header) => [header.name, header.value]));
    expect(headers['List-Unsubscribe']).toMatch(/^<http:\/\/.+\/u\/[A-Za-z0-9_-]+>$/);
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(one?.body.html).toMatch(/href="http:\/\/[^"]+\/t\/c\/[A-Za-z0-9_-]+"/);
    expect(one?.body.html).not.toContain('https://example.com/offer');
    expect(one?.body.html).toMatch(
      /<img src="http:\/\/[^"]+\/t\/o\/[A-Za-z0-9_-]+\.gif" width="1" height="1"/,
    );
    expect(one?.body.html).toContain('Unsubscribe</a>');
    expect(one?.body.text).toContain('/u/');

    await eventually(async () => {
      const stats = await admin.get(`/campaigns/${campaign.id}/stats`);
      expect(stats.status).toBe(200);
      expect(stats.body).toMatchObject({
        recipients: RECIPIENTS,
        sent: RECIPIENTS,
        suppressed: 0,
        failed: 0,
      });
    });
    const final = await admin.get(`/campaigns/${campaign.id}`);
    expect(final.body).toMatchObject({ status: 'sent', recipientCount: RECIPIENTS });
    expect(final.body.phase).toBeUndefined();
    expect(final.body.completedAt).toBeDefined();

    // Every counter, from what recipients do with the mail in the inbox.
    const emailTo = async (address: string | undefined) => {
      const found = (await sesEmails()).find((email) => email.destination.to[0] === address);
      expect(found, address).toBeDefined();
      return found as SesEmail;
    };
    const linkIn = async (address: string | undefined, pattern: RegExp) =>
      new URL(pattern.exec((await emailTo(address)).body.html ?? '')?.[1] ?? '').pathname;
    const pixelOf = (address: string | undefined) => linkIn(address, /<img src="([^"]+\/t\/o\/[^"]+)"/);
    const clickOf = (address: string | undefined) => linkIn(address, /href="([^"]+\/t\/c\/[^"]+)"/);
    const refOf = (person: { id: string } | undefined) => ({
      kind: 'campaign' as const,
      campaignId: campaign.id as string,
      contactId: person?.id ?? '',
    });
    await eventually(
      async () =>
        expect((await admin.get(`/campaigns/${campaign.id}/stats`)).body).toMatchObject({
          delivered: RECIPIENTS - 1,
          bounced: 1,
          complained: 1,
        }),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    // The local inbox shows the bounced message too; opening it records nothing.
    expect((await anonymous.get(await pixelOf(bouncer?.email))).status).toBe(200);
    expect((await anonymous.get(await clickOf(bouncer?.email))).status).toBe(302);
    // A click (which is also an open), a person's open, a machine open, an unsubscribe.
    const [clicker, reader, scanned, leaver] = [people[7], people[8], people[9], people[10]];
    // A person reads and clicks after the message arrived; fetches on arrival are a gateway's.
    for (const person of [clicker, reader]) await backdateDelivery(world.tenant, campaign.id, person?.id);
    expect((await anonymous.get(await clickOf(clicker?.email))).status).toBe(302);
    expect((await anonymous.get(await pixelOf(reader?.email))).status).toBe(200);
    await runtimeStore.recordEngagement(world.tenant, refOf(scanned), 'machineOpenedAt', new Date());
    const unsubscribe = /^<(.+)>$/.exec(
      (await emailTo(leaver?.email)).headers?.find((header) => header.name === 'List-Unsubscribe')?.value ??
        '',
    )?.[1];
    const oneClick = await anonymous.raw(
      'POST',
      new URL(unsubscribe ?? '').pathname,
      'List-Unsubscribe=One-Click',
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );
    expect(oneClick.status).toBe(200);

    const expected = {
      recipients: RECIPIENTS,
      sent: RECIPIENTS,
      delivered: RECIPIENTS - 1,
      opened: 2,
      clicked: 1,
      machineOpened: 1,
      bounced: 1,
      complained: 1,
      unsubscribed: 1,
      suppressed: 0,
      failed: 0,
      canceled: 0,
    };
    const stats = await eventually(async () => {
      const body = (await admin.get(`/campaigns/${campaign.id}/stats`)).body;
      expect(body).toMatchObject(expected);
      return body;
    });
    expect(stats.openRate).toBeCloseTo(2 / (RECIPIENTS - 1), 4);
    expect(stats.clickRate).toBeCloseTo(1 / (RECIPIENTS - 1), 4);
    expect(stats.bounceRate).toBeCloseTo(1 / RECIPIENTS, 4);
    expect(stats.complaintRate).toBeCloseTo(1 / RECIPIENTS, 4);
    const bouncedDelivery = await runtimeStore.getDelivery(world.tenant, refOf(bouncer));
    expect(bouncedDelivery?.bouncedAt).toBeDefined();
    expect(bouncedDelivery?.openedAt).toBeUndefined();
    expect(bouncedDelivery?.clickedAt).toBeUndefined();
    const listed = async (status: string) =>
      (await admin.get(`/campaigns/${campaign.id}/recipients?status=${status}`)).body.items.map(
        (item: AnyBody) => [item.contactId, item.status],
      );
    expect(await listed('bounced')).toEqual([[bouncer?.id, 'bounced']]);
    expect(await listed('complained')).toEqual([[complainer?.id, 'complained']]);

    const page = await admin.get(`/campaigns/${campaign.id}/recipients?status=sent&limit=200`);
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(200);
    expect(page.body.items.map((item: AnyBody) => item.contactId)).not.toContain(bouncer?.id);
    expect(page.body.items[0]).toMatchObject({ status: 'sent' });
    expect(page.body.items[0].messageId).toBeDefined();
    expect(page.body.items[0].claimId).toBeUndefined();
    const next = await admin.get(
      `/campaigns/${campaign.id}/recipients?status=sent&limit=200&cursor=${encodeURIComponent(page.body.nextCursor)}`,
    );
    expect(next.body.items[0].contactId > page.body.items[199].contactId).toBe(true);
    expect((await admin.get(`/campaigns/${campaign.id}/recipients?status=pending`)).body.items).toEqual([]);
  }, 600_000);

  it('sends to an IDN address from an encoded sender name, with links as written tracked in both parts', {
    timeout: 180_000,
  }, async () => {
    const tag = label('intl');
    const local = tag.toLowerCase();
    const contact = await admin.post('/contacts', {
      firstName: 'Lucía',
      email: `${local}@Müller.example`,
      tags: [tag],
    });
    expect(contact.status, contact.text).toBe(201);
    const address = `${local}@xn--mller-kva.example`;
    expect(contact.body.email).toBe(address);
    const authored = 'https://shop.example/café/日本?q=ü&x=1#größe';
    const location = 'https://shop.example/caf%C3%A9/%E6%97%A5%E6%9C%AC?q=%C3%BC&x=1#gr%C3%B6%C3%9Fe';
    const campaign = await campaignFor(admin, tag, {
      subject: 'Oferta para {{contact.firstName}}: "otoño"',
      fromName: 'Álvarez Logística, S.L.',
      html:
        '<p>Hola {{contact.firstName}}</p><a href="https://shop.example/café/日本?q=ü&amp;x=1#größe">Tienda</a> ' +
        '<a href="mailto:ventas@alvarez.example">Escríbenos</a> <a href="{{unsubscribeUrl}}">Baja</a>',
      text: `Tienda: ${authored}\nBaja: {{unsubscribeUrl}}`,
    });
    expect((await admin.post(`/campaigns/${campaign.id}/send`)).status).toBe(200);
    await waitForStatus(campaign.id, 'sent', 120_000);

    const email = (await sesEmails()).find((sent) => sent.destination.to[0] === address);
    expect(email).toBeDefined();
    const decoded = (email?.from ?? '')
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/g, (_word, base64: string) =>
        Buffer.from(base64, 'base64').toString('utf8'),
      );
    expect(email?.from).toMatch(/^=\?UTF-8\?B\?/);
    expect(decoded).toBe('Álvarez Logística, S.L. <news@example.com>');
    expect(email?.subject).toBe('Oferta para Lucía: "otoño"');
    const html = email?.body.html ?? '';
    const text = email?.body.text ?? '';
    expect(html).not.toContain('shop.example');
    expect(text).not.toContain('shop.example');
    expect(html).toContain('href="mailto:ventas@alvarez.example"');
    const htmlClick = /href="([^"]+\/t\/c\/[^"]+)"/.exec(html)?.[1] ?? '';
    const textClick = /Tienda: (\S+\/t\/c\/[A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
    await backdateDelivery(world.tenant, campaign.id, contact.body.id);
    for (const click of [htmlClick, textClick]) {
      const response = await anonymous.get(new URL(click).pathname);
      expect(response.status, click).toBe(302);
      expect(response.headers.get('location')).toBe(location);
    }
    await eventually(async () =>
      expect((await admin.get(`/campaigns/${campaign.id}/stats`)).body).toMatchObject({
        sent: 1,
        clicked: 1,
      }),
    );
  });

  it('skips contacts without email, unsubscribed, bounced, complained or suppressed, and counts them', {
    timeout: 180_000,
  }, async () => {
    const tag = label('skip');
    const [ok] = await contactsTagged(admin, tag, 1);
    const noEmail = await admin.post('/contacts', { firstName: 'NoMail', tags: [tag] });
    const [unsubscribed] = await contactsTagged(admin, `${tag}-u`, 1, () => ({
      tags: [tag],
      marketingStatus: 'unsubscribed',
    }));
    const [bounced, complained, listed] = await contactsTagged(admin, `${tag}-b`, 3, () => ({ tags: [tag] }));
    const table = inject('tableName');
    for (const [contact, status] of [
      [bounced, 'bounced'],
      [complained, 'complained'],
    ] as const) {
      await dynamoClient().send(
        new UpdateItemCommand({
          TableName: table,
          Key: marshall({ pk: `T#${world.tenant}#CONTACT#${contact?.id}`, sk: 'A' }),
          UpdateExpression: 'SET marketingStatus = :s',
          ExpressionAttributeValues: marshall({ ':s': status }),
        }),
      );
    }
    await dynamoClient().send(
      new PutItemCommand({
        TableName: table,
        Item: marshall({
          pk: `T#${world.tenant}#SUPPRESSION#${emailHash(world.tenant, listed?.email ?? '')}`,
          sk: 'A',
          entity: 'suppression',
          tenantId: world.tenant,
          reason: 'bounced',
        }),
      }),
    );

    const campaign = await campaignFor(admin, tag);
    expect((await admin.post(`/campaigns/${campaign.id}/send`)).status).toBe(200);
    await waitForStatus(campaign.id, 'sent', 120_000);
    const skipped = [unsubscribed, bounced, complained, listed].map((contact) => contact?.email as string);
    expect((await receivedBy(skipped)).size).toBe(0);
    expect((await receivedBy([ok?.email as string])).get(ok?.email as string)).toBe(1);

    await eventually(async () => {
      const stats = (await admin.get(`/campaigns/${campaign.id}/stats`)).body;
      expect(stats).toMatchObject({ recipients: 6, sent: 1, suppressed: 5, failed: 0 });
    });
    const suppressed = (await admin.get(`/campaigns/${campaign.id}/recipients?status=suppressed`)).body.items;
    const reasons = Object.fromEntries(suppressed.map((item: AnyBody) => [item.contactId, item.reason]));
    expect(reasons).toEqual({
      [noEmail.body.id]: 'no_email',
      [unsubscribed?.id as string]: 'not_subscribed',
      [bounced?.id as string]: 'not_subscribed',
      [complained?.id as string]: 'not_subscribed',
      [listed?.id as string]: 'suppressed',
    });
  });

  it('mails a contact who re-subscribed after a one-click unsubscribe: the change the API accepted takes effect', {
    timeout: 180_000,
  }, async () => {
    const tag = label('again');
    const [person] = await contactsTagged(admin, tag, 1);
    const address = person?.email as string;
    const first = await campaignFor(admin, tag);
    expect((await admin.post(`/campaigns/${first.id}/send`)).status).toBe(200);
    await waitForStatus(first.id, 'sent', 120_000);
    const email = (await sesEmails()).find((sent) => sent.destination.to[0] === address);
    const unsubscribe = /^<(.+)>$/.exec(
      email?.headers?.find((header) => header.name === 'List-Unsubscribe')?.value ?? '',
    )?.[1];
    const oneClick = await anonymous.raw(
      'POST',
      new URL(unsubscribe ?? '').pathname,
      'List-Unsubscribe=One-Click',
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );
    expect(oneClick.status).toBe(200);
    const patch = await admin.patch(`/contacts/${person?.id}`, { marketingStatus: 'subscribed' });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.body.marketingStatus).toBe('subscribed');

    const second = await campaignFor(admin, tag);
    expect((await admin.post(`/campaigns/${second.id}/send`)).status).toBe(200);
    await waitForStatus(second.id, 'sent', 120_000);
    const recipients = (await admin.get(`/campaigns/${second.id}/recipients`)).body.items;
    expect(recipients.map((item: AnyBody) => [item.contactId, item.status])).toEqual([[person?.id, 'sent']]);
    expect((await receivedBy([address])).get(address)).toBe(2);
    expect((await admin.get(`/contacts/${person?.id}`)).body.marketingStatus).toBe('subscribed');
  });
});

/**
 * Opens (a minute after delivery, so it counts as a person's open) and clicks the
 * campaign's email to `person`, through the tracking links in it.
 */
async function openAndClick(
  tenantId: string,
  campaignId: string,
  person: { id: string; email?: string } | undefined,
) {
  await backdateDelivery(tenantId, campaignId, person?.id);
  const email = (await sesEmails()).find((candidate) =>
    candidate.destination.to.includes(person?.email ?? ''),
  );
  const html = email?.body.html ?? '';
  const open = html.match(/src="(http[^"]+\/t\/o\/[A-Za-z0-9_-]+\.gif)"/)?.[1];
  const click = html.match(/href="(http[^"]+\/t\/c\/[A-Za-z0-9_-]+)"/)?.[1];
  expect(open && click).toBeTruthy();
  expect((await fetch(open as string)).status).toBe(200);
  expect((await fetch(click as string, { redirect: 'manual' })).status).toBe(302);
}

describe('erasure', () => {
  it('takes an erased person out of past campaigns: no address, no engagement, the same numbers', {
    timeout: 180_000,
  }, async () => {
    const tag = label('erase');
    const [kept, erased] = await contactsTagged(admin, tag, 2);
    const campaign = await campaignFor(admin, tag);
    expect((await admin.post(`/campaigns/${campaign.id}/send`)).status).toBe(200);
    await waitForStatus(campaign.id, 'sent');
    await eventually(
      async () => expect((await admin.get(`/campaigns/${campaign.id}/stats`)).body.delivered).toBe(2),
      { timeoutMs: 30_000 },
    );
    // Both people open (later than a mail-privacy proxy would) and click, so there is engagement to remove.
    for (const person of [kept, erased]) await openAndClick(world.tenant, campaign.id, person);
    const engagement = (kind: 'opened' | 'clicked', contactId: string | undefined) =>
      dynamoClient().send(
        new GetItemCommand({
          TableName: inject('tableName'),
          Key: marshall({ pk: `T#${world.tenant}#ENGAGEMENT#${campaign.id}#${kind}`, sk: contactId }),
          ConsistentRead: true,
        }),
      );
    for (const kind of ['opened', 'clicked'] as const)
      for (const person of [kept, erased]) expect((await engagement(kind, person?.id)).Item).toBeDefined();
    await eventually(async () =>
      expect((await admin.get(`/campaigns/${campaign.id}/stats`)).body).toMatchObject({
        opened: 2,
        clicked: 2,
      }),
    );
    const before = (await admin.get(`/campaigns/${campaign.id}/stats`)).body;

    const erase = await admin.delete(`/contacts/${erased?.id}?erase=true`);
    expect(erase.status, erase.text).toBe(204);
    await eventually(async () => {
      const items = (await admin.get(`/campaigns/${campaign.id}/recipients`)).body.items as AnyBody[];
      const byContact = new Map(items.map((item) => [item.contactId, item]));
      expect(byContact.get(erased?.id)?.email).toBeUndefined();
      expect(byContact.get(erased?.id)?.status).toBe('sent');
      expect(byContact.get(kept?.id)?.email).toBe(kept?.email);
      for (const kind of ['opened', 'clicked'] as const) {
        expect((await engagement(kind, erased?.id)).Item).toBeUndefined();
        expect((await engagement(kind, kept?.id)).Item).toBeDefined();
      }
    });
    expect((await admin.get(`/campaigns/${campaign.id}/stats`)).body).toEqual(before);
  });
});

describe('at most one email per recipient', () => {
  it('sends nothing twice when the start fires several times and messages are redelivered', {
    timeout: 180_000,
  }, async () => {
    const tag = label('dup');
    const people = await contactsTagged(admin, tag, 120);
    const campaign = await campaignFor(admin, tag);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await admin.post(`/campaigns/${campaign.id}/schedule`, { at });
    expect(scheduled.status, scheduled.text).toBe(200);
    const event = {
      tenantId: world.tenant,
      campaignId: campaign.id,
      runId: await scheduledRunId(controlToken, campaign.id),
      scheduledAt: at,
    };

    // Two firings in this process at once (their messages wait in the held queue)...
    const firings = await Promise.allSettled([start.handler(event), start.handler(event)]);
    expect(firings.some((firing) => firing.status === 'fulfilled')).toBe(true);
    // ...the real schedule firing in the runtime, whose sender sends everyone...
    const fired = await runDueSchedules(controlToken, new Date(Date.now() + 3_600_000 + 1000));
    expect(fired.find((firing) => firing.name === `campaign-${campaign.id}`)?.outcome).toBe('fired');
    await waitForStatus(campaign.id, 'sent');
    // ...then the held messages delivered again, and a late duplicate firing.
    expect(await drainHeldQueue()).toBeGreaterThan(0);
    await start.handler(event);

    const counts = await receivedBy(people.map((person) => person.email as string));
    expect(counts.size).toBe(120);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    await eventually(async () =>
      expect((await admin.get(`/campaigns/${campaign.id}/stats`)).body).toMatchObject({
        recipients: 120,
        sent: 120,
      }),
    );
  });

  it('ignores a firing of a schedule that was moved since', async () => {
    const tag = label('moved');
    await contactsTagged(admin, tag, 2);
    const campaign = await campaignFor(admin, tag);
    const first = await admin.post(`/campaigns/${campaign.id}/schedule`, {
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const firstRunId = await scheduledRunId(controlToken, campaign.id);
    const second = await admin.post(`/campaigns/${campaign.id}/schedule`, {
      at: new Date(Date.now() + 7_200_000).toISOString(),
    });
    expect(second.status).toBe(200);
    await start.handler({
      tenantId: world.tenant,
      campaignId: campaign.id,
      runId: firstRunId,
      scheduledAt: first.body.scheduledAt,
    });
    expect(await statusOf(campaign.id)).toBe('scheduled');
    expect((await admin.post(`/campaigns/${campaign.id}/cancel`)).status).toBe(200);
  });
});

describe('pause, resume, cancel', () => {
  /** A campaign started in this process: its messages wait in the held queue. */
  async function startedHeld(tag: string, count: number) {
    const people = await contactsTagged(admin, tag, count);
    const campaign = await campaignFor(admin, tag);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await admin.post(`/campaigns/${campaign.id}/schedule`, { at });
    expect(scheduled.status, scheduled.text).toBe(200);
    await start.handler({
      tenantId: world.tenant,
      campaignId: campaign.id,
      runId: await scheduledRunId(controlToken, campaign.id),
      scheduledAt: at,
    });
    expect(await statusOf(campaign.id)).toBe('sending');
    return { people, campaign };
  }

  it('holds every recipient while paused and sends them all once resumed', { timeout: 180_000 }, async () => {
    const { people, campaign } = await startedHeld(label('pause'), 60);
    const paused = await admin.post(`/campaigns/${campaign.id}/pause`);
    expect(paused.status, paused.text).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await admin.post(`/campaigns/${campaign.id}/pause`)).status).toBe(409);

    await drainHeldQueue(); // delivered while paused: dropped, nothing sent
    const addresses = people.map((person) => person.email as string);
    expect((await receivedBy(addresses)).size).toBe(0);
    expect(
      (await admin.get(`/campaigns/${campaign.id}/recipients?status=pending&limit=200`)).body.items,
    ).toHaveLength(60);

    const resumed = await admin.post(`/campaigns/${campaign.id}/resume`);
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.body.status).toBe('sending');
    await waitForStatus(campaign.id, 'sent');
    const counts = await receivedBy(addresses);
    expect(counts.size).toBe(60);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  it('cancels what was not sent yet and leaves every recipient final', { timeout: 180_000 }, async () => {
    const { people, campaign } = await startedHeld(label('cancel'), 80);
    // One message (50 or 30 recipients) goes out, then the campaign is canceled.
    const { QueryCommand } = await import('@aws-sdk/client-dynamodb');
    const { Items = [] } = await dynamoClient().send(
      new QueryCommand({
        TableName: heldQueue,
        KeyConditionExpression: '#q = :q',
        ExpressionAttributeNames: { '#q': 'queue' },
        ExpressionAttributeValues: { ':q': { S: 'campaignSend' } },
        ConsistentRead: true,
      }),
    );
    const mine = Items.map((item) => localQueue.fromMessageItem(item)).find(
      (message) => JSON.parse(message.body).campaignId === campaign.id,
    );
    expect(mine).toBeDefined();
    await send.handler({
      Records: [{ messageId: mine?.messageId, body: mine?.body }],
    } as unknown as SQSEvent);
    const sentFirst = (JSON.parse(mine?.body ?? '{}').contactIds as string[]).length;

    const canceled = await admin.post(`/campaigns/${campaign.id}/cancel`);
    expect(canceled.status, canceled.text).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect((await admin.post(`/campaigns/${campaign.id}/resume`)).status).toBe(409);
    expect((await admin.post(`/campaigns/${campaign.id}/send`)).status).toBe(409);
    await drainHeldQueue();

    await eventually(
      async () => {
        const stats = (await admin.get(`/campaigns/${campaign.id}/stats`)).body;
        expect(stats).toMatchObject({ recipients: 80, sent: sentFirst, canceled: 80 - sentFirst });
      },
      { timeoutMs: 60_000 },
    );
    const counts = await receivedBy(people.map((person) => person.email as string));
    expect(counts.size).toBe(sentFirst);
    expect((await admin.get(`/campaigns/${campaign.id}/recipients?status=pending`)).body.items).toEqual([]);
    expect(await statusOf(campaign.id)).toBe('canceled');
    // Finished: no longer in the send phase.
    await eventually(async () =>
      expect((await admin.get(`/campaigns/${campaign.id}`)).body.phase).toBeUndefined(),
    );
  });

  it('cancels a scheduled campaign and deletes its schedule', async () => {
    const tag = label('cancel-scheduled');
    await contactsTagged(admin, tag, 1);
    const campaign = await campaignFor(admin, tag);
    await admin.post(`/campaigns/${campaign.id}/schedule`, {
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const canceled = await admin.post(`/campaigns/${campaign.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    const fired = await runDueSchedules(controlToken, new Date(Date.now() + 7_200_000));
    expect(fired.find((firing) => firing.name === `campaign-${campaign.id}`)).toBeUndefined();
  });
});

describe('campaign rules', () => {
  it('validates input and refuses illegal changes', async () => {
    const tag = label('rules');
    const campaign = await campaignFor(admin, tag);
    const bad = await admin.post('/campaigns', { name: '', templateId: 'x', fromEmail: 'nope' });
    expect(bad.status).toBe(400);
    const paths = bad.body.errors.map((error: AnyBody) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'templateId', 'segmentId', 'fromEmail']));
    const missing = await admin.post('/campaigns', {
      name: 'x',
      templateId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      segmentId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      fromEmail: 'a@example.com',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((error: AnyBody) => error.path)).toEqual(['templateId', 'segmentId']);

    const past = await admin.post(`/campaigns/${campaign.id}/schedule`, { at: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect((await admin.post(`/campaigns/${campaign.id}/schedule`, { at: 'tomorrow' })).status).toBe(400);
    for (const action of ['pause', 'resume', 'cancel'])
      expect((await admin.post(`/campaigns/${campaign.id}/${action}`)).status).toBe(409);

    const renamed = await admin.patch(
      `/campaigns/${campaign.id}`,
      { name: 'Renamed' },
      { 'if-match': '"1"' },
    );
    expect(renamed.status, renamed.text).toBe(200);
    expect(
      (await admin.patch(`/campaigns/${campaign.id}`, { name: 'Stale' }, { 'if-match': '"1"' })).status,
    ).toBe(412);
    expect(
      (
        await admin.post(`/campaigns/${campaign.id}/schedule`, {
          at: new Date(Date.now() + 60_000).toISOString(),
        })
      ).status,
    ).toBe(200);
    expect((await admin.delete(`/campaigns/${campaign.id}`)).status).toBe(409);
    expect((await admin.post(`/campaigns/${campaign.id}/cancel`)).status).toBe(200);
    expect((await admin.patch(`/campaigns/${campaign.id}`, { name: 'Late' })).status).toBe(409);
    expect((await admin.delete(`/campaigns/${campaign.id}`)).status).toBe(204);
    expect(
      (await admin.get('/campaigns?status=canceled')).body.items.map((item: AnyBody) => item.id),
    ).not.toContain(campaign.id);
  });
});

describe('who may see and change a campaign', () => {
  it('answers 404 on every route to another tenant, and applies the record rules to reps', async () => {
    const tag = label('iso');
    await contactsTagged(admin, tag, 1);
    const campaign = await campaignFor(admin, tag);
    const id = campaign.id;
    const stranger = world.stranger.client;
    const routes: [string, string, unknown?][] = [
      ['get', `/campaigns/${id}`],
      ['patch', `/campaigns/${id}`, { name: 'x' }],
      ['delete', `/campaigns/${id}`],
      ['post', `/campaigns/${id}/restore`],
      ['post', `/campaigns/${id}/schedule`, { at: new Date(Date.now() + 60_000).toISOString() }],
      ['post', `/campaigns/${id}/send`],
      ['post', `/campaigns/${id}/pause`],
      ['post', `/campaigns/${id}/resume`],
      ['post', `/campaigns/${id}/cancel`],
      ['get', `/campaigns/${id}/stats`],
      ['get', `/campaigns/${id}/recipients`],
    ];
    const call = (client: ApiClient, [method, path, body]: [string, string, unknown?]) =>
      method === 'get'
        ? client.get(path)
        : method === 'delete'
          ? client.delete(path)
          : method === 'patch'
            ? client.patch(path, body)
            : client.post(path, body);
    for (const route of routes) {
      expect((await call(stranger, route)).status, route.join(' ')).toBe(404);
      // The admin's campaign belongs to no team: a rep cannot see it either.
      expect((await call(world.repRed.client, route)).status, route.join(' ')).toBe(404);
    }
    expect((await stranger.get('/campaigns')).body.items).toEqual([]);
    expect(await statusOf(id)).toBe('draft');

    // A rep's own campaign, from their own template and segment.
    const rep = world.repRed.client;
    const repCampaign = await campaignFor(rep, tag);
    expect(repCampaign.ownerId).toBe(world.repRed.id);
    expect((await world.repRed2.client.get(`/campaigns/${repCampaign.id}`)).status).toBe(200);
    expect((await world.repRed2.client.post(`/campaigns/${repCampaign.id}/send`)).status).toBe(403);
    expect((await world.repBlue.client.get(`/campaigns/${repCampaign.id}/stats`)).status).toBe(404);
    expect(
      (await world.managerRed.client.patch(`/campaigns/${repCampaign.id}`, { name: 'Team' })).status,
    ).toBe(200);
    // A rep cannot use a template they cannot read.
    const adminTemplate = campaign.templateId;
    const refused = await rep.post('/campaigns', {
      name: 'x',
      templateId: adminTemplate,
      segmentId: repCampaign.segmentId,
      fromEmail: 'a@example.com',
    });
    expect(refused.status).toBe(400);
    expect((await rep.get('/campaigns')).body.items.map((item: AnyBody) => item.id)).toEqual([
      repCampaign.id,
    ]);
  });
});
