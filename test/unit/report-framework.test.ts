import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateDeltas,
  type Contribution,
  contributionsOf,
  groupKey,
  type Image,
  isLive,
  MergedCounters,
  type ReportAggregate,
} from '#shared/domain/reports/aggregate';
import { compareAggregates } from '#shared/domain/reports/drift';
import { average, averageMoney, counter, moneyByCurrency, rate } from '#shared/domain/reports/figures';
import { reportAggregates, reportedEntities } from '#shared/domain/reports/index';
import { HIGH, periodKeys, rowsByGroup } from '#shared/domain/reports/periods';
import { addDays, daysBetween, previousRange, reportRange } from '#shared/domain/reports/range';
import { packEvents, REPORT_SHARDS, type ReportEvent, shardOf } from '#shared/store/report-aggregates';
import { sourcesFor } from '#shared/store/report-sources';

/** A toy aggregate: a live `thing` counts 1 and its size under its colour. */
const things: ReportAggregate = {
  report: 'things',
  entities: ['thing'],
  contribute: (image) =>
    isLive(image, ['thing']) && typeof image.colour === 'string'
      ? [
          { report: 'things', key: groupKey('colour', image.colour), counters: { count: 1 } },
          {
            report: 'things',
            key: 'all',
            counters: { count: 1, ...(typeof image.size === 'number' ? { size: image.size } : {}) },
          },
        ]
      : [],
};

/** Sums contributions per item, zero counters and empty items left out (what the stored items add up to). */
function total(lists: readonly (readonly Contribution[])[]): Contribution[] {
  const merged = new MergedCounters();
  for (const list of lists) for (const item of list) merged.add(item, 1);
  return sorted(merged.contributions());
}

const sorted = (items: Contribution[]): Contribution[] =>
  [...items].sort((a, b) => (`${a.report}#${a.key}` < `${b.report}#${b.key}` ? -1 : 1));

const day = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) })
  .map((ms) => new Date(ms).toISOString());

/** Stored images of any shape the framework may meet: well-formed records and malformed fields alike. */
const image: fc.Arbitrary<Image | undefined> = fc.option(
  fc.record(
    {
      tenantId: fc.constantFrom('acme', 'acme', undefined),
      entity: fc.constantFrom('thing', 'deal', 'contact', 'company', 'lead', 'user', 'team', 'delivery', 7),
      archived: fc.boolean(),
      colour: fc.constantFrom('red', 'blue', 'a#b', ''),
      size: fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant('big')),
      status: fc.constantFrom('open', 'won', 'lost', 'closed', 'new', null),
      amount: fc.oneof(
        fc.integer({ min: 0, max: 10_000_000 }).map((minor) => minor / 100),
        fc.constant('12.5'),
      ),
      currency: fc.constantFrom('EUR', 'USD', '', 3),
      ownerId: fc.constantFrom('u1', 'u2', undefined),
      teamId: fc.constantFrom('t1', undefined),
      country: fc.constantFrom('ES', 'DE', undefined),
      stageId: fc.constantFrom('s1', 's2', 's3'),
      pipelineId: fc.constantFrom('p1', 'p2'),
      probability: fc.integer({ min: 0, max: 100 }),
      createdAt: day,
      closedAt: fc.oneof(day, fc.constant('yesterday')),
      expectedCloseDate: fc.oneof(
        day.map((at) => at.slice(0, 10)),
        fc.constant('2026-02-30'),
      ),
      productIds: fc.array(fc.constantFrom('p1', 'p2', 'p3'), { maxLength: 3 }),
      source: fc.constantFrom('web', 'event', undefined),
    },
    { requiredKeys: ['tenantId', 'entity'] },
  ),
  { nil: undefined },
);

describe('groupKey', () => {
  it('joins parts with # and keeps a part holding # from splitting the key', () => {
    expect(groupKey('owner', '2026-03-14', 'u1')).toBe('owner#2026-03-14#u1');
    expect(groupKey('product', '2026-03-14', 'a#b')).toBe('product#2026-03-14#a_b');
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), (parts) => {
        expect(groupKey(...parts).split('#')).toHaveLength(parts.length);
      }),
    );
  });
});

describe('MergedCounters', () => {
  it('sums counters per item, leaves out zero counters and items that sum to nothing', () => {
    const merged = new MergedCounters();
    merged.add({ report: 'r', key: 'a', counters: { n: 2, m: 1 } });
    merged.add({ report: 'r', key: 'a', counters: { n: 3, m: 1 } }, -1);
    merged.add({ report: 'r', key: 'b', counters: { n: 1 } });
    merged.add({ report: 'r', key: 'b', counters: { n: 1 } }, -1);
    merged.add({ report: 's', key: 'a', counters: { n: 4 } });
    expect(merged.contributions()).toEqual([
      { report: 'r', key: 'a', counters: { n: -1 } },
      { report: 's', key: 'a', counters: { n: 4 } },
    ]);
  });

  it('refuses reserved counter names and counters that are not safe integers', () => {
    const merged = new MergedCounters();
    for (const name of ['pk', 'sk', 'entity', 'tenantId', 'report'])
      expect(() => merged.add({ report: 'r', key: 'k', counters: { [name]: 1 } })).toThrow(/reserved/);
    for (const value of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])
      expect(() => merged.add({ report: 'r', key: 'k', counters: { n: value } })).toThrow(/integer/);
  });
});

describe('contributionsOf and aggregateDeltas', () => {
  it('count only tenant images of the aggregate entities, and archived records not at all', () => {
    const thing = { tenantId: 'acme', entity: 'thing', colour: 'red', size: 3 };
    expect(contributionsOf(thing, [things])).toEqual([
      { report: 'things', key: 'colour#red', counters: { count: 1 } },
      { report: 'things', key: 'all', counters: { count: 1, size: 3 } },
    ]);
    expect(contributionsOf({ ...thing, tenantId: undefined }, [things])).toEqual([]);
    expect(contributionsOf({ ...thing, entity: 'other' }, [things])).toEqual([]);
    expect(contributionsOf({ ...thing, archived: true }, [things])).toEqual([]);
    expect(contributionsOf(undefined, [things])).toEqual([]);
  });

  it('move nothing on an edit no counter depends on, and everything on a delete', () => {
    const before = { tenantId: 'acme', entity: 'thing', colour: 'red', size: 3, name: 'a' };
    expect(aggregateDeltas(before, { ...before, name: 'b' }, [things])).toEqual([]);
    expect(aggregateDeltas(before, { ...before, colour: 'blue' }, [things])).toEqual([
      { report: 'things', key: 'colour#red', counters: { count: -1 } },
      { report: 'things', key: 'colour#blue', counters: { count: 1 } },
    ]);
    expect(aggregateDeltas(before, undefined, [things])).toEqual([
      { report: 'things', key: 'colour#red', counters: { count: -1 } },
      { report: 'things', key: 'all', counters: { count: -1, size: -3 } },
    ]);
  });

  it("telescope: a record's deltas over any sequence of images add up to its last image's contributions", () => {
    const aggregates = [...reportAggregates, things];
    fc.assert(
      fc.property(fc.array(image, { maxLength: 8 }), (images) => {
        const steps = [undefined, ...images];
        const deltas = steps.slice(1).map((after, n) => aggregateDeltas(steps[n], after, aggregates));
        expect(total(deltas)).toEqual(sorted(contributionsOf(steps.at(-1), aggregates)));
      }),
      { numRuns: 300 },
    );
  });

  it('read every image the real aggregates may meet without throwing, in integer counters', () => {
    fc.assert(
      fc.property(image, (one) => {
        for (const { counters } of contributionsOf(one, reportAggregates))
          for (const value of Object.values(counters)) expect(Number.isSafeInteger(value)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('compareAggregates', () => {
  const item = (key: string, counters: Record<string, number>): Contribution => ({
    report: 'r',
    key,
    counters,
  });

  it('reports each drifted item with what it was and should be, and the corrections that make it so', () => {
    const stored = [item('a', { n: 2 }), item('b', { n: 1, m: 1 }), item('gone', { n: 3 })];
    const recomputed = [item('a', { n: 2 }), item('b', { n: 1 }), item('new', { n: 1 })];
    expect(compareAggregates(stored, recomputed)).toEqual({
      aggregatesChecked: 4,
      drifted: [
        { report: 'r', key: 'b', was: { n: 1, m: 1 }, now: { n: 1 } },
        { report: 'r', key: 'gone', was: { n: 3 }, now: {} },
        { report: 'r', key: 'new', was: {}, now: { n: 1 } },
      ],
      corrections: [item('b', { m: -1 }), item('gone', { n: -3 }), item('new', { n: 1 })],
    });
    expect(compareAggregates(recomputed, recomputed).drifted).toEqual([]);
  });

  it('corrects anything: stored plus corrections equals recomputed', () => {
    const items = fc.uniqueArray(
      fc.record({
        report: fc.constantFrom('r', 's'),
        key: fc.constantFrom('a', 'b', 'c', 'd'),
        counters: fc.dictionary(fc.constantFrom('n', 'm', 'k'), fc.integer({ min: -5, max: 5 })),
      }),
      { selector: (one) => `${one.report}#${one.key}` },
    );
    fc.assert(
      fc.property(items, items, (storedRaw, recomputedRaw) => {
        const stored = total([storedRaw]);
        const recomputed = total([recomputedRaw]);
        const { corrections, drifted } = compareAggregates(stored, recomputed);
        expect(total([stored, corrections])).toEqual(recomputed);
        expect(drifted.length).toBe(corrections.length);
      }),
    );
  });
});

describe('shardOf and packEvents', () => {
  const event = (eventId: string, keys: readonly string[]): ReportEvent => ({
    eventId,
    contributions: keys.map((key) => ({ report: 'r', key, counters: { n: 1 } })),
  });

  it('spreads event ids over the shards, the same shard for the same id', () => {
    const seen = new Set<number>();
    for (let n = 0; n < 200; n++) {
      const shard = shardOf(`event-${n}`);
      expect(shard).toBe(shardOf(`event-${n}`));
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(REPORT_SHARDS);
      seen.add(shard);
    }
    expect(seen.size).toBe(REPORT_SHARDS);
  });

  it('keeps every event in order, never exceeding 100 actions (a marker per event, an update per item)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 150 }).map(String), { maxLength: 99 }), {
          maxLength: 120,
        }),
        (keyLists) => {
          const events = keyLists.map((keys, n) => event(`e${n}`, [...new Set(keys)]));
          const groups = packEvents(events);
          expect(groups.flat()).toEqual(events);
          for (const group of groups) {
            const items = new Set(group.flatMap((one) => one.contributions.map((c) => c.key)));
            expect(group.length + items.size).toBeLessThanOrEqual(100);
            expect(group.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an event that alone moves more items than a transaction holds', () => {
    const keys = Array.from({ length: 100 }, (_, n) => `k${n}`);
    expect(() => packEvents([event('big', keys)])).toThrow(/big/);
    expect(packEvents([event('fits', keys.slice(0, 99))])).toHaveLength(1);
  });
});

describe('report periods', () => {
  it('validates from and to, defaulting to the twelve months up to today', () => {
    const today = '2026-03-14';
    expect(reportRange({}, today)).toEqual({ ok: true, range: { from: '2025-03-15', to: '2026-03-14' } });
    expect(reportRange({ from: '2026-01-01' }, today)).toEqual({
      ok: true,
      range: { from: '2026-01-01', to: '2026-03-14' },
    });
    expect(reportRange({ to: '2026-01-31' }, today)).toEqual({
      ok: true,
      range: { from: '2025-02-01', to: '2026-01-31' },
    });
    expect(reportRange({ from: '2026-06-01' }, today)).toEqual({
      ok: true,
      range: { from: '2026-06-01', to: '2027-06-01' },
    });
    expect(reportRange({ from: '2026-02-30' }, today)).toMatchObject({ ok: false, path: 'from' });
    expect(reportRange({ to: 'today' }, today)).toMatchObject({ ok: false, path: 'to' });
    expect(reportRange({ from: '2026-03-02', to: '2026-03-01' }, today)).toMatchObject({
      ok: false,
      path: 'to',
    });
    // At most five years apart: exactly five is a period, a day more is not.
    expect(reportRange({ from: '2020-01-01', to: '2025-01-02' }, today)).toMatchObject({
      ok: false,
      path: 'to',
    });
    expect(reportRange({ from: '2020-01-01', to: '2025-01-01' }, today)).toMatchObject({ ok: true });
    expect(reportRange({ from: '0000-01-01', to: '0001-01-01' }, today)).toMatchObject({
      ok: false,
      path: 'from',
    });
  });

  it('gives the period of equal length just before, ending the day before', () => {
    expect(previousRange({ from: '2026-03-01', to: '2026-03-31' })).toEqual({
      from: '2026-01-29',
      to: '2026-02-28',
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 1800 }), (offset, length) => {
        const from = addDays('2020-01-01', offset);
        const to = addDays(from, length);
        const previous = previousRange({ from, to });
        expect(daysBetween(previous.from, previous.to)).toBe(length);
        expect(addDays(previous.to, 1)).toBe(from);
      }),
    );
  });

  it('bounds one dimension in a period, and sums its items by value, month or day', () => {
    const keys = periodKeys('owner', { from: '2026-01-01', to: '2026-01-31' });
    expect(keys).toEqual({ from: 'owner#2026-01-01', to: `owner#2026-01-31${HIGH}` });
    for (const key of ['owner#2026-01-01#u1', 'owner#2026-01-31#u2#x'])
      expect(key >= keys.from && key <= keys.to).toBe(true);
    for (const key of ['owner#2025-12-31#u1', 'owner#2026-02-01#u1', 'ownerx#2026-01-05'])
      expect(key >= keys.from && key <= keys.to).toBe(false);
    const items = new Map<string, Record<string, number>>([
      ['owner#2026-01-02#u2', { count: 1 }],
      ['owner#2026-01-02#u1', { count: 2, 'amount#EUR': 5 }],
      ['owner#2026-02-03#u1', { count: 1, 'amount#EUR': 7 }],
    ]);
    expect([...rowsByGroup(items, 'value')]).toEqual([
      ['u1', { count: 3, 'amount#EUR': 12 }],
      ['u2', { count: 1 }],
    ]);
    expect([...rowsByGroup(items, 'month')]).toEqual([
      ['2026-01', { count: 3, 'amount#EUR': 5 }],
      ['2026-02', { count: 1, 'amount#EUR': 7 }],
    ]);
    expect([...rowsByGroup(items, 'day')].map(([day]) => day)).toEqual(['2026-01-02', '2026-02-03']);
  });
});

describe('report figures', () => {
  it('turns minor units into exact decimals per currency, leaving out zero sums', () => {
    expect(
      moneyByCurrency({ 'amount#EUR': 10, 'amount#USD': 0, 'other#EUR': 3, count: 2 }, 'amount'),
    ).toEqual({
      EUR: 0.1,
    });
    expect(moneyByCurrency({ 'weighted#EUR': 12_345 * 50 }, 'weighted', 100)).toEqual({ EUR: 61.73 });
    expect(moneyByCurrency(undefined, 'amount')).toEqual({});
    expect(counter({ n: 3 }, 'n')).toBe(3);
    expect(counter(undefined, 'n')).toBe(0);
  });

  it('rounds rates to 4 digits within 0..1, and averages, with nothing to divide by as 0 or null', () => {
    expect(rate(1, 3)).toBe(0.3333);
    expect(rate(2, 3)).toBe(0.6667);
    expect(rate(5, 0)).toBe(0);
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (part, extra) => {
        const value = rate(part, part + extra);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
        expect(Number(value.toFixed(4))).toBe(value);
      }),
    );
    expect(average(10, 4)).toBe(2.5);
    expect(average(10, 3, 0)).toBe(3);
    expect(average(10, 0)).toBeNull();
    expect(averageMoney({ 'amount#EUR': 1001, 'amount#USD': 0 }, 'amount', 2)).toEqual({ EUR: 5.01 });
    expect(averageMoney({ 'amount#EUR': 1001 }, 'amount', 0)).toEqual({});
  });
});

describe('rebuild sources', () => {
  it('read every entity a report is fed by, and name an entity none reads', () => {
    const sources = sourcesFor(reportedEntities());
    expect(new Set(sources.map((source) => source.entity))).toEqual(new Set(reportedEntities()));
    expect(() => sourcesFor(['deal', 'no-such-item'])).toThrow(/no-such-item/);
  });
});

describe('contributions that cannot be stored', () => {
  it('leaves out a contribution whose key is longer than a sort key may be, and keeps the others', async () => {
    const { contributionsOf } = await import('#shared/domain/reports/aggregate');
    const { reportAggregates } = await import('#shared/domain/reports/index');
    const contact = {
      entity: 'contact',
      tenantId: 't1',
      id: 'p1',
      archived: false,
      companyId: `C${'x'.repeat(3000)}`,
      marketingStatus: 'subscribed',
    };
    const contributions = contributionsOf(contact, reportAggregates);
    expect(contributions).toContainEqual({ report: 'overview', key: 'overview', counters: { contacts: 1 } });
    for (const { key } of contributions)
      expect(new TextEncoder().encode(key).length).toBeLessThanOrEqual(1024);
  });
});
