import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChurnSignals, churnReasonCodes, churnRisk, churnWeights } from '#shared/domain/churn-risk';

/** A healthy customer: bought and met recently, reading mail, no trouble. */
const healthy: ChurnSignals = {
  daysSinceLastPurchase: 20,
  daysSinceLastActivity: 5,
  engagementRecent: 12,
  engagementPrior: 10,
  openComplaints: 0,
  slaBreaches: 0,
  contacts: 4,
  unreachableContacts: 0,
  csatAverage: 4.6,
  csatCount: 5,
};

describe('churnRisk', () => {
  it('weighs its reasons to 100 in all', () => {
    expect(Object.values(churnWeights).reduce((sum, weight) => sum + weight, 0)).toBe(100);
  });

  it('finds no risk in a healthy customer', () => {
    expect(churnRisk(healthy)).toEqual({ risk: 0, reasons: [] });
  });

  it('gives full weight to each reason at its worst, and 100 when all are', () => {
    const worst = churnRisk({
      daysSinceLastPurchase: 400,
      daysSinceLastActivity: undefined,
      engagementRecent: 0,
      engagementPrior: 9,
      openComplaints: 2,
      slaBreaches: 1,
      contacts: 3,
      unreachableContacts: 3,
      csatAverage: 1.5,
      csatCount: 2,
    });
    expect(worst.risk).toBe(100);
    expect(Object.fromEntries(worst.reasons.map(({ code, weight }) => [code, weight]))).toEqual(churnWeights);
    expect(worst.reasons.map((reason) => reason.weight)).toEqual([30, 20, 15, 15, 10, 10]);
  });

  it('rises evenly between the thresholds and says why', () => {
    // Half way from 90 to 365 days since the last won deal: 15 of 30 points.
    const stale = churnRisk({ ...healthy, daysSinceLastPurchase: 227.5 });
    expect(stale).toEqual({
      risk: 15,
      reasons: [{ code: 'no_recent_purchase', weight: 15, detail: 'last won deal 227.5 days ago' }],
    });
    // Engagement halved: 7.5 of 15, shown as 8.
    const fading = churnRisk({ ...healthy, engagementRecent: 5, engagementPrior: 10 });
    expect(fading.reasons).toEqual([
      {
        code: 'falling_engagement',
        weight: 8,
        detail: '5 opens and clicks in the last 90 days, 10 in the 90 before',
      },
    ]);
    expect(churnRisk({ ...healthy, csatAverage: 3, csatCount: 3 }).risk).toBe(5);
  });

  it('takes a customer that never bought or was never met as at the worst of those reasons', () => {
    const never = churnRisk({
      ...healthy,
      daysSinceLastPurchase: undefined,
      daysSinceLastActivity: undefined,
    });
    expect(never.risk).toBe(50);
    expect(never.reasons.map((reason) => reason.detail)).toEqual(['no won deal yet', 'no activity recorded']);
  });

  it('reads too little history as no evidence: few prior opens, no answers, no contacts', () => {
    expect(churnRisk({ ...healthy, engagementRecent: 0, engagementPrior: 2 }).risk).toBe(0);
    expect(churnRisk({ ...healthy, csatAverage: undefined, csatCount: 0 }).risk).toBe(0);
    expect(churnRisk({ ...healthy, contacts: 0, unreachableContacts: 0 }).risk).toBe(0);
  });

  it('stays within 0-100, its reasons add up to it, heaviest first, and worse figures never lower it', () => {
    const signals = fc.record({
      daysSinceLastPurchase: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
      daysSinceLastActivity: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
      engagementRecent: fc.nat(200),
      engagementPrior: fc.nat(200),
      openComplaints: fc.nat(10),
      slaBreaches: fc.nat(10),
      contacts: fc.nat(50),
      unreachableContacts: fc.nat(50),
      csatAverage: fc.option(fc.double({ min: 1, max: 5, noNaN: true }), { nil: undefined }),
      csatCount: fc.nat(20),
    });
    fc.assert(
      fc.property(signals, fc.nat(400), (raw, extraDays) => {
        const input = { ...raw, unreachableContacts: Math.min(raw.unreachableContacts, raw.contacts) };
        const { risk, reasons } = churnRisk(input);
        expect(risk).toBeGreaterThanOrEqual(0);
        expect(risk).toBeLessThanOrEqual(100);
        expect(reasons.reduce((sum, reason) => sum + reason.weight, 0)).toBe(risk);
        for (const reason of reasons) {
          expect(churnReasonCodes).toContain(reason.code);
          expect(reason.weight).toBeGreaterThanOrEqual(1);
          expect(reason.weight).toBeLessThanOrEqual(churnWeights[reason.code]);
        }
        expect([...reasons].sort((a, b) => b.weight - a.weight)).toEqual(reasons);
        const older = churnRisk({
          ...input,
          ...(input.daysSinceLastPurchase !== undefined
            ? { daysSinceLastPurchase: input.daysSinceLastPurchase + extraDays }
            : {}),
          ...(input.daysSinceLastActivity !== undefined
            ? { daysSinceLastActivity: input.daysSinceLastActivity + extraDays }
            : {}),
          openComplaints: input.openComplaints + 1,
        });
        expect(older.risk).toBeGreaterThanOrEqual(risk);
      }),
    );
  });
});
