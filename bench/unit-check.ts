import type { BenchMode, UnitCounts, UnitCountsRun } from './unit-counts.ts';

/**
 * The bench's regression check: every unit's request counts (DynamoDB by operation, SQS,
 * Scheduler, EventBridge, SES) against the committed run of the same mode. Any increase beyond
 * float noise (beyond the unit's `tolerance` for those measured through the local runtime, whose
 * batching depends on timing) fails the bench, naming the unit and the figures; decreases
 * beyond float noise are reported.
 */

export interface CountChange {
  readonly unit: string;
  /** `dynamodb.GetItem`, `sqsRequests`, ... */
  readonly figure: string;
  readonly before: number;
  readonly after: number;
}

export interface CountComparison {
  readonly increases: CountChange[];
  readonly decreases: CountChange[];
  /** Units in the committed run that this run did not measure, and new ones. */
  readonly missing: string[];
  readonly added: string[];
}

/** Figures are means rounded to 4 decimals: a difference below this is float noise, not a request. */
export const FLOAT_NOISE = 1e-6;

const serviceFigures = ['sqsRequests', 'schedulerRequests', 'eventBridgeEvents', 'sesRequests'] as const;

/** The compared figures of one unit: DynamoDB requests by operation, then the other services' requests. */
export function requestFigures(counts: UnitCounts): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const [operation, value] of Object.entries(counts.dynamodb.requests))
    figures[`dynamodb.${operation}`] = value;
  for (const name of serviceFigures) figures[name] = counts[name];
  return figures;
}

export function compareUnitCounts(
  committed: UnitCountsRun | undefined,
  next: UnitCountsRun,
): CountComparison {
  const increases: CountChange[] = [];
  const decreases: CountChange[] = [];
  const before = committed?.units ?? {};
  for (const [unit, counts] of Object.entries(next.units)) {
    const old = before[unit];
    if (!old) continue;
    const was = requestFigures(old);
    const now = requestFigures(counts);
    for (const figure of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
      const change = { unit, figure, before: was[figure] ?? 0, after: now[figure] ?? 0 };
      const allowed = counts.tolerance
        ? change.before * counts.tolerance.relative + counts.tolerance.absolute
        : 0;
      if (change.after - change.before > allowed + FLOAT_NOISE) increases.push(change);
      else if (change.before - change.after > FLOAT_NOISE) decreases.push(change);
    }
  }
  return {
    increases,
    decreases,
    missing: Object.keys(before).filter((unit) => !(unit in next.units)),
    added: Object.keys(next.units).filter((unit) => !(unit in before)),
  };
}

/** Report lines: what rose (fails), what fell, what appeared or went; empty when nothing changed. */
export function describeComparison(comparison: CountComparison, mode: BenchMode): string[] {
  const line = (change: CountChange) =>
    `${change.unit} ${change.figure}: ${change.before} → ${change.after} per unit`;
  return [
    ...comparison.increases.map((change) => `INCREASE (${mode}) ${line(change)}`),
    ...comparison.decreases.map((change) => `decrease (${mode}) ${line(change)}`),
    ...comparison.missing.map((unit) => `no longer measured (${mode}): ${unit}`),
    ...comparison.added.map((unit) => `new unit (${mode}): ${unit}`),
  ];
}
