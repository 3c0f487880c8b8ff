type Json = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 7386 JSON merge patch: null removes, objects merge recursively, anything else replaces. */
export function applyMergePatch<T extends object>(target: T, patch: object): T {
  const result: Json = { ...(target as Json) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete result[key];
    else if (isPlainObject(value))
      result[key] = applyMergePatch(isPlainObject(result[key]) ? result[key] : {}, value);
    else result[key] = value;
  }
  return result as T;
}
