import { config } from '../config.ts';
import {
  type Contribution,
  contributionsOf,
  type Image,
  MergedCounters,
  type ReportAggregate,
} from '../domain/reports/aggregate.ts';
import { type Comparison, compareAggregates } from '../domain/reports/drift.ts';
import { reportAggregates } from '../domain/reports/index.ts';
import { refreshIndexKeys } from './index-upkeep.ts';
import { reportAggregateKey } from './keys.ts';
import { withRebuildLock } from './rebuild-lock.ts';
import { readReport } from './report-aggregates.ts';
import { type ReportSource, type SourceCursor, sourcesFor } from './report-sources.ts';
import { type TransactItem, transact } from './transactions.ts';
import { updateExpression } from './update-expression.ts';

/**
 * Rebuilding a tenant's report aggregates from its records: every item of
 * every entity that feeds a report is read (Queries of the access patterns
 * only, never the whole table), its contributions summed exactly as the stream sums them
 * (contributionsOf), and the stored aggregates corrected where they drifted.
 *
 * What a rebuild racing the stream can and cannot guarantee. Corrections are
 * ADDs of (recomputed − stored) to shard 0, never overwrites, so a stream
 * update applied while the rebuild runs is never lost: it lands on top of
 * the correction. On a tenant whose records do not change while it runs, and
 * whose stream has caught up, the aggregates equal the records' sums after
 * it. A record written while the rebuild runs can leave drift behind (the
 * rebuild read it before its change while the aggregate was read after the
 * stream applied the change, or the record after its change while the stream
 * had not applied it yet); that drift is as large as those writes' own
 * contributions, and the next rebuild on a quiet tenant removes it.
 */

/** Records read per Query page. */
export const REBUILD_PAGE_SIZE = 100;
/** Aggregate updates per correction transaction (a transaction holds 100 actions; one is kept for a caller). */
export const CORRECTIONS_PER_TRANSACTION = 98;
const AGGREGATE_ENTITY = 'report-aggregate';

/** The reports of the aggregates, each once. */
export const reportNames = (aggregates: readonly ReportAggregate[] = reportAggregates): string[] => [
  ...new Set(aggregates.map((aggregate) => aggregate.report)),
];

/** The entities the aggregates read, each once, sorted. */
const entitiesOf = (aggregates: readonly ReportAggregate[]): string[] =>
  [...new Set(aggregates.flatMap((aggregate) => aggregate.entities))].sort();

/** The sources a rebuild of these aggregates reads, in order; throws for an entity no source reads. */
export const rebuildSources = (aggregates: readonly ReportAggregate[] = reportAggregates): ReportSource[] =>
  sourcesFor(entitiesOf(aggregates));

/** Adds the contributions of a page of items (only those of the source's entity) to `sums`. */
export function addPage(
  sums: MergedCounters,
  source: ReportSource,
  items: readonly Image[],
  aggregates: readonly ReportAggregate[] = reportAggregates,
): void {
  for (const item of items) {
    if (item.entity !== source.entity) continue;
    for (const contribution of contributionsOf(item, aggregates)) sums.add(contribution, 1);
  }
}

export interface RecomputeProgress {
  /** Items read so far. */
  readonly items: number;
  /** Query pages read so far. */
  readonly pages: number;
}

/**
 * The tenant's aggregates recomputed from every item the sources read, in
 * memory: for tenants small enough to hold (see the HTTP handler's threshold).
 */
export async function recomputeAggregates(
  tenantId: string,
  aggregates: readonly ReportAggregate[] = reportAggregates,
): Promise<{ sums: Contribution[]; progress: RecomputeProgress }> {
  const sums = new MergedCounters();
  let items = 0;
  let pages = 0;
  for (const source of rebuildSources(aggregates)) {
    let cursor: SourceCursor | undefined;
    do {
      const page = await source.page(tenantId, cursor, REBUILD_PAGE_SIZE);
      addPage(sums, source, page.items, aggregates);
      await refreshIndexKeys(tenantId, source.entity, page.items);
      items += page.items.length;
      pages++;
      cursor = page.next;
    } while (cursor);
  }
  return { sums: sums.contributions(), progress: { items, pages } };
}

/** Every stored aggregate item of the reports, summed across shards (readReport per report). */
export async function readStoredAggregates(
  tenantId: string,
  reports: readonly string[] = reportNames(),
): Promise<Contribution[]> {
  const all = await Promise.all(
    reports.map(async (report) =>
      [...(await readReport(tenantId, report))].map(([key, counters]) => ({ report, key, counters })),
    ),
  );
  return all.flat();
}

/** The ADD of one correction to shard 0 of its report, as a transaction item. */
export function correctionUpdate(tenantId: string, correction: Contribution): TransactItem {
  return {
    Update: {
      TableName: config.tableName,
      Key: reportAggregateKey(tenantId, correction.report, 0, correction.key),
      ...updateExpression({
        set: { entity: AGGREGATE_ENTITY, tenantId, report: correction.report },
        add: { ...correction.counters },
      }),
    },
  };
}

/** Splits a list into consecutive chunks of at most `size`. */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < list.length; start += size) result.push(list.slice(start, start + size));
  return result;
}

/** Applies corrections (ADD to shard 0), CORRECTIONS_PER_TRANSACTION per transaction. */
export async function applyCorrections(
  tenantId: string,
  corrections: readonly Contribution[],
): Promise<void> {
  for (const batch of chunks(corrections, CORRECTIONS_PER_TRANSACTION)) {
    const outcome = await transact(batch.map((correction) => correctionUpdate(tenantId, correction)));
    if (!outcome.ok) throw new Error('A report correction was refused; nothing in it has a condition');
  }
}

export interface RebuildResult extends Pick<Comparison, 'aggregatesChecked' | 'drifted'> {
  readonly progress: RecomputeProgress;
}

/**
 * Rebuilds a tenant's report aggregates in one go (the synchronous
 * `POST /admin/reports/rebuild`): recompute, compare, correct.
 * Returns `{aggregatesChecked, drifted: [{report, key, was, now}]}` and what
 * was read. Throws RebuildBusyError while another rebuild of the tenant holds
 * the rebuild lease.
 */
export async function rebuildReports(
  tenantId: string,
  aggregates: readonly ReportAggregate[] = reportAggregates,
): Promise<RebuildResult> {
  const outcome = await withRebuildLock(tenantId, async () => {
    const { sums, progress } = await recomputeAggregates(tenantId, aggregates);
    const stored = await readStoredAggregates(tenantId, reportNames(aggregates));
    const { aggregatesChecked, drifted, corrections } = compareAggregates(stored, sums);
    await applyCorrections(tenantId, corrections);
    return { aggregatesChecked, drifted, progress };
  });
  if (!outcome.ran) throw new RebuildBusyError();
  return outcome.value;
}

/** Another rebuild of the tenant is comparing and correcting (see shared/store/rebuild-lock.ts). */
export class RebuildBusyError extends Error {
  constructor() {
    super('A rebuild of this tenant is running');
    this.name = 'RebuildBusyError';
  }
}
