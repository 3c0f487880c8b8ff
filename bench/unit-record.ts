import type { MeterSnapshot } from './dynamo-meter.ts';
import { type MeterReading, medianDuration } from './service-meters.ts';
import type { LambdaUnitCounts, UnitCounts } from './unit-counts.ts';

/**
 * Turns what the meters read over a scenario into the per-unit figures of bench/unit-counts.json:
 * every count divided by the units measured. DynamoDB requests and the other services come from
 * the counted pass; write and read units from the imaged calls (DynamoMeter.measureCapacity),
 * divided by the units those covered.
 */

export interface UnitMeasurement {
  readonly description: string;
  readonly method: string;
  /** Units the counted pass did. */
  readonly units: number;
  readonly httpApiRequests: number;
  /** DynamoDB over the counted pass. */
  readonly dynamo: MeterSnapshot;
  /** DynamoDB over the imaged pass (AWS units) and the units it did; 0 when none was imaged. */
  readonly imaged: MeterSnapshot;
  readonly imagedUnits: number;
  readonly services: MeterReading;
}

/** Rounded to 4 decimals: means over hundreds of units, stable across runs at that precision. */
export const round = (value: number): number => Math.round(value * 10_000) / 10_000;

/** Sums per-call meter snapshots into one. */
export function addSnapshots(snapshots: readonly MeterSnapshot[]): MeterSnapshot {
  const total: MeterSnapshot = {};
  for (const snapshot of snapshots) {
    for (const [operation, stats] of Object.entries(snapshot)) {
      const into = total[operation];
      if (!into) {
        total[operation] = { ...stats };
        continue;
      }
      for (const key of Object.keys(stats) as (keyof typeof stats)[]) into[key] += stats[key];
    }
  }
  return total;
}

export function unitCountsOf(measurement: UnitMeasurement): UnitCounts {
  const { units } = measurement;
  if (units <= 0) throw new Error(`${measurement.description}: no units measured`);
  const per = (value: number) => round(value / units);
  const requests = Object.fromEntries(
    Object.entries(measurement.dynamo)
      .filter(([, stats]) => stats.count > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([operation, stats]) => [operation, per(stats.count)]),
  );
  const imaged = Object.values(measurement.imaged);
  const perImaged = (value: number) =>
    measurement.imagedUnits > 0 ? round(value / measurement.imagedUnits) : 0;
  const written = Object.values(measurement.dynamo).reduce((sum, stats) => sum + stats.itemsWritten, 0);
  const lambda: LambdaUnitCounts[] = Object.entries(measurement.services.functions)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, counts]) => ({
      function: name,
      invocations: per(counts.invocations),
      durationMs: round(medianDuration(counts)),
      logBytes: counts.invocations > 0 ? Math.round(counts.logBytes / counts.invocations) : 0,
    }));
  const services = measurement.services.services;
  return {
    description: measurement.description,
    method: measurement.method,
    measuredUnits: units,
    httpApiRequests: measurement.httpApiRequests,
    dynamodb: {
      requests,
      writeUnits: perImaged(imaged.reduce((sum, stats) => sum + stats.awsWriteUnits, 0)),
      readUnits: perImaged(imaged.reduce((sum, stats) => sum + stats.awsReadUnits, 0)),
      itemsWritten: per(written),
    },
    lambda,
    sqsRequests: per(services.sqsRequests),
    schedulerRequests: per(services.schedulerRequests),
    schedulerInvocations: per(services.schedulerInvocations),
    eventBridgeEvents: per(services.eventBridgeEvents),
    sesRequests: per(services.sesRequests),
    sesEmails: per(services.sesEmails),
    s3PutRequests: per(services.s3PutRequests),
    s3GetRequests: per(services.s3GetRequests),
    // Each item a successful write changed is one stream record (NEW_AND_OLD_IMAGES).
    streamRecords: per(written),
  };
}
