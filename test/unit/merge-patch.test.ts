import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../shared/domain/merge-patch.ts';

describe('applyMergePatch', () => {
  it('merges and removes keys named like inherited properties as own keys', () => {
    const target = JSON.parse('{"customFields":{"constructor":"a","__proto__":{"x":1},"keep":true}}');
    const patch = JSON.parse('{"customFields":{"constructor":null,"__proto__":{"y":2},"toString":"t"}}');
    const result = applyMergePatch(target, patch) as { customFields: Record<string, unknown> };
    expect(Object.getPrototypeOf(result.customFields)).toBe(Object.prototype);
    expect(Object.hasOwn(result.customFields, 'constructor')).toBe(false);
    expect(Object.hasOwn(result.customFields, '__proto__')).toBe(true);
    expect(Object.entries(result.customFields)).toEqual([
      ['__proto__', { x: 1, y: 2 }],
      ['keep', true],
      ['toString', 't'],
    ]);
  });

  it('adds them as own keys, never through the prototype', () => {
    const result = applyMergePatch({}, JSON.parse('{"constructor":{"a":1},"__proto__":{"b":2}}')) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.entries(result)).toEqual([
      ['constructor', { a: 1 }],
      ['__proto__', { b: 2 }],
    ]);
  });
});
