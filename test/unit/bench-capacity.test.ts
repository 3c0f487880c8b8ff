import { describe, expect, it } from 'vitest';
import {
  indexWrites,
  readUnitsOfItem,
  readUnitsOfQueryPage,
  storedBytesOf,
  writeUnitsOfItem,
} from '../../bench/capacity.ts';
import { usedBy } from '../../bench/capacity-images.ts';

// Items of a known size: `pk` (2 bytes of name) + a string value; `pad` fills to the size wanted.
const sized = (bytes: number, extra: Record<string, unknown> = {}): Record<string, unknown> => {
  const base = { pk: 'P', sk: 'S', ...extra };
  const used = Object.entries(base).reduce(
    (sum, [name, value]) => sum + name.length + String(value).length,
    0,
  );
  return { ...base, pad: 'x'.repeat(bytes - used - 'pad'.length) };
};
const gsi1 = { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' };
const gsi2 = { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' };

describe('write units (Developer Guide, "Read/write capacity mode": 1 unit per 1 KB written, rounded up per item)', () => {
  it('a new 1,024-byte item is one unit, 1,025 bytes two', () => {
    expect(writeUnitsOfItem({ before: undefined, after: sized(1024), transactional: false }, [])).toBe(1);
    expect(writeUnitsOfItem({ before: undefined, after: sized(1025), transactional: false }, [])).toBe(2);
  });

  it('an update is sized by the larger image ("Capacity unit consumption for writes")', () => {
    // 3,000 bytes before (3 units), 500 after: the larger one, 3 units.
    expect(writeUnitsOfItem({ before: sized(3000), after: sized(500), transactional: false }, [])).toBe(3);
  });

  it('a delete of a missing item still costs the minimum unit', () => {
    expect(writeUnitsOfItem({ before: undefined, after: undefined, transactional: false }, [])).toBe(1);
  });

  it('a transactional write counts twice ("2 write request units per transactional write of up to 1 KB")', () => {
    // 1,500 bytes: 2 units for the table, 2 for gsi1 the item enters; ×2 = 8.
    const item = sized(1500, { gsi1pk: 'A', gsi1sk: 'B' });
    expect(writeUnitsOfItem({ before: undefined, after: item, transactional: true }, [gsi1])).toBe(8);
  });

  it('a failed condition costs the existing item on the table only', () => {
    const existing = sized(2100, { gsi1pk: 'A', gsi1sk: 'B' });
    expect(
      writeUnitsOfItem({ before: existing, after: existing, transactional: false, kind: 'failed' }, [gsi1]),
    ).toBe(3);
  });
});

describe('GSI writes ("Global secondary indexes", "Write capacity units")', () => {
  const before = sized(600, { gsi1pk: 'A', gsi1sk: 'B', gsi2pk: 'O', gsi2sk: 'X' });

  it('an item in no index before or after costs no index write', () => {
    expect(indexWrites(sized(300), sized(400), gsi1)).toEqual([]);
  });

  it('entering an index is one put, leaving it one delete', () => {
    expect(indexWrites(undefined, before, gsi1)).toHaveLength(1);
    const { gsi1pk: _a, gsi1sk: _b, ...left } = before;
    expect(indexWrites(before, left, gsi1)).toHaveLength(1);
  });

  it('a change of the index key is a delete and a put', () => {
    const moved = { ...before, gsi1sk: 'C' };
    expect(indexWrites(before, moved, gsi1)).toHaveLength(2);
  });

  it('a change of a projected attribute only is one write; no change, none', () => {
    expect(indexWrites(before, { ...before, title: 'new' }, gsi1)).toHaveLength(1);
    expect(indexWrites(before, { ...before }, gsi1)).toEqual([]);
  });

  it('adds up: a 600-byte update moving gsi1, touching gsi2 in place, is 1 + 2 + 1 units', () => {
    const after = { ...before, gsi1sk: 'C' };
    expect(writeUnitsOfItem({ before, after, transactional: false }, [gsi1, gsi2])).toBe(4);
  });

  it('an index entry over 1 KB is rounded up on its own', () => {
    const big = sized(2500, { gsi1pk: 'A', gsi1sk: 'B' });
    // table 3 + gsi1 3.
    expect(writeUnitsOfItem({ before: undefined, after: big, transactional: false }, [gsi1])).toBe(6);
  });
});

describe('read units (Developer Guide, "Capacity unit consumption for reads": 4 KB, halved eventually consistent)', () => {
  it('GetItem rounds each item up to 4 KB', () => {
    expect(readUnitsOfItem(sized(4096), 'strong')).toBe(1);
    expect(readUnitsOfItem(sized(4097), 'strong')).toBe(2);
    expect(readUnitsOfItem(sized(4097), 'eventual')).toBe(1);
    expect(readUnitsOfItem(sized(100), 'transactional')).toBe(2);
  });

  it('a GetItem that finds nothing costs the minimum', () => {
    expect(readUnitsOfItem(undefined, 'eventual')).toBe(0.5);
  });

  it('a Query page sums the sizes before rounding: 50 items of 200 bytes are 10,000 bytes, 3 units', () => {
    const page = Array.from({ length: 50 }, () => sized(200));
    expect(readUnitsOfQueryPage(page, 'strong')).toBe(3);
    expect(readUnitsOfQueryPage(page, 'eventual')).toBe(1.5);
    // Fifty separate GetItems would be 50 units: the page is the cheaper read.
    expect(page.reduce((sum, item) => sum + readUnitsOfItem(item, 'strong'), 0)).toBe(50);
  });

  it('an empty Query page costs the minimum', () => {
    expect(readUnitsOfQueryPage([], 'eventual')).toBe(0.5);
  });
});

describe('stored bytes ("Item sizes and formats": 100 bytes of overhead per item, per index copy)', () => {
  it('an item in two of its indexes is stored three times with the overhead each time', () => {
    const item = sized(400, { gsi1pk: 'A', gsi1sk: 'B', gsi2pk: 'O', gsi2sk: 'X' });
    expect(storedBytesOf(item, [gsi1, gsi2, { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' }])).toEqual({
      bytes: 3 * 500,
      indexCopies: 2,
    });
  });
});

describe('re-reading a filtered page', () => {
  it('keeps only the names and values the key condition still uses', () => {
    expect(
      usedBy({ '#pk': 'pk', '#s': 'status', '#p': 'pkx' }, ['#pk = :pk AND begins_with(sk, :p1)']),
    ).toEqual({ '#pk': 'pk' });
    expect(usedBy({ ':pk': 'T#1', ':p': 'x', ':p1': 'y' }, ['#pk = :pk AND begins_with(sk, :p1)'])).toEqual({
      ':pk': 'T#1',
      ':p1': 'y',
    });
  });
});
