import { config } from '../config.ts';
import type { Contribution, Counters } from '../domain/reports/aggregate.ts';
import { reportAggregateKey, reportAggregatePk, streamMarkerKey } from './keys.ts';
import { queryPages } from './query.ts';
import { applyOnce } from './stream-markers.ts';
import type { TransactItem } from './transactions.ts';
import { updateExpression } from './update-expression.ts';

/**
 * Report aggregate items (shared/domain/reports) in the table: applied from
 * the stream exactly once per stream record, read by one Query per shard.
 */

/** Partitions per report: a burst of writes (an import, a campaign) spreads over them. */
export const REPORT_SHARDS = 4;
/** A transaction holds at most 100 actions: markers plus aggregate updates. */
const MAX_TRANSACTION_ACTIONS = 100;
const AGGREGATE_ENTITY = 'report-aggregate';
const itemAttributes = new Set(['pk', 'sk', 'entity', 'tenantId', 'report']);

/** One stream record's contributions to a tenant's reports. */
export interface ReportEvent {
  readonly eventId: string;
  readonly contributions: readonly Contribution[];
}

/** A stable shard for a set of writes (FNV-1a of an event id). */
export function shardOf(eventId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < eventId.length; index++) {
    hash ^= eventId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % REPORT_SHARDS;
}

const itemId = (contribution: Pick<Contribution, 'report' | 'key'>) =>
  `${contribution.report}\u0000${contribution.key}`;

/** Aggregate items one event may move in one transaction: the rest of it holds the event's marker. */
export const MAX_ITEMS_PER_EVENT = MAX_TRANSACTION_ACTIONS - 1;

/**
 * An event that moves more items than one transaction holds (a contact whose
 * 50 tags were all replaced moves 100 vocabulary items) as parts of at most
 * MAX_ITEMS_PER_EVENT items each, with ids `<eventId>#<part>`. The split
 * depends only on the contributions, which depend only on the stream record's
 * images, so a replay makes the same parts and each part's own marker keeps it
 * exactly once. Smaller events are returned as they are.
 */
export function splitEvent(event: ReportEvent): ReportEvent[] {
  const items = new Map<string, Contribution[]>();
  for (const contribution of event.contributions) {
    const id = itemId(contribution);
    items.set(id, [...(items.get(id) ?? []), contribution]);
  }
  if (items.size <= MAX_ITEMS_PER_EVENT) return [event];
  const groups = [...items.values()];
  const parts: ReportEvent[] = [];
  for (let start = 0; start < groups.length; start += MAX_ITEMS_PER_EVENT)
    parts.push({
      eventId: `${event.eventId}#${parts.length + 1}`,
      contributions: groups.slice(start, start + MAX_ITEMS_PER_EVENT).flat(),
    });
  return parts;
}

/**
 * Packs events into transactions of at most 100 actions: one marker per event
 * plus one update per aggregate item the group touches, so each item is
 * written once per transaction however many events move it.
 * Throws when a single event touches more items than a transaction holds.
 */
export function packEvents(events: readonly ReportEvent[]): ReportEvent[][] {
  const groups: ReportEvent[][] = [];
  let group: ReportEvent[] = [];
  let items = new Set<string>();
  for (const event of events) {
    const own = new Set(event.contributions.map(itemId));
    if (own.size + 1 > MAX_TRANSACTION_ACTIONS)
      throw new Error(
        `Stream event ${event.eventId} moves ${own.size} report aggregates, more than a transaction holds`,
      );
    const union = new Set([...items, ...own]);
    if (group.length > 0 && group.length + 1 + union.size > MAX_TRANSACTION_ACTIONS) {
      groups.push(group);
      group = [];
      items = own;
    } else items = union;
    group.push(event);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

function summed(
  events: readonly ReportEvent[],
): Map<string, { report: string; key: string; counters: Map<string, number> }> {
  const items = new Map<string, { report: string; key: string; counters: Map<string, number> }>();
  for (const { contributions } of events) {
    for (const contribution of contributions) {
      const id = itemId(contribution);
      const entry = items.get(id) ?? {
        report: contribution.report,
        key: contribution.key,
        counters: new Map(),
      };
      for (const [name, value] of Object.entries(contribution.counters))
        entry.counters.set(name, (entry.counters.get(name) ?? 0) + value);
      items.set(id, entry);
    }
  }
  return items;
}

/**
 * Applies one group of a tenant's events (see packEvents) in one transaction:
 * a marker per event, written only if absent, and one ADD per aggregate item
 * on shard `shardOf(first event)`. Events whose marker exists were applied
 * before (a retried or replayed batch) and are dropped; the rest are applied,
 * so each counts exactly once. Returns how many events were applied.
 */
export async function applyReportGroup(
  tenantId: string,
  events: readonly ReportEvent[],
  now = Date.now(),
): Promise<number> {
  return applyOnce({
    tenantId,
    events,
    markerKey: streamMarkerKey,
    now,
    writesOf(pending) {
      const shard = shardOf(pending[0]?.eventId ?? '');
      const updates: TransactItem[] = [];
      for (const { report, key, counters } of summed(pending).values()) {
        const changed = [...counters].filter(([, value]) => value !== 0);
        if (changed.length === 0) continue;
        updates.push({
          Update: {
            TableName: config.tableName,
            Key: reportAggregateKey(tenantId, report, shard, key),
            ...updateExpression({
              set: { entity: AGGREGATE_ENTITY, tenantId, report },
              add: Object.fromEntries(changed),
            }),
          },
        });
      }
      return updates;
    },
  });
}

/** Applies a tenant's events, packed into as few transactions as fit (see packEvents). */
export async function applyReportEvents(tenantId: string, events: readonly ReportEvent[], now = Date.now()) {
  let applied = 0;
  for (const group of packEvents(events)) applied += await applyReportGroup(tenantId, group, now);
  return applied;
}

/** Bounds of the group keys to read: `from`..`to` inclusive, or every key beginning with `prefix`. */
export type KeyRange =
  | { readonly from: string; readonly to: string }
  | { readonly prefix: string }
  | undefined;

/**
 * Reads one report's aggregate items, summed across its shards, by group key.
 * One Query per shard (more only when a shard's answer exceeds 1 MB), run in
 * parallel; items whose counters are all zero are left out.
 */
export async function readReport(
  tenantId: string,
  report: string,
  range?: KeyRange,
): Promise<Map<string, Counters>> {
  const condition =
    range === undefined
      ? { expression: 'pk = :pk', values: {} }
      : 'prefix' in range
        ? { expression: 'pk = :pk AND begins_with(sk, :prefix)', values: { ':prefix': range.prefix } }
        : {
            expression: 'pk = :pk AND sk BETWEEN :from AND :to',
            values: { ':from': range.from, ':to': range.to },
          };
  const shards = await Promise.all(
    Array.from({ length: REPORT_SHARDS }, async (_, shard) => {
      const items: Record<string, unknown>[] = [];
      for await (const page of queryPages({
        TableName: config.tableName,
        KeyConditionExpression: condition.expression,
        ExpressionAttributeValues: { ':pk': reportAggregatePk(tenantId, report, shard), ...condition.values },
      }))
        items.push(...page);
      return items;
    }),
  );
  const sums = new Map<string, Record<string, number>>();
  for (const item of shards.flat()) {
    const key = String(item.sk);
    const counters = sums.get(key) ?? {};
    for (const [name, value] of Object.entries(item)) {
      if (itemAttributes.has(name) || typeof value !== 'number') continue;
      counters[name] = (counters[name] ?? 0) + value;
    }
    sums.set(key, counters);
  }
  const result = new Map<string, Counters>();
  for (const [key, counters] of [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const nonZero = Object.entries(counters).filter(([, value]) => value !== 0);
    if (nonZero.length > 0) result.set(key, Object.fromEntries(nonZero));
  }
  return result;
}

/** The upper bound of a key range that ends with `prefix` (every key that begins with it sorts below). */
export const through = (prefix: string): string => `${prefix}\uffff`;
