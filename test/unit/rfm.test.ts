import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Quintile, quintileScores, rfmSegment, rfmSegments, scoreRfm } from '#shared/domain/rfm';

const quintiles: Quintile[] = [1, 2, 3, 4, 5];

describe('quintileScores', () => {
  it('scores five distinct values 1 to 5, and ten in pairs', () => {
    expect(quintileScores([30, 10, 50, 20, 40])).toEqual([3, 1, 5, 2, 4]);
    expect(quintileScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('scores equal values alike, at the middle of the places they span', () => {
    expect(quintileScores([7, 7, 7, 7])).toEqual([3, 3, 3, 3]);
    expect(quintileScores([42])).toEqual([3]);
    // Two lowest tie at places 0 and 1 (mid 0.5 of 6 → 1); two highest at 4 and 5 (→ 5).
    expect(quintileScores([1, 1, 2, 3, 9, 9])).toEqual([1, 1, 3, 3, 5, 5]);
    expect(quintileScores([])).toEqual([]);
  });

  it('keeps its properties on any input: 1-5, ties alike, never lower for a higher value, order-free', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 60 }),
        (values) => {
          const scores = quintileScores(values);
          const byValue = new Map<number, Quintile>();
          values.forEach((value, index) => {
            const score = scores[index] as Quintile;
            expect(quintiles).toContain(score);
            expect(byValue.get(value) ?? score).toBe(score);
            byValue.set(value, score);
          });
          for (const [a, scoreA] of byValue)
            for (const [b, scoreB] of byValue) if (a < b) expect(scoreA).toBeLessThanOrEqual(scoreB);
          const reversed = quintileScores([...values].reverse());
          expect(reversed).toEqual([...scores].reverse());
        },
      ),
    );
  });
});

describe('rfmSegment', () => {
  it('maps every R and F pair to one of the ten segments, each used', () => {
    const used = new Set(quintiles.flatMap((r) => quintiles.map((f) => rfmSegment(r, f))));
    expect([...used].sort()).toEqual([...rfmSegments].sort());
  });

  it('follows the map: recent and frequent are champions, long gone and rare are hibernating', () => {
    expect(rfmSegment(5, 5)).toBe('champions');
    expect(rfmSegment(5, 4)).toBe('champions');
    expect(rfmSegment(4, 5)).toBe('loyal');
    expect(rfmSegment(3, 4)).toBe('loyal');
    expect(rfmSegment(5, 2)).toBe('potential_loyalist');
    expect(rfmSegment(4, 3)).toBe('potential_loyalist');
    expect(rfmSegment(5, 1)).toBe('new');
    expect(rfmSegment(4, 1)).toBe('promising');
    expect(rfmSegment(3, 3)).toBe('need_attention');
    expect(rfmSegment(3, 1)).toBe('about_to_sleep');
    expect(rfmSegment(2, 3)).toBe('at_risk');
    expect(rfmSegment(1, 4)).toBe('at_risk');
    expect(rfmSegment(1, 5)).toBe('cant_lose');
    expect(rfmSegment(2, 2)).toBe('hibernating');
  });
});

describe('scoreRfm', () => {
  it('scores recency by fewer days, frequency by purchases, value by amount', () => {
    const scores = scoreRfm([
      { id: 'fresh-big', daysSinceLastPurchase: 2, purchases: 12, value: 90_000 },
      { id: 'steady', daysSinceLastPurchase: 30, purchases: 6, value: 20_000 },
      { id: 'middle', daysSinceLastPurchase: 90, purchases: 3, value: 9_000 },
      { id: 'fading', daysSinceLastPurchase: 200, purchases: 2, value: 4_000 },
      { id: 'gone', daysSinceLastPurchase: 700, purchases: 1, value: 500 },
    ]);
    expect(scores.get('fresh-big')).toEqual({ r: 5, f: 5, m: 5, segment: 'champions' });
    expect(scores.get('steady')).toEqual({ r: 4, f: 4, m: 4, segment: 'loyal' });
    expect(scores.get('middle')).toEqual({ r: 3, f: 3, m: 3, segment: 'need_attention' });
    expect(scores.get('fading')).toEqual({ r: 2, f: 2, m: 2, segment: 'hibernating' });
    expect(scores.get('gone')).toEqual({ r: 1, f: 1, m: 1, segment: 'hibernating' });
  });

  it('a recent first-time buyer among regulars is new; a big old regular is one not to lose', () => {
    const regulars = Array.from({ length: 8 }, (_, index) => ({
      id: `regular-${index}`,
      daysSinceLastPurchase: 40 + index * 10,
      purchases: 4 + index,
      value: 10_000,
    }));
    const scores = scoreRfm([
      ...regulars,
      { id: 'first-timer', daysSinceLastPurchase: 1, purchases: 1, value: 800 },
      { id: 'old-regular', daysSinceLastPurchase: 900, purchases: 40, value: 250_000 },
    ]);
    expect(scores.get('first-timer')?.segment).toBe('new');
    expect(scores.get('old-regular')).toMatchObject({ r: 1, f: 5, m: 5, segment: 'cant_lose' });
  });
});
