import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { churnRisk } from '#shared/domain/churn-risk';
import { engagementScore } from '#shared/domain/engagement-score';
import { aggregateDeltas, contributionsOf, type Image } from '#shared/domain/reports/aggregate';
import { customersPage } from '#shared/domain/reports/customer-page';
import {
  customerRows,
  customersAggregate,
  engagementAggregate,
  rankingCurrency,
  scoreOfDays,
  sortCustomers,
} from '#shared/domain/reports/customers';
import {
  type ContactView,
  compileFilter,
  type SegmentFilter,
  validateFilter,
} from '#shared/domain/segment-filter';
import { scoresById } from '#shared/store/customers';

const both = [customersAggregate, engagementAggregate];
const tenantId = 't1';
const A = '01HAAAAAAAAAAAAAAAAAAAAAAA';
const B = '01HBBBBBBBBBBBBBBBBBBBBBBB';
const CONTACT = '01HCCCCCCCCCCCCCCCCCCCCCCC';

const deal = (fields: Record<string, unknown> = {}): Image => ({
  tenantId,
  entity: 'deal',
  id: '01HDDDDDDDDDDDDDDDDDDDDDDD',
  archived: false,
  status: 'won',
  companyId: A,
  amount: 100.1,
  currency: 'EUR',
  closedAt: '2030-05-01T10:00:00.000Z',
  ...fields,
});

const delivery = (fields: Record<string, unknown> = {}): Image => ({
  tenantId,
  entity: 'delivery',
  kind: 'campaign',
  campaignId: '01HEEEEEEEEEEEEEEEEEEEEEEE',
  contactId: CONTACT,
  companyId: A,
  status: 'sent',
  openedAt: '2030-06-01T09:00:00.000Z',
  clickedAt: '2030-06-02T09:00:00.000Z',
  ...fields,
});

/** Contributions as `{key: counters}` of one report. */
const of = (image: Image, report = 'customers') =>
  Object.fromEntries(
    contributionsOf(image, both)
      .filter((contribution) => contribution.report === report)
      .map((contribution) => [contribution.key, contribution.counters]),
  );

describe('customers aggregate', () => {
  it('counts a won deal under its company: value per currency in minor units, and the day it closed', () => {
    expect(of(deal())).toEqual({
      [`company#${A}`]: { deals: 1, 'value#EUR': 10010 },
      [`purchase#${A}#2030-05-01`]: { count: 1 },
    });
  });

  it('counts nothing for a deal not won, archived, without company or close day, or malformed', () => {
    for (const image of [
      deal({ status: 'open' }),
      deal({ status: 'lost' }),
      deal({ archived: true }),
      deal({ companyId: undefined }),
      deal({ companyId: 42 }),
      deal({ closedAt: 'yesterday' }),
      deal({ closedAt: '2030-02-30T00:00:00Z' }),
      deal({ tenantId: undefined }),
    ])
      expect(of(image)).toEqual({});
    // An amount that is not a number leaves the value out but still counts the purchase.
    expect(of(deal({ amount: '100' }))[`company#${A}`]).toEqual({ deals: 1 });
  });

  it('takes a reopened won deal back: the delta of won → open subtracts what it added', () => {
    const deltas = aggregateDeltas(deal(), deal({ status: 'open', closedAt: undefined }), both);
    expect(deltas).toEqual([
      { report: 'customers', key: `company#${A}`, counters: { deals: -1, 'value#EUR': -10010 } },
      { report: 'customers', key: `purchase#${A}#2030-05-01`, counters: { count: -1 } },
    ]);
  });

  it('counts contacts, the unreachable ones and their last activity day under their company', () => {
    const contact = (fields: Record<string, unknown>) =>
      of({ tenantId, entity: 'contact', id: CONTACT, archived: false, companyId: A, ...fields });
    expect(contact({ marketingStatus: 'subscribed', lastActivityAt: '2030-06-03T08:00:00Z' })).toEqual({
      [`company#${A}`]: { contacts: 1 },
      [`activity#2030-06-03#${A}`]: { count: 1 },
    });
    for (const status of ['bounced', 'unsubscribed', 'complained'])
      expect(contact({ marketingStatus: status })).toEqual({
        [`company#${A}`]: { contacts: 1, unreachable: 1 },
      });
    expect(contact({ companyId: undefined })).toEqual({});
    expect(contact({ archived: true })).toEqual({});
  });

  it('counts open complaints, CSAT answers and SLA breach days of cases', () => {
    const kase = (fields: Record<string, unknown>) =>
      of({ tenantId, entity: 'case', id: 'c1', archived: false, companyId: A, type: 'complaint', ...fields });
    expect(kase({ status: 'open', slaBreachedAt: '2030-06-04T00:00:00Z' })).toEqual({
      [`company#${A}`]: { openComplaints: 1 },
      [`breach#2030-06-04#${A}`]: { count: 1 },
    });
    expect(kase({ status: 'resolved', csatScore: 2 })).toEqual({
      [`company#${A}`]: { csatSum: 2, csatCount: 1 },
    });
    // A score outside 1-5 or not whole is not an answer; a service request is no complaint.
    expect(kase({ status: 'closed', csatScore: 7 })).toEqual({});
    expect(kase({ status: 'closed', csatScore: 2.5 })).toEqual({});
    expect(kase({ status: 'open', type: 'service_request' })).toEqual({});
  });

  it('counts activities about the company or about one of its contacts, not canceled ones', () => {
    const activity = (fields: Record<string, unknown>) =>
      of({ tenantId, entity: 'activity', id: 'a1', archived: false, status: 'open', ...fields });
    expect(activity({ related: { type: 'company', id: B }, createdAt: '2030-06-05T10:00:00Z' })).toEqual({
      [`activity#2030-06-05#${B}`]: { count: 1 },
    });
    expect(
      activity({
        related: { type: 'contact', id: CONTACT },
        companyId: A,
        status: 'done',
        createdAt: '2030-06-01T10:00:00Z',
        completedAt: '2030-06-06T10:00:00Z',
      }),
    ).toEqual({ [`activity#2030-06-06#${A}`]: { count: 1 } });
    expect(
      activity({ related: { type: 'company', id: B }, status: 'canceled', createdAt: '2030-06-05' }),
    ).toEqual({});
    expect(activity({ related: { type: 'deal', id: 'd' }, createdAt: '2030-06-05' })).toEqual({});
  });

  it('keeps a live company name in its key, escaped, so a rename moves it and archiving removes it', () => {
    const company = (fields: Record<string, unknown>) => ({
      tenantId,
      entity: 'company',
      id: A,
      archived: false,
      name: 'Acme #1 100%',
      ...fields,
    });
    expect(of(company({}))).toEqual({ [`name#${A}#Acme %231 100%25`]: { companies: 1 } });
    expect(aggregateDeltas(company({}), company({ name: 'Acme' }), both)).toEqual([
      { report: 'customers', key: `name#${A}#Acme %231 100%25`, counters: { companies: -1 } },
      { report: 'customers', key: `name#${A}#Acme`, counters: { companies: 1 } },
    ]);
    expect(of(company({ archived: true }))).toEqual({});
  });
});

describe('engagement aggregate', () => {
  it('counts a delivery’s first open and click per day for the contact and the company it was sent with', () => {
    expect(of(delivery(), 'engagement')).toEqual({
      [`contact#2030-06-01#${CONTACT}`]: { open: 1 },
      [`ofContact#${CONTACT}#2030-06-01`]: { open: 1 },
      [`company#2030-06-01#${A}`]: { open: 1 },
      [`contact#2030-06-02#${CONTACT}`]: { click: 1 },
      [`ofContact#${CONTACT}#2030-06-02`]: { click: 1 },
      [`company#2030-06-02#${A}`]: { click: 1 },
    });
  });

  it('counts nothing for a bounced message, a machine’s open, or a delivery whose contact was erased', () => {
    expect(of(delivery({ bouncedAt: '2030-06-01T08:00:00Z' }), 'engagement')).toEqual({});
    expect(
      of(
        delivery({ openedAt: undefined, clickedAt: undefined, machineOpenedAt: '2030-06-01' }),
        'engagement',
      ),
    ).toEqual({});
    expect(of(delivery({ contactErased: true }), 'engagement')).toEqual({});
    // The erasure's rewrite subtracts what the delivery had added.
    const deltas = aggregateDeltas(delivery(), delivery({ contactErased: true, email: undefined }), both);
    expect(deltas.every((delta) => Object.values(delta.counters).every((value) => value === -1))).toBe(true);
    expect(deltas).toHaveLength(6);
  });

  it('counts meetings held and inbound emails as replies, about a contact or a company', () => {
    const activity = (fields: Record<string, unknown>) =>
      of(
        {
          tenantId,
          entity: 'activity',
          id: 'a1',
          archived: false,
          related: { type: 'contact', id: CONTACT },
          companyId: A,
          ...fields,
        },
        'engagement',
      );
    expect(activity({ type: 'meeting', status: 'done', completedAt: '2030-06-07T10:00:00Z' })).toEqual({
      [`contact#2030-06-07#${CONTACT}`]: { meeting: 1 },
      [`ofContact#${CONTACT}#2030-06-07`]: { meeting: 1 },
      [`company#2030-06-07#${A}`]: { meeting: 1 },
    });
    expect(
      activity({ type: 'email', direction: 'inbound', status: 'done', createdAt: '2030-06-08T10:00:00Z' }),
    ).toEqual({
      [`contact#2030-06-08#${CONTACT}`]: { reply: 1 },
      [`ofContact#${CONTACT}#2030-06-08`]: { reply: 1 },
      [`company#2030-06-08#${A}`]: { reply: 1 },
    });
    expect(activity({ type: 'meeting', status: 'open', createdAt: '2030-06-07' })).toEqual({});
    expect(
      activity({ type: 'email', direction: 'outbound', status: 'done', createdAt: '2030-06-07' }),
    ).toEqual({});
  });

  it('never throws on any image, counts in integers and touches fewer than 99 items', () => {
    const field = fc.oneof(
      fc.constant(undefined),
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constantFrom('2030-06-01T00:00:00Z', '2030-02-30', 'won', 'done', 'meeting', 'inbound', A),
      fc.record({
        type: fc.constantFrom('contact', 'company', 'deal', 1),
        id: fc.oneof(fc.string(), fc.integer()),
      }),
    );
    fc.assert(
      fc.property(
        fc.record({
          tenantId: fc.constantFrom(tenantId, undefined, 3),
          entity: fc.constantFrom('deal', 'contact', 'company', 'case', 'activity', 'delivery', 'lead'),
          archived: fc.oneof(fc.boolean(), fc.constant(undefined)),
          id: field,
          status: field,
          type: field,
          direction: field,
          companyId: field,
          contactId: field,
          related: field,
          name: field,
          amount: field,
          currency: field,
          closedAt: field,
          createdAt: field,
          completedAt: field,
          openedAt: field,
          clickedAt: field,
          bouncedAt: field,
          marketingStatus: field,
          lastActivityAt: field,
          csatScore: field,
          slaBreachedAt: field,
        }),
        (image) => {
          const contributions = contributionsOf(image, both);
          expect(contributions.length).toBeLessThan(99);
          for (const { counters } of contributions)
            for (const value of Object.values(counters)) expect(Number.isSafeInteger(value)).toBe(true);
          expect(aggregateDeltas(image, image, both)).toEqual([]);
        },
      ),
    );
  });
});

describe('customer rows', () => {
  const now = new Date('2030-06-15T12:00:00Z');
  const customers = new Map<string, Record<string, number>>([
    [`company#${A}`, { deals: 3, 'value#EUR': 15010, 'value#USD': 2000, contacts: 2, unreachable: 1 }],
    [`name#${A}#Acme %231`, { companies: 1 }],
    [`purchase#${A}#2030-01-10`, { count: 1 }],
    [`purchase#${A}#2030-06-10`, { count: 2 }],
    [`activity#2030-06-01#${A}`, { count: 1 }],
    [`breach#2030-06-02#${A}`, { count: 1 }],
    [`breach#2029-01-02#${A}`, { count: 1 }],
    // Activity older than a year reads as none: Beta's last one.
    [`activity#2029-03-01#${B}`, { count: 1 }],
    [`company#${B}`, { deals: 1, 'value#EUR': 3000, openComplaints: 1, csatSum: 3, csatCount: 2 }],
    [`name#${B}#Beta`, { companies: 1 }],
    [`purchase#${B}#2029-12-01`, { count: 1 }],
    // A prospect (no won deal) and a customer whose company is gone (no name) are left out.
    [`company#01HPPPPPPPPPPPPPPPPPPPPPPP`, { contacts: 4 }],
    [`name#01HPPPPPPPPPPPPPPPPPPPPPPP#Prospect`, { companies: 1 }],
    [`company#01HGGGGGGGGGGGGGGGGGGGGGGG`, { deals: 1, 'value#EUR': 100 }],
    [`purchase#01HGGGGGGGGGGGGGGGGGGGGGGG#2030-06-01`, { count: 1 }],
  ]);
  const engagement = new Map<string, Record<string, number>>([
    [`company#2030-06-14#${A}`, { open: 2, click: 1 }],
    [`company#2030-05-01#${A}`, { meeting: 1 }],
    [`company#2030-02-01#${B}`, { open: 6 }],
    [`company#2030-05-20#${B}`, { open: 1 }],
  ]);
  const rows = customerRows(customers, engagement, now);

  it('lists live companies with a won deal: value per currency, last purchase day, deal count', () => {
    expect(rows.map((row) => row.companyId).sort()).toEqual([A, B]);
    const acme = rows.find((row) => row.companyId === A);
    expect(acme).toMatchObject({
      name: 'Acme #1',
      lifetimeValue: { EUR: 150.1, USD: 20 },
      lastPurchaseAt: '2030-06-10',
      dealCount: 3,
      rfm: { r: 4, f: 4, m: 4, segment: 'loyal' },
    });
    expect(rows.find((row) => row.companyId === B)?.rfm).toEqual({
      r: 2,
      f: 2,
      m: 2,
      segment: 'hibernating',
    });
  });

  it('scores churn from the same figures the churn rule reads, with its reasons', () => {
    const acme = rows.find((row) => row.companyId === A);
    const expected = churnRisk({
      daysSinceLastPurchase: 5,
      daysSinceLastActivity: 14,
      engagementRecent: 3,
      engagementPrior: 0,
      openComplaints: 0,
      slaBreaches: 1,
      contacts: 2,
      unreachableContacts: 1,
      csatCount: 0,
    });
    expect({ churnRisk: acme?.churnRisk, reasons: acme?.reasons }).toEqual({
      churnRisk: expected.risk,
      reasons: expected.reasons,
    });
    const beta = rows.find((row) => row.companyId === B);
    expect(beta?.reasons.map((reason) => reason.code).sort()).toEqual(
      [
        'complaints_or_sla_breaches',
        'falling_engagement',
        'low_csat',
        'no_recent_activity',
        'no_recent_purchase',
      ].sort(),
    );
    expect(beta?.reasons.find((reason) => reason.code === 'no_recent_activity')?.detail).toBe(
      'no activity recorded',
    );
    expect(beta?.reasons.find((reason) => reason.code === 'falling_engagement')?.detail).toBe(
      '1 opens and clicks in the last 90 days, 6 in the 90 before',
    );
  });

  it('scores engagement over the last 90 days only, each at the start of its day', () => {
    const at = (day: string) => new Date(`${day}T00:00:00Z`);
    expect(rows.find((row) => row.companyId === A)?.engagementScore).toBe(
      engagementScore(
        [
          { kind: 'open', at: at('2030-06-14') },
          { kind: 'open', at: at('2030-06-14') },
          { kind: 'click', at: at('2030-06-14') },
          { kind: 'meeting', at: at('2030-05-01') },
        ],
        now,
      ),
    );
    expect(rows.find((row) => row.companyId === B)?.engagementScore).toBe(
      engagementScore([{ kind: 'open', at: at('2030-05-20') }], now),
    );
  });

  it('ranks value in the currency most customers bought in', () => {
    const maps = (...values: Record<string, number>[]) =>
      values.map((value) => new Map(Object.entries(value)));
    expect(rankingCurrency(maps({ EUR: 1 }, { EUR: 5, USD: 900 }, { EUR: 2 }, { GBP: 10_000 }))).toBe('EUR');
    expect(rankingCurrency(maps({ EUR: 1 }, { USD: 2 }))).toBe('USD');
    expect(rankingCurrency(maps({ EUR: 3 }, { USD: 3 }))).toBe('EUR');
    expect(rankingCurrency([])).toBeUndefined();
  });

  it('sorts by value, churn risk or engagement, highest first, ties by id; pages and filters by segment', () => {
    expect(sortCustomers(rows, 'value').map((row) => row.companyId)).toEqual([A, B]);
    expect(sortCustomers(rows, 'churnRisk')[0]?.companyId).toBe(B);
    expect(sortCustomers(rows, 'engagement').map((row) => row.companyId)).toEqual([A, B]);
    const first = customersPage(rows, { sort: 'value', segment: null, limit: 1 });
    expect(first.items.map((row) => row.companyId)).toEqual([A]);
    expect(first.nextOffset).toBe(1);
    const second = customersPage(rows, { sort: 'value', segment: null, limit: 1, offset: first.nextOffset });
    expect(second.items.map((row) => row.companyId)).toEqual([B]);
    expect(second.nextOffset).toBeUndefined();
    expect(customersPage(rows, { sort: 'value', segment: 'hibernating', limit: 10 }).items).toHaveLength(1);
    expect(customersPage(rows, { sort: 'value', segment: 'champions', limit: 10 }).items).toEqual([]);
    expect(customersPage(rows, { sort: 'value', segment: null, limit: 10, offset: 'x' }).items).toHaveLength(
      2,
    );
  });

  it('keeps scores within 0-100 and reasons adding up to the risk for any counters', () => {
    const count = fc.integer({ min: -3, max: 50 });
    fc.assert(
      fc.property(
        fc.record({
          deals: count,
          contacts: count,
          unreachable: count,
          openComplaints: count,
          csatSum: count,
          csatCount: count,
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), count, count), { maxLength: 20 }),
        (counters, days) => {
          const items = new Map<string, Record<string, number>>([
            [`company#${A}`, { ...counters, deals: Math.max(1, counters.deals) }],
            [`name#${A}#Acme`, { companies: 1 }],
            [`purchase#${A}#2030-01-01`, { count: 1 }],
          ]);
          const engaged = new Map(
            days.map(([back, open, click]) => [
              `company#${new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10)}#${A}`,
              { open, click },
            ]),
          );
          for (const row of customerRows(items, engaged, now)) {
            expect(row.churnRisk).toBeGreaterThanOrEqual(0);
            expect(row.churnRisk).toBeLessThanOrEqual(100);
            expect(row.reasons.reduce((sum, reason) => sum + reason.weight, 0)).toBe(row.churnRisk);
            expect(row.engagementScore).toBeGreaterThanOrEqual(0);
            expect(row.engagementScore).toBeLessThanOrEqual(100);
          }
        },
      ),
    );
  });
});

describe('contact engagement scores', () => {
  const now = new Date('2030-06-15T12:00:00Z');

  it('scores each contact from its days; one with no engagement is absent (0)', () => {
    const scores = scoresById(
      new Map<string, Record<string, number>>([
        [`contact#2030-06-15#${CONTACT}`, { meeting: 2 }],
        [`contact#2030-06-01#${CONTACT}`, { open: 1 }],
        [`contact#2030-06-10#${A}`, { click: 1 }],
      ]),
      now,
    );
    expect(scores.get(CONTACT)).toBe(
      scoreOfDays(
        new Map<string, Record<string, number>>([
          ['2030-06-15', { meeting: 2 }],
          ['2030-06-01', { open: 1 }],
        ]),
        now,
      ),
    );
    expect(scores.get(CONTACT)).toBeGreaterThan(scores.get(A) ?? 0);
    expect(scores.has(B)).toBe(false);
    expect(scoreOfDays(new Map([['not-a-day', { open: 5 }]]), now)).toBe(0);
  });

  it('filters segments on engagementScore with numeric ops; a contact without engagement scores 0', () => {
    const view = (engagementScore?: number): ContactView => ({
      contact: { tags: [], customFields: {} },
      openedCampaigns: new Set(),
      clickedCampaigns: new Set(),
      dealStages: new Set(),
      ...(engagementScore === undefined ? {} : { engagementScore }),
    });
    const filter = (op: string, value: unknown) =>
      ({ all: [{ field: 'engagementScore', op, value }] }) as SegmentFilter;
    expect(validateFilter(filter('gte', 60))).toEqual([]);
    expect(validateFilter(filter('gte', '60'))).toHaveLength(1);
    expect(validateFilter(filter('contains', 'x'))).toHaveLength(1);
    const likely = compileFilter(filter('gte', 60), { now });
    expect([likely(view(60)), likely(view(59)), likely(view())]).toEqual([true, false, false]);
    expect(compileFilter(filter('lt', 1), { now })(view())).toBe(true);
  });
});
