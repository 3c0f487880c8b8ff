import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  type AnyBody,
  type ApiClient,
  api,
  eventually,
  pendingSchedules,
  runDueSchedules,
  tokenFor,
} from '../support/api.ts';
import { backdateDelivery, contactsTagged, heldMessages, useHeldCampaignQueue } from './deliveries.ts';
import { createWorld, type World } from './world.ts';

/**
 * A/B subject tests through the local runtime: the runtime starts the
 * campaign and sends the test group; opens and clicks come from the tracking
 * links in the local inbox; the winner schedule is fired with the local
 * scheduler's clock moved past the test window. Duplicate firings and a
 * crash between deciding and releasing run the target in this process,
 * with a queue table of its own whose messages this process sends.
 */
let world: World;
let admin: ApiClient;
let controlToken: string;
let start: typeof import('#functions/schedule/campaignStart');
let sender: typeof import('#shared/mail/campaign-send');
let heldQueue: string;
const anonymous = api(undefined);

beforeAll(async () => {
  world = await createWorld();
  admin = world.admin.client;
  controlToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
  heldQueue = await useHeldCampaignQueue('ab');
  start = await import('#functions/schedule/campaignStart');
  sender = await import('#shared/mail/campaign-send');
});

let sequence = 0;
const label = (name: string) => `${name}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

interface SesEmail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string };
}

async function sesEmails(): Promise<SesEmail[]> {
  const response = await fetch(new URL('/store', inject('sesEndpoint')));
  return ((await response.json()) as { emails: SesEmail[] }).emails;
}

async function inboxOf(addresses: readonly string[]): Promise<Map<string, SesEmail[]>> {
  const wanted = new Set(addresses);
  const inbox = new Map<string, SesEmail[]>();
  for (const email of await sesEmails())
    for (const to of email.destination.to)
      if (wanted.has(to)) inbox.set(to, [...(inbox.get(to) ?? []), email]);
  return inbox;
}

const variants = [{ subject: 'A for {{contact.firstName}}' }, { subject: 'B for {{contact.firstName}}' }];

async function abCampaign(tag: string, test: Record<string, unknown>): Promise<AnyBody> {
  const template = await admin.post('/templates', {
    name: label('tpl'),
    subject: 'Plain {{contact.firstName}}',
    html: '<p>Hi {{contact.firstName}}</p><a href="https://example.com/offer">Offer</a>',
  });
  expect(template.status, template.text).toBe(201);
  const segment = await admin.post('/segments', {
    name: label('seg'),
    filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
  });
  expect(segment.status, segment.text).toBe(201);
  const campaign = await admin.post('/campaigns', {
    name: label('ab'),
    templateId: template.body.id,
    segmentId: segment.body.id,
    fromEmail: 'news@example.com',
    ...test,
  });
  expect(campaign.status, campaign.text).toBe(201);
  return campaign.body;
}

interface Recipient {
  contactId: string;
  email: string;
  status: string;
  variant?: number;
}

const recipientsOf = async (id: string): Promise<Recipient[]> =>
  (await admin.get(`/campaigns/${id}/recipients?limit=200`)).body.items;
const statsOf = async (id: string) => (await admin.get(`/campaigns/${id}/stats`)).body;
const campaignOf = async (id: string) => (await admin.get(`/campaigns/${id}`)).body;

/** Sends the campaign through the runtime and waits until its test group is sent; the frozen list. */
async function sendTestGroup(id: string, size: number) {
  expect((await admin.post(`/campaigns/${id}/send`)).status).toBe(200);
  const recipients = await eventually(
    async () => {
      // The list is complete (and its test group chosen) once the campaign is queued.
      expect((await campaignOf(id)).phase ?? 'done').not.toBe('freezing');
      const list = await recipientsOf(id);
      expect(list).toHaveLength(size);
      expect(
        list.filter((recipient) => recipient.status === 'pending' || recipient.status === 'sending'),
      ).toEqual([]);
      return list;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  const test = recipients.filter((recipient) => recipient.status === 'sent');
  const rest = recipients.filter((recipient) => recipient.status === 'held');
  expect(test.length + rest.length).toBe(size);
  return { test, rest };
}

/** Waits until the test group's counters (from the stream) have every test recipient sent and delivered. */
async function testCounted(id: string, size: number) {
  await eventually(
    async () => {
      const stats = await statsOf(id);
      const sum = (name: string) =>
        stats.variants.reduce((total: number, variant: AnyBody) => total + variant[name], 0);
      // Delivered too: the local SES reports every delivery, and a decision without them is the default.
      expect([sum('sent'), sum('delivered')]).toEqual([size, size]);
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

/** The pending winner schedule of a campaign (the runtime's start wrote it). */
async function winnerSchedule(id: string) {
  const schedule = (await pendingSchedules(controlToken)).find(
    (pending) => pending.name === `campaign-${id}-w`,
  );
  expect(schedule, `campaign-${id}-w`).toBeDefined();
  return schedule as NonNullable<typeof schedule>;
}

describe('an A/B subject test', () => {
  it('sends the test group its variants, the rest the winner by clicks; a duplicate firing sends nothing', {
    timeout: 300_000,
  }, async () => {
    const tag = label('ab');
    const addresses = await contactsTagged(admin, tag, 50);
    const campaign = await abCampaign(tag, {
      variants,
      testPercent: 40,
      winnerBy: 'clicks',
      decideAfterHours: 2,
    });
    expect(campaign).toMatchObject({ variants, testPercent: 40, winnerBy: 'clicks', decideAfterHours: 2 });
    const id = campaign.id as string;
    const { test, rest } = await sendTestGroup(id, 50);
    // Exactly 40 % of 50, split evenly.
    expect([test.length, rest.length]).toEqual([20, 30]);
    const byVariant = [0, 1].map((variant) => test.filter((recipient) => recipient.variant === variant));
    expect(byVariant.map((group) => group.length)).toEqual([10, 10]);
    expect(rest.every((recipient) => recipient.variant === undefined)).toBe(true);
    expect((await campaignOf(id)).status).toBe('sending');

    // Phase 1: only the test group got mail, each with its variant's subject.
    const inbox = await inboxOf(addresses);
    expect(inbox.size).toBe(test.length);
    for (const recipient of test) {
      const mail = inbox.get(recipient.email) ?? [];
      expect(mail).toHaveLength(1);
      expect(mail[0]?.subject).toMatch(recipient.variant === 0 ? /^A for P\d+$/ : /^B for P\d+$/);
    }
    const winnerRunId = (await winnerSchedule(id)).payload.runId as string;

    // Two people of variant B click, after the message arrived (earlier fetches count as a gateway's):
    // once SES's delivery is counted, their delivery is moved back past the machine-open window.
    await eventually(
      async () => {
        const stats = await statsOf(id);
        expect(stats.variants.map((variant: AnyBody) => variant.delivered)).toEqual(
          byVariant.map((group) => group.length),
        );
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    for (const clicker of byVariant[1]?.slice(0, 2) ?? []) {
      await backdateDelivery(world.tenant, id, clicker.contactId);
      const html = inbox.get(clicker.email)?.[0]?.body.html ?? '';
      const link = new URL(/href="([^"]+\/t\/c\/[^"]+)"/.exec(html)?.[1] ?? '').pathname;
      expect((await anonymous.get(link)).status).toBe(302);
    }
    const clickers = Math.min(2, byVariant[1]?.length ?? 0);
    await eventually(
      async () => {
        const stats = await statsOf(id);
        expect(stats.variants[1]).toMatchObject({
          index: 1,
          subject: variants[1]?.subject,
          recipients: byVariant[1]?.length,
          sent: byVariant[1]?.length,
          clicks: clickers,
          humanOpens: clickers,
        });
        expect(stats.variants[1].clickRate).toBeCloseTo(clickers / (byVariant[1]?.length ?? 1), 4);
        expect(stats.variants[0]).toMatchObject({ clicks: 0, clickRate: 0, sent: byVariant[0]?.length });
        expect(stats.winner).toBeUndefined();
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );

    // Nothing is decided before the window ends.
    expect(
      await runDueSchedules(controlToken, new Date(Date.now() + 3_600_000), { name: `campaign-${id}-w` }),
    ).toEqual([]);
    const fired = await runDueSchedules(controlToken, new Date(Date.now() + 2 * 3_600_000 + 60_000), {
      name: `campaign-${id}-w`,
    });
    expect(fired.map((firing) => firing.outcome)).toEqual(['fired']);
    await eventually(async () => expect((await campaignOf(id)).status).toBe('sent'), {
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    const after = await inboxOf(addresses);
    expect(after.size).toBe(50);
    expect([...after.values()].filter((mail) => mail.length !== 1)).toEqual([]);
    for (const recipient of rest) expect(after.get(recipient.email)?.[0]?.subject).toMatch(/^B for P\d+$/);
    const list = await recipientsOf(id);
    expect(list.filter((recipient) => recipient.status !== 'sent')).toEqual([]);
    expect(
      new Set(rest.map((recipient) => list.find((r) => r.contactId === recipient.contactId)?.variant)),
    ).toEqual(new Set([1]));
    await eventually(async () => {
      const stats = await statsOf(id);
      expect(stats).toMatchObject({ recipients: 50, sent: 50 });
      expect(stats.winner).toMatchObject({ index: 1, by: 'clicks' });
      // The test's figures stay as decided on; the rest is reported apart.
      expect(stats.variants.map((variant: AnyBody) => variant.recipients)).toEqual([10, 10]);
      expect(stats.variants[1]).toMatchObject({ sent: 10, clicks: clickers });
      expect(stats.rest).toMatchObject({ recipients: 30, sent: 30, delivered: 30, clicks: 0 });
    });

    // A duplicate firing (and its queue messages) sends nothing more and keeps the decision.
    const decidedAt = (await statsOf(id)).winner.decidedAt;
    await start.handler({
      tenantId: world.tenant,
      campaignId: id,
      runId: winnerRunId,
      step: 'decide',
      scheduledAt: new Date().toISOString(),
    });
    for (const message of await heldMessages(heldQueue, id)) await sender.processCampaignMessage(message);
    expect([...(await inboxOf(addresses)).values()].filter((mail) => mail.length !== 1)).toEqual([]);
    expect((await statsOf(id)).winner.decidedAt).toBe(decidedAt);
    expect(
      await runDueSchedules(controlToken, new Date(Date.now() + 3 * 3_600_000), { name: `campaign-${id}-w` }),
    ).toEqual([]);
  });

  it('a crash right after deciding is finished by the retry: the rest is claimed from held, no second email', {
    timeout: 240_000,
  }, async () => {
    const tag = label('ab-crash');
    const addresses = await contactsTagged(admin, tag, 30);
    const campaign = await abCampaign(tag, { variants, testPercent: 50, decideAfterHours: 1 });
    expect(campaign.winnerBy).toBe('humanOpens');
    const id = campaign.id as string;
    const { test, rest } = await sendTestGroup(id, 30);
    expect([test.length, rest.length]).toEqual([15, 15]);
    await testCounted(id, test.length);
    const schedule = await winnerSchedule(id);
    const event = {
      tenantId: world.tenant,
      campaignId: id,
      runId: schedule.payload.runId as string,
      step: 'decide',
      scheduledAt: schedule.at,
    };

    // The process dies right after the winner is written: every later request fails.
    const { dynamo } = await import('#shared/store/client');
    const real = dynamo.send.bind(dynamo) as (command: unknown) => Promise<unknown>;
    let dead = false;
    const crash = vi.spyOn(dynamo, 'send').mockImplementation((async (command: unknown) => {
      if (dead) throw new Error('the process is gone');
      const output = await real(command);
      if (
        command instanceof UpdateCommand &&
        Object.values(command.input.ExpressionAttributeNames ?? {}).includes('winner')
      )
        dead = true;
      return output;
    }) as never);
    try {
      await expect(start.handler(event)).rejects.toThrow(/gone/);
    } finally {
      crash.mockRestore();
    }
    expect(dead).toBe(true);
    const decided = await statsOf(id);
    // No opens or clicks: a tie, which goes to the first variant.
    expect(decided.winner).toMatchObject({ index: 0, by: 'humanOpens' });
    expect((await recipientsOf(id)).filter((recipient) => recipient.status === 'held')).toHaveLength(
      rest.length,
    );
    expect((await inboxOf(addresses)).size).toBe(test.length);

    // The retry queues the rest as they are (held); this process sends them, each once.
    await start.handler(event);
    const queued = (await heldMessages(heldQueue, id)).flatMap((message) => message.contactIds);
    expect(new Set(queued)).toEqual(new Set(rest.map((recipient) => recipient.contactId)));
    for (const message of await heldMessages(heldQueue, id)) await sender.processCampaignMessage(message);
    await start.handler(event);
    for (const message of await heldMessages(heldQueue, id)) await sender.processCampaignMessage(message);
    const inbox = await inboxOf(addresses);
    expect(inbox.size).toBe(30);
    expect([...inbox.values()].filter((mail) => mail.length !== 1)).toEqual([]);
    for (const recipient of rest) expect(inbox.get(recipient.email)?.[0]?.subject).toMatch(/^A for P\d+$/);
    await eventually(async () => expect((await campaignOf(id)).status).toBe('sent'), { timeoutMs: 60_000 });
    expect((await statsOf(id)).winner.decidedAt).toBe(decided.winner.decidedAt);

    // The runtime's own late firing of the schedule changes nothing either.
    const fired = await runDueSchedules(controlToken, new Date(Date.now() + 2 * 3_600_000), {
      name: `campaign-${id}-w`,
    });
    expect(fired.map((firing) => firing.outcome)).toEqual(['fired']);
    expect([...(await inboxOf(addresses)).values()].filter((mail) => mail.length !== 1)).toEqual([]);
  });

  it('canceled during the test window: the rest end canceled, the campaign settles, nobody else is mailed', {
    timeout: 240_000,
  }, async () => {
    const tag = label('ab-cancel');
    const addresses = await contactsTagged(admin, tag, 20);
    const campaign = await abCampaign(tag, { variants, testPercent: 50, decideAfterHours: 1 });
    const id = campaign.id as string;
    const { test, rest } = await sendTestGroup(id, 20);
    const runId = (await winnerSchedule(id)).payload.runId as string;
    expect((await admin.post(`/campaigns/${id}/cancel`)).status).toBe(200);
    await eventually(
      async () => {
        expect(await statsOf(id)).toMatchObject({ recipients: 20, sent: test.length, canceled: rest.length });
        expect((await campaignOf(id)).phase).toBeUndefined();
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect((await campaignOf(id)).status).toBe('canceled');
    expect((await recipientsOf(id)).filter((recipient) => recipient.status === 'held')).toEqual([]);
    // The decision schedule went with the cancel, and a late firing decides nothing.
    expect((await pendingSchedules(controlToken)).map((pending) => pending.name)).not.toContain(
      `campaign-${id}-w`,
    );
    expect(
      await runDueSchedules(controlToken, new Date(Date.now() + 2 * 3_600_000), { name: `campaign-${id}-w` }),
    ).toEqual([]);
    await start.handler({
      tenantId: world.tenant,
      campaignId: id,
      runId,
      step: 'decide',
      scheduledAt: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    });
    expect((await statsOf(id)).winner).toBeUndefined();
    expect((await pendingSchedules(controlToken)).map((pending) => pending.name)).not.toContain(
      `campaign-${id}-w`,
    );
    expect((await inboxOf(addresses)).size).toBe(test.length);
  });

  it('paused when the window ends: the winner is decided, the rest is sent on resume', {
    timeout: 240_000,
  }, async () => {
    const tag = label('ab-pause');
    const addresses = await contactsTagged(admin, tag, 20);
    const campaign = await abCampaign(tag, { variants, testPercent: 50, decideAfterHours: 1 });
    const id = campaign.id as string;
    const { test, rest } = await sendTestGroup(id, 20);
    expect(rest.length).toBe(10);
    await testCounted(id, test.length);
    expect((await admin.post(`/campaigns/${id}/pause`)).status).toBe(200);
    const fired = await runDueSchedules(controlToken, new Date(Date.now() + 2 * 3_600_000), {
      name: `campaign-${id}-w`,
    });
    expect(fired.map((firing) => firing.outcome)).toEqual(['fired']);
    expect((await statsOf(id)).winner).toMatchObject({ index: 0 });
    expect((await recipientsOf(id)).filter((recipient) => recipient.status === 'held')).toHaveLength(
      rest.length,
    );
    expect((await inboxOf(addresses)).size).toBe(test.length);

    expect((await admin.post(`/campaigns/${id}/resume`)).status).toBe(200);
    await eventually(async () => expect((await campaignOf(id)).status).toBe('sent'), {
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    const inbox = await inboxOf(addresses);
    expect(inbox.size).toBe(20);
    expect([...inbox.values()].filter((mail) => mail.length !== 1)).toEqual([]);
    for (const recipient of rest) expect(inbox.get(recipient.email)?.[0]?.subject).toMatch(/^A for P\d+$/);
  });

  it('fired before the test group is sent (paused): nothing is decided, the decision is re-armed; decided once the test settles', {
    timeout: 240_000,
  }, async () => {
    const tag = label('ab-early');
    const addresses = await contactsTagged(admin, tag, 12);
    const campaign = await abCampaign(tag, { variants, testPercent: 50, decideAfterHours: 1 });
    const id = campaign.id as string;
    // Scheduled an hour ahead; this process runs the start, so the list waits on this process's queue.
    const at = new Date(Date.now() + 3_600_000);
    const scheduled = await admin.post(`/campaigns/${id}/schedule`, { at: at.toISOString() });
    expect(scheduled.status, scheduled.text).toBe(200);
    const runId = (await pendingSchedules(controlToken)).find((pending) => pending.name === `campaign-${id}`)
      ?.payload.runId as string;
    await start.handler({ tenantId: world.tenant, campaignId: id, runId, scheduledAt: at.toISOString() });
    const frozen = await recipientsOf(id);
    expect(frozen.filter((recipient) => recipient.status === 'pending')).toHaveLength(6);
    expect(frozen.filter((recipient) => recipient.status === 'held')).toHaveLength(6);
    expect((await admin.post(`/campaigns/${id}/pause`)).status).toBe(200);

    // The window's end comes while paused with nothing sent: no winner, the decision looks again later.
    const decide = {
      tenantId: world.tenant,
      campaignId: id,
      runId,
      step: 'decide',
      scheduledAt: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    };
    await start.handler(decide);
    expect((await statsOf(id)).winner).toBeUndefined();
    // Under a name of its own: the firing schedule is deleted by EventBridge once it completes.
    const rearmed = (await pendingSchedules(controlToken)).find((pending) =>
      pending.name.startsWith(`campaign-${id}-w-`),
    );
    expect(rearmed, 'the re-armed decision').toBeDefined();
    expect(Date.parse(rearmed?.at ?? '')).toBeGreaterThan(Date.now() + 10 * 60_000);
    expect((await inboxOf(addresses)).size).toBe(0);

    // Resumed: the test group is sent (by this process), then the decision goes through.
    expect((await admin.post(`/campaigns/${id}/resume`)).status).toBe(200);
    for (const message of await heldMessages(heldQueue, id)) await sender.processCampaignMessage(message);
    expect((await inboxOf(addresses)).size).toBe(6);
    await testCounted(id, 6);
    await start.handler(decide);
    expect((await statsOf(id)).winner).toMatchObject({ index: 0, by: 'humanOpens' });
    for (const message of await heldMessages(heldQueue, id)) await sender.processCampaignMessage(message);
    const inbox = await inboxOf(addresses);
    expect(inbox.size).toBe(12);
    expect([...inbox.values()].filter((mail) => mail.length !== 1)).toEqual([]);
    await eventually(async () => {
      const stats = await statsOf(id);
      expect(stats.rest).toMatchObject({ recipients: 6, sent: 6 });
      expect(stats.variants.map((variant: AnyBody) => variant.sent)).toEqual([3, 3]);
    });
  });

  it('testPercent 100: everyone is tested, the campaign is sent, the winner still decided', {
    timeout: 180_000,
  }, async () => {
    const tag = label('ab-all');
    await contactsTagged(admin, tag, 8);
    const campaign = await abCampaign(tag, {
      variants: [...variants, { subject: 'C' }],
      testPercent: 100,
      decideAfterHours: 1,
    });
    const id = campaign.id as string;
    const { test, rest } = await sendTestGroup(id, 8);
    expect([test.length, rest.length]).toEqual([8, 0]);
    await eventually(async () => expect((await campaignOf(id)).status).toBe('sent'), { timeoutMs: 60_000 });
    // The decision compares delivered mail: it waits for the deliveries to be counted, as an hour's window would.
    await testCounted(id, test.length);
    await runDueSchedules(controlToken, new Date(Date.now() + 2 * 3_600_000), { name: `campaign-${id}-w` });
    await eventually(async () => {
      const stats = await statsOf(id);
      expect(stats.variants).toHaveLength(3);
      expect(stats.winner).toMatchObject({ by: 'humanOpens' });
    });
    await eventually(async () => {
      const report = await admin.get('/reports/campaigns');
      expect(report.status, report.text).toBe(200);
      const row = report.body.items.find((item: AnyBody) => item.campaignId === id);
      expect(row?.winner).toEqual((await statsOf(id)).winner);
    });
  });
});

describe('A/B fields', () => {
  it('answer 400 when incomplete, out of range or not compiling; patch while draft', async () => {
    const tag = label('ab-400');
    const base = await abCampaign(tag, {});
    expect(base.variants).toBeUndefined();
    const create = (fields: Record<string, unknown>) =>
      admin.post('/campaigns', {
        name: label('bad'),
        templateId: base.templateId,
        segmentId: base.segmentId,
        fromEmail: 'news@example.com',
        ...fields,
      });
    const ok = { variants, testPercent: 20, decideAfterHours: 4 };
    const bad: Record<string, unknown>[] = [
      { ...ok, variants: [{ subject: 'one' }] },
      { ...ok, variants: Array.from({ length: 5 }, (_, index) => ({ subject: `S${index}` })) },
      { ...ok, variants: [{ subject: 'Hi {{contact.firstName' }, { subject: 'B' }] },
      { ...ok, variants: [{ subject: '{{unknown}}' }, { subject: 'B' }] },
      { ...ok, variants: [{ subject: '' }, { subject: 'B' }] },
      { variants, decideAfterHours: 4 },
      { variants, testPercent: 20 },
      { ...ok, testPercent: 0 },
      { ...ok, testPercent: 101 },
      { ...ok, testPercent: 12.5 },
      { ...ok, decideAfterHours: 169 },
      { ...ok, decideAfterHours: 0 },
      { ...ok, winnerBy: 'replies' },
      { testPercent: 20 },
      { ...ok, variants: [{ subject: 'A\r\nBcc: all@example.com' }, { subject: 'B' }] },
      { ...ok, variants: [{ subject: 'A\u0000' }, { subject: 'B' }] },
      { ...ok, variants: [{ subject: 'Same' }, { subject: 'Same' }] },
      { ...ok, variants: 'A' },
    ];
    for (const fields of bad) {
      const response = await create(fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    }
    const compiled = await create({
      ...ok,
      variants: [{ subject: 'Hi {{contact.firstName' }, { subject: 'B' }],
    });
    expect(JSON.stringify(compiled.body)).toContain('variants.0.subject');
    const control = await create({
      ...ok,
      variants: [{ subject: 'B' }, { subject: 'A\nBcc: x@example.com' }],
    });
    expect(control.body.errors).toEqual([
      { path: 'variants.1.subject', message: expect.stringMatching(/control characters/) },
    ]);
    const repeated = await create({ ...ok, variants: [{ subject: 'Same' }, { subject: 'Same' }] });
    expect(repeated.body.errors).toEqual([
      { path: 'variants.1.subject', message: expect.stringMatching(/same as variants\.0\.subject/) },
    ]);
    const notAList = await create({ ...ok, variants: 'A' });
    expect(notAList.body.errors).toEqual([{ path: 'variants', message: 'must be an array' }]);
    // The template's own subject follows the same rule.
    const template = await admin.post('/templates', {
      name: label('tpl'),
      subject: 'Hi\r\nBcc: x',
      html: '<p>x</p>',
    });
    expect(template.status).toBe(400);
    expect(template.body.errors).toEqual([
      { path: 'subject', message: expect.stringMatching(/control characters/) },
    ]);

    const patchOf = (body: Record<string, unknown>) =>
      admin.patch(`/campaigns/${base.id}`, body, { 'if-match': `"${base.version}"` });
    expect((await patchOf({ variants })).status).toBe(400);
    const patched = await patchOf(ok);
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ ...ok, winnerBy: 'humanOpens' });
    expect(
      (
        await admin.patch(
          `/campaigns/${base.id}`,
          { variants: 'A' },
          { 'if-match': `"${patched.body.version}"` },
        )
      ).body.errors,
    ).toEqual([{ path: 'variants', message: 'must be an array' }]);
    // `variants: null` alone removes the whole test; setting another A/B field with it is refused.
    const both = await admin.patch(
      `/campaigns/${base.id}`,
      { variants: null, testPercent: 30 },
      { 'if-match': `"${patched.body.version}"` },
    );
    expect(both.status).toBe(400);
    expect(both.body.errors).toEqual([{ path: 'testPercent', message: 'is only allowed with variants' }]);
    const removed = await admin.patch(
      `/campaigns/${base.id}`,
      { variants: null },
      { 'if-match': `"${patched.body.version}"` },
    );
    expect(removed.status, removed.text).toBe(200);
    for (const name of ['variants', 'testPercent', 'winnerBy', 'decideAfterHours'])
      expect(removed.body[name], name).toBeUndefined();
  });

  it('another tenant cannot read an A/B campaign or its stats', async () => {
    const campaign = await abCampaign(label('ab-tenant'), { variants, testPercent: 30, decideAfterHours: 1 });
    const stats = await admin.get(`/campaigns/${campaign.id}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.body.variants).toEqual([
      expect.objectContaining({ index: 0, subject: variants[0]?.subject, recipients: 0, openRate: 0 }),
      expect.objectContaining({ index: 1, subject: variants[1]?.subject, recipients: 0, clickRate: 0 }),
    ]);
    for (const path of [`/campaigns/${campaign.id}/stats`, `/campaigns/${campaign.id}`])
      expect((await world.stranger.client.get(path)).status).toBe(404);
  });
});
