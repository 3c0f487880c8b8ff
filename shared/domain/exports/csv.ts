/**
 * CSV as exports write it (RFC 4180): cells separated by `,`, records ended by
 * CRLF, a cell quoted (`"`, inner quotes doubled) only when it holds a comma,
 * a quote, a line break or leading/trailing blanks. The file starts with a
 * UTF-8 byte order mark, so spreadsheet apps read accents right; the importer
 * skips it.
 */
export const CSV_BOM = '\uFEFF';
export const CSV_EOL = '\r\n';

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV
 * Injection"): `=`, `+`, `-`, `@`, tab and carriage return.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell's text with formula injection neutralised: a value starting with one
 * of `= + - @`, tab or CR gets a leading `'`, which spreadsheets show as text.
 * The importer strips exactly that one `'` (shared/domain/imports), so
 * `+34 600 000 000` or `-5` round-trip unchanged. The one value that does
 * not: text that itself starts with `'` and one of those characters (`'=x`)
 * is read back without its `'`, as the importer cannot tell it from a guard.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One cell, neutralised and quoted as needed. */
export function csvCell(value: string): string {
  const text = neutraliseFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record: its cells joined by `,`, ended by CRLF. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}${CSV_EOL}`;
}
