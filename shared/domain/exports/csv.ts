import { neutralise } from '../imports/values.ts';

/**
 * CSV as exports write it (RFC 4180): cells separated by `,`, records ended by
 * CRLF, a cell quoted (`"`, inner quotes doubled) only when it holds a comma,
 * a quote, a line break or leading/trailing blanks. The file starts with a
 * UTF-8 byte order mark, so spreadsheet apps read accents right; the importer
 * skips it.
 */
export const CSV_BOM = '\uFEFF';
export const CSV_EOL = '\r\n';

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * One cell, quoted as needed, with formula injection neutralised (OWASP "CSV
 * injection"): a value starting with `=`, `+`, `-`, `@`, tab or CR gets a
 * leading `'`, which spreadsheets show as text and the import removes
 * (shared/domain/imports/values.ts `neutralise` and `unneutralise`), so
 * `+34 600 000 000` or `-5` re-import unchanged.
 */
export function csvCell(value: string): string {
  const text = neutralise(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record: its cells joined by `,`, ended by CRLF. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}${CSV_EOL}`;
}
