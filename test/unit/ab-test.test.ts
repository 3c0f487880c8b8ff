import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignTestGroup,
  decideFrom,
  pickWinner,
  restCounterName,
  restCounts,
  testGroupSize,
  variantCounterName,
  variantCounts,
  variantDeltas,
  winnerRate,
} from '../../shared/domain/ab-test.ts';
import { abTestProblems } from '../../shared/domain/ab-test-fields.ts';
import { emptyCounts } from '../../shared/domain/campaign.ts';

const ids = Array.from({ length: 10_000 }, (_, index) => `01J${index.toString(36).padStart(10, '0')}`);

describe('assignTestGroup', () => {
  const sizes = (group: Map<string, number>, variants: number) =>
    Array.from({ length: variants }, (_, variant) => [...group.values()].filter((v) => v === variant).length);

  it.each([
    // n, percent, variants, test group size
    [1, 1, 2, 1],
    [1, 50, 2, 1],
    [1, 100, 3, 1],
    [2, 1, 2, 2],
    [2, 50, 2, 2],
    [2, 100, 2, 2],
    [3, 1, 2, 2],
    [3, 10, 4, 3],
    [3, 50, 2, 2],
    [3, 100, 2, 3],
    [20, 1, 2, 2],
    [20, 10, 3, 3],
    [20, 50, 2, 10],
    [20, 33, 2, 7],
    [20, 100, 4, 20],
    [10_000, 1, 2, 100],
    [10_000, 10, 3, 1000],
    [10_000, 25, 4, 2500],
    [10_000, 40, 2, 4000],
    [10_000, 33, 3, 3300],
    [10_000, 100, 2, 10_000],
  ])(
    '%i recipients at %i %% over %i variants: exactly %i in the test group, split in turn',
    (n, percent, variants, size) => {
      expect(testGroupSize(n, percent, variants)).toBe(size);
      const group = assignTestGroup('01JCAMPAIGN', ids.slice(0, n), percent, variants);
      expect(group.size).toBe(size);
      const perVariant = sizes(group, variants);
      expect(Math.max(...perVariant) - Math.min(...perVariant)).toBeLessThanOrEqual(1);
      expect(perVariant.reduce((sum, count) => sum + count, 0)).toBe(size);
      if (n >= variants) expect(perVariant.every((count) => count > 0)).toBe(true);
    },
  );

  it('nobody to send to: an empty group', () => {
    expect(testGroupSize(0, 50, 2)).toBe(0);
    expect(assignTestGroup('c', [], 50, 2).size).toBe(0);
  });

  it('is deterministic: the same frozen list in any order (or with repeats) gives the same assignment', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 0, maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 2, max: 4 }),
        fc.string(),
        (list, percent, variants, campaignId) => {
          const once = assignTestGroup(campaignId, list, percent, variants);
          const shuffled = [...list].reverse().concat(list.slice(0, 3));
          const again = assignTestGroup(campaignId, shuffled, percent, variants);
          expect([...again].sort()).toEqual([...once].sort());
          expect(once.size).toBe(testGroupSize(list.length, percent, variants));
        },
      ),
    );
  });

  it('depends on the campaign: another campaign picks another group', () => {
    const a = [...assignTestGroup('campaign-a', ids, 10, 2).keys()].sort();
    const b = [...assignTestGroup('campaign-b', ids, 10, 2).keys()].sort();
    expect(a).not.toEqual(b);
  });
});

describe('pickWinner', () => {
  const counts = (delivered: number, opened: number, clicked: number) => ({ delivered, opened, clicked });

  it('chooses the highest rate over delivered, by opens or by clicks', () => {
    const variants = [counts(100, 30, 1), counts(50, 10, 5)];
    expect(pickWinner(variants, 'humanOpens')).toBe(0);
    expect(pickWinner(variants, 'clicks')).toBe(1);
  });

  it('ties go to the lower index', () => {
    expect(pickWinner([counts(10, 2, 0), counts(20, 4, 0), counts(5, 1, 0)], 'humanOpens')).toBe(0);
    expect(pickWinner([counts(10, 1, 0), counts(20, 4, 0), counts(5, 1, 0)], 'humanOpens')).toBe(1);
  });

  it('with nothing delivered yet every rate is 0: the first variant wins', () => {
    expect(pickWinner([counts(0, 0, 0), counts(0, 0, 0)], 'clicks')).toBe(0);
    expect(winnerRate(counts(0, 3, 1), 'humanOpens')).toBe(0);
    expect(pickWinner([counts(0, 0, 0), counts(3, 1, 0)], 'humanOpens')).toBe(1);
  });

  it('refuses an empty list', () => {
    expect(() => pickWinner([], 'clicks')).toThrow();
  });
});

describe('decideFrom', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const counts = (delivered: number, opened: number, clicked: number) => ({ delivered, opened, clicked });

  it('with something delivered: the highest rate, by the campaign criterion', () => {
    expect(decideFrom([counts(10, 1, 0), counts(10, 3, 0)], 'humanOpens', at)).toEqual({
      index: 1,
      by: 'humanOpens',
      decidedAt: at.toISOString(),
    });
    // Delivered to one variant only, nobody opened: still a decision on data (a tie, to the lower index).
    expect(decideFrom([counts(0, 0, 0), counts(4, 0, 0)], 'clicks', at)).toMatchObject({
      index: 0,
      by: 'clicks',
    });
  });

  it('with nothing delivered at all: variant 0 by default, saying why', () => {
    expect(decideFrom([counts(0, 0, 0), counts(0, 0, 0)], 'clicks', at)).toEqual({
      index: 0,
      by: 'default',
      decidedAt: at.toISOString(),
      reason: 'nothing_delivered',
    });
  });
});

describe('variantDeltas', () => {
  it('counts a recipient under its variant, moving the counts when the variant changes', () => {
    const sent = { status: 'sent' as const, variant: 1, deliveredAt: 'x', openedAt: 'y' };
    expect(variantDeltas(undefined, sent)).toEqual({
      v1_recipients: 1,
      v1_sent: 1,
      v1_delivered: 1,
      v1_opened: 1,
    });
    expect(variantDeltas({ status: 'held' }, { status: 'pending', variant: 0 })).toEqual({
      v0_recipients: 1,
    });
    expect(variantDeltas({ status: 'pending', variant: 0 }, { status: 'sent', variant: 0 })).toEqual({
      v0_sent: 1,
    });
    expect(variantDeltas({ status: 'pending' }, { status: 'sent' })).toEqual({});
  });

  it('counts the rest apart, also once the winner is set on it', () => {
    expect(variantDeltas(undefined, { status: 'held', group: 'rest' })).toEqual({ rest_recipients: 1 });
    // Frozen held in the rest, then moved to the test group.
    expect(
      variantDeltas({ status: 'held', group: 'rest' }, { status: 'pending', variant: 1, group: 'test' }),
    ).toEqual({ rest_recipients: -1, v1_recipients: 1 });
    // Claimed with the winner's variant: still the rest's, never the variant's.
    expect(
      variantDeltas({ status: 'held', group: 'rest' }, { status: 'sending', variant: 0, group: 'rest' }),
    ).toEqual({});
    expect(
      variantDeltas(
        { status: 'sending', variant: 0, group: 'rest' },
        { status: 'sent', variant: 0, group: 'rest', deliveredAt: 'x' },
      ),
    ).toEqual({ rest_sent: 1, rest_delivered: 1 });
    const item = { [restCounterName('delivered')]: 5, v0_delivered: 2 };
    expect(restCounts(item)).toEqual({ ...emptyCounts(), delivered: 5 });
  });

  it('summed over any sequence of states, equals the counts of the last state', () => {
    const state = fc.record({
      status: fc.constantFrom('pending', 'held', 'sending', 'sent', 'failed', 'canceled' as const),
      variant: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      group: fc.option(fc.constantFrom('test' as const, 'rest' as const), { nil: undefined }),
      deliveredAt: fc.option(fc.constant('t'), { nil: undefined }),
      openedAt: fc.option(fc.constant('t'), { nil: undefined }),
      clickedAt: fc.option(fc.constant('t'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(state, { minLength: 1, maxLength: 6 }), (states) => {
        const sums: Record<string, number> = {};
        let previous: (typeof states)[number] | undefined;
        for (const next of states) {
          for (const [name, delta] of Object.entries(variantDeltas(previous, next)))
            sums[name] = (sums[name] ?? 0) + delta;
          previous = next;
        }
        const last = states.at(-1) as (typeof states)[number];
        const direct = variantDeltas(undefined, last);
        for (const name of new Set([...Object.keys(sums), ...Object.keys(direct)]))
          expect(sums[name] ?? 0).toBe(direct[name] ?? 0);
      }),
    );
  });

  it('reads a variant back from the counters item', () => {
    const item = { [variantCounterName(2, 'delivered')]: 7, [variantCounterName(2, 'clicked')]: 3, sent: 99 };
    expect(variantCounts(item, 2)).toEqual({ ...emptyCounts(), delivered: 7, clicked: 3 });
    expect(variantCounts(item, 0)).toEqual(emptyCounts());
  });
});

describe('abTestProblems', () => {
  it('accepts a complete test and a campaign without one', () => {
    expect(abTestProblems({})).toEqual([]);
    expect(
      abTestProblems({
        variants: [{ subject: 'Hi {{contact.firstName}}' }, { subject: 'Hello' }],
        testPercent: 20,
        decideAfterHours: 4,
      }),
    ).toEqual([]);
  });

  it('names subjects that do not compile and fields that are missing or out of place', () => {
    const problems = abTestProblems({
      variants: [{ subject: 'Hi {{contact.firstName' }, { subject: '{{nope}}' }],
    });
    expect(problems.map((problem) => problem.path)).toEqual([
      'variants.0.subject',
      'variants.1.subject',
      'testPercent',
      'decideAfterHours',
    ]);
    expect(abTestProblems({ testPercent: 10, winnerBy: 'clicks' }).map((problem) => problem.path)).toEqual([
      'testPercent',
      'winnerBy',
    ]);
  });

  it.each([
    ['CR', 'Hi\rthere'],
    ['LF', 'Hi\nBcc: x@example.com'],
    ['NUL', 'Hi\u0000'],
    ['TAB', 'Hi\tthere'],
    ['DEL', 'Hi\u007f'],
    ['C1', 'Hi\u0085there'],
  ])('refuses a subject with a control character (%s) at its path', (_name, subject) => {
    const problems = abTestProblems({
      variants: [{ subject: 'Fine' }, { subject }],
      testPercent: 20,
      decideAfterHours: 4,
    });
    expect(problems).toEqual([
      { path: 'variants.1.subject', message: expect.stringMatching(/control characters/) },
    ]);
  });

  it('refuses a subject that repeats another, naming both', () => {
    const problems = abTestProblems({
      variants: [{ subject: 'Same' }, { subject: 'Other' }, { subject: 'Same' }],
      testPercent: 20,
      decideAfterHours: 4,
    });
    expect(problems).toEqual([
      { path: 'variants.2.subject', message: expect.stringMatching(/variants\.0\.subject/) },
    ]);
  });
});
