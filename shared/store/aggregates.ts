import { config } from '../config.ts';
import { fromMinor } from '../domain/money.ts';
import { OPEN_AMOUNT_PREFIX, type Overview, overviewCounters } from '../domain/overview.ts';
import { readReport } from './report-aggregates.ts';
import { applyOnce } from './stream-markers.ts';
import { updateExpression } from './update-expression.ts';

/** A transaction holds 100 actions: 99 markers and the one aggregate update. */
export const MAX_EVENTS_PER_TRANSACTION = 99;

/** The overview report: live record counts and open pipeline per currency, summed across shards. */
export async function readOverview(tenantId: string): Promise<Overview> {
  const Item = (await readReport(tenantId, 'overview')).get('overview') ?? {};
  const count = (name: string) => Item[name] ?? 0;
  const openPipelineAmount: Record<string, number> = {};
  for (const [name, value] of Object.entries(Item)) {
    if (name.startsWith(OPEN_AMOUNT_PREFIX) && value !== 0) {
      openPipelineAmount[name.slice(OPEN_AMOUNT_PREFIX.length)] = fromMinor(value);
    }
  }
  const counts = Object.fromEntries(
    Object.values(overviewCounters).map((counter) => [counter, count(counter)]),
  );
  return {
    ...(counts as Record<(typeof overviewCounters)[keyof typeof overviewCounters], number>),
    openPipelineAmount,
  };
}

export interface CountedEvent {
  readonly eventId: string;
  readonly deltas: Readonly<Partial<Record<string, number>>>;
}

export interface MarkedDeltas {
  readonly tenantId: string;
  readonly events: readonly CountedEvent[];
  /** Each consumer of the stream marks the events it applied under its own key. */
  readonly markerKey: (tenantId: string, eventId: string) => Record<string, string>;
  readonly countersKey: Record<string, string>;
  /** Stamped on the counters item with the tenant, for an item that is more than an aggregate. */
  readonly entity?: string;
  readonly now: number;
}

/**
 * One transaction (applyOnce): a marker per stream event and one update
 * adding the events' summed deltas to the counters item, so each event counts
 * exactly once. At most MAX_EVENTS_PER_TRANSACTION events; returns how many
 * were applied.
 */
export async function applyMarkedDeltas(options: MarkedDeltas): Promise<number> {
  const { tenantId, markerKey, countersKey, entity, now } = options;
  return applyOnce({
    tenantId,
    events: options.events,
    markerKey,
    now,
    writesOf(pending) {
      const sums = new Map<string, number>();
      for (const event of pending) {
        for (const [name, delta] of Object.entries(event.deltas))
          sums.set(name, (sums.get(name) ?? 0) + (delta ?? 0));
      }
      const changed = [...sums].filter(([, sum]) => sum !== 0);
      if (changed.length === 0) return [];
      return [
        {
          Update: {
            TableName: config.tableName,
            Key: countersKey,
            ...updateExpression({
              ...(entity ? { set: { entity, tenantId } } : {}),
              add: Object.fromEntries(changed),
            }),
          },
        },
      ];
    },
  });
}
