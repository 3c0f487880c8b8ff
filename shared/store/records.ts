import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { searchKey, searchKeys } from '../domain/text.ts';
import type { PageKey } from '../http/cursor.ts';
import { currentActor } from './actor.ts';
import { dynamo } from './client.ts';
import { assertItemFits, itemBytes, MAX_ITEM_BYTES } from './item-size.ts';
import {
  collectionPk,
  type EntityType,
  ownerPk,
  parentPk,
  recordKey,
  recordPk,
  searchPk,
  statePk,
  storageAttributes,
  teamPk,
  uniqueKey,
} from './keys.ts';
import { queryPage } from './query.ts';
import { type IndexName, tableDefinition } from './table.ts';
import { type TransactItem, type TransactionOutcome, transact } from './transactions.ts';

/** Fields every record carries. */
export interface StoredRecord {
  id: string;
  createdAt: string;
  updatedAt: string;
  /** Stamped on every write from the acting user (see actor.ts). */
  createdBy?: string;
  updatedBy?: string;
  version: number;
  ownerId: string;
  teamId?: string;
  archived: boolean;
}

/** How one record type maps onto the table. */
export interface EntitySpec<T extends StoredRecord> {
  readonly type: EntityType;
  readonly label: string;
  /** Values unique per tenant, reserved by constraint items written in the same transaction. */
  readonly uniques?: readonly { readonly name: string; readonly field: keyof T & string }[];
  /** The text that name-prefix search (gsi4) matches. */
  readonly searchName?: (record: T) => string | undefined;
  /**
   * Search matches the start of any word of `searchName`, not only the first:
   * one search-word item (a copy of the record) per later word. For contacts,
   * leads, companies, deals and products, which are looked up by any word of their
   * names; not for records whose copies would weigh (templates, campaigns) or
   * that are found by list filters (activities, cases).
   */
  readonly searchEveryWord?: boolean;
  /** A state the records are listed by (gsi6), e.g. a deal's stage. */
  readonly state?: (record: T) => string | undefined;
  /** A parent the records are listed under (gsi3), e.g. a contact's company. */
  readonly parent?: { readonly name: string; readonly field: keyof T & string };
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

/** A record as its clients see it: only its spec's clientFields, when it names them. */
export function clientView<T extends StoredRecord>(spec: EntitySpec<T>, record: T): T {
  if (!spec.clientFields) return record;
  let fields = clientFieldSets.get(spec);
  if (!fields) {
    fields = new Set(spec.clientFields());
    clientFieldSets.set(spec, fields);
  }
  const allowed = fields;
  return Object.fromEntries(Object.entries(record).filter(([name]) => allowed.has(name))) as T;
}

function indexAttributes<T extends StoredRecord>(spec: EntitySpec<T>, tenantId: string, record: T): Item {
  const attributes: Item = {
    gsi1pk: collectionPk(tenantId, spec.type, record.archived),
    gsi1sk: record.id,
    gsi2pk: ownerPk(tenantId, spec.type, record.ownerId),
    gsi2sk: record.id,
  };
  if (record.teamId) {
    attributes.gsi5pk = teamPk(tenantId, spec.type, record.teamId);
    attributes.gsi5sk = record.id;
  }
  const parentId = spec.parent && record[spec.parent.field];
  if (typeof parentId === 'string') {
    attributes.gsi3pk = parentPk(tenantId, spec.type, spec.parent?.name ?? '', parentId);
    attributes.gsi3sk = record.id;
  }
  const state = spec.state?.(record);
  if (state) {
    attributes.gsi6pk = statePk(tenantId, spec.type, state);
    attributes.gsi6sk = record.id;
  }
  const [key] = searchKeysOf(spec, record);
  if (key !== undefined) {
    attributes.gsi4pk = searchPk(tenantId, spec.type);
    attributes.gsi4sk = `${key}#${record.id}`;
  }
  return attributes;
}

/** The gsi4 keys a record is found by: each word of its name, or only the first. */
const searchKeysOf = <T extends StoredRecord>(spec: EntitySpec<T>, record: T): string[] => {
  const name = spec.searchName?.(record);
  const keys = name ? searchKeys(name) : [];
  return spec.searchEveryWord ? keys : keys.slice(0, 1);
};

/**
 * Search words. gsi4 holds one key per item, so each later word of a record's
 * name (searchKeys: "sanchez" of "Linda Sánchez") is one more item in the
 * record's own partition, `sk = WORD#<n>`, indexed by gsi4 only and carrying a
 * copy of the record, so a search page is still one Query. They are written
 * in the same transaction as the record (every write refreshes the copies)
 * and deleted with it; `entity` is their own, so stream consumers skip them.
 */
const WORD_PREFIX = 'WORD#';
const wordSk = (n: number) => `${WORD_PREFIX}${String(n).padStart(2, '0')}`;
/** Key attributes of every index but gsi4: a copy must not appear in other lists. */
const otherIndexes = new Set<string>(
  tableDefinition.indexes
    .filter((index) => index.name !== 'gsi4')
    .flatMap((index) => [index.partitionKey, index.sortKey]),
);

/** The word position an item of a search page stands for: 0 for the record itself. */
const wordOf = (item: Item): number =>
  typeof item.sk === 'string' && item.sk.startsWith(WORD_PREFIX)
    ? Number(item.sk.slice(WORD_PREFIX.length))
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
  const keys = after ? searchKeysOf(spec, after.record) : [];
  const copy = after
    ? Object.fromEntries(Object.entries(after.item).filter(([name]) => !otherIndexes.has(name)))
    : {};
  const puts: TransactItem[] = keys.slice(1).map((key, index) => ({
    Put: {
      TableName: config.tableName,
      Item: { ...copy, sk: wordSk(index + 1), gsi4sk: `${key}#${after?.record.id}`, entity: 'search-word' },
    },
  }));
  const stale = before ? searchKeysOf(spec, before).length : 0;
  const deletes: TransactItem[] = [];
  for (let n = Math.max(keys.length, 1); n < stale; n++) {
    deletes.push({
      Delete: {
        TableName: config.tableName,
        Key: { pk: recordPk(tenantId, spec.type, (before as T).id), sk: wordSk(n) },
      },
    });
  }
  return [...puts, ...deletes];
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
    words: searchWordWrites(spec, tenantId, undefined, { record, item }),
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
  const words = searchWordWrites(spec, tenantId, before, { record: after, item });
  const items = [put, ...reserves.map((entry) => entry.item), ...releases, ...checks, ...words];
  const layout = {
    recordAt: 0,
    uniques: reserves.map((entry, index) => ({ at: index + 1, field: entry.field })),
    checksAt: 1 + reserves.length + releases.length,
  };
  return outcomeOf(await transact(items), layout);
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
  ];
  return outcomeOf(await transact(items), { recordAt: 0, uniques: [], checksAt: items.length });
}

export interface ListFilter {
  /** Attribute equality, e.g. `{ country: 'ES' }`. */
  readonly equals?: Readonly<Record<string, string>>;
  /** List attributes that must contain the value, e.g. `{ tags: 'vip' }`. */
  readonly contains?: Readonly<Record<string, string>>;
  /** Rep visibility: the record is theirs or their team's. */
  readonly visibleTo?: { readonly userId: string; readonly teamId?: string };
}

export interface ListRequest {
  readonly archived: boolean;
  readonly limit: number;
  readonly startKey: PageKey | undefined;
  /** The narrowest index that fits the query; the rest are filters. */
  readonly via?:
    | { readonly kind: 'owner'; readonly ownerId: string }
    | { readonly kind: 'team'; readonly teamId: string }
    | { readonly kind: 'state'; readonly state: string }
    | { readonly kind: 'parent'; readonly parentId: string }
    | { readonly kind: 'name'; readonly prefix: string };
  readonly filter?: ListFilter;
}

export interface ListPage<T> {
  readonly items: T[];
  readonly lastKey: PageKey | undefined;
}

const keyAttributes: Record<IndexName, readonly [string, string]> = {
  gsi1: ['gsi1pk', 'gsi1sk'],
  gsi2: ['gsi2pk', 'gsi2sk'],
  gsi3: ['gsi3pk', 'gsi3sk'],
  gsi4: ['gsi4pk', 'gsi4sk'],
  gsi5: ['gsi5pk', 'gsi5sk'],
  gsi6: ['gsi6pk', 'gsi6sk'],
};

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
  let index: IndexName;
  let keyCondition: string;
  let prefix: string | undefined;
  const via = request.via;
  if (via?.kind === 'owner') {
    index = 'gsi2';
    values[':pk'] = ownerPk(tenantId, spec.type, via.ownerId);
    keyCondition = 'gsi2pk = :pk';
  } else if (via?.kind === 'state') {
    index = 'gsi6';
    values[':pk'] = statePk(tenantId, spec.type, via.state);
    keyCondition = 'gsi6pk = :pk';
  } else if (via?.kind === 'team') {
    index = 'gsi5';
    values[':pk'] = teamPk(tenantId, spec.type, via.teamId);
    keyCondition = 'gsi5pk = :pk';
  } else if (via?.kind === 'parent') {
    index = 'gsi3';
    values[':pk'] = parentPk(tenantId, spec.type, spec.parent?.name ?? '', via.parentId);
    keyCondition = 'gsi3pk = :pk';
  } else if (via?.kind === 'name') {
    index = 'gsi4';
    prefix = searchKey(via.prefix);
    values[':pk'] = searchPk(tenantId, spec.type);
    values[':prefix'] = prefix;
    keyCondition = 'gsi4pk = :pk AND begins_with(gsi4sk, :prefix)';
  } else {
    index = 'gsi1';
    values[':pk'] = collectionPk(tenantId, spec.type, request.archived);
    keyCondition = 'gsi1pk = :pk';
  }
  if (index !== 'gsi1') {
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
    // Newest first, except name search, which reads alphabetically.
    ScanIndexForward: index === 'gsi4',
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
      ExpressionAttributeValues: { ':pk': pk, ':word': WORD_PREFIX },
      ProjectionExpression: 'pk, sk',
    }),
  );
  const { ReturnValues: _none, ...update } = input;
  await Promise.all(
    Items.map(async (word) => {
      try {
        await dynamo.send(new UpdateCommand({ ...update, Key: { pk, sk: word.sk } }));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
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
  const first = searchKeysOf(spec, record).findIndex((key) => `${key}#${record.id}`.startsWith(prefix));
  return first === -1 ? wordOf(item) === 0 : first === wordOf(item);
}

function keyOf(item: Item, index: IndexName): PageKey {
  const [pk, sk] = keyAttributes[index];
  return {
    pk: item.pk as string,
    sk: item.sk as string,
    [pk]: item[pk] as string,
    [sk]: item[sk] as string,
  };
}
