import * as z from 'zod/mini';
import { isCalendarDate, isCalendarDateOrDateTime, isCalendarDateTime } from '../domain/calendar.ts';
import { CUSTOM_FIELD_KEY, CUSTOM_FIELD_PATH } from '../domain/custom-fields.ts';
import { canonicalEmail, MAX_EMAIL_LENGTH, normalizeEmail } from '../domain/email.ts';
import { hasCents } from '../domain/money.ts';
import { isStorableNumber, STORABLE_NUMBER_RULE } from '../domain/numbers.ts';
import { searchable } from '../domain/text.ts';

/**
 * Field schema factories shared by the resource schemas. They are functions, not
 * constants, so importing this module builds nothing (see lazy.ts).
 */

/** Crockford base32 ULID. */
export const ulid = () => z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID'));

/** User ids are Cognito subs in AWS and ULIDs locally: opaque, bounded, safe in keys. */
export const userId = () => z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a user id'));

/**
 * C0 and C1 controls (NUL, CR, LF, tab, ...) and the bidirectional embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a name
 * read differently from what it holds (CVE-2021-42574 "Trojan Source").
 */
const NOT_SINGLE_LINE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
export const SINGLE_LINE_RULE =
  'must be a single line of text, without control characters (line breaks, tabs, NUL) or direction overrides (U+202A-U+202E, U+2066-U+2069)';

/**
 * Single-line text (names, labels, subjects, titles, tags): trimmed, 1 to
 * `max` characters, none of them a control or direction override
 * ({@link NOT_SINGLE_LINE}). Multi-line text takes {@link multiLineText}.
 */
export const nonEmpty = (max: number) =>
  z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => !NOT_SINGLE_LINE.test(value), SINGLE_LINE_RULE),
  );

/** Multi-line text (descriptions, notes, bodies, reasons): trimmed, 1 to `max` characters, line breaks kept. */
export const multiLineText = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/**
 * A search text (`q`). Search folds case, accents and spaces (shared/domain/text.ts),
 * so the check runs on the folded form: a text of only accents or spaces would
 * become an empty key, which matches everything or nothing the index can take.
 */
export const searchText = (max: number) =>
  z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => searchable(value) !== '', 'must contain a letter, digit or sign, not only accents'),
  );

/**
 * Every email field: an internationalised domain is accepted and stored in its
 * IDNA ASCII form, lower case (shared/domain/email.ts).
 */
export const email = () =>
  z.string().check(
    z.overwrite(canonicalEmail),
    z.maxLength(MAX_EMAIL_LENGTH),
    z.refine((value) => normalizeEmail(value) === value, 'must be a valid email'),
  );

/**
 * A sender's display name: one line of printable text (a line break would
 * start another header); encoded for the header when the email is sent.
 */
export const displayName = () => nonEmpty(100);

export const country = () =>
  z.string().check(z.trim(), z.toUpperCase(), z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'));

export const phone = () =>
  z.string().check(z.trim(), z.regex(/^\+?[0-9 ()./-]{3,40}$/, 'must be a phone number'));

export const url = () => z.string().check(z.trim(), z.maxLength(2048), z.url({ protocol: /^https?$/ }));

export const domain = () =>
  z
    .string()
    .check(
      z.trim(),
      z.toLowerCase(),
      z.maxLength(253),
      z.regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/, 'must be a domain name'),
    );

export const currency = () =>
  z.string().check(z.trim(), z.toUpperCase(), z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code'));

/** A non-negative amount with at most two fraction digits. */
export const money = () =>
  z.number().check(z.gte(0), z.lte(1e12), z.refine(hasCents, 'must have at most 2 decimals'));

const dateExample = 'must be a date (YYYY-MM-DD) that exists, e.g. 2030-01-31';
const dateTimeExample = 'must be an ISO 8601 date-time that exists, e.g. 2030-01-31T09:00:00Z';

/** A calendar date, `YYYY-MM-DD`, checked against the calendar (shared/domain/calendar.ts). */
export const isoDate = () =>
  z.iso.date({ error: dateExample, abort: true }).check(z.refine(isCalendarDate, dateExample));

/**
 * An ISO 8601 date-time with `Z` or an offset, checked against the calendar and
 * stored as UTC (`Date.toISOString()`), so stored times sort and compare as text.
 */
export const isoDateTime = () =>
  z.iso.datetime({ offset: true, error: dateTimeExample, abort: true }).check(
    z.refine(isCalendarDateTime, dateTimeExample),
    z.overwrite((value) => (isCalendarDateTime(value) ? new Date(value).toISOString() : value)),
  );

/** A calendar date (the whole day) or a date-time, kept as written. */
export const isoDateOrDateTime = () =>
  z.string().check(z.refine(isCalendarDateOrDateTime, 'must be an ISO 8601 date or date-time'));

export const tags = () =>
  z.array(nonEmpty(50)).check(
    z.maxLength(50),
    z.refine((list) => new Set(list).size === list.length, 'must not repeat a tag'),
  );

const CUSTOM_FIELDS_DESCRIPTION =
  'Custom fields: an open object of values by key (text, number, boolean, null, or a list of texts). ' +
  "An admin defines each entity's fields at `PUT /settings/fields/{entity}` (`GET` lists them: key, label, " +
  'type text|number|date|boolean|select|multiselect, options, required); once an entity has definitions, ' +
  'every write is checked against them (400 at `customFields.<key>`); without any, the object is free-form. ' +
  'A value whose definition was removed stays readable.';

/**
 * Values are checked against the entity's definitions (`PUT /settings/fields/{entity}`)
 * once it has any; until then the map is free-form.
 */
export const customFields = () =>
  z
    .record(
      z.string().check(z.regex(CUSTOM_FIELD_KEY, 'must be a field key')),
      z.union([
        z.string().check(z.maxLength(2000)),
        // Kept exactly or refused: never rounded on the way in, never a failed write.
        z.number().check(z.refine(isStorableNumber, STORABLE_NUMBER_RULE)),
        z.boolean(),
        z.null(),
        z.array(z.string().check(z.maxLength(2000))).check(z.maxLength(100)),
      ]),
    )
    .check(
      z.refine((fields) => Object.keys(fields).length <= 100, 'must have at most 100 fields'),
      z.describe(CUSTOM_FIELDS_DESCRIPTION),
    );

/** `customFields` as stored and shown: the same open object, values of every type a write may give. */
export const storedCustomFields = () =>
  z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]))
    .check(z.describe(CUSTOM_FIELDS_DESCRIPTION));

/**
 * `groupBy=customFields.<key>`: a report grouped by a select, boolean or
 * multiselect custom field (checked against the definitions by the report).
 */
export const customGroupBy = () =>
  z.string().check(z.regex(CUSTOM_FIELD_PATH, 'must be a dimension of this report or customFields.<key>'));

/** Fields every record carries. */
export const recordBase = () => ({
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.optional(z.string()),
  updatedBy: z.optional(z.string()),
  version: z.number(),
  ownerId: z.string(),
  teamId: z.optional(z.string()),
  archived: z.boolean(),
});

export const listQuery = () => ({
  limit: z.optional(
    z
      .string()
      .check(
        z.refine(
          (value) => /^\d{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= 200,
          'must be an integer from 1 to 200',
        ),
      ),
  ),
  cursor: z.optional(z.string().check(z.maxLength(4096))),
  archived: z.optional(z.enum(['true', 'false'])),
});

export const listOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });

/**
 * `true` when every field a create body may carry is a field of the stored record, of a type the
 * record accepts (record types: shared/domain/records.ts); `false` when the schema gained a field
 * the record type lacks. Used as `true satisfies StoresEveryField<Create, Record>`.
 */
export type StoresEveryField<Create, Stored> = [Exclude<keyof Create, keyof Stored>] extends [never]
  ? Create extends Partial<Stored>
    ? true
    : false
  : false;

export type MergePatch<T, R extends PropertyKey> = {
  [K in keyof T]?: K extends R ? Exclude<T[K], undefined> : Exclude<T[K], undefined> | null;
};

/**
 * JSON merge patch of a create schema: every field optional, and optional fields
 * may be `null` to remove them. Required fields cannot be removed.
 */
export function mergePatchOf<S extends Record<string, z.ZodMiniType>, R extends keyof S & string>(
  shape: S,
  required: readonly R[],
): z.ZodMiniType<MergePatch<z.output<z.ZodMiniObject<S>>, R>> {
  const entries = Object.entries(shape).map(([key, schema]) => {
    const inner = schema instanceof z.ZodMiniOptional ? (schema._zod.def.innerType as z.ZodMiniType) : schema;
    const value = (required as readonly string[]).includes(key) ? inner : z.nullable(inner);
    return [key, z.optional(value)] as const;
  });
  const schema = z
    .strictObject(Object.fromEntries(entries))
    .check(z.refine((patch) => Object.keys(patch).length > 0, 'must change at least one field'));
  return schema as unknown as z.ZodMiniType<MergePatch<z.output<z.ZodMiniObject<S>>, R>>;
}
