import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Engagement, engagementKinds, engagementScore } from '#shared/domain/engagement-score';

const now = new Date('2030-06-01T12:00:00.000Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const of = (kind: Engagement['kind'], days: number): Engagement => ({ kind, at: daysAgo(days) });

describe('engagementScore', () => {
  it('scores nobody 0, and saturates towards 100 with fresh engagement', () => {
    expect(engagementScore([], now)).toBe(0);
    // 10 fresh points: 100 × (1 − 1/e).
    expect(engagementScore([of('reply', 0), of('reply', 0)], now)).toBe(63);
    // 20 points: two meetings, a click and an open.
    expect(engagementScore([of('meeting', 0), of('meeting', 0), of('click', 0), of('open', 0)], now)).toBe(
      86,
    );
    expect(engagementScore([of('open', 0)], now)).toBe(10);
  });

  it('halves an engagement every 30 days and forgets it after 90', () => {
    const fresh = engagementScore([of('meeting', 0)], now);
    const month = engagementScore([of('meeting', 30)], now);
    expect(fresh).toBe(55); // 8 points
    expect(month).toBe(33); // 4 points
    expect(engagementScore([of('meeting', 90)], now)).toBe(10); // 1 point
    expect(engagementScore([of('meeting', 91)], now)).toBe(0);
    // Dated ahead of now (a meeting logged early): counted as today's.
    expect(engagementScore([{ kind: 'meeting', at: daysAgo(-3) }], now)).toBe(fresh);
  });

  it('ranks a meeting over a reply over a click over an open', () => {
    const scores = ['meeting', 'reply', 'click', 'open'].map((kind) =>
      engagementScore([of(kind as Engagement['kind'], 10)], now),
    );
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(new Set(scores).size).toBe(4);
  });

  it('stays within 0-100, never falls with one more engagement, never rises with age', () => {
    const engagement = fc.record({
      kind: fc.constantFrom(...engagementKinds),
      at: fc.integer({ min: 0, max: 200 }).map(daysAgo),
    });
    fc.assert(
      fc.property(fc.array(engagement, { maxLength: 40 }), engagement, fc.nat(60), (list, extra, aging) => {
        const score = engagementScore(list, now);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100);
        expect(engagementScore([...list, extra], now)).toBeGreaterThanOrEqual(score);
        expect(engagementScore(list, new Date(now.getTime() + aging * 86_400_000))).toBeLessThanOrEqual(
          score,
        );
      }),
    );
  });
});
