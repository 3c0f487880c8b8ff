/**
 * DynamoDB's item size, measured by its own rules, so that a write too large
 * for the table is refused before it is sent (DynamoDB would answer a
 * ValidationException, which says nothing about which field is to blame).
 *
 * Rules (DynamoDB Developer Guide, "Item sizes and formats"): an item's size is
 * the sum over its attributes of the UTF-8 length of the name plus the size of
 * the value. Strings are their UTF-8 length; numbers 1 byte plus 1 per two
 * significant digits; booleans and null 1 byte; lists and maps 3 bytes plus
 * their elements, each element 1 byte more, map keys counted like names.
 * Index key attributes (gsi*pk, gsi*sk) are attributes like any other.
 */

/** The largest item DynamoDB stores: 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

function numberBytes(value: number | bigint): number {
  const digits = String(value)
    .replace(/^-/, '')
    .replace(/e[+-]?\d+$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return 1 + Math.ceil(Math.max(digits.length, 1) / 2);
}

/** The stored size of one attribute value, in bytes. */
export function valueBytes(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(value);
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueBytes(element), 0);
  if (Array.isArray(value)) return value.reduce((sum: number, element) => sum + 1 + valueBytes(element), 3);
  if (typeof value === 'object')
    return Object.entries(value).reduce(
      (sum, [key, element]) => sum + 1 + utf8(key) + valueBytes(element),
      3,
    );
  return 0;
}

/** The stored size of an item: every attribute's name and value, in bytes. */
export function itemBytes(item: Readonly<Record<string, unknown>>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => (value === undefined ? sum : sum + utf8(name) + valueBytes(value)),
    0,
  );
}

/** A record write that would not fit in one item; `field` is what takes most of the room. */
export class ItemTooLargeError extends Error {
  constructor(
    readonly field: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`The item would take ${bytes} bytes; at most ${limit} fit (mostly ${field})`);
    this.name = 'ItemTooLargeError';
  }
}

/** The path of the attribute taking the most room, one level into a map (`customFields.notes`). */
function largestField(item: Readonly<Record<string, unknown>>, ignore: ReadonlySet<string>): string {
  const largest = (entries: [string, unknown][]) =>
    entries.reduce<[string, number] | undefined>((best, [name, value]) => {
      const size = utf8(name) + valueBytes(value);
      return !best || size > best[1] ? [name, size] : best;
    }, undefined)?.[0];
  const top = largest(Object.entries(item).filter(([name]) => !ignore.has(name))) ?? '(root)';
  const value = item[top];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return top;
  const inner = largest(Object.entries(value));
  return inner ? `${top}.${inner}` : top;
}

/**
 * Throws ItemTooLargeError when `item` is over `limit` bytes (default 400 KB),
 * naming the largest field that is not in `ignore` (storage attributes).
 */
export function assertItemFits(
  item: Readonly<Record<string, unknown>>,
  limit = MAX_ITEM_BYTES,
  ignore: ReadonlySet<string> = new Set(),
): void {
  const bytes = itemBytes(item);
  if (bytes > limit) throw new ItemTooLargeError(largestField(item, ignore), bytes, limit);
}
