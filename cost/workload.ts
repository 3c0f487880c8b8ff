import type { UnitCounts, UnitCountsRun } from '../bench/unit-counts.ts';
import { type ApiCategory, apiCategories, type Profile } from './profile.ts';

/**
 * From a profile to units of work a month: how many of each measured unit (`api.<operationId>`,
 * `campaign.recipient`, `stream.record`, ...) the team's month is made of. Pure.
 */

/**
 * The category of an `api.<operationId>[.<variant>]` unit by the operationId's verb; `undefined`
 * for operations outside the everyday mix (exports, sends, renders, rotations, ...). A list whose
 * id names a search (`search`, a `q` query, a prefix or an email lookup) is a search, since a
 * search is a list with `q`.
 */
export function apiCategory(unitId: string): ApiCategory | undefined {
  if (!unitId.startsWith('api.')) return undefined;
  const rest = unitId.slice('api.'.length);
  const verb = /^[a-z]+/.exec(rest)?.[0] ?? '';
  const category = verbCategories[verb];
  if (category === 'lists' && /search|prefix|email|(^|[.?&])q\b/i.test(rest.slice(verb.length)))
    return 'searches';
  return category;
}

const verbCategories: Readonly<Record<string, ApiCategory>> = {
  get: 'reads',
  list: 'lists',
  interpret: 'searches',
  preview: 'searches',
  create: 'creates',
  convert: 'creates',
  submit: 'creates',
  enroll: 'creates',
  update: 'updates',
  put: 'updates',
  patch: 'updates',
  move: 'updates',
  complete: 'updates',
  accept: 'updates',
  reject: 'updates',
  resolve: 'updates',
  mark: 'updates',
  archive: 'updates',
  restore: 'updates',
  pause: 'updates',
  resume: 'updates',
  cancel: 'updates',
  delete: 'deletes',
  revoke: 'deletes',
  unenroll: 'deletes',
};

export interface MonthlyUnits {
  /** Unit id → units a month. */
  readonly quantities: ReadonlyMap<string, number>;
  /** The units to price: the run's, and `DERIVED_STREAM_UNIT` when the month has stream records. */
  readonly units: Readonly<Record<string, UnitCounts>>;
  /** How the API calls were spread: category → the unit ids that share it. */
  readonly apiSpread: ReadonlyMap<ApiCategory, readonly string[]>;
  /** Stream records a month: those of the month's writes and those of the consumer's own. */
  readonly streamRecords: number;
  readonly notes: readonly string[];
}

/** The records of the consumer's own items (markers, counters, timeline entries). */
export const DERIVED_STREAM_UNIT = 'stream.record.derived';

/**
 * What a record of the consumer's own items costs when the counts have no unit for it: the trigger
 * reads it in the same batches (stream.record's Lambda share per record) and the consumers skip it
 * (no writes, nothing sent, no further records).
 */
export function derivedStreamUnit(stream: UnitCounts): UnitCounts {
  return {
    description: "a stream record of the consumer's own items, read by the trigger and skipped",
    method: "stream.record's Lambda share per record; no writes, nothing sent (not measured apart)",
    measuredUnits: stream.measuredUnits,
    httpApiRequests: 0,
    dynamodb: { requests: {}, writeUnits: 0, readUnits: 0, itemsWritten: 0 },
    lambda: stream.lambda,
    sqsRequests: 0,
    schedulerRequests: 0,
    schedulerInvocations: 0,
    eventBridgeEvents: 0,
    sesRequests: 0,
    sesEmails: 0,
    s3PutRequests: 0,
    s3GetRequests: 0,
    streamRecords: 0,
  };
}

/** Units the profile names beyond the API mix: unit id → units a month. */
export function backgroundUnits(profile: Profile): Record<string, number> {
  return {
    'campaign.recipient': profile.emailsPerMonth,
    'tracking.open': profile.emailsPerMonth * profile.openRate,
    'tracking.click': profile.emailsPerMonth * profile.clickRate,
    'ses.event': profile.emailsPerMonth * profile.sesEventsPerEmail,
    'import.row': profile.importRowsPerMonth,
    reminder: profile.remindersPerMonth,
    'webhook.delivery': profile.webhookDeliveriesPerMonth,
    'sequence.step': profile.sequenceStepsPerMonth,
  };
}

/**
 * The month's units. API calls are shared among the categories by the profile's mix, and within a
 * category equally among the measured units of it (a search category with no unit of its own is
 * spread over the list units: a search is a list page with `q`). Each unit's writes produce stream
 * records, which `stream.record` prices, unless the unit was measured with the stream consumer
 * running (its Lambda parts name `stream.record`'s function): then they are in it already. The
 * consumer's own writes (markers, counters, timeline
 * entries: `stream.record`'s own records per record) produce records too, priced by the counts'
 * `stream.record.derived` unit when there is one, else by `derivedStreamUnit`. Throws, naming what
 * is missing, when a unit the profile needs was not measured.
 */
export function monthlyUnits(profile: Profile, run: UnitCountsRun): MonthlyUnits {
  const quantities = new Map<string, number>();
  const units: Record<string, UnitCounts> = { ...run.units };
  const notes: string[] = [];
  const missing: string[] = [];
  const add = (unit: string, quantity: number) =>
    quantities.set(unit, (quantities.get(unit) ?? 0) + quantity);

  const byCategory = new Map<ApiCategory, string[]>();
  for (const unit of Object.keys(run.units).sort()) {
    const category = apiCategory(unit);
    if (category) byCategory.set(category, [...(byCategory.get(category) ?? []), unit]);
  }
  const apiSpread = new Map<ApiCategory, readonly string[]>();
  for (const category of apiCategories) {
    const share = profile.apiMix[category];
    if (share === 0) continue;
    let spread = byCategory.get(category) ?? [];
    if (spread.length === 0 && category === 'searches' && (byCategory.get('lists') ?? []).length > 0) {
      spread = byCategory.get('lists') ?? [];
      notes.push('searches: no search unit measured apart, priced as list pages (a search is a list with q)');
    }
    if (spread.length === 0) {
      missing.push(`an api.* unit of the ${category} category (the mix gives it ${share})`);
      continue;
    }
    apiSpread.set(category, spread);
    for (const unit of spread) add(unit, (profile.apiCallsPerMonth * share) / spread.length);
  }

  for (const [unit, quantity] of Object.entries(backgroundUnits(profile))) {
    if (quantity === 0) continue;
    if (!run.units[unit]) missing.push(`${unit} (the profile asks for ${quantity} a month)`);
    else add(unit, quantity);
  }

  // A unit measured through the local runtime with the stream consumer running (its Lambda parts
  // name the consumer) has the stream's share of its work in it already; only the others' records
  // go through stream.record.
  const stream = run.units['stream.record'];
  const consumers = new Set((stream?.lambda ?? []).map((part) => part.function));
  const settled = (unit: UnitCounts | undefined) =>
    (unit?.lambda ?? []).some((part) => consumers.has(part.function));
  let direct = 0;
  for (const [unit, quantity] of quantities) {
    if (!settled(run.units[unit])) direct += quantity * (run.units[unit]?.streamRecords ?? 0);
  }
  let streamRecords = 0;
  if (direct > 0) {
    if (!stream)
      missing.push(`stream.record (the month's writes produce ${Math.round(direct)} stream records)`);
    else {
      const derived = direct * stream.streamRecords;
      add('stream.record', direct);
      if (derived > 0) {
        if (!units[DERIVED_STREAM_UNIT]) {
          units[DERIVED_STREAM_UNIT] = derivedStreamUnit(stream);
          notes.push(
            `${DERIVED_STREAM_UNIT}: the records of the stream consumer's own items (${stream.streamRecords} per record) are priced at stream.record's Lambda share, without writes (the counts have no unit for them)`,
          );
        }
        add(DERIVED_STREAM_UNIT, derived);
      }
      streamRecords = direct + derived;
    }
  }
  if (missing.length > 0) {
    throw new Error(`The counts file lacks units this workload needs:\n  ${missing.join('\n  ')}`);
  }
  return { quantities, units, apiSpread, streamRecords, notes };
}
