import { ownValue, setOwn } from './own-keys.ts';

type Json = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * RFC 7386 JSON merge patch: null removes, objects merge recursively, anything else replaces.
 * Keys are read and written as own properties only, so a key such as
 * `constructor` or `__proto__` is never met through the prototype.
 */
export function applyMergePatch<T extends object>(target: T, patch: object): T {
  const result: Json = {};
  for (const [key, value] of Object.entries(target)) setOwn(result, key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete result[key];
    else if (isPlainObject(value)) {
      const was = ownValue(result, key);
      setOwn(result, key, applyMergePatch(isPlainObject(was) ? was : {}, value));
    } else setOwn(result, key, value);
  }
  return result as T;
}
