import { itemBytes } from '#shared/store/item-size';
import { tableDefinition } from '#shared/store/table';

/**
 * DynamoDB on-demand request units by AWS's rules, computed from item images, because DynamoDB
 * Local's ConsumedCapacity under-reports transactions (BENCHMARKS.md, "How to read").
 *
 * Sources (Amazon DynamoDB Developer Guide):
 * - "Read/write capacity mode" → "Read request units and write request units": one write unit per
 *   write of an item up to 1 KB (rounded up per item), two for a transactional write; one read unit
 *   per strongly consistent read of up to 4 KB, half for an eventually consistent one, two for a
 *   transactional one.
 * - "Item sizes and formats": sizes by shared/store/item-size.ts.
 * - "Working with items" → "Capacity unit consumption for writes": PutItem and UpdateItem are sized
 *   by the larger of the item before and after; DeleteItem by the deleted item; every write costs
 *   at least one unit; a write whose condition fails still costs the units of the existing item.
 * - "Capacity unit consumption for reads": GetItem rounds each item up to 4 KB and costs the minimum
 *   even when nothing is found; BatchGetItem is a GetItem per key; a Query adds the sizes of every
 *   item it evaluated (returned or filtered out, whatever the projection) and rounds the sum up to
 *   4 KB, at least one unit per page.
 * - "Global secondary indexes" → "Provisioned throughput considerations" → "Write capacity units":
 *   an item that enters an index is one index write, one that leaves it one, a change of the index
 *   key a delete plus a put (two), a change of other projected attributes one, and an item in the
 *   index neither before nor after none. Every index of the table projects ALL (shared/store/table.ts),
 *   so any attribute change is a change of projected attributes.
 */

export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4096;

export type Item = Readonly<Record<string, unknown>>;

/** Units for one write of `bytes` (at least one). */
export function writeUnitsOf(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/** Strongly consistent units for reading `bytes` (at least one). */
export function readUnitsOf(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
}

export type Consistency = 'eventual' | 'strong' | 'transactional';

const readFactor: Record<Consistency, number> = { eventual: 0.5, strong: 1, transactional: 2 };

function inIndex(item: Item | undefined, index: { partitionKey: string; sortKey: string }): boolean {
  return item !== undefined && item[index.partitionKey] !== undefined && item[index.sortKey] !== undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameItem(a: Item, b: Item): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if (!sameValue(a[name], b[name])) return false;
  return true;
}

/** Index writes of one item change on one GSI, each with the bytes it is sized by. */
export function indexWrites(
  before: Item | undefined,
  after: Item | undefined,
  index: { partitionKey: string; sortKey: string },
): number[] {
  const was = inIndex(before, index);
  const is = inIndex(after, index);
  if (!was && !is) return [];
  if (was && !is) return [itemBytes(before as Item)];
  if (!was && is) return [itemBytes(after as Item)];
  const old = before as Item;
  const next = after as Item;
  const keyChanged =
    !sameValue(old[index.partitionKey], next[index.partitionKey]) ||
    !sameValue(old[index.sortKey], next[index.sortKey]);
  if (keyChanged) return [itemBytes(old), itemBytes(next)];
  if (sameItem(old, next)) return [];
  return [Math.max(itemBytes(old), itemBytes(next))];
}

export interface WriteOfItem {
  /** The item before the write (undefined: there was none). */
  readonly before: Item | undefined;
  /** The item after the write (undefined: deleted, or never created). */
  readonly after: Item | undefined;
  /** Part of a TransactWriteItems: every unit counts twice. */
  readonly transactional: boolean;
  /**
   * `write` (the default): a Put, Update or Delete that took effect. `failed`: its condition failed
   * (or its transaction was cancelled), so only the table is charged, for the existing item.
   * `check`: a transaction's ConditionCheck, charged like a write of the checked item to the table.
   */
  readonly kind?: 'write' | 'failed' | 'check';
}

/** Write units of one item write: the table plus every GSI of the table, doubled when transactional. */
export function writeUnitsOfItem(
  write: WriteOfItem,
  indexes: readonly { partitionKey: string; sortKey: string }[] = tableDefinition.indexes,
): number {
  const factor = write.transactional ? 2 : 1;
  const kind = write.kind ?? 'write';
  if (kind !== 'write') return factor * writeUnitsOf(write.before ? itemBytes(write.before) : 0);
  const tableBytes = Math.max(
    write.before ? itemBytes(write.before) : 0,
    write.after ? itemBytes(write.after) : 0,
  );
  let units = writeUnitsOf(tableBytes);
  for (const index of indexes) {
    for (const bytes of indexWrites(write.before, write.after, index)) units += writeUnitsOf(bytes);
  }
  return factor * units;
}

/** Read units of one GetItem (or one key of a BatchGetItem or TransactGetItems): the minimum when not found. */
export function readUnitsOfItem(item: Item | undefined, consistency: Consistency): number {
  return readFactor[consistency] * readUnitsOf(item ? itemBytes(item) : 0);
}

/** Read units of one Query page: the evaluated items' sizes summed, then rounded up to 4 KB. */
export function readUnitsOfQueryPage(evaluated: readonly Item[], consistency: Consistency): number {
  const bytes = evaluated.reduce((sum, item) => sum + itemBytes(item), 0);
  return readFactor[consistency] * readUnitsOf(bytes);
}

/** Storage overhead DynamoDB adds per item, in the table and in each index ("Item sizes and formats"). */
export const ITEM_OVERHEAD_BYTES = 100;

/**
 * Stored bytes of one item, its GSI copies included: the item plus 100 bytes in the table, and the
 * same again in every index it is in (each index projects ALL; an index entry also carries the
 * table's key, already part of the item). Source: "Item sizes and formats" and "Global secondary
 * indexes" → "Storage considerations".
 */
export function storedBytesOf(
  item: Item,
  indexes: readonly { partitionKey: string; sortKey: string }[] = tableDefinition.indexes,
): { bytes: number; indexCopies: number } {
  const size = itemBytes(item) + ITEM_OVERHEAD_BYTES;
  const copies = indexes.filter((index) => inIndex(item, index)).length;
  return { bytes: size * (1 + copies), indexCopies: copies };
}
