import { stringify } from 'csv-stringify/sync';
import { config } from '../config.ts';
import type { Actor } from '../domain/access.ts';
import type { CustomFieldDefinition } from '../domain/custom-fields.ts';
import { logger } from '../observability/logger.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readCustomFieldDefinitions } from './custom-fields.ts';
import {
  advanceImport,
  countFailedRun,
  finishImportUpdate,
  getImport,
  type ImportItem,
  type ImportTotals,
  importErrorsKey,
  importObjectKey,
  MAX_IMPORT_BYTES,
  markImportProcessing,
  releaseImportLease,
  takeImportLease,
} from './imports.ts';
import {
  type CsvRecord,
  ImportFileError,
  mapColumns,
  openCsv,
  type RowError,
  readRow,
} from './imports-reader.ts';
import {
  type ChunkRow,
  type ImportContext,
  matchValue,
  planRows,
  type RowPlan,
  resolveReferences,
} from './imports-rows.ts';
import { IMPORT_RANGE_PREFIX, importRangeKey, importRangeSk, importRangesPk } from './keys.ts';
import { notificationItems } from './notifications.ts';
import { queryPages } from './query.ts';
import { isTransactionConflict, type TransactItem, transact } from './transactions.ts';

/**
 * One run of an import (functions/queue/importChunks.ts): from the import's
 * committed cursor to the end of the file, or until its time runs short.
 *
 * The file is streamed (never loaded whole) through openCsv → mapColumns →
 * readRow. Records before the cursor are parsed and passed over; the rest go
 * in chunks of CHUNK_ROWS:
 * 1. the chunk's existing row-range markers are read: rows a marker covers
 *    were written (or judged) by an earlier run and are not touched again;
 * 2. references are resolved once for the chunk, then rows are planned in
 *    waves (no two rows of a wave share a match key, so a file's second row
 *    of an email sees the first one's record) and packed into groups of at
 *    most MAX_TRANSACTION_ITEMS items;
 * 3. each group is ONE transaction: its rows' writes and its marker
 *    (`RANGE#<first record>`, attribute_not_exists) recording every row's
 *    outcome and errors. A group cancelled by a condition (a unique value
 *    another import just took, a record changed meanwhile) re-plans only the
 *    rows whose items failed and tries again;
 * 4. the import's totals advance from the chunk's markers in one update
 *    conditioned on the cursor still standing at the chunk's start.
 * A crash anywhere leaves either a marker with its rows or neither, and the
 * next run counts from markers, so rows are never written twice nor counted
 * twice, and processedRows = created + updated + skipped + failed always.
 */

/** Records per chunk: the unit of progress on the import item. */
export const CHUNK_ROWS = 500;
/** DynamoDB's limit on a transaction's items. */
const MAX_TRANSACTION_ITEMS = 100;
/** Transactions of a wave written at once: DynamoDB Local serialises writes, so more buy nothing there (measured: 4 and 8 alike). */
const PARALLEL_GROUPS = 4;
/** Attempts of a group whose conditions keep failing before its remaining rows are failed. */
const MAX_GROUP_ATTEMPTS = 5;
/** Runs that may end on an unexpected error before the import is marked failed (below the queue's maxReceiveCount). */
export const MAX_FAILED_RUNS = 3;
/** A run stops starting chunks when less than this is left of its invocation. */
const SAFETY_MS = 60_000;
/** Longest cell value repeated in the error CSV. */
const MAX_ERROR_VALUE_CHARS = 200;

export type ImportRunOutcome = 'done' | 'failed' | 'continue' | 'busy' | 'ignored';

export interface ImportRunOptions {
  readonly store: ObjectStore;
  /** Milliseconds left in the invocation; absent: no limit. */
  readonly remainingMs?: () => number;
  /** The tenant's custom field definitions of an entity. */
  readonly customFields?: (
    tenantId: string,
    entity: ImportItem['entity'],
  ) => Promise<readonly CustomFieldDefinition[]>;
  /** Called after each group's transaction, before the totals move: where tests make a run crash. */
  readonly afterGroup?: () => void | Promise<void>;
  /** A lease on the import the caller already holds (takeImportLease), so no other run slips in first; the caller releases it. */
  readonly lease?: string;
}

/** A marker: the outcome of every row of one group, written with the rows. */
interface RangeMarker extends ImportTotals {
  readonly ordinals: readonly number[];
  readonly errors: readonly RowError[];
}

const zero: ImportTotals = { created: 0, updated: 0, skipped: 0, failed: 0, notes: 0 };

const add = (a: ImportTotals, b: ImportTotals): ImportTotals => ({
  created: a.created + b.created,
  updated: a.updated + b.updated,
  skipped: a.skipped + b.skipped,
  failed: a.failed + b.failed,
  notes: a.notes + b.notes,
});

function markerOf(plans: readonly RowPlan[]): RangeMarker {
  const count = (kind: RowPlan['outcome']) => plans.filter((plan) => plan.outcome === kind).length;
  return {
    ordinals: plans.map((plan) => plan.ordinal),
    created: count('created'),
    updated: count('updated'),
    skipped: count('skipped'),
    failed: count('failed'),
    notes: plans.filter((plan) => plan.outcome !== 'failed' && (plan.notes?.length ?? 0) > 0).length,
    errors: plans.flatMap((plan) =>
      [...plan.errors, ...(plan.notes ?? [])].map((error) => ({
        ...error,
        value: error.value.slice(0, MAX_ERROR_VALUE_CHARS),
      })),
    ),
  };
}

function markerPut(tenantId: string, importId: string, marker: RangeMarker): TransactItem {
  const first = Math.min(...marker.ordinals);
  return {
    Put: {
      TableName: config.tableName,
      Item: {
        ...importRangeKey(tenantId, importId, first),
        entity: 'importRange',
        tenantId,
        ...marker,
        expiresAt: Math.floor(Date.now() / 1000) + 30 * 24 * 60 * 60,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

const toMarker = (item: Record<string, unknown>): RangeMarker => ({
  ordinals: (item.ordinals as number[]) ?? [],
  created: Number(item.created ?? 0),
  updated: Number(item.updated ?? 0),
  skipped: Number(item.skipped ?? 0),
  failed: Number(item.failed ?? 0),
  notes: Number(item.notes ?? 0),
  errors: (item.errors as RowError[]) ?? [],
});

/** The markers of records `from` to `to - 1` (their groups start there). */
async function markersBetween(
  tenantId: string,
  importId: string,
  from: number,
  to: number,
): Promise<RangeMarker[]> {
  const markers: RangeMarker[] = [];
  for await (const items of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': importRangesPk(tenantId, importId),
      ':from': importRangeSk(from),
      ':to': importRangeSk(to - 1),
    },
    ConsistentRead: true,
  }))
    markers.push(...items.map(toMarker));
  return markers;
}

/** Packs plans into groups of at most MAX_TRANSACTION_ITEMS items, one for the marker. */
function pack(plans: readonly RowPlan[]): RowPlan[][] {
  const groups: RowPlan[][] = [];
  let group: RowPlan[] = [];
  let size = 1;
  for (const plan of plans) {
    if (group.length > 0 && size + plan.items.length > MAX_TRANSACTION_ITEMS) {
      groups.push(group);
      group = [];
      size = 1;
    }
    group.push(plan);
    size += plan.items.length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Runs `work` over `items` with at most `limit` at once. After a failure no
 * new item starts, and the ones under way finish before the first error is
 * rethrown: a failed run leaves nothing of its own still writing.
 */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && !failure) {
        const index = next++;
        try {
          results[index] = await work(items[index] as T);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw failure.error;
  return results;
}

const itemKey = (item: TransactItem): string | undefined => {
  const check = item.ConditionCheck;
  return check ? `${String(check.Key?.pk)}\n${String(check.Key?.sk)}` : undefined;
};

/**
 * A transaction may touch an item once: rows of a group naming the same
 * company share one existence check (the first row's).
 */
function withoutRepeatedChecks(items: readonly TransactItem[]): TransactItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = itemKey(item);
    if (!key) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The plans whose items (as withoutRepeatedChecks laid them out) failed their conditions. */
function ownersOf(plans: readonly RowPlan[], failed: readonly number[]): RowPlan[] {
  const seen = new Set<string>();
  const owners: RowPlan[] = [];
  let at = 0;
  for (const plan of plans) {
    let mine = false;
    for (const item of plan.items) {
      const key = itemKey(item);
      if (key && seen.has(key)) continue;
      if (key) seen.add(key);
      if (failed.includes(at)) mine = true;
      at++;
    }
    if (mine) owners.push(plan);
  }
  return owners;
}

class ImportRun {
  private readonly context: ImportContext;

  constructor(
    private readonly item: ImportItem,
    context: ImportContext,
    private readonly options: ImportRunOptions,
  ) {
    this.context = context;
  }

  /** Writes one group: its rows' items and its marker in one transaction, re-planning rows whose conditions fail. */
  private async writeGroup(
    group: RowPlan[],
    rows: ReadonlyMap<number, ChunkRow>,
    references: Awaited<ReturnType<typeof resolveReferences>>,
  ): Promise<RangeMarker> {
    const { tenantId } = this.context;
    let plans = group;
    for (let attempt = 1; ; attempt++) {
      const marker = markerOf(plans);
      const put = markerPut(tenantId, this.item.id, marker);
      const items = [...withoutRepeatedChecks(plans.flatMap((plan) => plan.items)), put];
      let outcome: Awaited<ReturnType<typeof transact>>;
      try {
        outcome = await transact(items);
      } catch (error) {
        if (!isTransactionConflict(error) || attempt >= MAX_GROUP_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
        plans = await this.replan(plans, plans, rows, references);
        continue;
      }
      if (outcome.ok) return marker;
      const markerAt = items.length - 1;
      if (outcome.failedConditions.includes(markerAt)) {
        // Another run wrote this group first: its marker is the outcome.
        const [existing] = await markersBetween(
          tenantId,
          this.item.id,
          Math.min(...marker.ordinals),
          Math.min(...marker.ordinals) + 1,
        );
        if (existing) return existing;
        throw new Error('An import range marker failed its condition but cannot be read');
      }
      // Which rows own the failed items: those are planned again against what is stored now.
      const owners = ownersOf(plans, outcome.failedConditions);
      if (attempt >= MAX_GROUP_ATTEMPTS) {
        plans = plans.map((plan) =>
          owners.includes(plan)
            ? {
                ...plan,
                outcome: 'failed' as const,
                items: [],
                errors: [
                  {
                    row: plan.row,
                    column: '',
                    value: '',
                    reason: 'the record kept changing while it was imported; import the row again',
                  },
                ],
              }
            : plan,
        );
        continue;
      }
      plans = await this.replan(plans, owners, rows, references);
    }
  }

  private async replan(
    plans: readonly RowPlan[],
    stale: readonly RowPlan[],
    rows: ReadonlyMap<number, ChunkRow>,
    references: Awaited<ReturnType<typeof resolveReferences>>,
  ): Promise<RowPlan[]> {
    const fresh = await planRows(
      this.context,
      stale.map((plan) => rows.get(plan.ordinal) as ChunkRow),
      references,
    );
    const byOrdinal = new Map(fresh.map((plan) => [plan.ordinal, plan]));
    return plans.map((plan) => byOrdinal.get(plan.ordinal) ?? plan);
  }

  /** Processes records `from`..`from + records.length - 1` and advances the cursor over them. */
  async chunk(from: number, records: readonly CsvRecord[]): Promise<void> {
    const { tenantId } = this.context;
    const to = from + records.length;
    const existing = await markersBetween(tenantId, this.item.id, from, to);
    const covered = new Set(existing.flatMap((marker) => marker.ordinals));
    const pending: ChunkRow[] = [];
    for (const [offset, record] of records.entries()) {
      const ordinal = from + offset;
      if (covered.has(ordinal)) continue;
      pending.push({
        ordinal,
        read: readRow(
          this.context.entity,
          this.context.columns,
          record,
          this.context.customFields,
          this.context.delimiter,
        ),
      });
    }
    const written: RangeMarker[] = [];
    if (pending.length > 0) {
      const references = await resolveReferences(this.context, pending);
      const rows = new Map(pending.map((row) => [row.ordinal, row]));
      const waves = this.waves(pending);
      const dryCreated = new Map<string, number>();
      const createdEarlier = new Map<string, string>();
      for (const wave of waves) {
        const planned = [
          ...wave.failed,
          ...(await planRows(this.context, wave.rows, references, dryCreated, createdEarlier)),
        ];
        for (const plan of planned) {
          if (!plan.createdKey) continue;
          if (this.context.dryRun) dryCreated.set(plan.createdKey, plan.row);
          else if (plan.createdId) createdEarlier.set(plan.createdKey, plan.createdId);
        }
        planned.sort((a, b) => a.ordinal - b.ordinal);
        written.push(
          ...(await inParallel(pack(planned), PARALLEL_GROUPS, async (group) => {
            const marker = await this.writeGroup(group, rows, references);
            await this.options.afterGroup?.();
            return marker;
          })),
        );
      }
    }
    const totals = [...existing, ...written].reduce<ImportTotals>((sum, marker) => add(sum, marker), zero);
    if (!(await advanceImport(tenantId, this.item.id, from, to, totals)))
      throw new Error(`The import's cursor moved from ${from} during the run`);
  }

  /**
   * Splits rows into waves: the first row of each match key in the first, its
   * next occurrence in the second, and so on. In create mode a later
   * occurrence fails at once as a duplicate of the first.
   */
  private waves(rows: readonly ChunkRow[]): { rows: ChunkRow[]; failed: RowPlan[] }[] {
    const seen = new Map<string, { row: number; count: number }>();
    const waves: { rows: ChunkRow[]; failed: RowPlan[] }[] = [{ rows: [], failed: [] }];
    const matchColumn = this.context.columns.find(
      (column) =>
        column.field ===
        (this.context.entity === 'companies'
          ? 'domain'
          : this.context.entity === 'deals'
            ? 'externalId'
            : 'email'),
    )?.column;
    for (const row of rows) {
      const key =
        row.read.matchKey && row.read.errors.length === 0
          ? matchValue(this.context.entity, row.read.matchKey)
          : undefined;
      const earlier = key ? seen.get(key) : undefined;
      if (!key || !earlier) {
        if (key) seen.set(key, { row: row.read.row, count: 1 });
        (waves[0] as (typeof waves)[number]).rows.push(row);
        continue;
      }
      if (this.context.mode === 'create') {
        (waves[0] as (typeof waves)[number]).failed.push({
          ordinal: row.ordinal,
          row: row.read.row,
          outcome: 'failed',
          items: [],
          errors: [
            {
              row: row.read.row,
              column: matchColumn ?? '',
              value: row.read.matchKey ?? '',
              reason: `duplicate of row ${earlier.row}`,
            },
          ],
        });
        continue;
      }
      const wave = earlier.count;
      earlier.count++;
      while (waves.length <= wave) waves.push({ rows: [], failed: [] });
      (waves[wave] as (typeof waves)[number]).rows.push(row);
    }
    return waves;
  }
}

/** Runs the import from its cursor: 'continue' when time ran short (the caller queues the rest). */
export async function runImport(
  tenantId: string,
  importId: string,
  options: ImportRunOptions,
): Promise<ImportRunOutcome> {
  const before = await getImport(tenantId, importId, true);
  if (!before || before.status === 'done' || before.status === 'failed') return 'ignored';
  // A lease the caller brought stays the caller's to give back; one taken here is released here.
  const holder = options.lease ?? (await takeImportLease(tenantId, importId));
  if (!holder) return 'busy';
  const ownLease = options.lease === undefined;
  try {
    const item = (await getImport(tenantId, importId, true)) as ImportItem;
    return await runHeld(item, holder, options);
  } catch (error) {
    // A fault no retry cures (a bug, a record the store refuses) would leave the import
    // `processing` for ever while its message goes round to the DLQ: after a few runs it
    // ends as failed, its rows so far kept and counted, and its owner is told.
    if ((await countFailedRun(tenantId, importId)) < MAX_FAILED_RUNS) throw error;
    logger.error('importChunks: the import keeps failing; marked failed', {
      importId,
      error: { name: (error as Error)?.name, message: (error as Error)?.message },
    });
    const item = (await getImport(tenantId, importId, true)) as ImportItem;
    return await finish(item, options, {
      error: `The import stopped on an unexpected error ${MAX_FAILED_RUNS} times; the rows counted so far are kept. Import the rest again, or report the problem`,
    });
  } finally {
    if (ownLease) await releaseImportLease(tenantId, importId, holder);
  }
}

async function runHeld(
  item: ImportItem,
  holder: string,
  options: ImportRunOptions,
): Promise<ImportRunOutcome> {
  const { tenantId, id } = item;
  const key = importObjectKey(tenantId, id);
  const head = await options.store.head('imports', key);
  if (!head) return finish(item, options, { error: 'The uploaded file is gone; start a new import' });
  if (head.size > MAX_IMPORT_BYTES)
    return finish(item, options, {
      error: `The file is ${(head.size / 1024 / 1024).toFixed(1)} MB; the largest accepted is ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Split it into smaller files`,
    });
  const customFields = await (options.customFields ?? readCustomFieldDefinitions)(tenantId, item.entity);
  const stream = await options.store.read('imports', key);
  try {
    let opened: Awaited<ReturnType<typeof openCsv>>;
    let mapped: ReturnType<typeof mapColumns>;
    try {
      opened = await openCsv(stream, {
        ...(item.options.encoding ? { encoding: item.options.encoding as never } : {}),
        ...(item.options.delimiter ? { delimiter: item.options.delimiter as never } : {}),
      });
      mapped = mapColumns(item.entity, opened.header, {
        ...(item.options.mapping ? { mapping: item.options.mapping as Record<string, string | null> } : {}),
        customFields,
      });
    } catch (error) {
      if (error instanceof ImportFileError) return finish(item, options, { error: error.message });
      throw error;
    }
    if (item.status === 'uploading') {
      const found = {
        columns: mapped.columns,
        mapping: mapped.mapping,
        encoding: opened.encoding,
        delimiter: opened.delimiter,
      };
      if (!(await markImportProcessing(tenantId, id, holder, found))) return 'busy';
    }
    const actor: Actor = {
      userId: item.ownerId,
      role: item.ownerRole,
      ...(item.ownerTeamId ? { teamId: item.ownerTeamId } : {}),
    };
    const run = new ImportRun(
      item,
      {
        tenantId,
        actor,
        entity: item.entity,
        mode: item.mode,
        dryRun: item.dryRun,
        columns: mapped.columns,
        customFields,
        delimiter: opened.delimiter,
      },
      options,
    );
    let cursor = item.cursor;
    let ordinal = 0;
    let pending: CsvRecord[] = [];
    let fileError: string | undefined;
    try {
      for await (const record of opened.records) {
        if (ordinal++ < cursor) continue;
        pending.push(record);
        if (pending.length < CHUNK_ROWS) continue;
        await run.chunk(cursor, pending);
        cursor += pending.length;
        pending = [];
        if (options.remainingMs && options.remainingMs() < SAFETY_MS) return 'continue';
      }
    } catch (error) {
      if (!(error instanceof ImportFileError)) throw error;
      fileError = error.message;
    }
    if (pending.length > 0) await run.chunk(cursor, pending);
    return finish(item, options, fileError ? { error: fileError } : {});
  } finally {
    stream.destroy();
  }
}

/** The error CSV's cell: a formula-looking value gets a leading `'` so spreadsheets show it as text. */
const neutralised = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/**
 * Ends the import: collects every marker's errors into the error CSV
 * (`row,column,value,reason`, rows in file order) beside the upload, then in
 * one transaction sets the status (done, or failed with `error`), the finish
 * time and the error CSV's key, and notifies the import's owner.
 */
async function finish(
  item: ImportItem,
  options: ImportRunOptions,
  outcome: { error?: string },
): Promise<ImportRunOutcome> {
  const { tenantId, id } = item;
  const errors: RowError[] = [];
  for await (const items of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :range)',
    ExpressionAttributeValues: { ':pk': importRangesPk(tenantId, id), ':range': IMPORT_RANGE_PREFIX },
    ProjectionExpression: 'errors',
  }))
    for (const marker of items) errors.push(...((marker.errors as RowError[]) ?? []));
  errors.sort((a, b) => a.row - b.row);
  let errorsKey: string | undefined;
  if (errors.length > 0) {
    errorsKey = importErrorsKey(tenantId, id);
    const csv = stringify([
      ['row', 'column', 'value', 'reason'],
      ...errors.map((error) => [
        String(error.row),
        neutralised(error.column),
        neutralised(error.value),
        error.reason,
      ]),
    ]);
    await options.store.write('imports', errorsKey, csv, { contentType: 'text/csv; charset=utf-8' });
  }
  const latest = (await getImport(tenantId, id, true)) as ImportItem;
  const finishedAt = new Date().toISOString();
  const status = outcome.error ? 'failed' : 'done';
  const noted = latest.notes ? `, ${latest.notes} with a note` : '';
  const counts = `${latest.created} created, ${latest.updated} updated, ${latest.skipped} skipped, ${latest.failed} failed${noted}`;
  const title = outcome.error
    ? `Your import of ${item.entity} failed: ${outcome.error}`
    : `Your ${item.dryRun ? 'dry run' : 'import'} of ${item.entity} is done: ${counts}`;
  const notification = notificationItems(tenantId, [item.ownerId], {
    kind: 'import_finished',
    title,
    record: { type: 'import', id, name: `${item.entity} import` },
    occurredAt: finishedAt,
    key: `import:${id}`,
  });
  const result = await transact([
    finishImportUpdate(tenantId, id, {
      status,
      finishedAt,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(errorsKey ? { errorsKey } : {}),
    }),
    ...notification,
  ]);
  if (!result.ok) logger.info('importChunks: the import was already finished', { importId: id });
  return status;
}
