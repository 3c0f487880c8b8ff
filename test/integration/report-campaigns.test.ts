import { ulid } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeRecords } from '#functions/stream/pipeline/decode';
import { type AnyBody, type ApiClient, eventually, uniqueTenant } from '../support/api.ts';
import { streamRecord } from '../support/stream-records.ts';
import { backdateDelivery, useRuntimeStore } from './deliveries.ts';
import { listAll } from './report-replay.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * The campaign reports against a campaign really sent through the local
 * runtime: opens and clicks through the real tracking routes with the user
 * agents mail clients, proxies and scanners send; deals attributed to it
 * through the API (named, by conversion, by the contact's last click). Every
 * figure is recomputed from GET /campaigns/{id}/recipients and GET /deals.
 */
let world: World;
let admin: ApiClient;

beforeAll(async () => {
  world = await createWorld();
  admin = world.admin.client;
  await useRuntimeStore();
});

/** As they send them: a desktop mail client, Gmail's image proxy, a security gateway following links. */
const agents = {
  mailClient:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  browser:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  gmailProxy: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  scanner: 'Barracuda Sentinel (EE)',
};

interface SesEmail {
  destination: { to: string[] };
  body: { html?: string };
}

async function emailTo(address: string): Promise<SesEmail> {
  const response = await fetch(new URL('/store', inject('sesEndpoint')));
  const { emails } = (await response.json()) as { emails: SesEmail[] };
  const found = emails.find((email) => email.destination.to[0] === address);
  expect(found, address).toBeDefined();
  return found as SesEmail;
}

const linkIn = async (address: string, pattern: RegExp) =>
  new URL(pattern.exec((await emailTo(address)).body.html ?? '')?.[1] ?? '').pathname;
const pixelOf = (address: string) => linkIn(address, /<img src="([^"]+\/t\/o\/[^"]+)"/);
const clickOf = (address: string) => linkIn(address, /href="([^"]+\/t\/c\/[^"]+)"/);

async function fetchAs(path: string, userAgent: string): Promise<number> {
  const response = await fetch(new URL(path, inject('apiUrl')), {
    redirect: 'manual',
    headers: { 'user-agent': userAgent },
  });
  await response.arrayBuffer();
  return response.status;
}

/** A campaign to `count` new contacts tagged for it, sent now and waited for until `sent`. */
async function sentCampaign(count: number, fields: Record<string, unknown> = {}) {
  const tag = unique('roi').toLowerCase();
  const people: { id: string; email: string }[] = [];
  for (let index = 0; index < count; index++) {
    const response = await admin.post('/contacts', {
      firstName: `R${index}`,
      email: `${tag}-${index}@example.com`,
      tags: [tag],
    });
    expect(response.status, response.text).toBe(201);
    people.push({ id: response.body.id, email: response.body.email });
  }
  const template = await admin.post('/templates', {
    name: unique('tpl'),
    subject: 'Offer for {{contact.firstName}}',
    html: '<html><body><p>Hi</p><a href="https://example.com/offer">Offer</a></body></html>',
  });
  const segment = await admin.post('/segments', {
    name: unique('seg'),
    filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
  });
  const created = await admin.post('/campaigns', {
    name: unique('Spring offer'),
    templateId: template.body.id,
    segmentId: segment.body.id,
    fromEmail: 'news@example.com',
    ...fields,
  });
  expect(created.status, created.text).toBe(201);
  const id = created.body.id as string;
  expect((await admin.post(`/campaigns/${id}/send`)).status).toBe(200);
  await eventually(async () => expect((await admin.get(`/campaigns/${id}`)).body.status).toBe('sent'), {
    timeoutMs: 150_000,
    intervalMs: 250,
  });
  // Every message delivered (the local SES reports it), so opens and clicks count.
  await eventually(async () =>
    expect((await admin.get(`/campaigns/${id}/stats`)).body.delivered).toBe(count),
  );
  return { id, people };
}

interface Recipient {
  contactId: string;
  status: string;
  bouncedAt?: string;
  openedAt?: string;
  machineOpenedAt?: string;
  clickedAt?: string;
}

/** Human opens, clicks and machine opens recomputed from the recipients the API lists. */
function recount(recipients: readonly Recipient[]) {
  const live = recipients.filter((r) => r.status === 'sent' && !r.bouncedAt);
  const human = live.filter((r) => r.openedAt || r.clickedAt);
  return {
    humanOpens: human.length,
    clicked: live.filter((r) => r.clickedAt).length,
    machineOpens: live.filter((r) => r.machineOpenedAt && !r.openedAt && !r.clickedAt).length,
  };
}

/** Buckets recomputed from the recipients' first open, click and machine open times. */
function recountSeries(recipients: readonly Recipient[], bucket: 'hour' | 'day') {
  const startOf = (at: string) => (bucket === 'day' ? at.slice(0, 10) : `${at.slice(0, 13)}:00:00.000Z`);
  const buckets = new Map<string, { humanOpens: number; clicks: number; machineOpens: number }>();
  const add = (at: string | undefined, field: 'humanOpens' | 'clicks' | 'machineOpens') => {
    if (!at) return;
    const start = startOf(new Date(at).toISOString());
    const sum = buckets.get(start) ?? { humanOpens: 0, clicks: 0, machineOpens: 0 };
    sum[field]++;
    buckets.set(start, sum);
  };
  for (const r of recipients.filter((r) => r.status === 'sent' && !r.bouncedAt)) {
    add(r.openedAt ?? r.clickedAt, 'humanOpens');
    add(r.clickedAt, 'clicks');
    if (!r.openedAt && !r.clickedAt) add(r.machineOpenedAt, 'machineOpens');
  }
  return [...buckets].sort(([a], [b]) => (a < b ? -1 : 1)).map(([start, sum]) => ({ start, ...sum }));
}

describe('campaign report', () => {
  let campaign: { id: string; people: { id: string; email: string }[] };
  /** The day it started: the period the report lists it in. */
  let day: string;
  const today = () => day;
  const stage = async (kind: string) => {
    const pipeline = (await admin.get('/pipelines')).body.items[0];
    return pipeline.stages.find((s: { kind: string }) => s.kind === kind).id as string;
  };

  beforeAll(async () => {
    campaign = await sentCampaign(6, { budget: 500, currency: 'eur' });
    day = String((await admin.get(`/campaigns/${campaign.id}`)).body.startedAt).slice(0, 10);
    // People read and click after the messages arrived; fetches on arrival are proxies' and gateways'.
    for (const person of campaign.people) await backdateDelivery(world.tenant, campaign.id, person.id);
  }, 200_000);

  it('splits human from machine opens as the tracking routes classify them, in the stats and the report', async () => {
    const [clicker, proxied, reader, proxiedThenClicked, scanned] = campaign.people.map((p) => p.email);
    // A person clicks in a browser: a click and an open.
    expect(await fetchAs(await clickOf(clicker as string), agents.browser)).toBe(302);
    // Gmail's image proxy fetches the pixel: a machine open only.
    expect(await fetchAs(await pixelOf(proxied as string), agents.gmailProxy)).toBe(200);
    // The proxy first, then the person clicks: a person's open, no machine open.
    expect(await fetchAs(await pixelOf(proxiedThenClicked as string), agents.gmailProxy)).toBe(200);
    expect(await fetchAs(await clickOf(proxiedThenClicked as string), agents.browser)).toBe(302);
    // A security gateway follows the link: a machine open, no click.
    expect(await fetchAs(await clickOf(scanned as string), agents.scanner)).toBe(302);
    // A person opens in a mail client, later than a privacy proxy's prefetch would.
    expect(await fetchAs(await pixelOf(reader as string), agents.mailClient)).toBe(200);

    const recipients = (await listAll(admin, `/campaigns/${campaign.id}/recipients`)) as Recipient[];
    const expected = recount(recipients);
    // What the scenario makes of it, so a recount that is wrong the same way as the report fails too.
    expect(expected).toEqual({ humanOpens: 3, clicked: 2, machineOpens: 2 });
    const stats = await eventually(async () => {
      const body = (await admin.get(`/campaigns/${campaign.id}/stats`)).body;
      expect(body).toMatchObject({
        ...expected,
        opened: expected.humanOpens,
        machineOpened: expected.machineOpens,
      });
      return body;
    });
    expect(stats).toMatchObject({
      openRate: Math.round((3 / 6) * 10_000) / 10_000,
      clickRate: Math.round((2 / 6) * 10_000) / 10_000,
      clickToOpenRate: Math.round((2 / 3) * 10_000) / 10_000,
      unsubscribeRate: 0,
    });
    const report = await eventually(async () => {
      const response = await world.managerRed.client.get(`/reports/campaigns?from=${today()}&to=${today()}`);
      expect(response.status, response.text).toBe(200);
      const row = response.body.items.find((item: AnyBody) => item.campaignId === campaign.id);
      expect(row).toMatchObject({ humanOpens: 3, machineOpens: 2, clicked: 2 });
      return row;
    });
    expect(report).toMatchObject({ ...stats, status: 'sent', budget: { EUR: 500 } });
  });

  it('buckets first opens, clicks and machine opens by hour and day, summing to the stats', async () => {
    const recipients = (await listAll(admin, `/campaigns/${campaign.id}/recipients`)) as Recipient[];
    for (const bucket of ['hour', 'day'] as const) {
      const expected = recountSeries(recipients, bucket);
      await eventually(async () => {
        const response = await admin.get(`/reports/campaigns/${campaign.id}/timeseries?bucket=${bucket}`);
        expect(response.status, response.text).toBe(200);
        expect(response.body).toEqual({ campaignId: campaign.id, bucket, items: expected });
      });
    }
    const byDefault = await admin.get(`/reports/campaigns/${campaign.id}/timeseries`);
    expect(byDefault.body.bucket).toBe('day');
    const total = (field: 'humanOpens' | 'clicks' | 'machineOpens') =>
      byDefault.body.items.reduce((sum: number, point: AnyBody) => sum + point[field], 0);
    const stats = (await admin.get(`/campaigns/${campaign.id}/stats`)).body;
    expect([total('humanOpens'), total('clicks'), total('machineOpens')]).toEqual([
      stats.humanOpens,
      stats.clicked,
      stats.machineOpens,
    ]);
  });

  it('attributes deals (named, converted from a campaign lead, by the contact’s last click) and reports won amount and ROI', async () => {
    const won = await stage('won');
    const open = await stage('open');
    // The cost is known after sending: it can be set on a sent campaign.
    const costed = await admin.patch(`/campaigns/${campaign.id}`, { cost: 200.5 });
    expect(costed.status, costed.text).toBe(200);
    expect(costed.body).toMatchObject({ status: 'sent', cost: 200.5, budget: 500, currency: 'EUR' });
    expect((await admin.patch(`/campaigns/${campaign.id}`, { name: 'renamed' })).status).toBe(409);

    const named = await admin.post('/deals', {
      name: 'Named',
      amount: 1000.1,
      currency: 'EUR',
      campaignId: campaign.id,
    });
    expect(named.status, named.text).toBe(201);
    expect((await admin.patch(`/deals/${named.body.id}`, { stageId: won })).status).toBe(200);

    const lead = await admin.post('/leads', {
      firstName: 'Lea',
      email: `${unique('lead').toLowerCase()}@example.com`,
      source: 'campaign',
      campaignId: campaign.id,
    });
    expect(lead.status, lead.text).toBe(201);
    const converted = await admin.post(`/leads/${lead.body.id}/convert`, {
      deal: { name: 'From the lead', amount: 300, currency: 'EUR' },
    });
    expect(converted.status, converted.text).toBe(200);
    expect(converted.body.deal.campaignId).toBe(campaign.id);
    expect((await admin.patch(`/deals/${converted.body.deal.id}`, { stageId: won })).status).toBe(200);

    // The first recipient clicked: a deal for them without a campaign takes this one.
    const clicker = campaign.people[0]?.id as string;
    await eventually(async () =>
      expect((await admin.get(`/contacts/${clicker}`)).body.lastClickedCampaignId).toBe(campaign.id),
    );
    // Kept outside the user's edits: no version bump, and a user's write does not lose it.
    expect((await admin.get(`/contacts/${clicker}`)).body.version).toBe(1);
    expect((await admin.patch(`/contacts/${clicker}`, { title: 'Buyer' })).status).toBe(200);
    await eventually(async () =>
      expect((await admin.get(`/contacts/${clicker}`)).body).toMatchObject({
        version: 2,
        title: 'Buyer',
        lastClickedCampaignId: campaign.id,
      }),
    );
    const clicked = await admin.post('/deals', { name: 'After the click', contactIds: [clicker] });
    expect(clicked.status, clicked.text).toBe(201);
    expect(clicked.body.campaignId).toBe(campaign.id);
    // A contact who never clicked brings no campaign.
    const unattributed = await admin.post('/deals', { name: 'Cold', contactIds: [campaign.people[5]?.id] });
    expect(unattributed.body.campaignId).toBeUndefined();

    // Won then reopened: influenced, not won. Won then archived: gone.
    const reopened = await admin.post('/deals', {
      name: 'Reopened',
      amount: 50,
      currency: 'EUR',
      campaignId: campaign.id,
    });
    await admin.patch(`/deals/${reopened.body.id}`, { stageId: won });
    await admin.patch(`/deals/${reopened.body.id}`, { stageId: open });
    const archived = await admin.post('/deals', {
      name: 'Archived',
      amount: 70,
      currency: 'EUR',
      campaignId: campaign.id,
    });
    await admin.patch(`/deals/${archived.body.id}`, { stageId: won });
    expect((await admin.delete(`/deals/${archived.body.id}`)).status).toBe(204);

    const deals = (await listAll(admin, '/deals')).filter((deal) => deal.campaignId === campaign.id);
    const wonDeals = deals.filter((deal) => deal.status === 'won');
    const wonMinor = wonDeals.reduce((sum, deal) => sum + Math.round(deal.amount * 100), 0);
    expect([deals.length, wonDeals.length, wonMinor]).toEqual([4, 2, 130_010]);
    const expected = {
      influencedDeals: deals.length,
      wonDeals: wonDeals.length,
      wonAmount: { EUR: wonMinor / 100 },
      cost: { EUR: 200.5 },
      budget: { EUR: 500 },
      roi: Math.round(((wonMinor - 20_050) / 20_050) * 10_000) / 10_000,
    };
    await eventually(async () => {
      const response = await admin.get(`/reports/campaigns?from=${today()}&to=${today()}`);
      const row = response.body.items.find((item: AnyBody) => item.campaignId === campaign.id);
      expect(row).toMatchObject(expected);
    });

    // A won deal in another currency: amounts are never converted, so no ROI.
    const dollars = await admin.post('/deals', {
      name: 'Dollars',
      amount: 10,
      currency: 'USD',
      campaignId: campaign.id,
    });
    await admin.patch(`/deals/${dollars.body.id}`, { stageId: won });
    await eventually(async () => {
      const response = await admin.get(`/reports/campaigns?from=${today()}&to=${today()}`);
      const row = response.body.items.find((item: AnyBody) => item.campaignId === campaign.id);
      expect(row).toMatchObject({ wonAmount: { EUR: wonMinor / 100, USD: 10 }, roi: null });
    });
  });

  it('refuses a deal or lead campaign that is not a live campaign of the tenant, and bad spending', async () => {
    const strangers = await world.stranger.client.get('/campaigns');
    expect(strangers.status).toBe(200);
    for (const campaignId of [ulid(), 'not-an-id']) {
      const deal = await admin.post('/deals', { name: 'Bad', campaignId });
      expect(deal.status, deal.text).toBe(400);
      expect(deal.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.stringify(deal.body)).toContain('campaignId');
      const lead = await admin.post('/leads', { firstName: 'Bad', campaignId });
      expect(lead.status, lead.text).toBe(400);
    }
    // Another tenant's campaign is no campaign of this tenant.
    const foreign = await world.stranger.client.post('/deals', { name: 'Foreign', campaignId: campaign.id });
    expect(foreign.status).toBe(400);
    const template = (await admin.get('/templates')).body.items[0];
    const segment = (await admin.get('/segments')).body.items[0];
    const base = {
      name: 'Spend',
      templateId: template.id,
      segmentId: segment.id,
      fromEmail: 'a@example.com',
    };
    for (const body of [
      { ...base, budget: 10 },
      { ...base, cost: -1, currency: 'EUR' },
      { ...base, budget: 1.234, currency: 'EUR' },
      { ...base, cost: 5, currency: 'euro' },
    ]) {
      const response = await admin.post('/campaigns', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await admin.patch(`/campaigns/${campaign.id}`, { currency: null })).status).toBe(400);
  });

  it('answers 400 for bad periods or buckets, 403 for a rep, 404 for an unknown or foreign campaign, and nothing of another tenant', async () => {
    for (const query of [
      'from=2026-02-30',
      'to=yesterday',
      'from=2026-05-01&to=2026-04-01',
      'from=2020-01-01&to=2026-01-01',
      'groupBy=month',
    ]) {
      const response = await admin.get(`/reports/campaigns?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const badBucket = await admin.get(`/reports/campaigns/${campaign.id}/timeseries?bucket=week`);
    expect(badBucket.status).toBe(400);
    expect(badBucket.headers.get('content-type')).toContain('application/problem+json');

    expect((await world.repRed.client.get('/reports/campaigns')).status).toBe(403);
    expect((await world.repRed.client.get(`/reports/campaigns/${campaign.id}/timeseries`)).status).toBe(403);

    expect((await admin.get(`/reports/campaigns/${ulid()}/timeseries`)).status).toBe(404);
    const foreign = await world.stranger.client.get(`/reports/campaigns/${campaign.id}/timeseries`);
    expect(foreign.status).toBe(404);
    const theirs = await world.stranger.client.get(`/reports/campaigns?from=${today()}&to=${today()}`);
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.some((item: AnyBody) => item.campaignId === campaign.id)).toBe(false);
    // A period the campaign did not start in does not list it.
    const before = await admin.get('/reports/campaigns?from=2020-01-01&to=2020-12-31');
    expect(before.body.items.some((item: AnyBody) => item.campaignId === campaign.id)).toBe(false);
  });
});

describe('campaign aggregates from the stream', () => {
  it('count a replayed or duplicated batch once', async () => {
    const { applyAggregates } = await import('#functions/stream/consumers/aggregates');
    const { readReport } = await import('#shared/store/report-aggregates');
    const tenantId = uniqueTenant();
    const campaignId = ulid();
    const sent = { entity: 'delivery', kind: 'campaign', tenantId, campaignId, status: 'sent' };
    const recipient = (contactId: string) => {
      const base = { ...sent, contactId, deliveredAt: '2026-11-20T09:00:00.000Z' };
      const proxied = { ...base, machineOpenedAt: '2026-11-20T09:00:02.000Z' };
      const opened = { ...proxied, openedAt: '2026-11-20T10:30:00.000Z' };
      const clicked = { ...opened, clickedAt: '2026-11-20T11:00:00.000Z' };
      return [
        streamRecord({ eventId: ulid(), new: base }),
        streamRecord({ eventId: ulid(), old: base, new: proxied }),
        streamRecord({ eventId: ulid(), old: proxied, new: opened }),
        streamRecord({ eventId: ulid(), old: opened, new: clicked }),
      ];
    };
    const campaignRecord = {
      entity: 'campaign',
      tenantId,
      id: campaignId,
      status: 'sending',
      startedAt: '2026-11-20T08:59:00.000Z',
    };
    const deal = {
      entity: 'deal',
      tenantId,
      id: ulid(),
      campaignId,
      status: 'won',
      amount: 12.34,
      currency: 'EUR',
    };
    const batch = decodeRecords([
      streamRecord({ eventId: ulid(), new: campaignRecord }),
      streamRecord({ eventId: ulid(), new: deal }),
      ...recipient(ulid()),
      ...recipient(ulid()),
    ]).changes;
    const read = async () => ({
      started: Object.fromEntries(await readReport(tenantId, 'campaigns', { prefix: 'started#' })),
      deals: Object.fromEntries(await readReport(tenantId, 'campaigns', { prefix: 'deals#' })),
      activity: Object.fromEntries(await readReport(tenantId, 'campaign-activity')),
    });

    expect(await applyAggregates(batch)).toEqual(new Map());
    const once = await read();
    expect(once).toEqual({
      started: { [`started#2026-11-20#${campaignId}`]: { started: 1 } },
      deals: { [`deals#${campaignId}`]: { influenced: 1, won: 1, 'wonAmount#EUR': 1234 } },
      activity: {
        [`${campaignId}#2026-11-20T10`]: { humanOpens: 2 },
        [`${campaignId}#2026-11-20T11`]: { clicks: 2 },
      },
    });
    // The same batch again (a retry), and its second half again (an overlapping batch): nothing moves.
    expect(await applyAggregates(batch)).toEqual(new Map());
    expect(await applyAggregates(batch.slice(batch.length / 2))).toEqual(new Map());
    expect(await read()).toEqual(once);
  });
});
