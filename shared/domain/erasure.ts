/**
 * What a GDPR erasure (Art. 17) looks for in the copies it cannot simply
 * delete: the identifying values of the person (names, email address, phone
 * number) as they were written into other records, timelines, notifications
 * and stored responses, replaced by REDACTED. Pure: the store decides which
 * items to read and rewrite.
 */

/** Stamped as `updatedBy` on the erasure's own writes, which the timeline and notifications do not tell. */
export const ERASURE_ACTOR = 'system:erasure';

export const REDACTED = '[erased]';

/** Values shorter than this are too common to find safely in free text (initials, "Al"). */
const MIN_VALUE_LENGTH = 3;

const str = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/**
 * The identifying values of a person from the images of their records (the
 * contact, the leads converted into it): first and last names, the full name,
 * email addresses and phone numbers; longest first, so a full name is
 * replaced whole before its parts.
 */
export function identifyingValues(images: readonly Readonly<Record<string, unknown>>[]): string[] {
  const values = new Set<string>();
  for (const image of images) {
    const first = str(image.firstName);
    const last = str(image.lastName);
    for (const value of [
      first,
      last,
      [first, last].filter(Boolean).join(' '),
      str(image.email),
      str(image.phone),
    ])
      if ([...value].length >= MIN_VALUE_LENGTH) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

const literal = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every occurrence of each value (case-insensitive) replaced by REDACTED. */
export function redactText(text: string, values: readonly string[]): string {
  if (values.length === 0) return text;
  const pattern = new RegExp(values.map(literal).join('|'), 'giu');
  return text.replace(pattern, REDACTED);
}

/**
 * A copy of `value` with every string in it (at any depth, object keys
 * aside) redacted; the same reference when nothing changed, so callers
 * write only what did.
 */
export function redactDeep<T>(value: T, values: readonly string[]): T {
  if (typeof value === 'string') {
    const redacted = redactText(value, values);
    return (redacted === value ? value : redacted) as T;
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => redactDeep(item, values));
    return (items.some((item, index) => item !== value[index]) ? items : value) as T;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const redacted = entries.map(([key, item]) => [key, redactDeep(item, values)] as const);
    return (
      redacted.some(([, item], index) => item !== entries[index]?.[1]) ? Object.fromEntries(redacted) : value
    ) as T;
  }
  return value;
}

const ID_KEY = /^(id|[a-z][A-Za-z]*Id)$/;
const IDS_KEY = /^[a-z][A-Za-z]*Ids$/;
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The record ids a JSON response body refers to (values of `id` and `...Id`
 * keys, and items of `...Ids` arrays, at any depth), at most `limit`: what
 * an erasure of one of those records must find the stored response by.
 */
export function referencedIds(body: unknown, limit = 25): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (found.size >= limit || depth > 4 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (typeof item === 'string' && ID_KEY.test(key) && SAFE_ID.test(item)) {
        found.add(item);
      } else if (Array.isArray(item) && IDS_KEY.test(key)) {
        for (const id of item) if (typeof id === 'string' && SAFE_ID.test(id)) found.add(id);
      } else {
        visit(item, depth + 1);
      }
      if (found.size >= limit) return;
    }
  };
  visit(body, 0);
  return [...found].slice(0, limit);
}
