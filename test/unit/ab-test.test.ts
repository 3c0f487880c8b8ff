import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abTestProblems,
  assignRecipient,
  pickWinner,
  variantCounterName,
  variantCounts,
  variantDeltas,
  winnerRate,
} from '../../shared/domain/ab-test.ts';
import { emptyCounts } from '../../shared/domain/campaign.ts';

const ids = Array.from({ length: 10_000 }, (_, index) => `01J${index.toString(36).padStart(10, '0')}`);

describe('assignRecipient', () => {
  it('is deterministic per (campaign, contact) and differs across campaigns', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 2, max: 4 }),
        (c, id, p, n) => {
          expect(assignRecipient(c, id, p, n)).toEqual(assignRecipient(c, id, p, n));
        },
      ),
    );
    const a = ids.map((id) => assignRecipient('campaign-a', id, 50, 2));
    const b = ids.map((id) => assignRecipient('campaign-b', id, 50, 2));
    expect(a).not.toEqual(b);
  });

  it('a larger test share keeps everyone who was in the smaller one, with the same variant', () => {
    for (const id of ids.slice(0, 2000)) {
      const small = assignRecipient('c', id, 20, 3);
      if (small.group === 'test') expect(assignRecipient('c', id, 60, 3)).toEqual(small);
    }
  });

  it('testPercent 100 puts everyone in the test group', () => {
    expect(ids.every((id) => assignRecipient('c', id, 100, 2).group === 'test')).toBe(true);
  });

  it.each([
    [40, 2],
    [25, 3],
    [100, 4],
  ])(
    'testPercent %i over %i variants: the share and the split are even (chi-square bound, 10,000 ids)',
    (percent, n) => {
      const perVariant = Array.from({ length: n }, () => 0);
      let test = 0;
      for (const id of ids) {
        const assignment = assignRecipient('01JCAMPAIGN', id, percent, n);
        if (assignment.group === 'test') {
          test++;
          perVariant[assignment.variant] = (perVariant[assignment.variant] ?? 0) + 1;
        }
      }
      // The test share: a binomial(10,000, p), within 4 standard deviations.
      const p = percent / 100;
      expect(Math.abs(test - ids.length * p)).toBeLessThanOrEqual(
        4 * Math.sqrt(ids.length * p * (1 - p)) + 1,
      );
      // The split: chi-square with n-1 degrees of freedom below its 99.9th percentile (≤ 16.27 for 3 df).
      const expected = test / n;
      const chiSquare = perVariant.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
      expect(chiSquare).toBeLessThan(16.27);
    },
  );
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

  it('summed over any sequence of states, equals the counts of the last state', () => {
    const state = fc.record({
      status: fc.constantFrom('pending', 'held', 'sending', 'sent', 'failed', 'canceled' as const),
      variant: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
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
});
