import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import type { Actor } from '../domain/access.ts';
import { IMPORT_FILES_DAYS } from '../domain/imports/entities.ts';
import type { ImportEntity } from '../domain/imports/index.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { importKey, importsPk } from './keys.ts';
import type { PageKey } from './page.ts';
import { queryPage } from './query.ts';

/**
 * CSV imports: one item per import in the tenant's imports partition
 * (keys.ts importKey), holding the options the user gave, what the worker
 * found in the file (columns, dialect), its committed cursor and its totals.
 *
 * - `cursor`: data records (in file order, blank lines not counted) whose
 *   outcome is in the totals. The worker advances it one chunk at a time on
 *   the condition that it still stands where the chunk started, adding the
 *   chunk's outcomes summed from its row-range markers in the same update, so
 *   `processedRows = created + updated + skipped + failed` holds after every
 *   write, whatever fails in between.
 * - `lease`: the run working on the import (a redelivered or duplicate queue
 *   message finds it held and comes back later); it lapses after LEASE_MS.
 */
export type ImportEntityName = ImportEntity;
export type ImportStatus = 'uploading' | 'processing' | 'done' | 'failed';
export type ImportMode = 'create' | 'upsert';

export interface ImportColumn {
  readonly column: string;
  readonly index: number;
  readonly field: string | null;
}

export interface ImportTotals {
  readonly created: number;
  readonly updated: number;
  readonly skipped: number;
  readonly failed: number;
  /**
   * Rows written (created, updated or skipped) with a note in the error CSV:
   * a value the import left out (an owner who is not a user here, a company
   * or contact not found). Not part of processedRows' sum.
   */
  readonly notes: number;
}

export interface ImportItem extends ImportTotals {
  readonly id: string;
  readonly tenantId: string;
  readonly entity: ImportEntityName;
  readonly mode: ImportMode;
  readonly dryRun: boolean;
  readonly status: ImportStatus;
  /** Who imports, with the rights their token carried when they started it: the rows are written as them. */
  readonly ownerId: string;
  readonly ownerRole: Actor['role'];
  readonly ownerTeamId?: string;
  readonly options: {
    readonly mapping?: Readonly<Record<string, string | null>>;
    readonly encoding?: string;
    readonly delimiter?: string;
  };
  readonly columns?: readonly ImportColumn[];
  readonly mapping?: Readonly<Record<string, string | null>>;
  readonly encoding?: string;
  readonly delimiter?: string;
  readonly cursor: number;
  readonly processedRows: number;
  readonly error?: string;
  /** The error CSV's object key, once written (only when some row failed). */
  readonly errorsKey?: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly lease?: { readonly holder: string; readonly until: number };
}

/** The largest file accepted: 50 MiB, several times 100,000 contact rows (~10 MB). */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** Whether an import's error report is still stored: written when it finished, kept IMPORT_FILES_DAYS. */
export const errorsReportKept = (finishedAt: string | undefined, now = Date.now()): boolean =>
  finishedAt === undefined || now - Date.parse(finishedAt) < IMPORT_FILES_DAYS * 24 * 60 * 60 * 1000;
/** How long an upload URL (and an error CSV link) is valid. */
export const IMPORT_URL_SECONDS = 15 * 60;
/** A run holds the import this long at most; longer than the worker's timeout, so a crashed run's lease lapses. */
export const IMPORT_LEASE_MS = 6 * 60_000;
/** Imports and their markers are kept 30 days. */
const TTL_SECONDS = 30 * 24 * 60 * 60;

/** The object key of an import's uploaded file: its tenant first, as every key. */
export const importObjectKey = (tenantId: string, importId: string) => `${tenantId}/${importId}.csv`;
/** The object key of an import's error CSV. */
export const importErrorsKey = (tenantId: string, importId: string) => `${tenantId}/${importId}-errors.csv`;

const OBJECT_KEY = /^([A-Za-z0-9_-]{1,128})\/([0-9A-HJKMNP-TV-Z]{26})\.csv$/;

/** The tenant and import an uploaded object's key names; undefined for any other key (an error CSV, a stray file). */
export function parseImportObjectKey(key: string): { tenantId: string; importId: string } | undefined {
  const match = OBJECT_KEY.exec(key);
  return match ? { tenantId: match[1] as string, importId: match[2] as string } : undefined;
}

const toImport = (item: Record<string, unknown>): ImportItem => {
  const { pk: _pk, sk: _sk, entity: _kind, importEntity, expiresAt: _ttl, ...rest } = item;
  return { ...rest, entity: importEntity } as unknown as ImportItem;
};

/** Creates an import waiting for its upload. */
export async function createImport(
  tenantId: string,
  owner: Actor,
  input: {
    entity: ImportEntityName;
    mode: ImportMode;
    dryRun: boolean;
    options: ImportItem['options'];
  },
  now = new Date(),
): Promise<ImportItem> {
  const id = ulid(now.getTime());
  const item: ImportItem = {
    id,
    tenantId,
    entity: input.entity,
    mode: input.mode,
    dryRun: input.dryRun,
    status: 'uploading',
    ownerId: owner.userId,
    ownerRole: owner.role,
    ...(owner.teamId ? { ownerTeamId: owner.teamId } : {}),
    options: input.options,
    cursor: 0,
    processedRows: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    notes: 0,
    createdAt: now.toISOString(),
  };
  await dynamo.send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...importKey(tenantId, id),
        ...item,
        // `entity` names the item kind, as on every item the stream reads; the records imported are `importEntity`.
        entity: 'import',
        importEntity: item.entity,
        expiresAt: Math.floor(now.getTime() / 1000) + TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return item;
}

export async function getImport(
  tenantId: string,
  importId: string,
  consistent = false,
): Promise<ImportItem | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: importKey(tenantId, importId),
      ConsistentRead: consistent,
    }),
  );
  return Item ? toImport(Item) : undefined;
}

/** Most list pages take one Query; a rep's sparse page reads a few more (bounded). */
const MAX_QUERIES_PER_PAGE = 8;

/**
 * A page of the tenant's imports, newest first; `ownerId` keeps only that
 * user's (a rep's list). `lastKey` is where the next page starts.
 */
export async function listImports(
  tenantId: string,
  request: { limit: number; startKey: PageKey | undefined; ownerId?: string },
): Promise<{ items: ImportItem[]; lastKey: PageKey | undefined }> {
  const items: ImportItem[] = [];
  let startKey = request.startKey;
  for (let queries = 0; queries < MAX_QUERIES_PER_PAGE; queries++) {
    const wanted = request.limit - items.length;
    const page = await queryPage(
      {
        TableName: config.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': importsPk(tenantId),
          ...(request.ownerId ? { ':owner': request.ownerId } : {}),
        },
        ...(request.ownerId ? { FilterExpression: 'ownerId = :owner' } : {}),
        ScanIndexForward: false,
        Limit: request.ownerId ? Math.min(1000, wanted * 4) : wanted,
      },
      startKey,
    );
    for (const [position, raw] of page.items.entries()) {
      items.push(toImport(raw));
      if (items.length === request.limit) {
        const more = position < page.items.length - 1 || page.lastKey !== undefined;
        return { items, lastKey: more ? { pk: String(raw.pk), sk: String(raw.sk) } : undefined };
      }
    }
    startKey = page.lastKey;
    if (!startKey) return { items, lastKey: undefined };
  }
  return { items, lastKey: startKey };
}

/**
 * Takes the import for one run: it must be unfinished and its lease free or
 * lapsed. Returns the holder token, or undefined when another run holds it or
 * the import is finished.
 */
export async function takeImportLease(
  tenantId: string,
  importId: string,
  now = Date.now(),
): Promise<string | undefined> {
  const holder = randomUUID();
  const taken = await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: importKey(tenantId, importId),
        UpdateExpression: 'SET lease = :lease',
        ConditionExpression:
          'attribute_exists(pk) AND #status IN (:uploading, :processing) AND (attribute_not_exists(lease) OR lease.#until < :now)',
        ExpressionAttributeNames: { '#status': 'status', '#until': 'until' },
        ExpressionAttributeValues: {
          ':lease': { holder, until: now + IMPORT_LEASE_MS },
          ':uploading': 'uploading',
          ':processing': 'processing',
          ':now': now,
        },
      }),
    ),
  );
  return taken ? holder : undefined;
}

/** Counts a run that ended on an unexpected error; returns how many have so far. */
export async function countFailedRun(tenantId: string, importId: string): Promise<number> {
  const { Attributes } = await dynamo.send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: importKey(tenantId, importId),
      UpdateExpression: 'ADD failedRuns :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(Attributes?.failedRuns ?? 1);
}

/** Gives the lease back (end of a run); nothing when another run has taken it since. */
export async function releaseImportLease(tenantId: string, importId: string, holder: string): Promise<void> {
  await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: importKey(tenantId, importId),
        UpdateExpression: 'REMOVE lease',
        ConditionExpression: 'lease.holder = :holder',
        ExpressionAttributeValues: { ':holder': holder },
      }),
    ),
  );
}

/** Records what the file turned out to be (first run): status processing, columns, mapping and dialect. */
export async function markImportProcessing(
  tenantId: string,
  importId: string,
  holder: string,
  found: {
    columns: readonly ImportColumn[];
    mapping: Readonly<Record<string, string | null>>;
    encoding: string;
    delimiter: string;
  },
): Promise<boolean> {
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: importKey(tenantId, importId),
        UpdateExpression:
          'SET #status = :processing, #columns = :columns, mapping = :mapping, #encoding = :encoding, delimiter = :delimiter',
        ConditionExpression: 'lease.holder = :holder',
        ExpressionAttributeNames: { '#status': 'status', '#columns': 'columns', '#encoding': 'encoding' },
        ExpressionAttributeValues: {
          ':processing': 'processing',
          ':columns': found.columns,
          ':mapping': found.mapping,
          ':encoding': found.encoding,
          ':delimiter': found.delimiter,
          ':holder': holder,
        },
      }),
    ),
  );
}

/**
 * Moves the cursor from `from` to `to` and adds `totals` (summed from the
 * chunk's markers), on the condition that it still stands at `from`: a
 * chunk's outcomes are added once. False when the cursor moved meanwhile.
 */
export async function advanceImport(
  tenantId: string,
  importId: string,
  from: number,
  to: number,
  totals: ImportTotals,
): Promise<boolean> {
  const processed = totals.created + totals.updated + totals.skipped + totals.failed;
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: importKey(tenantId, importId),
        UpdateExpression:
          'SET #cursor = :to ADD created :created, updated :updated, skipped :skipped, failed :failed, notes :notes, processedRows :processed',
        ConditionExpression: '#cursor = :from',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: {
          ':from': from,
          ':to': to,
          ':created': totals.created,
          ':updated': totals.updated,
          ':skipped': totals.skipped,
          ':failed': totals.failed,
          ':notes': totals.notes,
          ':processed': processed,
        },
      }),
    ),
  );
}

/** The update that ends an import (done, or failed with `error`), for the transaction that also notifies its owner. */
export function finishImportUpdate(
  tenantId: string,
  importId: string,
  outcome: { status: 'done' | 'failed'; error?: string; errorsKey?: string; finishedAt: string },
) {
  return {
    Update: {
      TableName: config.tableName,
      Key: importKey(tenantId, importId),
      UpdateExpression: `SET #status = :status, finishedAt = :at${outcome.error ? ', #error = :error' : ''}${
        outcome.errorsKey ? ', errorsKey = :errors' : ''
      } REMOVE lease`,
      ConditionExpression: '#status IN (:uploading, :processing)',
      ExpressionAttributeNames: { '#status': 'status', ...(outcome.error ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':at': outcome.finishedAt,
        ':uploading': 'uploading',
        ':processing': 'processing',
        ...(outcome.error ? { ':error': outcome.error } : {}),
        ...(outcome.errorsKey ? { ':errors': outcome.errorsKey } : {}),
      },
    },
  };
}
