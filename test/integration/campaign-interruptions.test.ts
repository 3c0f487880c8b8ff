import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { SendBudget } from '../../shared/mail/send-budget.ts';
import type { BulkMailer } from '../../shared/mail/ses-mailer.ts';
import { type ApiClient, eventually, scheduledRunId, tokenFor } from '../support/api.ts';
import { contactsTagged, heldMessages, useHeldCampaignQueue } from './deliveries.ts';
import { createWorld, type World } from './world.ts';

/**
 * A campaign interrupted on its way: a start that dies halfway through the
 * recipient freeze, and a pause or a cancel issued while a batch is being
 * sent. The start and the sender run in this process against the runtime's
 * table, SES and scheduler, with a queue table nobody else consumes.
 */
let world: World;
let admin: ApiClient;
let start: typeof import('#functions/schedule/campaignStart');
let run: typeof import('#shared/store/campaign-run');
let sender: typeof import('#shared/mail/campaign-send');
let heldQueue: string;

beforeAll(async () => {
  world = await createWorld();
  admin = world.admin.client;
  heldQueue = await useHeldCampaignQueue('interrupted');
  start = await import('#functions/schedule/campaignStart');
  run = await import('#shared/store/campaign-run');
  sender = await import('#shared/mail/campaign-send');
});

let sequence = 0;
const label = (name: string) => `${name}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

/** A campaign to the tagged contacts, scheduled an hour ahead; the firing's event. */
async function scheduledCampaign(tag: string) {
  const template = await admin.post('/templates', {
    name: label('tpl'),
    subject: 'Hi {{contact.firstName}}',
    html: '<p>Hi</p>',
  });
  const segment = await admin.post('/segments', {
    name: label('seg'),
    filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
  });
  const campaign = await admin.post('/campaigns', {
    name: label('campaign'),
    templateId: template.body.id,
    segmentId: segment.body.id,
    fromEmail: 'news@example.com',
  });
  expect(campaign.status, campaign.text).toBe(201);
  const at = new Date(Date.now() + 3_600_000).toISOString();
  const scheduled = await admin.post(`/campaigns/${campaign.body.id}/schedule`, { at });
  expect(scheduled.status, scheduled.text).toBe(200);
  const id = campaign.body.id as string;
  const token = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
  const runId = await scheduledRunId(token, id);
  return {
    id,
    event: { tenantId: world.tenant, campaignId: id, runId, scheduledAt: at },
  };
}

/** How many emails each address received at the local SES. */
async function receivedBy(addresses: readonly string[]): Promise<Map<string, number>> {
  const wanted = new Set(addresses);
  const { emails } = (await (await fetch(new URL('/store', inject('sesEndpoint')))).json()) as {
    emails: { destination: { to: string[] } }[];
  };
  const counts = new Map<string, number>();
  for (const email of emails)
    for (const to of email.destination.to) if (wanted.has(to)) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

const statsOf = async (id: string) => (await admin.get(`/campaigns/${id}/stats`)).body;
const statusOf = async (id: string) => (await admin.get(`/campaigns/${id}`)).body.status as string;

describe('a campaign start that dies mid-freeze', () => {
  it('fires again: every contact once on the list and once in the queue, nobody lost, nobody mailed twice', {
    timeout: 180_000,
  }, async () => {
    const tag = label('freeze');
    const addresses = await contactsTagged(admin, tag, 120);
    const { id, event } = await scheduledCampaign(tag);

    // The run dies after writing two batches of recipients: every later request fails, even the lease release.
    const { dynamo } = await import('#shared/store/client');
    const real = dynamo.send.bind(dynamo) as (command: unknown) => Promise<unknown>;
    let batches = 0;
    let dead = false;
    const crash = vi.spyOn(dynamo, 'send').mockImplementation(((command: unknown) => {
      if (!dead && command instanceof BatchWriteCommand && ++batches > 2) dead = true;
      return dead ? Promise.reject(new Error('the process is gone')) : real(command);
    }) as never);
    try {
      await expect(start.handler(event)).rejects.toThrow();
    } finally {
      crash.mockRestore();
    }
    const half = (await admin.get(`/campaigns/${id}/recipients?limit=200`)).body.items as unknown[];
    expect(half.length).toBeGreaterThan(0);
    expect(half.length).toBeLessThan(120);
    expect(await statusOf(id)).toBe('sending');
    expect(await heldMessages(heldQueue, id)).toEqual([]);

    // A firing while the dead run's lease holds is retried later; once it has expired, the freeze resumes.
    await expect(start.handler(event)).rejects.toThrow(/being frozen/);
    const later = () => new Date(Date.now() + run.FREEZE_LEASE_MS + 1000);
    await run.runCampaignStart(event, later);

    const recipients = (await admin.get(`/campaigns/${id}/recipients?limit=200`)).body.items as {
      contactId: string;
    }[];
    expect(recipients).toHaveLength(120);
    const queued = (await heldMessages(heldQueue, id)).flatMap((message) => message.contactIds);
    expect(queued).toHaveLength(120);
    expect(new Set(queued)).toEqual(new Set(recipients.map((recipient) => recipient.contactId)));

    for (const message of await heldMessages(heldQueue, id)) await sender.processCampaignMessage(message);
    // A late duplicate firing and the messages delivered again change nothing.
    await start.handler(event);
    for (const message of await heldMessages(heldQueue, id)) await sender.processCampaignMessage(message);
    const counts = await receivedBy(addresses);
    expect(counts.size).toBe(120);
    expect([...counts.values()].filter((count) => count !== 1)).toEqual([]);
    await eventually(async () => expect(await statsOf(id)).toMatchObject({ recipients: 120, sent: 120 }), {
      timeoutMs: 60_000,
    });
    await eventually(async () => expect(await statusOf(id)).toBe('sent'), { timeoutMs: 60_000 });
  });
});

describe('pause and cancel while a batch is being sent', () => {
  /**
   * Sends the first queued message of a started campaign in bulk calls of 10
   * through a mailer that issues `action` while the first call goes out;
   * returns the emails that SES accepted after the action was answered.
   */
  async function actMidBatch(tag: string, action: 'pause' | 'cancel') {
    const addresses = await contactsTagged(admin, tag, 60);
    const { id, event } = await scheduledCampaign(tag);
    await start.handler(event);
    expect(await statusOf(id)).toBe('sending');
    // 60 recipients: one message of 50 and one of 10; the batch in question is in the first.
    const message = (await heldMessages(heldQueue, id)).find((held) => held.contactIds.length === 50);
    expect(message).toBeDefined();

    const { sesBulkMailer } = await import('#shared/mail/ses-mailer');
    const { UNLIMITED_GRANT } = await import('#shared/mail/send-budget');
    const ses = sesBulkMailer();
    let sends = 0;
    let acted = false;
    let afterAction = 0;
    // Bulk calls of 10 (a rate of 10/s): the action is issued while the first one goes out.
    const budget: SendBudget = { rate: async () => 10, take: async () => UNLIMITED_GRANT };
    const bulkMailer: BulkMailer = {
      sendBulk: async (email) => {
        sends += email.entries.length;
        if (!acted) {
          const answered = await admin.post(`/campaigns/${id}/${action}`);
          expect(answered.status, answered.text).toBe(200);
          acted = true;
        }
        const results = await ses.sendBulk(email);
        afterAction += results.filter((result) => result.status === 'sent').length;
        return results;
      },
    };
    await sender.processCampaignMessage(message as NonNullable<typeof message>, {
      delivery: { bulkMailer, budget },
    });
    return { id, addresses, sends, afterAction };
  }

  it('a pause takes effect within the batch (at most 10 more emails); resume sends the rest once', {
    timeout: 180_000,
  }, async () => {
    const { id, addresses, sends, afterAction } = await actMidBatch(label('pause-mid'), 'pause');
    expect(afterAction).toBeLessThanOrEqual(10);
    expect(sends).toBeLessThanOrEqual(10);
    expect((await receivedBy(addresses)).size).toBe(sends);
    expect(await statusOf(id)).toBe('paused');
    const pending = (await admin.get(`/campaigns/${id}/recipients?status=pending&limit=200`)).body.items;
    expect(pending).toHaveLength(60 - sends);

    // Resumed: the runtime's own start and sender send the rest, each once.
    expect((await admin.post(`/campaigns/${id}/resume`)).status).toBe(200);
    await eventually(async () => expect(await statusOf(id)).toBe('sent'), {
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    const counts = await receivedBy(addresses);
    expect(counts.size).toBe(60);
    expect([...counts.values()].filter((count) => count !== 1)).toEqual([]);
  });

  it('a cancel takes effect within the batch (at most 10 more emails); the rest end canceled', {
    timeout: 180_000,
  }, async () => {
    const { id, addresses, sends, afterAction } = await actMidBatch(label('cancel-mid'), 'cancel');
    expect(afterAction).toBeLessThanOrEqual(10);
    expect(sends).toBeLessThanOrEqual(10);
    // The second queued message, delivered after the cancel, sends nothing.
    for (const message of await heldMessages(heldQueue, id)) await sender.processCampaignMessage(message);
    expect((await receivedBy(addresses)).size).toBe(sends);
    await eventually(
      async () =>
        expect(await statsOf(id)).toMatchObject({ recipients: 60, sent: sends, canceled: 60 - sends }),
      { timeoutMs: 60_000 },
    );
    expect((await admin.get(`/campaigns/${id}/recipients?status=pending`)).body.items).toEqual([]);
    expect(await statusOf(id)).toBe('canceled');
  });
});
