import { describe, expect, it } from 'vitest';
import { compareUnitCounts, describeComparison } from '../../bench/unit-check.ts';
import type { UnitCounts, UnitCountsRun } from '../../bench/unit-counts.ts';

const counts = (requests: Record<string, number>, others: Partial<UnitCounts> = {}): UnitCounts => ({
  description: 'a unit',
  method: 'test',
  measuredUnits: 100,
  httpApiRequests: 1,
  dynamodb: { requests, writeUnits: 2, readUnits: 1, itemsWritten: 1 },
  lambda: [],
  sqsRequests: 0,
  schedulerRequests: 0,
  schedulerInvocations: 0,
  eventBridgeEvents: 0,
  sesRequests: 0,
  sesEmails: 0,
  s3PutRequests: 0,
  s3GetRequests: 0,
  streamRecords: 1,
  ...others,
});
const run = (units: Record<string, UnitCounts>): UnitCountsRun => ({
  mode: 'quick',
  date: '2026-11-30T00:00:00.000Z',
  commit: 'abc1234',
  units,
  storage: {},
});

describe('the request-count regression check', () => {
  it('passes the same counts, float noise included', () => {
    const committed = run({ 'api.getContact': counts({ GetItem: 1, Query: 0.1 + 0.2 }) });
    const next = run({ 'api.getContact': counts({ GetItem: 1, Query: 0.3 }) });
    const comparison = compareUnitCounts(committed, next);
    expect(comparison.increases).toEqual([]);
    expect(comparison.decreases).toEqual([]);
    expect(describeComparison(comparison, 'quick')).toEqual([]);
  });

  it('fails an increase of a DynamoDB operation, a new operation and another service, naming each', () => {
    const committed = run({ 'campaign.recipient': counts({ Query: 0.01, PutItem: 1 }, { sesRequests: 1 }) });
    const next = run({
      'campaign.recipient': counts({ Query: 0.02, PutItem: 1, GetItem: 1 }, { sesRequests: 1.5 }),
    });
    const comparison = compareUnitCounts(committed, next);
    expect(comparison.increases).toEqual([
      { unit: 'campaign.recipient', figure: 'dynamodb.GetItem', before: 0, after: 1 },
      { unit: 'campaign.recipient', figure: 'dynamodb.Query', before: 0.01, after: 0.02 },
      { unit: 'campaign.recipient', figure: 'sesRequests', before: 1, after: 1.5 },
    ]);
    expect(describeComparison(comparison, 'quick')[0]).toBe(
      'INCREASE (quick) campaign.recipient dynamodb.GetItem: 0 → 1 per unit',
    );
  });

  it('reports decreases without failing, and units gone or new', () => {
    const committed = run({ a: counts({ Query: 2 }, { sqsRequests: 0.2 }), gone: counts({}) });
    const next = run({ a: counts({ Query: 1 }, { sqsRequests: 0.2 }), fresh: counts({ GetItem: 9 }) });
    const comparison = compareUnitCounts(committed, next);
    expect(comparison.increases).toEqual([]);
    expect(comparison.decreases).toEqual([{ unit: 'a', figure: 'dynamodb.Query', before: 2, after: 1 }]);
    expect(comparison.missing).toEqual(['gone']);
    expect(comparison.added).toEqual(['fresh']);
  });

  it('does not compare write units or durations, which are not request counts', () => {
    const committed = run({ a: counts({ Query: 1 }) });
    const heavier = counts({ Query: 1 });
    const next = run({ a: { ...heavier, dynamodb: { ...heavier.dynamodb, writeUnits: 9, readUnits: 9 } } });
    expect(compareUnitCounts(committed, next).increases).toEqual([]);
  });

  it("allows a runtime unit's timing-dependent batching its tolerance, no more", () => {
    const tolerance = { relative: 0.25, absolute: 0.1 };
    const committed = run({ r: counts({ BatchGetItem: 1, BatchWriteItem: 0.1 }, { tolerance }) });
    // 1 × 1.25 + 0.1 = 1.35 and 0.1 × 1.25 + 0.1 = 0.225 are the most each may reach.
    const within = run({ r: counts({ BatchGetItem: 1.35, BatchWriteItem: 0.2 }, { tolerance }) });
    expect(compareUnitCounts(committed, within).increases).toEqual([]);
    const beyond = run({ r: counts({ BatchGetItem: 1.4, BatchWriteItem: 0.2, GetItem: 1 }, { tolerance }) });
    expect(compareUnitCounts(committed, beyond).increases.map((change) => change.figure)).toEqual([
      'dynamodb.BatchGetItem',
      'dynamodb.GetItem',
    ]);
  });

  it('has nothing to compare with when no run of the mode is committed', () => {
    expect(compareUnitCounts(undefined, run({ a: counts({ Query: 1 }) }))).toEqual({
      increases: [],
      decreases: [],
      missing: [],
      added: ['a'],
    });
  });
});
