import type { LambdaName } from '../infra/lambdas.ts';
import type { FunctionBundleReport } from './bundles.ts';
import type { Expectation } from './operations.ts';

/** Our code adds under this many bytes of minified bundle on top of the SDK baseline. */
export const TARGET_ADDED_BYTES = 100_000;
/** ... and under this many milliseconds of module init (median wall clock). */
export const TARGET_ADDED_MS = 20;

export type BundleTarget = 'bytes' | 'ms';

export function targetsHold(fn: FunctionBundleReport): Record<BundleTarget, boolean> {
  return { bytes: fn.addedBytes < TARGET_ADDED_BYTES, ms: fn.addedInitMs < TARGET_ADDED_MS };
}

/** Why one function stays over one target: what the added weight is (measured packages) and why it stays. */
export interface OverTargetReason {
  /** The catalogue name (infra/lambdas.ts): a name it lacks does not compile. */
  readonly function: LambdaName;
  readonly target: BundleTarget;
  readonly reason: string;
}

/**
 * Every function over a target, and why. The bench fails for a function over a target
 * without an entry here, and for an entry whose function now holds the target, so the
 * list says what the last measurement says. Package sizes are kB of minified output
 * added over the SDK baseline (`npx tsx bench/bundles.ts <function>` shows them).
 */
export const overTargetReasons: readonly OverTargetReason[] = [];

const targetName = (target: BundleTarget) =>
  target === 'bytes' ? `< ${TARGET_ADDED_BYTES / 1000} kB` : `< ${TARGET_ADDED_MS} ms`;

/** The reason given for `fn` over `target`, if any. */
export function reasonFor(
  fn: Pick<FunctionBundleReport, 'functionName'>,
  target: BundleTarget,
): string | undefined {
  return overTargetReasons.find((entry) => entry.function === fn.functionName && entry.target === target)
    ?.reason;
}

/**
 * The bench's expectations about the targets: one that holds when every function is within
 * its targets or says why not, and one failing entry per function over a target with no
 * reason and per reason kept for a function that holds. Functions not measured (a run of
 * a few) are not judged.
 */
export function bundleTargetExpectations(functions: readonly FunctionBundleReport[]): Expectation[] {
  const failures: Expectation[] = [];
  for (const fn of functions) {
    const holds = targetsHold(fn);
    for (const target of ['bytes', 'ms'] as const) {
      const reason = reasonFor(fn, target);
      const measured =
        target === 'bytes' ? `+${(fn.addedBytes / 1000).toFixed(1)} kB` : `+${fn.addedInitMs.toFixed(2)} ms`;
      if (!holds[target] && !reason)
        failures.push({
          text: `${fn.entry} ${targetName(target)} or a reason in bench/bundle-targets.ts`,
          ok: false,
          detail: `${measured} and no reason given`,
        });
      if (holds[target] && reason)
        failures.push({
          text: `${fn.entry}: no reason kept for a target it holds (bench/bundle-targets.ts)`,
          ok: false,
          detail: `${measured} holds ${targetName(target)}; drop its ${target} entry`,
        });
    }
  }
  const over = functions.flatMap((fn) =>
    (['bytes', 'ms'] as const).filter((target) => !targetsHold(fn)[target] && reasonFor(fn, target)),
  ).length;
  return failures.length > 0
    ? failures
    : [
        {
          text: `every function adds ${targetName('bytes')} and ${targetName('ms')} over its SDK baseline, or says why not`,
          ok: true,
          detail: `${over} function targets over, each with its reason (bench/bundle-targets.ts)`,
        },
      ];
}
