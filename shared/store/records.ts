import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { StoredRecord } from '../domain/records.ts';
import { searchKey } from '../domain/text.ts';
import { currentActor } from './actor.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { assertItemFits, itemBytes, MAX_ITEM_BYTES } from './item-size.ts';
import {
  type EntityType,
  indexDefinition,
  indexEntry,
  itemIndexes,
  lookupPk,
  lookupSk,
  RECORD_SK,
  recordKey,
  recordPk,
  SEARCH_WORD_PREFIX,
  searchSk,
  searchWordSk,
  storageAttributes,
  uniqueKey,
} from './keys.ts';
import type { PageKey } from './page.ts';
import { queryPage } from './query.ts';
import {
  type DeclaredPatterns,
  type PatternName,
  type PatternQuery,
  patternNames,
  recordPatterns,
  searchWordsOf,
} from './record-patterns.ts';
import { type IndexName, tableDefinition } from './table.ts';
import { type TransactItem, type TransactionOutcome, transact } from './transactions.ts';
import { equals, updateExpression } from './update-expression.ts';

// Every record's common fields are the domain's (shared/domain/records.ts).
export type { StoredRecord };

/** How one record type maps onto the table. */
export interface EntitySpec<T extends StoredRecord> {
  readonly type: EntityType;
  readonly label: string;
  /** Values unique per tenant, reserved by constraint items written in the same transaction. */
  readonly uniques?: readonly { readonly name: string; readonly field: keyof T & string }[];
  /**
   * Values a record is found by that several records may share (a lead's email): a lookup item
   * in the record's partition (keys.ts lookupSk), indexed under the value, written and removed in
   * the same transaction as the record (lookupWrites).
   */
  readonly lookups?: readonly { readonly name: string; readonly field: keyof T & string }[];
  /**
   * The access patterns beyond byCollection, byOwner and byTeam that every
   * record has (see record-patterns.ts): byParent, byState, byName.
   */
  readonly accessPatterns?: DeclaredPatterns<T>;
  /**
   * The most bytes one stored record may take (DynamoDB's item size, index
   * attributes included); default 400 KB. Lower where a copy must fit inside
   * another item, e.g. a template and a segment inside a campaign's snapshot.
   */
  readonly maxItemBytes?: number;
  /**
   * The fields its clients get, when the record also keeps attributes for the
   * system alone (a run id, a lease, the owner's rights as their token carried
   * them): every response shows the record through clientView, so those never
   * leave the API. Without it the record is shown whole.
   */
  readonly clientFields?: () => readonly string[];
}

type Item = Record<string, unknown>;

const storage = new Set<string>(storageAttributes);
const leading = [
  'id',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'version',
  'ownerId',
  'teamId',
  'archived',
];

/**
 * The client's view of an item: storage attributes dropped, and a stable field
 * order (the common fields first, then alphabetical), since DynamoDB returns
 * attributes in no particular order.
 */
export function toRecord<T extends StoredRecord>(item: Item): T {
  const names = Object.keys(item).filter((name) => !storage.has(name));
  const rest = names.filter((name) => !leading.includes(name)).sort();
  const ordered = [...leading.filter((name) => name in item), ...rest];
  return Object.fromEntries(ordered.map((name) => [name, item[name]])) as unknown as T;
}

const clientFieldSets = new WeakMap<object, ReadonlySet<string>>();

/** A record as its clients see it: without `customGroups` (derived for the stream's aggregates); only its spec's clientFields, when it names them. */
export function clientView<T extends StoredRecord>(spec: EntitySpec<T>, record: T): T {
  if ('customGroups' in record) {
    const { customGroups: _derived, ...shown } = record as T & { customGroups?: unknown };
    record = shown as T;
  }
  if (!spec.clientFields) return record;
  let fields = clientFieldSets.get(spec);
  if (!fields) {
    fields = new Set(spec.clientFields());
    clientFieldSets.set(spec, fields);
  }
  const allowed = fields;
  return Object.fromEntries(Object.entries(record).filter(([name]) => allowed.has(name))) as T;
}

/** A record's index attributes: its key in each access pattern that lists it. */
function indexAttributes<T extends StoredRecord>(spec: EntitySpec<T>, tenantId: string, record: T): Item {
  const attributes: Item = {};
  for (const name of patternNames) {
    const pattern = recordPatterns[name];
    const key = pattern.key(tenantId, spec, record);
    if (key) Object.assign(attributes, indexEntry(pattern.index, key.pk, key.sk));
  }
  return attributes;
}

/**
 * Rewrites the index keys of record items that an earlier version wrote
 * otherwise (activities' state index sorted by id before it sorted by due
 * time): each item of `spec`'s type whose pattern keys differ from what
 * toItem writes now gets one UpdateItem setting them, conditioned on its
 * `version`, so a record changed meanwhile (rewritten with today's keys by
 * that change) is left alone. Idempotent; returns how many items it moved.
 * Run over every record by the report rebuild (shared/store/index-upkeep.ts).
 */
export async function reindexStale<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  items: readonly Item[],
): Promise<number> {
  let moved = 0;
  for (const item of items) {
    if (item.entity !== spec.type.toLowerCase() || item.sk !== RECORD_SK) continue;
    const expected = indexAttributes(spec, tenantId, toRecord<T>(item));
    const stale = Object.fromEntries(
      Object.entries(expected).filter(([name, value]) => item[name] !== value),
    );
    if (Object.keys(stale).length === 0) continue;
    const written = await conditionHeld(() =>
      dynamo.send(
        new UpdateCommand({
          TableName: config.tableName,
          Key: { pk: item.pk, sk: item.sk },
          ...updateExpression({ set: stale, when: [equals('version', item.version)] }),
        }),
      ),
    );
    if (written) moved++;
  }
  return moved;
}

/**
 * Search words. gsi4 holds one key per item, so each later word of a record's
 * name (searchKeys: "sanchez" of "Linda Sánchez") is one more item in the
 * record's own partition, `sk = WORD#<n>`, indexed by gsi4 only and carrying a
 * copy of the record, so a search page is still one Query. They are written
 * in the same transaction as the record (every write refreshes the copies)
 * and deleted with it; `entity` is their own, so stream consumers skip them.
 */
const byNameIndex = indexDefinition(recordPatterns.byName.index);
/** Key attributes of every index but byName's: a copy must not appear in other lists. */
const otherIndexes = new Set<string>(
  tableDefinition.indexes
    .filter((index) => index.name !== byNameIndex.name)
    .flatMap((index) => [index.partitionKey, index.sortKey]),
);

/** The word position an item of a search page stands for: 0 for the record itself. */
const wordOf = (item: Item): number =>
  typeof item.sk === 'string' && item.sk.startsWith(SEARCH_WORD_PREFIX)
    ? Number(item.sk.slice(SEARCH_WORD_PREFIX.length))
    : 0;

/**
 * The writes that keep a record's search words in step with it: a Put per word
 * of `after` (fresh copies of `item`, its stored item), a Delete per word only
 * `before` had. Unconditional: the record's own write carries the condition.
 */
export function searchWordWrites<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  before: T | undefined,
  after: { record: T; item: Item } | undefined,
): TransactItem[] {
  const keys = after ? searchWordsOf(spec, after.record) : [];
  const copy = after
    ? Object.fromEntries(Object.entries(after.item).filter(([name]) => !otherIndexes.has(name)))
    : {};
  const puts: TransactItem[] = keys.slice(1).map((key, index) => ({
    Put: {
      TableName: config.tableName,
      Item: {
        ...copy,
        sk: searchWordSk(index + 1),
        [byNameIndex.sortKey]: searchSk(key, String(after?.record.id)),
        entity: 'search-word',
      },
    },
  }));
  const stale = before ? searchWordsOf(spec, before).length : 0;
  const deletes: TransactItem[] = [];
  for (let n = Math.max(keys.length, 1); n < stale; n++) {
    deletes.push({
      Delete: {
        TableName: config.tableName,
        Key: { pk: recordPk(tenantId, spec.type, (before as T).id), sk: searchWordSk(n) },
      },
    });
  }
  return [...puts, ...deletes];
}

/**
 * The writes that keep a record's lookup items in step with it: one item per
 * lookup and record, so a Put of every value `after` holds (replacing the
 * item of an earlier value, and adding one to a record written before the
 * lookup existed), and a Delete where `before` held a value `after` has not.
 * Unconditional: the record's own write carries the condition.
 */
export function lookupWrites<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  before: T | undefined,
  after: T | undefined,
): TransactItem[] {
  const writes: TransactItem[] = [];
  for (const { name, field } of spec.lookups ?? []) {
    const was = before ? uniqueValue(before, field) : undefined;
    const now = after ? uniqueValue(after, field) : undefined;
    if (!now && !was) continue;
    const key = { pk: recordPk(tenantId, spec.type, (after ?? before)?.id ?? ''), sk: lookupSk(name) };
    if (now)
      writes.push({
        Put: {
          TableName: config.tableName,
          Item: {
            ...key,
            ...indexEntry(itemIndexes.recordsByLookup, lookupPk(tenantId, name, now), (after as T).id),
            entity: 'lookup',
            tenantId,
            refType: spec.type,
            refId: (after as T).id,
          },
        },
      });
    else writes.push({ Delete: { TableName: config.tableName, Key: key } });
  }
  return writes;
}

/**
 * The stored item of a record: its fields, keys and index attributes. Every
 * record write goes through here, so this is where size is checked: throws
 * ItemTooLargeError (naming the largest field) past `spec.maxItemBytes`.
 */
export function toItem<T extends StoredRecord>(spec: EntitySpec<T>, tenantId: string, record: T): Item {
  const actorId = currentActor();
  const item = {
    ...(record as unknown as Item),
    createdBy: record.createdBy ?? actorId,
    updatedBy: actorId,
    ...recordKey(tenantId, spec.type, record.id),
    ...indexAttributes(spec, tenantId, record),
    entity: spec.type.toLowerCase(),
    tenantId,
  };
  assertItemFits(item, spec.maxItemBytes, storage);
  return item;
}

/**
 * Bytes a record written through the API leaves free for what the system adds
 * later outside the user's edit (lastActivityAt, a marketing status, a CSAT
 * score, updatedBy), so those writes always fit.
 */
export const SYSTEM_HEADROOM_BYTES = 4 * 1024;

/** Growth that is bookkeeping, not content: the archived partition's key, a longer version or actor id. */
const BOOKKEEPING_BYTES = 512;

/**
 * Throws ItemTooLargeError unless the record fits with SYSTEM_HEADROOM_BYTES
 * to spare. A change that grows the record (`before`) by no more than
 * bookkeeping passes, so archiving or trimming a full record still works.
 */
export function assertRoomToGrow<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  record: T,
  before?: T,
): void {
  const item = toItem(spec, tenantId, record);
  if (before && itemBytes(item) <= itemBytes(toItem(spec, tenantId, before)) + BOOKKEEPING_BYTES) return;
  assertItemFits(item, (spec.maxItemBytes ?? MAX_ITEM_BYTES) - SYSTEM_HEADROOM_BYTES, storage);
}

export async function getRecord<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  id: string,
  consistent = false,
): Promise<T | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: recordKey(tenantId, spec.type, id),
      ConsistentRead: consistent,
    }),
  );
  return Item ? toRecord<T>(Item) : undefined;
}

/** Records by id, one BatchGetItem per 100 ids (unprocessed keys retried); missing ones are absent. */
export async function getRecords<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const distinct = [...new Set(ids)];
  for (let start = 0; start < distinct.length; start += 100) {
    let keys: Item[] = distinct.slice(start, start + 100).map((id) => recordKey(tenantId, spec.type, id));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= 8) throw new Error('DynamoDB kept leaving keys unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const output = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [config.tableName]: { Keys: keys } } }),
      );
      for (const item of output.Responses?.[config.tableName] ?? []) {
        const record = toRecord<T>(item);
        found.set(record.id, record);
      }
      keys = (output.UnprocessedKeys?.[config.tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
}

const uniqueValue = (record: StoredRecord, field: string) => {
  const value = (record as unknown as Item)[field];
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
};

function reserve(tenantId: string, type: EntityType, name: string, value: string, id: string): TransactItem {
  return {
    Put: {
      TableName: config.tableName,
      Item: { ...uniqueKey(tenantId, name, value), entity: 'unique', tenantId, refType: type, refId: id },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function release(tenantId: string, name: string, value: string, id: string): TransactItem {
  return {
    Delete: {
      TableName: config.tableName,
      Key: uniqueKey(tenantId, name, value),
      ConditionExpression: 'refId = :id',
      ExpressionAttributeValues: { ':id': id },
    },
  };
}

/** A condition that another record of the tenant exists and is live (e.g. the company of a contact). */
export function recordExists(tenantId: string, type: EntityType, id: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: config.tableName,
      Key: recordKey(tenantId, type, id),
      ConditionExpression: 'attribute_exists(pk) AND archived = :false',
      ExpressionAttributeValues: { ':false': false },
    },
  };
}

export type WriteOutcome =
  | { ok: true }
  | { ok: false; reason: 'unique'; field: string }
  | { ok: false; reason: 'version' }
  | { ok: false; reason: 'check'; index: number };

/** Interprets which condition of a record write failed: the record, a unique value, or an extra check. */
function outcomeOf(
  outcome: TransactionOutcome,
  layout: { recordAt: number; uniques: { at: number; field: string }[]; checksAt: number },
): WriteOutcome {
  if (outcome.ok) return outcome;
  const [first] = outcome.failedConditions;
  const unique = layout.uniques.find((entry) => outcome.failedConditions.includes(entry.at));
  if (unique) return { ok: false, reason: 'unique', field: unique.field };
  if (first === layout.recordAt) return { ok: false, reason: 'version' };
  const check = outcome.failedConditions.find((index) => index >= layout.checksAt);
  if (check !== undefined) return { ok: false, reason: 'check', index: check - layout.checksAt };
  return { ok: false, reason: 'version' };
}

/**
 * The writes that create a record: its Put, then one reservation per unique
 * value (`uniques[].at` is the index of each), and apart its search words,
 * which go last. Lead conversion adds them to its own transaction.
 */
export function createItems<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  record: T,
): { items: TransactItem[]; uniques: { at: number; field: string }[]; words: TransactItem[] } {
  const uniques = (spec.uniques ?? []).flatMap(({ name, field }) => {
    const value = uniqueValue(record, field);
    return value ? [{ field, item: reserve(tenantId, spec.type, name, value, record.id) }] : [];
  });
  const item = toItem(spec, tenantId, record);
  const put: TransactItem = {
    Put: { TableName: config.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
  };
  return {
    items: [put, ...uniques.map((entry) => entry.item)],
    words: [
      ...searchWordWrites(spec, tenantId, undefined, { record, item }),
      ...lookupWrites(spec, tenantId, undefined, record),
    ],
    uniques: uniques.map((entry, index) => ({ at: index + 1, field: entry.field })),
  };
}

/** Writes a new record, its unique values and any existence checks in one transaction. */
export async function createRecord<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  record: T,
  checks: TransactItem[] = [],
): Promise<WriteOutcome> {
  const { items, uniques, words } = createItems(spec, tenantId, record);
  const outcome = await transact([...items, ...checks, ...words]);
  return outcomeOf(outcome, { recordAt: 0, uniques, checksAt: items.length });
}

/**
 * The writes that replace a record read at `before.version` with `after`:
 * its conditional Put, the reservations and releases of unique values that
 * changed (`uniques[].at` is the index of each reservation), `checks`, then
 * its search words. `checksAt` is the index of the first check. Imports add
 * them to a transaction of many rows.
 */
export function replaceItems<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  before: T,
  after: T,
  checks: TransactItem[] = [],
): { items: TransactItem[]; uniques: { at: number; field: string }[]; checksAt: number } {
  const moves = (spec.uniques ?? []).flatMap(({ name, field }) => {
    const old = uniqueValue(before, field);
    const next = uniqueValue(after, field);
    if (old === next) return [];
    return [
      {
        field,
        reserve: next ? reserve(tenantId, spec.type, name, next, after.id) : undefined,
        release: old ? release(tenantId, name, old, before.id) : undefined,
      },
    ];
  });
  const reserves = moves.flatMap((move) => (move.reserve ? [{ field: move.field, item: move.reserve }] : []));
  const releases = moves.flatMap((move) => (move.release ? [move.release] : []));
  const item = toItem(spec, tenantId, after);
  const put: TransactItem = {
    Put: {
      TableName: config.tableName,
      Item: item,
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: { ':version': before.version },
    },
  };
  const words = [
    ...searchWordWrites(spec, tenantId, before, { record: after, item }),
    ...lookupWrites(spec, tenantId, before, after),
  ];
  return {
    items: [put, ...reserves.map((entry) => entry.item), ...releases, ...checks, ...words],
    uniques: reserves.map((entry, index) => ({ at: index + 1, field: entry.field })),
    checksAt: 1 + reserves.length + releases.length,
  };
}

/**
 * Replaces a record read at `before.version` with `after` (version + 1), moving
 * unique reservations whose values changed. Fails with `version` when someone
 * else wrote in between: nothing is lost to a concurrent update.
 */
export async function replaceRecord<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  before: T,
  after: T,
  checks: TransactItem[] = [],
): Promise<WriteOutcome> {
  const { items, uniques, checksAt } = replaceItems(spec, tenantId, before, after, checks);
  return outcomeOf(await transact(items), { recordAt: 0, uniques, checksAt });
}

/** Deletes a record and frees its unique values; further items (e.g. a suppression entry) join the transaction. */
export async function deleteRecord<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  record: T,
  extra: TransactItem[] = [],
): Promise<WriteOutcome> {
  const releases = (spec.uniques ?? []).flatMap(({ name, field }) => {
    const value = uniqueValue(record, field);
    return value ? [release(tenantId, name, value, record.id)] : [];
  });
  const items: TransactItem[] = [
    {
      Delete: {
        TableName: config.tableName,
        Key: recordKey(tenantId, spec.type, record.id),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': record.version },
      },
    },
    ...releases,
    ...extra,
    ...searchWordWrites(spec, tenantId, record, undefined),
    ...lookupWrites(spec, tenantId, record, undefined),
  ];
  return outcomeOf(await transact(items), { recordAt: 0, uniques: [], checksAt: items.length });
}

export interface NestedCondition {
  readonly map: string;
  readonly key: string;
  readonly value: string | number | boolean;
  readonly contains?: boolean;
}

export interface ListFilter {
  /** Attribute equality, e.g. `{ country: 'ES' }`. */
  readonly equals?: Readonly<Record<string, string>>;
  /** List attributes that must contain the value, e.g. `{ tags: 'vip' }`. */
  readonly contains?: Readonly<Record<string, string>>;
  /**
   * Values one level inside a map attribute (a custom field): `{ map: 'customFields', key: 'tier', value: 'gold' }`
   * is equality, with `contains` the list at that key must hold the value.
   */
  readonly nested?: readonly NestedCondition[];
  /** Rep visibility: the record is theirs or their team's. */
  readonly visibleTo?: { readonly userId: string; readonly teamId?: string };
}

export interface ListRequest {
  readonly archived: boolean;
  readonly limit: number;
  readonly startKey: PageKey | undefined;
  /**
   * The narrowest access pattern that fits the query (record-patterns.ts),
   * e.g. `{ pattern: 'byOwner', ownerId }`; the rest are filters. Without
   * one, the collection (byCollection).
   */
  readonly via?: PatternQuery;
  readonly filter?: ListFilter;
  /** Read the index in its sort key's order (an agenda by due time); lists read newest first without it. */
  readonly ascending?: boolean;
}

export interface ListPage<T> {
  readonly items: T[];
  readonly lastKey: PageKey | undefined;
}

/** Most filtered pages still take one Query; a sparse match may read a few more (bounded). */
const MAX_QUERIES_PER_PAGE = 8;

export async function listRecords<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  request: ListRequest,
): Promise<ListPage<T>> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  const via = request.via;
  const name: PatternName = via?.pattern ?? 'byCollection';
  const index = recordPatterns[name].index;
  const attributes = indexDefinition(index);
  values[':pk'] = partitionOf(spec, tenantId, via, request.archived);
  let keyCondition = `${attributes.partitionKey} = :pk`;
  let prefix: string | undefined;
  if (via?.pattern === 'byName') {
    prefix = searchKey(via.prefix);
    values[':prefix'] = prefix;
    keyCondition += ` AND begins_with(${attributes.sortKey}, :prefix)`;
  }
  // The collection holds live and archived records in separate partitions; other lists filter.
  if (name !== 'byCollection') {
    names['#archived'] = 'archived';
    values[':archived'] = request.archived;
    conditions.push('#archived = :archived');
  }
  let n = 0;
  for (const [attribute, value] of Object.entries(request.filter?.equals ?? {})) {
    names[`#e${n}`] = attribute;
    values[`:e${n}`] = value;
    conditions.push(`#e${n} = :e${n}`);
    n++;
  }
  for (const [attribute, value] of Object.entries(request.filter?.contains ?? {})) {
    names[`#c${n}`] = attribute;
    values[`:c${n}`] = value;
    conditions.push(`contains(#c${n}, :c${n})`);
    n++;
  }
  for (const { map, key, value, contains } of request.filter?.nested ?? []) {
    names[`#m${n}`] = map;
    names[`#k${n}`] = key;
    values[`:n${n}`] = value;
    conditions.push(contains ? `contains(#m${n}.#k${n}, :n${n})` : `#m${n}.#k${n} = :n${n}`);
    n++;
  }
  const visible = request.filter?.visibleTo;
  if (visible) {
    values[':me'] = visible.userId;
    if (visible.teamId) {
      values[':team'] = visible.teamId;
      conditions.push('(ownerId = :me OR teamId = :team)');
    } else {
      conditions.push('ownerId = :me');
    }
  }
  const filtered = conditions.length > 0;
  const base: QueryCommandInput = {
    TableName: config.tableName,
    IndexName: index,
    KeyConditionExpression: keyCondition,
    ExpressionAttributeValues: values,
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(filtered ? { FilterExpression: conditions.join(' AND ') } : {}),
    // Newest first, except name search, which reads alphabetically, and lists asked in key order.
    ScanIndexForward: name === 'byName' || request.ascending === true,
  };

  const items: T[] = [];
  let startKey: PageKey | undefined = request.startKey;
  for (let queries = 0; queries < MAX_QUERIES_PER_PAGE; queries++) {
    const wanted = request.limit - items.length;
    const output = await queryPage(
      // Unfiltered pages read exactly what they return; filtered ones read ahead.
      { ...base, Limit: filtered ? Math.min(1000, wanted * 4) : wanted },
      startKey,
    );
    const found = output.items;
    for (const [position, item] of found.entries()) {
      const record = toRecord<T>(item);
      if (prefix !== undefined && !firstMatch(spec, record, item, prefix)) continue;
      items.push(record);
      if (items.length === request.limit) {
        const more = position < found.length - 1 || output.lastKey !== undefined;
        return { items, lastKey: more ? keyOf(item, index) : undefined };
      }
    }
    startKey = output.lastKey;
    if (!startKey) return { items, lastKey: undefined };
  }
  return { items, lastKey: startKey };
}

/**
 * Repeats an update made to a record item directly (an UpdateItem outside
 * replaceRecord: lastActivityAt, a CSAT score, a campaign's state) on its
 * search-word copies, with the same condition, so searches show what the
 * record holds. A copy whose condition fails is already past the change.
 * Copies hold no other index's sort key, so an index key the update sets
 * (a campaign's state) does not index them.
 */
export async function updateSearchWords(input: UpdateCommandInput): Promise<void> {
  const pk = String((input.Key as { pk: unknown }).pk);
  const { Items = [] } = await dynamo.send(
    new QueryCommand({
      TableName: input.TableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :word)',
      ExpressionAttributeValues: { ':pk': pk, ':word': SEARCH_WORD_PREFIX },
      ProjectionExpression: 'pk, sk',
    }),
  );
  const { ReturnValues: _none, ...update } = input;
  await Promise.all(
    Items.map(async (word) => {
      await conditionHeld(() => dynamo.send(new UpdateCommand({ ...update, Key: { pk, sk: word.sk } })));
    }),
  );
}

/**
 * Whether a search hit is the record's first key that the prefix matches, so a
 * record found by two of its words ("Ana Anaya" for "ana") lists once, on every
 * page, without remembering what earlier pages showed.
 */
function firstMatch<T extends StoredRecord>(
  spec: EntitySpec<T>,
  record: T,
  item: Item,
  prefix: string,
): boolean {
  const first = searchWordsOf(spec, record).findIndex((key) => searchSk(key, record.id).startsWith(prefix));
  return first === -1 ? wordOf(item) === 0 : first === wordOf(item);
}

/** The partition `via` reads (the collection without one). */
function partitionOf<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  via: PatternQuery | undefined,
  archived: boolean,
): string {
  switch (via?.pattern) {
    case undefined:
      return recordPatterns.byCollection.partition(tenantId, spec, undefined, archived);
    case 'byOwner':
      return recordPatterns.byOwner.partition(tenantId, spec, via, archived);
    case 'byTeam':
      return recordPatterns.byTeam.partition(tenantId, spec, via, archived);
    case 'byParent':
      return recordPatterns.byParent.partition(tenantId, spec, via, archived);
    case 'byState':
      return recordPatterns.byState.partition(tenantId, spec, via, archived);
    case 'byName':
      return recordPatterns.byName.partition(tenantId, spec, via, archived);
  }
}

function keyOf(item: Item, index: IndexName): PageKey {
  const { partitionKey: pk, sortKey: sk } = indexDefinition(index);
  return {
    pk: item.pk as string,
    sk: item.sk as string,
    [pk]: item[pk] as string,
    [sk]: item[sk] as string,
  };
}
