import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { campaignStats, emptyCounts, recipientCounters } from '../../shared/domain/campaign.ts';
import { campaignFromLastClick, lastClickUpdate } from '../../shared/domain/campaign-attribution.ts';
import { aggregateDeltas, contributionsOf } from '../../shared/domain/reports/aggregate.ts';
import {
  campaignActivityAggregate,
  campaignReportRow,
  campaignsAggregate,
  roi,
  startedCampaignIds,
  timeseries,
} from '../../shared/domain/reports/campaigns.ts';

const tenantId = 't1';
const campaign = (fields: Record<string, unknown> = {}) => ({
  tenantId,
  entity: 'campaign',
  id: 'C1',
  name: 'Autumn',
  status: 'sending',
  ...fields,
});
const deal = (fields: Record<string, unknown> = {}) => ({
  tenantId,
  entity: 'deal',
  id: 'D1',
  status: 'open',
  amount: 100.5,
  currency: 'EUR',
  campaignId: 'C1',
  ...fields,
});
const delivery = (fields: Record<string, unknown> = {}) => ({
  tenantId,
  entity: 'delivery',
  kind: 'campaign',
  campaignId: 'C1',
  contactId: 'P1',
  status: 'sent',
  deliveredAt: '2026-11-20T09:00:00.000Z',
  ...fields,
});

describe('the campaigns aggregate', () => {
  it('lists a started campaign under its start day, and nothing before it starts or once archived', () => {
    expect(campaignsAggregate.contribute(campaign({ startedAt: '2026-11-20T08:59:00.000Z' }))).toEqual([
      { report: 'campaigns', key: 'started#2026-11-20#C1', counters: { started: 1 } },
    ]);
    expect(campaignsAggregate.contribute(campaign())).toEqual([]);
    expect(
      campaignsAggregate.contribute(campaign({ startedAt: '2026-11-20T08:59:00.000Z', archived: true })),
    ).toEqual([]);
    expect(campaignsAggregate.contribute(campaign({ startedAt: 'yesterday' }))).toEqual([]);
  });

  it('counts a deal with a campaign as influenced, and a won one with its amount in minor units', () => {
    expect(campaignsAggregate.contribute(deal())).toEqual([
      { report: 'campaigns', key: 'deals#C1', counters: { influenced: 1 } },
    ]);
    expect(campaignsAggregate.contribute(deal({ status: 'won' }))).toEqual([
      { report: 'campaigns', key: 'deals#C1', counters: { influenced: 1, won: 1, 'wonAmount#EUR': 10050 } },
    ]);
    expect(campaignsAggregate.contribute(deal({ campaignId: undefined }))).toEqual([]);
    expect(campaignsAggregate.contribute(deal({ archived: true }))).toEqual([]);
  });

  it('moves a deal from one campaign to another, and out of won when it is reopened', () => {
    const aggregates = [campaignsAggregate];
    expect(
      aggregateDeltas(deal({ status: 'won' }), deal({ status: 'won', campaignId: 'C2' }), aggregates),
    ).toEqual([
      {
        report: 'campaigns',
        key: 'deals#C1',
        counters: { influenced: -1, won: -1, 'wonAmount#EUR': -10050 },
      },
      { report: 'campaigns', key: 'deals#C2', counters: { influenced: 1, won: 1, 'wonAmount#EUR': 10050 } },
    ]);
    expect(aggregateDeltas(deal({ status: 'won' }), deal({ status: 'open' }), aggregates)).toEqual([
      { report: 'campaigns', key: 'deals#C1', counters: { won: -1, 'wonAmount#EUR': -10050 } },
    ]);
  });

  it('takes nothing from a malformed field', () => {
    const started = '2026-11-20T08:59:00.000Z';
    expect(campaignsAggregate.contribute({ ...deal(), campaignId: 42 })).toEqual([]);
    expect(campaignsAggregate.contribute({ ...deal({ status: 'won' }), amount: 'lots' })).toEqual([
      { report: 'campaigns', key: 'deals#C1', counters: { influenced: 1, won: 1 } },
    ]);
    expect(campaignsAggregate.contribute(campaign({ startedAt: 17 }))).toEqual([]);
    expect(campaignsAggregate.contribute(campaign({ startedAt: started, id: null }))).toEqual([]);
    expect(contributionsOf({ ...deal(), tenantId: undefined }, [campaignsAggregate])).toEqual([]);
  });
});

describe('the campaign activity aggregate', () => {
  it('buckets a recipient’s first open, click and machine open by hour', () => {
    expect(
      campaignActivityAggregate.contribute(
        delivery({ openedAt: '2026-11-20T10:15:00.000Z', clickedAt: '2026-11-20T11:01:00.000Z' }),
      ),
    ).toEqual([
      { report: 'campaign-activity', key: 'C1#2026-11-20T10', counters: { humanOpens: 1 } },
      { report: 'campaign-activity', key: 'C1#2026-11-20T11', counters: { clicks: 1 } },
    ]);
    expect(
      campaignActivityAggregate.contribute(delivery({ machineOpenedAt: '2026-11-20T09:00:02.000Z' })),
    ).toEqual([{ report: 'campaign-activity', key: 'C1#2026-11-20T09', counters: { machineOpens: 1 } }]);
  });

  it('counts only what the stats count: no opens of bounced mail, no machine open once a person opened', () => {
    expect(
      campaignActivityAggregate.contribute(
        delivery({ bouncedAt: '2026-11-20T09:00:00.000Z', openedAt: '2026-11-20T10:00:00.000Z' }),
      ),
    ).toEqual([]);
    expect(
      campaignActivityAggregate.contribute(
        delivery({ machineOpenedAt: '2026-11-20T09:00:01.000Z', openedAt: '2026-11-20T10:00:00.000Z' }),
      ),
    ).toEqual([{ report: 'campaign-activity', key: 'C1#2026-11-20T10', counters: { humanOpens: 1 } }]);
    expect(
      campaignActivityAggregate.contribute(delivery({ kind: 'sequence', openedAt: '2026-11-20T10:00:00Z' })),
    ).toEqual([]);
    expect(campaignActivityAggregate.contribute(delivery({ openedAt: 5, clickedAt: ['x'] }))).toEqual([]);
  });

  it('sums to the campaign stats for any recipients', () => {
    const at = fc.constantFrom(
      '2026-11-20T09:00:00.000Z',
      '2026-11-20T10:30:00.000Z',
      '2026-11-21T00:00:00.000Z',
    );
    const maybe = (value: fc.Arbitrary<string>) => fc.option(value, { nil: undefined });
    const recipient = fc.record({
      status: fc.constantFrom('pending', 'sent', 'failed', 'suppressed'),
      deliveredAt: maybe(at),
      openedAt: maybe(at),
      machineOpenedAt: maybe(at),
      clickedAt: maybe(at),
      bouncedAt: maybe(at),
    });
    fc.assert(
      fc.property(fc.array(recipient, { maxLength: 20 }), (recipients) => {
        const items = new Map<string, Record<string, number>>();
        const counts = emptyCounts();
        for (const state of recipients) {
          const image = { ...delivery(), ...state }; // state names deliveredAt (possibly undefined)
          for (const { key, counters } of campaignActivityAggregate.contribute(image)) {
            const item = items.get(key) ?? {};
            for (const [name, value] of Object.entries(counters)) item[name] = (item[name] ?? 0) + value;
            items.set(key, item);
          }
          for (const counter of recipientCounters(state as never)) counts[counter] += 1;
        }
        const total = (name: 'humanOpens' | 'clicks' | 'machineOpens') =>
          timeseries(items, 'day').reduce((sum, point) => sum + point[name], 0);
        const stats = campaignStats(counts);
        expect([total('humanOpens'), total('clicks'), total('machineOpens')]).toEqual([
          stats.humanOpens,
          stats.clicked,
          stats.machineOpens,
        ]);
      }),
    );
  });
});

describe('the time series', () => {
  const items = new Map<string, Record<string, number>>([
    ['C1#2026-11-20T09', { machineOpens: 3 }],
    ['C1#2026-11-20T10', { humanOpens: 2, clicks: 1 }],
    ['C1#2026-11-21T08', { humanOpens: 1 }],
  ]);

  it('lists hours with activity, oldest first', () => {
    expect(timeseries(items, 'hour')).toEqual([
      { start: '2026-11-20T09:00:00.000Z', humanOpens: 0, clicks: 0, machineOpens: 3 },
      { start: '2026-11-20T10:00:00.000Z', humanOpens: 2, clicks: 1, machineOpens: 0 },
      { start: '2026-11-21T08:00:00.000Z', humanOpens: 1, clicks: 0, machineOpens: 0 },
    ]);
  });

  it('sums hours into UTC days', () => {
    expect(timeseries(items, 'day')).toEqual([
      { start: '2026-11-20', humanOpens: 2, clicks: 1, machineOpens: 3 },
      { start: '2026-11-21', humanOpens: 1, clicks: 0, machineOpens: 0 },
    ]);
  });
});

describe('ROI and the report row', () => {
  it('is (won − cost) / cost in the cost’s currency, to 4 digits', () => {
    expect(roi({ amount: 1000, currency: 'EUR' }, { EUR: 2500 })).toBe(1.5);
    expect(roi({ amount: 300, currency: 'EUR' }, { EUR: 100 })).toBe(-0.6667);
    expect(roi({ amount: 300, currency: 'EUR' }, {})).toBe(-1);
  });

  it('is null without a cost, with a zero cost, or with won amounts in another currency', () => {
    expect(roi(undefined, { EUR: 100 })).toBeNull();
    expect(roi({ amount: 0, currency: 'EUR' }, { EUR: 100 })).toBeNull();
    expect(roi({ amount: 10, currency: 'EUR' }, { EUR: 100, USD: 5 })).toBeNull();
  });

  it('shows budget and cost in the campaign’s currency with its stats and deals', () => {
    const row = campaignReportRow(
      { id: 'C1', name: 'Autumn', status: 'sent', startedAt: 's', budget: 500, cost: 400.1, currency: 'EUR' },
      campaignStats({ ...emptyCounts(), sent: 4, delivered: 4, opened: 2, clicked: 1 }),
      { influenced: 3, won: 1, 'wonAmount#EUR': 100_010 },
    );
    expect(row).toMatchObject({
      campaignId: 'C1',
      budget: { EUR: 500 },
      cost: { EUR: 400.1 },
      influencedDeals: 3,
      wonDeals: 1,
      wonAmount: { EUR: 1000.1 },
      roi: 1.4996,
      humanOpens: 2,
      openRate: 0.5,
      clickToOpenRate: 0.5,
    });
    expect(
      campaignReportRow({ id: 'C2', name: 'n', status: 'sending' }, campaignStats(emptyCounts()), undefined),
    ).toMatchObject({
      startedAt: null,
      budget: null,
      cost: null,
      influencedDeals: 0,
      wonAmount: {},
      roi: null,
    });
  });

  it('reads the started campaigns of a period in key order, once each', () => {
    const started = new Map([
      ['started#2026-11-01#C2', { started: 1 }],
      ['started#2026-11-03#C1', { started: 1 }],
      ['started#2026-11-04#C3', { started: 0 }],
    ]);
    expect(startedCampaignIds(started)).toEqual(['C2', 'C1']);
  });
});

describe('deal attribution to a clicked campaign', () => {
  it('records a campaign delivery’s first click on its contact', () => {
    const before = delivery();
    const after = delivery({ clickedAt: '2026-11-20T10:00:00.000Z' });
    expect(lastClickUpdate(before, after)).toEqual({
      tenantId,
      contactId: 'P1',
      campaignId: 'C1',
      at: '2026-11-20T10:00:00.000Z',
    });
    expect(lastClickUpdate(after, { ...after, deliveredAt: 'later' })).toBeUndefined();
    expect(lastClickUpdate(before, { ...after, kind: 'sequence' })).toBeUndefined();
    expect(
      lastClickUpdate(before, delivery({ machineOpenedAt: '2026-11-20T10:00:00.000Z' })),
    ).toBeUndefined();
  });

  it('puts back a last click a user’s write dropped from the contact', () => {
    const contact = { tenantId, entity: 'contact', id: 'P1' };
    const clicked = { ...contact, lastClickedCampaignId: 'C1', lastClickedAt: '2026-11-20T10:00:00.000Z' };
    expect(lastClickUpdate(clicked, { ...contact, title: 'new' })).toEqual({
      tenantId,
      contactId: 'P1',
      campaignId: 'C1',
      at: '2026-11-20T10:00:00.000Z',
    });
    expect(lastClickUpdate(clicked, { ...clicked, title: 'new' })).toBeUndefined();
  });

  it('attributes a new deal to the campaign clicked before it was created, never after', () => {
    const contact = { lastClickedCampaignId: 'C1', lastClickedAt: '2026-11-20T10:00:00.000Z' };
    expect(campaignFromLastClick(contact, '2026-11-20T10:00:00.000Z')).toBe('C1');
    expect(campaignFromLastClick(contact, '2026-11-20T09:59:59.999Z')).toBeUndefined();
    expect(campaignFromLastClick(undefined, '2026-11-20T10:00:00.000Z')).toBeUndefined();
    expect(
      campaignFromLastClick({ lastClickedAt: '2026-11-20T10:00:00.000Z' }, '2030-01-01'),
    ).toBeUndefined();
  });
});
