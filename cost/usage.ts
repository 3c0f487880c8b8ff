import type { StorageCounts, UnitCounts } from '../bench/unit-counts.ts';
import type { Profile } from './profile.ts';

/**
 * From units of work to what AWS meters: requests, GB-seconds, request units, bytes. Pure
 * arithmetic over the measured counts, by the billing rules each function's docstring cites.
 */

/** AWS bills storage and log data in binary gigabytes (2^30 bytes). */
export const GB = 2 ** 30;
/** SQS requests and EventBridge events are billed per 64 KB chunk of payload. */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Billed GB-seconds of `invocations` at `memoryMb`, each lasting `durationMs`: Lambda rounds every
 * invocation's duration up to the next millisecond ("rounded up to the nearest 1 ms", the Lambda
 * pricing page) and charges memory in GB (1024 MB).
 */
export function billedGbSeconds(invocations: number, durationMs: number, memoryMb: number): number {
  return (invocations * Math.ceil(durationMs) * memoryMb) / 1024 / 1000;
}

/** Billed requests for `requests` of `bytes` payload each: one per started 64 KB chunk, at least one. */
export function chunkedRequests(requests: number, bytes: number): number {
  return requests * Math.max(1, Math.ceil(bytes / CHUNK_BYTES));
}

export interface FunctionUsage {
  readonly function: string;
  readonly memoryMb: number;
  readonly invocations: number;
  readonly gbSeconds: number;
  /** Invocation-weighted mean of the billed (whole) milliseconds. */
  readonly billedMs: number;
  readonly logBytes: number;
}

export interface Usage {
  readonly httpApiRequests: number;
  readonly functions: readonly FunctionUsage[];
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly sqsRequests: number;
  readonly schedulerInvocations: number;
  readonly eventBridgeEvents: number;
  readonly sesEmails: number;
  readonly s3PutRequests: number;
  readonly s3GetRequests: number;
  readonly streamRecords: number;
}

/**
 * The month's metered usage: every unit's counts times its monthly quantity; `streamRecords`, read
 * by the Lambda trigger at no charge, is carried for the bill to show. Lambda GB-seconds are
 * taken per unit and function (each has its own measured duration), at the function's memory from
 * `memoryOf` (infra/lambdas.ts). Message payloads of the measured units are small (ids and keys,
 * far below 64 KB), so each SQS request and EventBridge entry is one chunk.
 */
export function usageOf(
  quantities: ReadonlyMap<string, number>,
  units: Readonly<Record<string, UnitCounts>>,
  memoryOf: (fn: string) => number,
  streamRecords = 0,
): Usage {
  const fns = new Map<string, { invocations: number; gbSeconds: number; ms: number; logBytes: number }>();
  const totals = {
    httpApiRequests: 0,
    writeUnits: 0,
    readUnits: 0,
    sqsRequests: 0,
    schedulerInvocations: 0,
    eventBridgeEvents: 0,
    sesEmails: 0,
    s3PutRequests: 0,
    s3GetRequests: 0,
  };
  for (const [unitId, quantity] of quantities) {
    const unit = units[unitId];
    if (!unit) throw new Error(`No measured counts for ${unitId}`);
    totals.httpApiRequests += unit.httpApiRequests * quantity;
    totals.writeUnits += unit.dynamodb.writeUnits * quantity;
    totals.readUnits += unit.dynamodb.readUnits * quantity;
    totals.sqsRequests += chunkedRequests(unit.sqsRequests * quantity, 0);
    totals.schedulerInvocations += unit.schedulerInvocations * quantity;
    totals.eventBridgeEvents += chunkedRequests(unit.eventBridgeEvents * quantity, 0);
    totals.sesEmails += unit.sesEmails * quantity;
    totals.s3PutRequests += unit.s3PutRequests * quantity;
    totals.s3GetRequests += unit.s3GetRequests * quantity;
    for (const part of unit.lambda) {
      const invocations = part.invocations * quantity;
      const memoryMb = memoryOf(part.function);
      const current = fns.get(part.function) ?? { invocations: 0, gbSeconds: 0, ms: 0, logBytes: 0 };
      fns.set(part.function, {
        invocations: current.invocations + invocations,
        gbSeconds: current.gbSeconds + billedGbSeconds(invocations, part.durationMs, memoryMb),
        ms: current.ms + invocations * Math.ceil(part.durationMs),
        logBytes: current.logBytes + invocations * part.logBytes,
      });
    }
  }
  const functions = [...fns.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, f]) => ({
      function: name,
      memoryMb: memoryOf(name),
      invocations: f.invocations,
      gbSeconds: f.gbSeconds,
      billedMs: f.invocations > 0 ? f.ms / f.invocations : 0,
      logBytes: f.logBytes,
    }));
  return { ...totals, functions, streamRecords };
}

export interface StoredKind {
  readonly kind: string;
  readonly records: number;
  readonly bytes: number;
}

/**
 * What the tenant stores `retentionMonths` into its life: the profile's records plus its monthly
 * records times the months kept, each at the measured bytes of its kind (items, derived items and
 * every index copy, bench/unit-counts.ts StorageCounts). Throws naming any kind the bench did not measure.
 */
export function storedKinds(
  profile: Profile,
  storage: Readonly<Record<string, StorageCounts>>,
  months = profile.retentionMonths,
): StoredKind[] {
  const records = new Map<string, number>();
  for (const [kind, n] of Object.entries(profile.records)) records.set(kind, (records.get(kind) ?? 0) + n);
  for (const [kind, n] of Object.entries(profile.monthlyRecords))
    records.set(kind, (records.get(kind) ?? 0) + n * months);
  const missing = [...records.keys()].filter((kind) => !storage[kind]);
  if (missing.length > 0) {
    throw new Error(
      `The counts file measures no storage for ${missing.join(', ')} (it has: ${Object.keys(storage).join(', ') || 'none'})`,
    );
  }
  return [...records.entries()]
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => ({ kind, records: n, bytes: n * (storage[kind]?.bytesPerRecord ?? 0) }));
}
