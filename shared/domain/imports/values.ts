import { daysInMonth, isCalendarDate, isCalendarDateTime } from '../calendar.ts';
import { fromMinor } from '../money.ts';
import { searchable } from '../text.ts';

/**
 * Cell values as people type them in spreadsheets, read into the API's types.
 * Each reader returns `{ value }` or `{ reason }` (a sentence fragment a
 * non-engineer understands, e.g. "is not a date"); none throws.
 */
export type Read<T> = { readonly value: T } | { readonly reason: string };

/**
 * Formula injection (OWASP "CSV injection"): a spreadsheet app runs a cell
 * starting with `=`, `+`, `-`, `@`, tab or CR as a formula. Exports write such
 * a cell with one `'` in front (`neutralise`); imports remove it
 * (`unneutralise`). A value that itself starts with quotes before one of those
 * characters (`'=x`) gets one more, so every value re-imports unchanged:
 * `unneutralise(neutralise(value)) === value`.
 */
const GUARDED = /^'*[=+\-@\t\r]/;
const WITH_GUARD = /^'+[=+\-@\t\r]/;

/** The cell an export writes for `value` (one `'` in front of a formula start). */
export const neutralise = (value: string): string => (GUARDED.test(value) ? `'${value}` : value);

/** The value an exported cell holds: `neutralise` undone. */
export const unneutralise = (cell: string): string => (WITH_GUARD.test(cell) ? cell.slice(1) : cell);

/** Folds text for comparing names and options: no accents, lower case, letters and digits only. */
export const fold = (text: string): string => searchable(text).replace(/[^\p{L}\p{N}]/gu, '');

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * A calendar date as `YYYY-MM-DD`. Accepted: ISO dates (`2026-03-01`),
 * ISO date-times (the date as written, before any offset is applied), `2026/03/01`,
 * and day-first forms with `/`, `-` or `.` and a four-digit year
 * (`01/03/2026`, `1-3-2026`, `01.03.2026` are all 1 March 2026). Day first is
 * the rule because month-first (US) and day-first dates cannot be told apart
 * and the product's users write day first; two-digit years are refused as
 * ambiguous, and so is a day that does not exist (31/02/2026).
 */
export function readDate(cell: string): Read<string> {
  const text = cell.trim();
  const iso = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(text);
  const dateTime = /^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}/.exec(text);
  const dayFirst = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$/.exec(text);
  let year: number;
  let month: number;
  let day: number;
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dateTime) {
    const normal = text.replace(' ', 'T');
    if (!isCalendarDateTime(normal) && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(normal))
      return { reason: 'is not a date (write it as 2026-03-01 or 01/03/2026)' };
    [year, month, day] = [Number(dateTime[1]), Number(dateTime[2]), Number(dateTime[3])];
  } else if (dayFirst) {
    if ((dayFirst[4] as string).length === 2)
      return { reason: 'has a two-digit year; write the year in full (01/03/2026)' };
    [day, month, year] = [Number(dayFirst[1]), Number(dayFirst[3]), Number(dayFirst[4])];
  } else return { reason: 'is not a date (write it as 2026-03-01 or 01/03/2026, day first)' };
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return { reason: 'is not a day that exists (dates are read day first: 31/01/2026 is 31 January)' };
  const value = `${year}-${pad(month)}-${pad(day)}`;
  return isCalendarDate(value) ? { value } : { reason: 'is not a date' };
}

const TWO_CURRENCIES = 'names two different currencies';

/** Currency signs and the ISO 4217 codes they stand for. */
const currencySigns: Readonly<Record<string, string>> = {
  '€': 'EUR',
  $: 'USD',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
};

/**
 * A decimal number in either convention, with the currency sign or code that
 * surrounds it. Rules: spaces (also no-break and thin spaces) and `'` group
 * digits; when both `.` and `,` occur, the last one is the decimal separator
 * (`1.234,56` and `1,234.56`); a separator occurring more than once groups
 * thousands (`1.234.567`); a single `,` or `.` followed by exactly three
 * digits after a first group of 1-3 digits not starting with 0 groups
 * thousands too (`1,200` and `1.200` are 1200), otherwise it is the decimal
 * separator (`1234,5`, `0,125`, `,5`). With `decimalComma` (a `;`-delimited
 * file: the convention of the countries that write the decimal comma, where
 * Excel saves CSV with `;`) a single `,` is always the decimal separator
 * (`1,234` is 1.234). `currency` is the ISO code written around the number
 * (`€ 1.200`, `1200 EUR`), if any.
 */
export function readDecimal(
  cell: string,
  decimalComma = false,
): Read<{ digits: string; fraction: string; negative: boolean; currency?: string }> {
  let text = cell.trim();
  let currency: string | undefined;
  const code = /^([A-Za-z]{3})\s*(.*)$|^(.*?)\s*([A-Za-z]{3})$/.exec(text);
  if (code) {
    currency = (code[1] ?? code[4] ?? '').toUpperCase();
    text = (code[2] ?? code[3] ?? '').trim();
  }
  const sign = /^([€$£¥₹])\s*(.*)$|^(.*?)\s*([€$£¥₹])$/u.exec(text);
  if (sign) {
    const found = currencySigns[sign[1] ?? sign[4] ?? ''];
    if (currency && currency !== found) return { reason: TWO_CURRENCIES };
    currency = found;
    text = (sign[2] ?? sign[3] ?? '').trim();
  }
  let negative = false;
  if (/^[-−]/u.test(text)) {
    negative = true;
    text = text.slice(1).trim();
  } else if (text.startsWith('+')) text = text.slice(1).trim();
  text = text.replace(/[\s\u00a0\u202f']/gu, '');
  if (!/^[\d.,]*\d[\d.,]*$/.test(text)) return { reason: 'is not a number' };
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  let decimal: '.' | ',' | undefined;
  if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? '.' : ',';
  else {
    const separator = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : undefined;
    const grouped = !(decimalComma && separator === ',') && /^[1-9]\d{0,2}[.,]\d{3}$/.test(text);
    if (separator && text.split(separator).length === 2 && !grouped) decimal = separator;
  }
  const point = decimal ? text.lastIndexOf(decimal) : text.length;
  const whole = text.slice(0, point) || (decimal ? '0' : '');
  const fraction = text.slice(point + 1);
  if (decimal && whole.includes(decimal)) return { reason: 'is not a number' };
  const grouping = decimal === '.' ? ',' : decimal === ',' ? '.' : text.includes('.') ? '.' : ',';
  const groups = whole.split(grouping);
  const grouped =
    groups.length === 1 ||
    (/^[1-9]\d{0,2}$/.test(groups[0] as string) && groups.slice(1).every((group) => /^\d{3}$/.test(group)));
  if (!grouped || whole === '' || !/^\d*$/.test(fraction) || (decimal && fraction === ''))
    return { reason: 'is not a number' };
  return {
    value: {
      digits: groups.join('').replace(/^0+(?=\d)/, ''),
      fraction,
      negative,
      ...(currency ? { currency } : {}),
    },
  };
}

/** A number (custom number fields): any sign and decimals, read as readDecimal does, no currency. */
export function readNumber(cell: string, decimalComma = false): Read<number> {
  const read = readDecimal(cell, decimalComma);
  if ('reason' in read) return read;
  if (read.value.currency) return { reason: 'is not a plain number (it names a currency)' };
  const value = Number(
    `${read.value.negative ? '-' : ''}${read.value.digits}${read.value.fraction ? `.${read.value.fraction}` : ''}`,
  );
  return Number.isFinite(value) ? { value } : { reason: 'is not a number' };
}

/** A whole number of at least 0 (a company's employees). */
export function readCount(cell: string, decimalComma = false): Read<number> {
  const read = readDecimal(cell, decimalComma);
  if ('reason' in read || read.value.currency || read.value.negative || /[1-9]/.test(read.value.fraction))
    return { reason: 'is not a whole number' };
  const value = Number(read.value.digits);
  return Number.isSafeInteger(value) ? { value } : { reason: 'is too large' };
}

/**
 * An amount of money in the API's representation (shared/schemas/common.ts
 * `money()`: a decimal number of at least 0 with at most two fraction digits),
 * computed in minor units (shared/domain/money.ts) so `1.234,56` is exactly
 * 1234.56; `currency` is the code written around it.
 */
export function readMoney(cell: string, decimalComma = false): Read<{ amount: number; currency?: string }> {
  const read = readDecimal(cell, decimalComma);
  if ('reason' in read)
    return read.reason === TWO_CURRENCIES
      ? read
      : { reason: 'is not an amount (write it as 1234.56, 1.234,56 or € 1.234,56)' };
  const { digits, fraction, negative, currency } = read.value;
  if (negative) return { reason: 'is negative; amounts are at least 0' };
  if (fraction.length > 2 && /[1-9]/.test(fraction.slice(2))) return { reason: 'has more than 2 decimals' };
  const minor = Number(digits) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) return { reason: 'is too large' };
  return { value: { amount: fromMinor(minor), ...(currency ? { currency } : {}) } };
}

const truthy = new Set(['true', 'yes', 'y', 'si', 's', '1', 'x', 'verdadero', 'v']);
const falsy = new Set(['false', 'no', 'n', '0', 'falso', 'f']);

/** true/false, yes/no, sí/si/no, 1/0, x (a ticked cell), verdadero/falso; any case and accents. */
export function readBoolean(cell: string): Read<boolean> {
  const folded = fold(cell);
  if (truthy.has(folded)) return { value: true };
  if (falsy.has(folded)) return { value: false };
  return { reason: 'is not yes or no (write true/false, yes/no, sí/no or 1/0)' };
}

/**
 * A list in one cell (tags, multiselect values, a deal's contact emails): split
 * on `;` when the cell holds one (what the export writes), otherwise on `,`;
 * entries trimmed, empty ones and repeats dropped. So a tag cannot contain `;`,
 * nor `,` unless the cell also holds a `;`.
 */
export function readList(cell: string): string[] {
  const separator = cell.includes(';') ? ';' : ',';
  return [
    ...new Set(
      cell
        .split(separator)
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    ),
  ];
}

/**
 * The entry of `allowed` a cell names, comparing folded forms (case, accents,
 * spaces, `_` and `-` ignored), also through `synonyms` (folded name → entry).
 */
export function readOption<T extends string>(
  cell: string,
  allowed: readonly T[],
  synonyms: Readonly<Record<string, T>> = {},
): Read<T> {
  const folded = fold(cell);
  const found = allowed.find((option) => fold(option) === folded) ?? synonyms[folded];
  return found ? { value: found } : { reason: `is not one of: ${allowed.join(', ')}` };
}

/** A domain from what people paste in a domain column: `https://www.acme.com/about` gives `acme.com`. */
export function readDomain(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/^www\./, '')
    .replace(/\.$/, '');
}

/** A website: `acme.com` gives `https://acme.com` (the API takes http and https URLs only). */
export function readWebsite(cell: string): string {
  const text = cell.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
}

/**
 * A full name split into first and last name: `Last, First` when it holds a
 * comma, otherwise the first word is the first name and the rest the last name
 * ("María José García" gives María / José García: name a first-name column to
 * keep compound first names whole).
 */
export function splitFullName(cell: string): { firstName: string; lastName?: string } {
  const text = cell.trim().replace(/\s+/g, ' ');
  const comma = text.indexOf(',');
  if (comma > 0) {
    const last = text.slice(0, comma).trim();
    const first = text.slice(comma + 1).trim();
    if (first) return last ? { firstName: first, lastName: last } : { firstName: first };
  }
  const space = text.indexOf(' ');
  return space > 0
    ? { firstName: text.slice(0, space), lastName: text.slice(space + 1) }
    : { firstName: text };
}
