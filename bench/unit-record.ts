import type { MeterSnapshot } from './dynamo-meter.ts';
import { type MeterReading, medianDuration } from './service-meters.ts';
import type { LambdaUnitCounts, UnitCounts } from './unit-counts.ts';

/**
 * Turns what the meters read over a scenario into the per-unit figures of bench/unit-counts.json:
 * every count divided by the units measured. DynamoDB requests and the other services come from
 * the counted pass; write and read units are priced from the imaged calls
 * (DynamoMeter.measureCapacity): per operation, the AWS write units per item written (per call
 * when it wrote none) and the read units per call, applied to the counted pass's items and calls.
 * A small imaged pass then prices a large counted one without its fixed costs (a campaign's
 * start, an import's file) weighing more per unit than they do.
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
  const priced = priceByImages(measurement.dynamo, measurement.imaged);
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
    method:
      priced.unpriced.length === 0
        ? measurement.method
        : `${measurement.method}; never imaged, so left out of the units: ${priced.unpriced.join(', ')}`,
    measuredUnits: units,
    httpApiRequests: measurement.httpApiRequests,
    dynamodb: {
      requests,
      writeUnits: per(priced.writeUnits),
      readUnits: per(priced.readUnits),
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

/**
 * AWS units of the counted calls, priced per operation from the imaged ones: write units per item
 * written (per call when the imaged calls wrote nothing), read units per call. `unpriced` names the
 * operations the imaged pass never made (their units are left out).
 */
export function priceByImages(
  counted: MeterSnapshot,
  imaged: MeterSnapshot,
): { writeUnits: number; readUnits: number; unpriced: string[] } {
  let writeUnits = 0;
  let readUnits = 0;
  const unpriced: string[] = [];
  for (const [operation, stats] of Object.entries(counted)) {
    const images = imaged[operation];
    if (!images || images.imaged === 0) {
      if (stats.count > 0) unpriced.push(operation);
      continue;
    }
    writeUnits +=
      images.itemsWritten > 0
        ? (images.awsWriteUnits / images.itemsWritten) * stats.itemsWritten
        : (images.awsWriteUnits / images.imaged) * stats.count;
    readUnits += (images.awsReadUnits / images.imaged) * stats.count;
  }
  return { writeUnits, readUnits, unpriced: unpriced.sort() };
}
