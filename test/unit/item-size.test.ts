import { describe, expect, it } from 'vitest';
import {
  assertItemFits,
  ItemTooLargeError,
  itemBytes,
  MAX_ITEM_BYTES,
  valueBytes,
} from '#shared/store/item-size';
import {
  assertRoomToGrow,
  type EntitySpec,
  type StoredRecord,
  SYSTEM_HEADROOM_BYTES,
  toItem,
} from '#shared/store/records';

describe('DynamoDB item size', () => {
  it('counts names and values in UTF-8, numbers by significant digits, lists and maps with overhead', () => {
    expect(itemBytes({ a: 'é' })).toBe(1 + 2);
    expect(itemBytes({ name: '𝔸' })).toBe(4 + 4);
    expect(valueBytes(12345)).toBe(1 + 3);
    expect(valueBytes(0.001)).toBe(1 + 1);
    expect(valueBytes(true)).toBe(1);
    expect(valueBytes(null)).toBe(1);
    expect(valueBytes([])).toBe(3);
    expect(valueBytes(['ab', 'c'])).toBe(3 + (1 + 2) + (1 + 1));
    expect(valueBytes({ k: 'v' })).toBe(3 + 1 + 1 + 1);
    expect(itemBytes({ pk: 'T#t#X#1', gsi4sk: 'name#1' })).toBe(2 + 7 + 6 + 6);
  });

  it('refuses an item over the limit, naming the largest field one level into a map', () => {
    const item = { pk: 'p'.repeat(10), customFields: { small: 'x', notes: 'n'.repeat(MAX_ITEM_BYTES) } };
    expect(() => assertItemFits(item, MAX_ITEM_BYTES, new Set(['pk']))).toThrow(ItemTooLargeError);
    try {
      assertItemFits(item, MAX_ITEM_BYTES, new Set(['pk']));
    } catch (error) {
      expect((error as ItemTooLargeError).field).toBe('customFields.notes');
      expect((error as ItemTooLargeError).bytes).toBe(itemBytes(item));
    }
    expect(() => assertItemFits({ html: 'a'.repeat(1000) }, 1010)).not.toThrow();
    expect(() => assertItemFits({ html: 'a'.repeat(1010) }, 1010)).toThrow(/html/);
  });

  it('leaves API writes room for what the system adds later, without blocking changes that do not grow', () => {
    const spec: EntitySpec<StoredRecord & { notes: string }> = { type: 'CONTACT', label: 'contact' };
    const base = {
      id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
      version: 1,
      ownerId: 'u1',
      archived: false,
    };
    const full = { ...base, notes: 'x'.repeat(MAX_ITEM_BYTES - SYSTEM_HEADROOM_BYTES) };
    expect(() => toItem(spec, 't', full)).not.toThrow();
    expect(() => assertRoomToGrow(spec, 't', full)).toThrow(ItemTooLargeError);
    expect(() =>
      assertRoomToGrow(spec, 't', { ...full, notes: `${full.notes}${'y'.repeat(600)}` }, full),
    ).toThrow(/notes/);
    expect(() => assertRoomToGrow(spec, 't', { ...full, archived: true }, full)).not.toThrow();
    expect(() => toItem(spec, 't', { ...base, notes: 'x'.repeat(MAX_ITEM_BYTES) })).toThrow(
      ItemTooLargeError,
    );
  });
});
