/**
 * Keys a client chooses (custom field names, country maps, move maps, filter
 * fields) become property names of plain objects on the way through the API,
 * the DynamoDB marshaller and Handlebars. A name every object already carries
 * is not a faithful key anywhere along that way: `__proto__` is swallowed by
 * the setter of that name (JSON parsing keeps it, any copy by assignment
 * drops it), a map with its own `constructor` is taken for a class instance by
 * the marshaller, and a lookup of `toString` on a map that lacks it finds the
 * inherited function. Such keys are refused with a 400 naming them.
 */
const reserved: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Whether a key is the name of a property every plain object inherits (`__proto__`, `constructor`, `toString`, ...). */
export const isPrototypeKey = (key: string): boolean => reserved.has(key);

export const PROTOTYPE_KEY_RULE =
  'must not be a name every JavaScript object already has (such as __proto__, constructor or toString)';

/** An own property's value, never an inherited one. */
export const ownValue = (map: object | undefined | null, key: string): unknown =>
  map != null && Object.hasOwn(map, key) ? (map as Record<string, unknown>)[key] : undefined;

/** Sets an own, enumerable property, whatever the key (even `__proto__`). */
export function setOwn(map: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}
