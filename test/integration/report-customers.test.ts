import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type ChurnRisk, churnRisk } from '#shared/domain/churn-risk';
import type { DeliveryRef } from '#shared/domain/delivery';
import { type Engagement, engagementScore } from '#shared/domain/engagement-score';
import { type RfmScore, rfmSegments, scoreRfm } from '#shared/domain/rfm';
import type { TrackingClaim } from '#shared/domain/tracking-token';
import { type ApiClient, api, eventually, runDueSchedules, tokenFor } from '../support/api.ts';
import { type RuntimeStore, sentDelivery, useRuntimeStore } from './deliveries.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
let store: RuntimeStore;
let tokens: typeof import('#shared/domain/tracking-token');
const anonymous = api(undefined);
const MINUTE = 60_000;
const DAY_MS = 86_400_000;
const READER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

/** Every delivery the tests made, read back from the store to recompute engagement. */
const sent: DeliveryRef[] = [];

beforeAll(async () => {
  world = await createWorld();
  store = await useRuntimeStore();
  tokens = await import('#shared/domain/tracking-token');
});

type Body = Record<string, unknown> & { id: string };

async function all(client: ApiClient, path: string): Promise<Body[]> {
  const items: Body[] = [];
  let cursor: string | undefined;
  do {
    const joiner = path.includes('?') ? '&' : '?';
    const page = await client.get(`${path}${joiner}limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status, page.text).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

async function created(client: ApiClient, path: string, body: Record<string, unknown>): Promise<Body> {
  const response = await client.post(path, body);
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const dayOf = (value: unknown) => (typeof value === 'string' ? value.slice(0, 10) : undefined);
const daysAgo = (day: string, today: string) =>
  Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / DAY_MS);
const latest = (days: (string | undefined)[]) =>
  days
    .filter((day): day is string => day !== undefined)
    .sort()
    .at(-1);

/** A campaign email to the contact, sent a minute ago, opened and clicked by a person through the tracking links. */
async function openAndClick(contact: Body, options: { click: boolean }) {
  const { ref } = await sentDelivery(
    store,
    world.tenant,
    { id: contact.id, email: String(contact.email) },
    { sentAgoMs: MINUTE, companyId: contact.companyId as string | undefined },
  );
  sent.push(ref);
  const claim = (purpose: TrackingClaim['purpose'], url?: string): TrackingClaim => ({
    purpose,
    tenantId: world.tenant,
    ref,
    ...(url ? { url } : {}),
  });
  const headers = { 'user-agent': READER };
  const url = (path: string) => new URL(path, inject('apiUrl'));
  const open = await fetch(url(`/t/o/${tokens.signTrackingToken(claim('open'), store.signingKey)}.gif`), {
    headers,
  });
  expect(open.status).toBe(200);
  if (options.click) {
    const click = await fetch(
      url(`/t/c/${tokens.signTrackingToken(claim('click', 'https://example.com/offer'), store.signingKey)}`),
      { headers, redirect: 'manual' },
    );
    expect(click.status).toBe(302);
  }
}

interface ExpectedRow {
  companyId: string;
  name: string;
  lifetimeValue: Record<string, number>;
  lastPurchaseAt: string;
  dealCount: number;
  rfm: RfmScore;
  churnRisk: number;
  reasons: ChurnRisk['reasons'];
  engagementScore: number;
}

/**
 * The customers report recomputed from what the API lists (companies, won
 * deals, contacts, activities, cases) and the deliveries read back from the
 * store, scored with the documented rules: the independent check.
 */
async function expectedCustomers(now = new Date()) {
  const client = world.admin.client;
  const today = now.toISOString().slice(0, 10);
  const [companies, deals, contacts, activities, cases] = await Promise.all([
    all(client, '/companies'),
    all(client, '/deals'),
    all(client, '/contacts'),
    all(client, '/activities'),
    all(client, '/cases'),
  ]);
  const contactCompany = new Map(
    contacts.map((contact) => [contact.id, contact.companyId as string | undefined]),
  );
  const deliveries = (await Promise.all(sent.map((ref) => store.getDelivery(world.tenant, ref)))).filter(
    (delivery) => delivery !== undefined && contactCompany.has(delivery.contactId),
  );
  const won = deals.filter((deal) => deal.status === 'won');
  const companyOfRecord = new Map(
    [...contacts, ...deals, ...cases].map((record) => [record.id, record.companyId as string | undefined]),
  );
  const companyOf = (activity: Body) => {
    const related = activity.related as { type: string; id: string } | undefined;
    return related?.type === 'company' ? related.id : related ? companyOfRecord.get(related.id) : undefined;
  };

  const customers = companies.flatMap((company) => {
    const bought = won.filter((deal) => deal.companyId === company.id);
    if (bought.length === 0) return [];
    const minor: Record<string, number> = {};
    for (const deal of bought)
      if (typeof deal.amount === 'number' && typeof deal.currency === 'string')
        minor[deal.currency] = (minor[deal.currency] ?? 0) + Math.round(deal.amount * 100);
    const people = contacts.filter((contact) => contact.companyId === company.id);
    const own = activities.filter(
      (activity) => companyOf(activity) === company.id && activity.status !== 'canceled',
    );
    const engagements: Engagement[] = [];
    for (const delivery of deliveries) {
      if (delivery?.companyId !== company.id) continue;
      for (const [kind, at] of [
        ['open', delivery.openedAt],
        ['click', delivery.clickedAt],
      ] as const)
        if (at) engagements.push({ kind, at: new Date(`${at.slice(0, 10)}T00:00:00Z`) });
    }
    for (const activity of own) {
      const inbound = activity.type === 'email' && activity.direction === 'inbound';
      const meeting = activity.type === 'meeting' && activity.status === 'done';
      const at = meeting ? dayOf(activity.completedAt) : inbound ? dayOf(activity.createdAt) : undefined;
      if (at) engagements.push({ kind: meeting ? 'meeting' : 'reply', at: new Date(`${at}T00:00:00Z`) });
    }
    const theirs = cases.filter((kase) => kase.companyId === company.id);
    const answers = theirs.flatMap((kase) => (typeof kase.csatScore === 'number' ? [kase.csatScore] : []));
    const lastPurchaseAt = latest(bought.map((deal) => dayOf(deal.closedAt))) as string;
    const lastActivity = latest([
      ...own.map((activity) => dayOf(activity.completedAt ?? activity.createdAt)),
      ...people.map((person) => dayOf(person.lastActivityAt)),
    ]);
    const touches = engagements.filter(
      (engagement) => engagement.kind === 'open' || engagement.kind === 'click',
    );
    return [
      {
        companyId: company.id,
        name: String(company.name),
        lifetimeValue: Object.fromEntries(Object.entries(minor).map(([code, value]) => [code, value / 100])),
        lastPurchaseAt,
        dealCount: bought.length,
        minor,
        risk: churnRisk({
          daysSinceLastPurchase: daysAgo(lastPurchaseAt, today),
          daysSinceLastActivity: lastActivity ? daysAgo(lastActivity, today) : undefined,
          engagementRecent: touches.filter(
            (engagement) => now.getTime() - engagement.at.getTime() < 90 * DAY_MS,
          ).length,
          engagementPrior: touches.filter(
            (engagement) => now.getTime() - engagement.at.getTime() >= 90 * DAY_MS,
          ).length,
          openComplaints: theirs.filter(
            (kase) => kase.type === 'complaint' && ['new', 'open', 'pending'].includes(String(kase.status)),
          ).length,
          slaBreaches: theirs.filter((kase) => typeof kase.slaBreachedAt === 'string').length,
          contacts: people.length,
          unreachableContacts: people.filter((person) =>
            ['bounced', 'unsubscribed', 'complained'].includes(String(person.marketingStatus)),
          ).length,
          csatAverage:
            answers.length > 0 ? answers.reduce((sum, score) => sum + score, 0) / answers.length : undefined,
          csatCount: answers.length,
        }),
        engagementScore: engagementScore(engagements, now),
      },
    ];
  });
  // Every customer here bought in EUR, so M ranks EUR amounts.
  const rfm = scoreRfm(
    customers.map((customer) => ({
      id: customer.companyId,
      daysSinceLastPurchase: daysAgo(customer.lastPurchaseAt, today),
      purchases: customer.dealCount,
      value: customer.minor.EUR ?? 0,
    })),
  );
  return customers.map(
    ({ minor: _minor, risk, ...row }): ExpectedRow => ({
      ...row,
      rfm: rfm.get(row.companyId) as RfmScore,
      churnRisk: risk.risk,
      reasons: risk.reasons,
    }),
  );
}

const byId = (rows: readonly { companyId: string }[]) =>
  [...rows].sort((a, b) => (a.companyId < b.companyId ? -1 : 1));

describe('customers report', () => {
  let acme: Body;
  let beta: Body;
  let ana: Body;
  let bruno: Body;

  it('recomputes value, last purchase, deal count, RFM, churn risk and engagement from the records', async () => {
    const { admin, managerRed, repRed } = world;
    const pipeline = (await admin.client.get('/pipelines')).body.items[0];
    const stage = (kind: string) =>
      pipeline.stages.find((s: { kind: string }) => s.kind === kind).id as string;
    acme = await created(repRed.client, '/companies', { name: unique('Acme #1') });
    beta = await created(admin.client, '/companies', { name: unique('Beta') });
    const prospect = await created(admin.client, '/companies', { name: unique('Prospect') });
    const email = (label: string) => `${unique(label).toLowerCase()}@${world.tenant}.test`;
    ana = await created(repRed.client, '/contacts', {
      firstName: 'Ana',
      email: email('ana'),
      companyId: acme.id,
    });
    const gone = await created(admin.client, '/contacts', {
      firstName: 'Gone',
      email: email('gone'),
      companyId: acme.id,
      marketingStatus: 'unsubscribed',
    });
    bruno = await created(admin.client, '/contacts', {
      firstName: 'Bruno',
      email: email('bruno'),
      companyId: beta.id,
    });
    expect(gone.marketingStatus).toBe('unsubscribed');

    const deal = async (company: Body, amount: number, currency: string, kind = 'won') => {
      const made = await created(admin.client, '/deals', {
        name: unique('Deal'),
        amount,
        currency,
        companyId: company.id,
      });
      if (kind !== 'open')
        await admin.client.patch(`/deals/${made.id}`, {
          stageId: stage(kind),
          ...(kind === 'lost' ? { lostReason: 'price' } : {}),
        });
      return made;
    };
    await deal(acme, 100.1, 'EUR');
    await deal(acme, 0.2, 'EUR');
    await deal(acme, 20, 'USD');
    const betaDeal = await deal(beta, 30, 'EUR');
    await deal(beta, 99, 'EUR', 'lost');
    await deal(prospect, 500, 'EUR', 'open');
    // Reopened after won, and archived after won: neither counts.
    const reopened = await deal(beta, 1000, 'EUR');
    await admin.client.patch(`/deals/${reopened.id}`, { stageId: stage('open') });
    const archived = await deal(acme, 7, 'EUR');
    expect((await admin.client.delete(`/deals/${archived.id}`)).status).toBe(204);

    // A meeting held and a reply from Ana; a call about Beta itself.
    await created(repRed.client, '/activities', {
      type: 'meeting',
      subject: 'Quarterly review',
      status: 'done',
      related: { type: 'contact', id: ana.id },
    });
    await created(repRed.client, '/activities', {
      type: 'email',
      direction: 'inbound',
      subject: 'Re: offer',
      related: { type: 'contact', id: ana.id },
    });
    await created(admin.client, '/activities', {
      type: 'call',
      subject: 'Check-in',
      related: { type: 'company', id: beta.id },
    });
    // A meeting about Beta's deal counts for Beta.
    const dealMeeting = await created(admin.client, '/activities', {
      type: 'meeting',
      subject: 'Contract walk-through',
      status: 'done',
      related: { type: 'deal', id: betaDeal.id },
    });
    expect(dealMeeting.companyId).toBe(beta.id);

    // Beta: an open complaint breaching its SLA, and a resolved case rated 2.
    const complaint = await created(admin.client, '/cases', {
      subject: 'Late delivery',
      type: 'complaint',
      priority: 'urgent',
      contactId: bruno.id,
    });
    expect(complaint.companyId).toBe(beta.id);
    const adminToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
    const breachAt = new Date(Date.parse(String(complaint.slaDueAt)) + 1000);
    await runDueSchedules(adminToken, breachAt, { name: `sla-${complaint.id}` });
    const rated = await created(admin.client, '/cases', {
      subject: 'Question',
      type: 'information',
      contactId: bruno.id,
    });
    const resolved = await admin.client.post(`/cases/${rated.id}/resolve`, { resolution: 'Answered' });
    expect(resolved.status).toBe(200);
    expect((await anonymous.post(resolved.body.csatUrl, { score: 2 })).status).toBe(200);

    // Emails: Ana opens and clicks, Bruno opens.
    await openAndClick(ana, { click: true });
    await openAndClick(bruno, { click: false });

    await eventually(async () => {
      const response = await managerRed.client.get('/reports/customers?limit=200');
      expect(response.status, response.text).toBe(200);
      expect(response.body.sort).toBe('value');
      expect(response.body.segment).toBeNull();
      expect(response.body.nextCursor).toBeNull();
      expect(byId(response.body.items)).toEqual(byId(await expectedCustomers()));
    });
    const rows = (await managerRed.client.get('/reports/customers')).body.items;
    // By value: Acme (100.30 EUR) before Beta (30 EUR); the prospect is no customer.
    expect(rows.map((row: { companyId: string }) => row.companyId)).toEqual([acme.id, beta.id]);
    expect(rows[0]).toMatchObject({ name: acme.name, lifetimeValue: { EUR: 100.3, USD: 20 }, dealCount: 3 });
    expect(rows[1].reasons.map((reason: { code: string }) => reason.code)).toContain(
      'complaints_or_sla_breaches',
    );
    expect(rows[1].reasons.map((reason: { code: string }) => reason.code)).toContain('low_csat');
    expect(rows[0].engagementScore).toBeGreaterThan(rows[1].engagementScore);
  });

  it('gives contacts their engagement score when read and listed, and filters segments on it', async () => {
    const { admin } = world;
    const expectedOf = async (contact: Body) => {
      const engagements: Engagement[] = [];
      for (const ref of sent) {
        const delivery = await store.getDelivery(world.tenant, ref);
        if (delivery?.contactId !== contact.id) continue;
        if (delivery.openedAt)
          engagements.push({ kind: 'open', at: new Date(`${delivery.openedAt.slice(0, 10)}T00:00:00Z`) });
        if (delivery.clickedAt)
          engagements.push({ kind: 'click', at: new Date(`${delivery.clickedAt.slice(0, 10)}T00:00:00Z`) });
      }
      for (const activity of await all(admin.client, `/activities?related=contact:${contact.id}`)) {
        if (activity.type === 'meeting' && activity.status === 'done')
          engagements.push({ kind: 'meeting', at: new Date(`${dayOf(activity.completedAt)}T00:00:00Z`) });
        if (activity.type === 'email' && activity.direction === 'inbound')
          engagements.push({ kind: 'reply', at: new Date(`${dayOf(activity.createdAt)}T00:00:00Z`) });
      }
      return engagementScore(engagements, new Date());
    };
    const anaScore = await expectedOf(ana);
    const brunoScore = await expectedOf(bruno);
    expect(anaScore).toBeGreaterThan(brunoScore);
    expect(brunoScore).toBeGreaterThan(0);
    expect((await admin.client.get(`/contacts/${ana.id}`)).body.engagementScore).toBe(anaScore);
    expect((await admin.client.get(`/contacts/${bruno.id}`)).body.engagementScore).toBe(brunoScore);
    const listed = await all(admin.client, '/contacts');
    // Lists leave the score out (it would cost a read of every engagement per page).
    for (const contact of listed) expect(contact.engagementScore).toBeUndefined();
    const silent = listed.filter((contact) => contact.id !== ana.id && contact.id !== bruno.id);
    expect(silent.length).toBeGreaterThan(0);
    for (const contact of silent)
      expect((await admin.client.get(`/contacts/${contact.id}`)).body.engagementScore).toBe(0);

    const segment = await created(admin.client, '/segments', {
      name: unique('Most likely to respond'),
      filter: { all: [{ field: 'engagementScore', op: 'gte', value: anaScore }] },
    });
    const preview = await admin.client.get(`/segments/${segment.id}/preview?limit=10`);
    expect(preview.status).toBe(200);
    expect(preview.body.count).toBe(1);
    expect(preview.body.sample.map((contact: Body) => contact.id)).toEqual([ana.id]);
    const none = await created(admin.client, '/segments', {
      name: unique('Silent'),
      filter: { all: [{ field: 'engagementScore', op: 'lt', value: 1 }] },
    });
    const silentPreview = await admin.client.get(`/segments/${none.id}/preview?limit=100`);
    expect(silentPreview.body.count).toBe(silent.length);
    const bad = await admin.client.post('/segments', {
      name: unique('Bad'),
      filter: { all: [{ field: 'engagementScore', op: 'contains', value: 'x' }] },
    });
    expect(bad.status).toBe(400);
  });

  it('sorts by churn risk and engagement, filters by RFM segment and pages with a sealed cursor', async () => {
    const client = world.managerRed.client;
    const rows = (await client.get('/reports/customers?limit=200')).body.items as ExpectedRow[];
    const sorted = (key: 'churnRisk' | 'engagementScore') =>
      [...rows]
        .sort((a, b) => b[key] - a[key] || (a.companyId < b.companyId ? -1 : 1))
        .map((row) => row.companyId);
    const ids = async (query: string) =>
      ((await client.get(`/reports/customers?${query}`)).body.items as ExpectedRow[]).map(
        (row) => row.companyId,
      );
    expect(await ids('sort=churnRisk')).toEqual(sorted('churnRisk'));
    expect(await ids('sort=engagement')).toEqual(sorted('engagementScore'));
    for (const segment of rfmSegments)
      expect(await ids(`segment=${segment}`), segment).toEqual(
        rows.filter((row) => row.rfm.segment === segment).map((row) => row.companyId),
      );

    const first = await client.get('/reports/customers?sort=churnRisk&limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await client.get(
      `/reports/customers?sort=churnRisk&limit=1&cursor=${first.body.nextCursor}`,
    );
    expect([...first.body.items, ...second.body.items].map((row: ExpectedRow) => row.companyId)).toEqual(
      sorted('churnRisk'),
    );
    expect(second.body.nextCursor).toBeNull();
    // A cursor works only for the query it came from.
    const replayed = await client.get(
      `/reports/customers?sort=value&limit=1&cursor=${first.body.nextCursor}`,
    );
    expect(replayed.status).toBe(400);
  });

  it('answers 400 for a bad sort, segment, limit or parameter, 403 for a rep, and nothing of another tenant', async () => {
    const { admin } = world;
    for (const query of [
      'sort=name',
      'sort=',
      'segment=vip',
      'limit=0',
      'limit=201',
      'limit=ten',
      'cursor=abc',
      'from=2026-01-01',
    ]) {
      const response = await admin.client.get(`/reports/customers?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    for (const rep of [world.repRed, world.repBlue]) {
      const response = await rep.client.get('/reports/customers');
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const stranger = await world.stranger.client.get('/reports/customers?sort=churnRisk');
    expect(stranger.status).toBe(200);
    expect(stranger.body.items).toEqual([]);
    expect((await world.stranger.client.get(`/contacts/${ana.id}`)).status).toBe(404);
  });

  it('forgets an erased contact: its engagement and its count leave the company’s scores', async () => {
    const { admin, managerRed } = world;
    const before = (await managerRed.client.get('/reports/customers?limit=200')).body.items.find(
      (row: ExpectedRow) => row.companyId === acme.id,
    ) as ExpectedRow;
    expect(before.engagementScore).toBeGreaterThan(0);
    expect((await admin.client.delete(`/contacts/${ana.id}?erase=true`)).status).toBe(204);
    await eventually(async () => {
      const rows = (await managerRed.client.get('/reports/customers?limit=200')).body.items as ExpectedRow[];
      const expected = await expectedCustomers();
      expect(byId(rows)).toEqual(byId(expected));
      const after = rows.find((row) => row.companyId === acme.id);
      // Ana's opens, click, meeting and reply are gone; one contact is left, and it unsubscribed.
      expect(after?.engagementScore).toBe(0);
      expect(after?.reasons.find((reason) => reason.code === 'unreachable_contacts')?.detail).toBe(
        '1 of 1 contacts bounced or unsubscribed',
      );
    });
    const erased = (await Promise.all(sent.map((ref) => store.getDelivery(world.tenant, ref)))).find(
      (delivery) => delivery?.contactId === ana.id,
    );
    expect(erased?.contactErased).toBe(true);
    expect(erased?.email).toBeUndefined();
  });
});
