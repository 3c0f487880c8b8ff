import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_KEYS, SEARCH_KEY_CHARS, searchKey, searchKeys } from '#shared/domain/text';

describe('search keys', () => {
  it('are the whole folded name, then its tail from each later word', () => {
    expect(searchKeys('Linda Sánchez')).toEqual(['linda sanchez', 'sanchez']);
    expect(searchKeys("Mary-Ann O'Neil")).toEqual(["mary-ann o'neil", "ann o'neil", "o'neil", 'neil']);
    expect(searchKeys('  Ángela   Núñez ')).toEqual(['angela nunez', 'nunez']);
    expect(searchKeys('Álvarez Logística')).toEqual(['alvarez logistica', 'logistica']);
  });

  it('give nothing for a name that folds to nothing, and at most MAX_SEARCH_KEYS', () => {
    expect(searchKeys('\u0301 ')).toEqual([]);
    expect(searchKeys('a b c d e f g h i j k')).toHaveLength(MAX_SEARCH_KEYS);
  });

  it('fit a sort key even when folding expands a character into many', () => {
    const name = '\uFDFA'.repeat(100);
    for (const key of [searchKey(name), ...searchKeys(name)]) {
      expect([...key].length).toBeLessThanOrEqual(SEARCH_KEY_CHARS);
      expect(Buffer.byteLength(`${key}#01ARZ3NDEKTSV4RRFFQ69G5FAV`)).toBeLessThanOrEqual(1024);
    }
  });
});
