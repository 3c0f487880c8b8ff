import { describe, expect, it } from 'vitest';
import { bundleTargetExpectations, overTargetReasons, reasonFor } from '../../bench/bundle-targets.ts';
import type { FunctionBundleReport } from '../../bench/bundles.ts';

/** A measured function with the figures that matter here. */
const measured = (functionName: string, addedBytes: number, addedInitMs: number) =>
  ({
    functionName,
    entry: `functions/x/${functionName}.ts`,
    addedBytes,
    addedInitMs,
  }) as FunctionBundleReport;

describe('the bundle targets and their reasons (bench/bundle-targets.ts)', () => {
  // A function over the bytes target only, so a small init time holds its other target.
  const withReason = overTargetReasons.find(
    (entry) => entry.target === 'bytes' && !reasonFor({ functionName: entry.function }, 'ms'),
  );
  if (!withReason) throw new Error('no bytes reason to test with');

  it('hold when every function is within its targets or over one with its reason', () => {
    const expectations = bundleTargetExpectations([
      measured('teams', 50_000, 5),
      measured(withReason.function, 300_000, 5),
    ]);
    expect(expectations.map((entry) => entry.ok)).toEqual([true]);
    expect(reasonFor({ functionName: withReason.function }, 'bytes')).toBe(withReason.reason);
  });

  it('fail for a function over a target without a reason', () => {
    const [failure, ...rest] = bundleTargetExpectations([measured('teams', 150_000, 5)]);
    expect(rest).toEqual([]);
    expect(failure).toMatchObject({ ok: false, detail: '+150.0 kB and no reason given' });
  });

  it('fail for a reason kept for a target the function now holds', () => {
    const [failure, ...rest] = bundleTargetExpectations([measured(withReason.function, 90_000, 5)]);
    expect(rest).toEqual([]);
    expect(failure?.ok).toBe(false);
    expect(failure?.detail).toContain('drop its bytes entry');
  });
});
