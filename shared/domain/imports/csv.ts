import { type CsvError, parse } from 'csv-parse';
import {
  bomLengthFor,
  DETECTION_PREFIX_BYTES,
  decodePrefix,
  decodeText,
  detectEncoding,
  refuseKnownBinary,
} from './decode.ts';
import { detectDelimiter } from './dialect.ts';
import type { CsvDelimiter, CsvEncoding } from './entities.ts';
import { ImportFileError } from './errors.ts';

/**
 * One data row of the file. `row` is the spreadsheet row number: the header is
 * row 1 (or later, after leading blank lines), the first data row 2; a quoted
 * cell spanning lines still counts as one row; blank rows (no cells, or only
 * empty or whitespace cells) are skipped but keep their numbers, so `row` is
 * what a user sees after opening the file in a spreadsheet app. `cells` are as
 * written (quotes removed, doubled quotes undone), not trimmed; a row may have
 * fewer or more cells than the header (readRow judges that).
 */
export interface CsvRecord {
  readonly row: number;
  readonly cells: readonly string[];
}

export interface CsvFile {
  /** Detected, or as named. */
  readonly encoding: CsvEncoding;
  /** Detected, or as named. */
  readonly delimiter: CsvDelimiter;
  /** The header row's cells, trimmed; a blank one names a column without a name. */
  readonly header: readonly string[];
  /**
   * The data rows, streamed: read once, lazily, chunk by chunk from the source
   * (memory flat in file size; the source is not read ahead of the consumer).
   * Iteration throws ImportFileError when the file turns out unacceptable later
   * on (invalid UTF-8 after the detection prefix, a NUL byte, a quote never
   * closed); the rows before the fault have been yielded.
   */
  readonly records: AsyncIterable<CsvRecord>;
}

/** Collects the first `limit` bytes of a stream, keeping the iterator for the rest. */
async function readPrefix(
  iterator: AsyncIterator<Uint8Array>,
  limit: number,
): Promise<{ chunks: Uint8Array[]; bytes: Uint8Array; wholeFile: boolean }> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < limit) {
    const next = await iterator.next();
    if (next.done) {
      const bytes = Buffer.concat(chunks);
      return { chunks, bytes, wholeFile: true };
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  return { chunks, bytes: Buffer.concat(chunks), wholeFile: false };
}

/** The prefix chunks again, then the rest of the source. */
async function* replay(
  chunks: readonly Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

const isBlank = (cells: readonly string[]): boolean => cells.every((cell) => cell.trim() === '');

/**
 * The longest row read: a quote never closed would otherwise make the rest of
 * the file one cell held in memory (a stored record is at most 400 KB anyway).
 */
export const MAX_ROW_CHARACTERS = 1_000_000;

/**
 * A csv-parse error in the user's words, naming the spreadsheet row.
 * `inQuotes`: whether the parser was inside a quoted cell when it stopped
 * (undefined: not known), which tells a quote never closed from a cell that
 * is simply too long.
 */
function describeParseError(error: CsvError, row: number, inQuotes: boolean | undefined): ImportFileError {
  const limit = MAX_ROW_CHARACTERS.toLocaleString('en');
  switch (error.code) {
    case 'CSV_MAX_RECORD_SIZE': {
      const cell = typeof error.column === 'number' ? ` (its cell ${error.column + 1})` : '';
      if (inQuotes === false)
        return new ImportFileError(
          `Row ${row}: the row${cell} is longer than ${limit} characters, the longest an import reads. Shorten that cell or leave its column out of the file.`,
        );
      if (inQuotes === true)
        return new ImportFileError(
          `Row ${row}: the row is longer than ${limit} characters; a quoted cell starts here and its closing quote (") is probably missing.`,
        );
      return new ImportFileError(
        `Row ${row}: the row is longer than ${limit} characters, the longest an import reads (a very long cell, or a quoted cell whose closing quote (") is missing).`,
      );
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return new ImportFileError(
        `Row ${row}: a quoted cell starts here and its closing quote (") is missing, so the rest of the file would be one cell.`,
      );
    default:
      return new ImportFileError(`Row ${row}: the row cannot be read as CSV (${error.message}).`);
  }
}

/** Whether csv-parse is inside a quoted cell (its parser state; undefined if that is not exposed). */
const parserInQuotes = (parser: object): boolean | undefined => {
  const quoting = (parser as { api?: { state?: { quoting?: unknown } } }).api?.state?.quoting;
  return typeof quoting === 'boolean' ? quoting : undefined;
};

/**
 * Parses decoded text into numbered records. csv-parse runs as a push parser:
 * each text chunk is written and its records collected by `on_record` before
 * the next chunk is pulled, so a parse error surfaces after every record
 * before it and memory holds one chunk's records at most.
 */
async function* parseRecords(
  text: AsyncIterable<string>,
  delimiter: CsvDelimiter,
): AsyncGenerator<CsvRecord> {
  const parsed: string[][] = [];
  let failure: CsvError | undefined;
  let failedInQuotes: boolean | undefined;
  const parser = parse({
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    // A quote inside an unquoted cell (`5" screen`) is kept as text.
    relax_quotes: true,
    max_record_size: MAX_ROW_CHARACTERS,
    on_record: (record: string[]) => {
      parsed.push(record);
      return null;
    },
  });
  parser.on('error', (error: CsvError) => {
    if (failure) return;
    failure = error;
    failedInQuotes = parserInQuotes(parser);
  });
  parser.resume();
  let row = 0;
  function* drain(): Generator<CsvRecord> {
    for (const cells of parsed.splice(0)) {
      row++;
      if (!isBlank(cells)) yield { row, cells };
    }
    if (failure) throw describeParseError(failure, row + 1, failedInQuotes);
  }
  for await (const chunk of text) {
    await new Promise<void>((resolve) => parser.write(chunk, () => resolve()));
    yield* drain();
  }
  await new Promise<void>((resolve) => {
    parser.once('end', resolve);
    parser.once('error', () => resolve());
    parser.once('close', resolve);
    parser.end();
  });
  yield* drain();
}

/**
 * Opens a CSV byte stream: detects the encoding from the first 64 KiB (or uses
 * `options.encoding`, dropping its byte order mark) and the delimiter from the
 * first rows (or uses `options.delimiter`), reads the header (the first
 * non-blank row) and returns the rest as a stream of records (CsvFile.records,
 * to be iterated once).
 *
 * Rejects with ImportFileError for an unacceptable file: binary data (an Excel
 * workbook, a PDF, NUL bytes), an empty file (no bytes, only a byte order mark
 * or only blank lines), an encoding error in the first 64 KiB, a quote never
 * closed in the header, header cells named twice. Later faults (a quote never
 * closed, a row over MAX_ROW_CHARACTERS) reject the iteration of `records`. A header-only file opens
 * with no records.
 */
export async function openCsv(
  source: AsyncIterable<Uint8Array>,
  options: { encoding?: CsvEncoding; delimiter?: CsvDelimiter } = {},
): Promise<CsvFile> {
  const iterator = source[Symbol.asyncIterator]();
  const prefix = await readPrefix(iterator, DETECTION_PREFIX_BYTES);
  const named = options.encoding;
  if (named) refuseKnownBinary(prefix.bytes);
  const { encoding, bomLength } = named
    ? { encoding: named, bomLength: bomLengthFor(named, prefix.bytes) }
    : detectEncoding(
        prefix.bytes.subarray(0, DETECTION_PREFIX_BYTES),
        prefix.wholeFile && prefix.bytes.length <= DETECTION_PREFIX_BYTES,
      );
  const start = decodePrefix(prefix.bytes.subarray(0, DETECTION_PREFIX_BYTES), encoding, bomLength);
  if (prefix.wholeFile && start.trim() === '')
    throw new ImportFileError('The file is empty: it has no header row and no data.');
  const delimiter = options.delimiter ?? detectDelimiter(start, prefix.wholeFile);

  const records = parseRecords(
    decodeText(replay(prefix.chunks, iterator), encoding, bomLength, named === undefined),
    delimiter,
  );
  const first = await records.next();
  if (first.done) throw new ImportFileError('The file is empty: it has no header row and no data.');
  const header = first.value.cells.map((cell) => cell.trim());
  const seen = new Map<string, number>();
  for (const name of header) if (name !== '') seen.set(name, (seen.get(name) ?? 0) + 1);
  const repeated = [...seen].filter(([, count]) => count > 1).map(([name]) => `"${name}"`);
  if (repeated.length > 0) {
    await records.return(undefined);
    throw new ImportFileError(
      `The header row names ${repeated.length === 1 ? 'a column' : 'columns'} twice: ${repeated.join(', ')}. Rename or remove the extra ${repeated.length === 1 ? 'column' : 'columns'}.`,
    );
  }
  const rest: AsyncIterable<CsvRecord> = { [Symbol.asyncIterator]: () => records };
  return { encoding, delimiter, header, records: rest };
}
