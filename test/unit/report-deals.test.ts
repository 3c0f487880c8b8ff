import { describe, expect, it } from 'vitest';
import { type DealState, moveToStage } from '#shared/domain/deal';
import { advances } from '#shared/domain/deal-flow';
import {
  acceptedProducts,
  MAX_DEAL_PRODUCTS,
  MAX_PRODUCT_LINES,
  OTHER_PRODUCTS,
} from '#shared/domain/deal-products';
import { formatQuoteNumber, quoteYear } from '#shared/domain/quote-number';
import {
  aggregateDeltas,
  type Counters,
  contributionsOf,
  type Image,
} from '#shared/domain/reports/aggregate';
import { addMonths, forecastAggregate, forecastOf } from '#shared/domain/reports/forecast';
import { pipelineAggregate, pipelineRows } from '#shared/domain/reports/pipeline';
import { winRateAggregate, winRateRow } from '#shared/domain/reports/win-rate';
import { renewals, sales } from '../support/pipelines.ts';

const deal = (fields: Record<string, unknown> = {}): Image => ({
  entity: 'deal',
  tenantId: 't1',
  id: 'd1',
  archived: false,
  ownerId: 'u1',
  pipelineId: 'P1',
  stageId: 's2',
  status: 'open',
  probability: 50,
  amount: 100.05,
  currency: 'EUR',
  createdAt: '2026-03-01T00:00:00.000Z',
  ...fields,
});

const history = (fields: Record<string, unknown>): Image => ({
  entity: 'deal-history',
  tenantId: 't1',
  id: 'h1',
  dealId: 'd1',
  status: 'open',
  at: '2026-03-05T00:00:00.000Z',
  ...fields,
});

const all = [pipelineAggregate, winRateAggregate, forecastAggregate];

describe('pipeline aggregate', () => {
  it('counts a live deal in its stage with amount and weighted amount in minor units', () => {
    expect(pipelineAggregate.contribute(deal())).toEqual([
      {
        report: 'pipeline',
        key: 'P1#s2',
        counters: { count: 1, 'amount#EUR': 10005, 'weighted#EUR': 500250 },
      },
    ]);
  });

  it('ignores archived deals and malformed images', () => {
    for (const image of [
      deal({ archived: true }),
      deal({ pipelineId: 7 }),
      deal({ stageId: '' }),
      { entity: 'deal', pipelineId: 'P1', stageId: 's1' },
      history({ to: 'not a stage' }),
      history({ to: { stageId: 's1' } }), // without pipelineId (written before flows were kept)
      history({ tenantId: undefined, pipelineId: 'P1', to: { stageId: 's1' } }),
    ])
      expect(pipelineAggregate.contribute(image)).toEqual([]);
    expect(pipelineAggregate.contribute(deal({ amount: 'lots' }))).toEqual([
      { report: 'pipeline', key: 'P1#s2', counters: { count: 1 } },
    ]);
    expect(pipelineAggregate.contribute(deal({ probability: 12.5 }))[0]?.counters).toEqual({
      count: 1,
      'amount#EUR': 10005,
      'weighted#EUR': 0,
    });
  });

  it('counts entries, advances and seconds in stage from history entries', () => {
    const created = history({ pipelineId: 'P1', from: null, to: { stageId: 's1', name: 'prospecting' } });
    expect(pipelineAggregate.contribute(created)).toEqual([
      { report: 'pipeline', key: 'P1#s1', counters: { entered: 1 } },
    ]);
    const moved = history({
      pipelineId: 'P1',
      fromPipelineId: 'P1',
      advanced: true,
      secondsInStage: 3600,
      from: { stageId: 's1', name: 'prospecting' },
      to: { stageId: 's2', name: 'proposal' },
    });
    expect(pipelineAggregate.contribute(moved)).toEqual([
      { report: 'pipeline', key: 'P1#s2', counters: { entered: 1 } },
      { report: 'pipeline', key: 'P1#s1', counters: { left: 1, advanced: 1, timed: 1, seconds: 3600 } },
    ]);
    const untimed = history({
      pipelineId: 'P1',
      fromPipelineId: 'P1',
      advanced: false,
      secondsInStage: -4,
      from: { stageId: 's2' },
      to: { stageId: 's1' },
    });
    expect(pipelineAggregate.contribute(untimed)[1]).toEqual({
      report: 'pipeline',
      key: 'P1#s2',
      counters: { left: 1 },
    });
  });

  it('moves a deal moved to another pipeline out of the old stage and into the new one', () => {
    const before = deal();
    const after = deal({ pipelineId: 'P2', stageId: 'r1', probability: 40, amount: 20, currency: 'USD' });
    expect(aggregateDeltas(before, after, [pipelineAggregate])).toEqual([
      {
        report: 'pipeline',
        key: 'P1#s2',
        counters: { count: -1, 'amount#EUR': -10005, 'weighted#EUR': -500250 },
      },
      { report: 'pipeline', key: 'P2#r1', counters: { count: 1, 'amount#USD': 2000, 'weighted#USD': 80000 } },
    ]);
    const entry = history({
      pipelineId: 'P2',
      fromPipelineId: 'P1',
      advanced: advances({ pipeline: sales, stageId: 's2' }, { pipeline: renewals, stageId: 'r1' }),
      secondsInStage: 10,
      from: { stageId: 's2' },
      to: { stageId: 'r1' },
    });
    expect(aggregateDeltas(undefined, entry, [pipelineAggregate])).toEqual([
      { report: 'pipeline', key: 'P2#r1', counters: { entered: 1 } },
      { report: 'pipeline', key: 'P1#s2', counters: { left: 1, timed: 1, seconds: 10 } },
    ]);
  });

  it('shows stages in pipeline order with conversion and average days', () => {
    const items = new Map<string, Counters>([
      ['P1#s2', { count: 2, 'amount#EUR': 300, 'weighted#EUR': 15_050, entered: 4, advanced: 1 }],
      ['P1#s1', { entered: 3, left: 3, advanced: 2, timed: 2, seconds: 3 * 86_400 }],
      ['P1#gone', { entered: 9 }],
    ]);
    const rows = pipelineRows(sales, items);
    expect(rows.map((row) => row.stageId)).toEqual(['s1', 's2', 'won', 'lost']);
    expect(rows[0]).toEqual({
      stageId: 's1',
      name: 'prospecting',
      count: 0,
      amount: {},
      weightedAmount: {},
      enteredCount: 3,
      advancedCount: 2,
      conversionRate: 0.6667,
      avgDaysInStage: 1.5,
    });
    expect(rows[1]).toMatchObject({
      count: 2,
      amount: { EUR: 3 },
      weightedAmount: { EUR: 1.51 },
      conversionRate: 0.25,
      avgDaysInStage: null,
    });
  });
});

describe('stage moves', () => {
  it('advance to a later open stage or to won, never back, lost, reopened or to another pipeline', () => {
    const move = (from: string, to: string, toPipeline = sales) =>
      advances({ pipeline: sales, stageId: from }, { pipeline: toPipeline, stageId: to });
    expect(move('s1', 's2')).toBe(true);
    expect(move('s2', 'won')).toBe(true);
    expect(move('lost', 'won')).toBe(true);
    expect(move('s2', 's1')).toBe(false);
    expect(move('s1', 'lost')).toBe(false);
    expect(move('won', 's2')).toBe(false);
    expect(move('lost', 's2')).toBe(false);
    expect(move('s1', 'r1', renewals)).toBe(false);
    expect(move('s1', 'rwon', renewals)).toBe(true);
  });

  it('stamp stageEnteredAt when the stage changes and keep it otherwise', () => {
    const base: DealState = {
      pipelineId: 'P1',
      stageId: 's1',
      status: 'open',
      probability: 10,
      stageEnteredAt: '2026-01-01T00:00:00.000Z',
    };
    const moved = moveToStage(base, sales, 's2', '2026-02-01T00:00:00.000Z');
    expect(moved.ok && moved.deal.stageEnteredAt).toBe('2026-02-01T00:00:00.000Z');
    const stayed = moveToStage(base, sales, 's1', '2026-02-01T00:00:00.000Z');
    expect(stayed.ok && stayed.deal.stageEnteredAt).toBe('2026-01-01T00:00:00.000Z');
    const { stageEnteredAt: _unknown, ...legacy } = base;
    const first = moveToStage<DealState>(legacy, sales, 's1', '2026-02-01T00:00:00.000Z');
    expect(first.ok && first.deal.stageEnteredAt).toBe('2026-02-01T00:00:00.000Z');
  });
});

describe('win-rate aggregate', () => {
  const won = deal({
    stageId: 'won',
    status: 'won',
    probability: 100,
    source: 'web',
    closedAt: '2026-03-11T12:00:00.000Z',
  });

  it('counts won deals with amount, currency count and cycle seconds under month, owner and source', () => {
    const counters = {
      won: 1,
      'amount#EUR': 10005,
      'won#EUR': 1,
      cycled: 1,
      cycleSeconds: 10 * 86_400 + 43_200,
    };
    expect(winRateAggregate.contribute(won)).toEqual([
      { report: 'win-rate', key: 'month#2026-03-11', counters },
      { report: 'win-rate', key: 'owner#2026-03-11#u1', counters },
      { report: 'win-rate', key: 'source#2026-03-11#web', counters },
    ]);
    const lost = deal({ status: 'lost', closedAt: '2026-03-12T00:00:00Z', source: undefined });
    expect(winRateAggregate.contribute(lost).map((c) => [c.key, c.counters])).toEqual([
      ['month#2026-03-12', { lost: 1 }],
      ['owner#2026-03-12#u1', { lost: 1 }],
      ['source#2026-03-12#none', { lost: 1 }],
    ]);
  });

  it('ignores open, archived and malformed deals', () => {
    for (const image of [
      deal(),
      { ...won, archived: true },
      { ...won, closedAt: 'yesterday' },
      { ...won, closedAt: 42 },
      { ...won, status: 'WON' },
    ])
      expect(winRateAggregate.contribute(image)).toEqual([]);
    expect(winRateAggregate.contribute({ ...won, createdAt: undefined })[0]?.counters).toEqual({
      won: 1,
      'amount#EUR': 10005,
      'won#EUR': 1,
    });
  });

  it('takes a deal reopened after won out of the won count', () => {
    const reopened = deal({ stageId: 's2', status: 'open', probability: 50, source: 'web' });
    const deltas = aggregateDeltas(won, reopened, all);
    expect(deltas.filter((d) => d.report === 'win-rate').map((d) => d.counters.won)).toEqual([-1, -1, -1]);
    expect(deltas.find((d) => d.report === 'forecast')).toEqual({
      report: 'forecast',
      key: 'undated#u1',
      counters: { count: 1, 'amount#EUR': 10005, 'weighted#EUR': 500250 },
    });
  });

  it('averages deal size per currency over the won deals in that currency', () => {
    const items = [
      won,
      { ...won, amount: 0.1 },
      { ...won, amount: 1999.99, currency: 'USD', createdAt: '2026-03-11T12:00:00.000Z' },
      deal({ status: 'lost', closedAt: '2026-03-12T00:00:00Z' }),
    ].flatMap((image) => contributionsOf(image, [winRateAggregate]));
    const sum: Record<string, number> = {};
    for (const c of items.filter((c) => c.key.startsWith('month#')))
      for (const [name, value] of Object.entries(c.counters)) sum[name] = (sum[name] ?? 0) + value;
    expect(winRateRow('2026-03', sum)).toEqual({
      key: '2026-03',
      won: 3,
      lost: 1,
      winRate: 0.75,
      avgDealSize: { EUR: 50.08, USD: 1999.99 },
      avgCycleDays: 7,
    });
    expect(winRateRow('x', {})).toEqual({
      key: 'x',
      won: 0,
      lost: 0,
      winRate: 0,
      avgDealSize: {},
      avgCycleDays: null,
    });
  });
});

describe('forecast aggregate', () => {
  it('keys open deals by expected close month and owner, or undated', () => {
    expect(forecastAggregate.contribute(deal({ expectedCloseDate: '2026-05-31' }))).toEqual([
      {
        report: 'forecast',
        key: 'month#2026-05#u1',
        counters: { count: 1, 'amount#EUR': 10005, 'weighted#EUR': 500250 },
      },
    ]);
    expect(forecastAggregate.contribute(deal({ expectedCloseDate: 'soon' }))[0]?.key).toBe('undated#u1');
    expect(forecastAggregate.contribute(deal({ status: 'won' }))).toEqual([]);
    expect(forecastAggregate.contribute(deal({ archived: true }))).toEqual([]);
  });

  it('splits items into this and later months, undated and overdue, per owner', () => {
    const items = new Map<string, Counters>([
      ['month#2026-01#u1', { count: 1, 'amount#EUR': 100 }],
      ['month#2025-12#u1', { count: 2, 'amount#EUR': 200, 'weighted#EUR': 2000 }],
      ['month#2026-03#u2', { count: 1, 'amount#USD': 500, 'weighted#USD': 25_000 }],
      ['month#2026-03#u1', { count: 1 }],
      ['month#2026-05#u1', { count: 1 }],
      ['month#2026-06#u1', { count: 1 }],
      ['undated#u2', { count: 4, 'amount#EUR': 1 }],
    ]);
    expect(forecastOf(items, '2026-03', 3)).toEqual({
      from: '2026-03',
      to: '2026-05',
      items: [
        { month: '2026-03', ownerId: 'u1', count: 1, amount: {}, weightedAmount: {} },
        { month: '2026-03', ownerId: 'u2', count: 1, amount: { USD: 5 }, weightedAmount: { USD: 2.5 } },
        { month: '2026-05', ownerId: 'u1', count: 1, amount: {}, weightedAmount: {} },
      ],
      undated: [{ ownerId: 'u2', count: 4, amount: { EUR: 0.01 }, weightedAmount: {} }],
      overdue: [{ ownerId: 'u1', count: 3, amount: { EUR: 3 }, weightedAmount: { EUR: 0.2 } }],
    });
  });

  it('counts months across years', () => {
    expect(addMonths('2026-11', 0)).toBe('2026-11');
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-01', 23)).toBe('2027-12');
  });
});

describe('quote numbers', () => {
  it('read Q-<year>-<four digits at least>', () => {
    expect(formatQuoteNumber(2026, 1)).toBe('Q-2026-0001');
    expect(formatQuoteNumber(2026, 10_000)).toBe('Q-2026-10000');
    expect(quoteYear('2026-12-31T23:59:59.999Z')).toBe(2026);
  });
});

describe('products of an accepted quote', () => {
  const line = (productId: string | undefined, quantity: number, lineTotal: number) => ({
    ...(productId ? { productId } : {}),
    description: 'x',
    quantity,
    unitPrice: 1,
    lineTotal,
  });

  it('sum quantities and totals exactly per product, largest first, and skip lines without one', () => {
    expect(
      acceptedProducts([
        line('A', 0.1, 0.1),
        line(undefined, 1, 50),
        line('B', 1, 99.99),
        line('A', 0.2, 0.2),
        line('A', 2.5, 22.52),
      ]),
    ).toEqual({
      productIds: ['A', 'B'],
      productLines: [
        { productId: 'B', quantity: 1, total: 99.99 },
        { productId: 'A', quantity: 2.8, total: 22.82 },
      ],
    });
    expect(acceptedProducts([line(undefined, 1, 5)])).toEqual({ productIds: [], productLines: [] });
  });

  it('keep the deal within its limits: 20 productIds, and the smallest products summed as other', () => {
    const many = Array.from({ length: 70 }, (_, index) =>
      line(`P${String(index).padStart(2, '0')}`, 1, index + 1),
    );
    const { productIds, productLines } = acceptedProducts(many);
    expect(productIds).toEqual(many.slice(0, MAX_DEAL_PRODUCTS).map((l) => l.productId));
    expect(productLines).toHaveLength(MAX_PRODUCT_LINES);
    expect(productLines[0]).toEqual({ productId: 'P69', quantity: 1, total: 70 });
    expect(productLines.at(-1)).toEqual({ productId: OTHER_PRODUCTS, quantity: 11, total: 66 });
    const total = (lines: readonly { total: number }[]) =>
      lines.reduce((sum, l) => sum + Math.round(l.total * 100), 0);
    expect(total(productLines)).toBe(total(many.map((l) => ({ total: l.lineTotal }))));
  });
});
