import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';

import {
  type CsvDelimiter,
  type CsvEncoding,
  type CsvRecord,
  canonicalColumns,
  csvDelimiters,
  csvEncodings,
  ImportFileError,
  MAX_ROW_CHARACTERS,
  mapColumns,
  neutralise,
  openCsv,
  readRow,
} from '../../shared/domain/imports/index.ts';
import { CONTACTS_HEADER, contactLine, contactsCsv } from '../fixtures/imports/contacts-10000.ts';

/**
 * How the files are written: csv-stringify quotes cells holding the delimiter, a quote or
 * the record delimiter; any CR or LF must be quoted, since each ends a line on import.
 */
const writeOptions = (options: { delimiter: CsvDelimiter; lineEnd: string }) => ({
  delimiter: options.delimiter,
  record_delimiter: options.lineEnd,
  quoted_match: /[\r\n]/,
});

/** Bytes of `text` in `encoding`, with the byte order mark when asked. */
function encode(text: string, encoding: CsvEncoding, bom: boolean): Uint8Array {
  const body = iconv.encode(text, encoding);
  const marks: Record<CsvEncoding, number[]> = {
    'utf-8': [0xef, 0xbb, 0xbf],
    'utf-16le': [0xff, 0xfe],
    'utf-16be': [0xfe, 0xff],
    'windows-1252': [],
  };
  return Buffer.concat([Buffer.from(bom ? marks[encoding] : []), body]);
}

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

async function readAll(records: AsyncIterable<CsvRecord>): Promise<CsvRecord[]> {
  const all: CsvRecord[] = [];
  for await (const record of records) all.push(record);
  return all;
}

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/** Characters Windows-1252 can hold: ASCII (no NUL), CSV specials, and its letters and signs beyond ASCII. */
const cp1252Text = fc.string({
  unit: fc.constantFrom(...'abcXYZ019 ,;\t"\r\n\'=-+@áéíóúñÑüÜçÇàèÀ€™œŒ…–—“”‘’¿¡°ºª'),
  maxLength: 12,
});
/** Any Unicode text (astral planes included) without NUL, which no CSV file may hold. */
const unicodeText = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(',', ';', '\t', '"', '\r', '\n', ' '),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 12,
  })
  .filter((text) => !text.includes('\u0000'));

/** A header cell: non-blank, without surrounding whitespace (header cells are trimmed). */
const headerCell = (text: fc.Arbitrary<string>) =>
  text.map((value) => value.trim()).filter((value) => value !== '' && !value.startsWith('\ufeff'));

const table = (text: fc.Arbitrary<string>) =>
  fc.integer({ min: 1, max: 5 }).chain((width) =>
    fc.record({
      header: fc.uniqueArray(headerCell(text), { minLength: width, maxLength: width }),
      rows: fc.array(fc.array(text, { minLength: width, maxLength: width }), { maxLength: 8 }),
    }),
  );

const dialect = fc.record({
  encoding: fc.constantFrom(...csvEncodings),
  delimiter: fc.constantFrom(...csvDelimiters),
  bom: fc.boolean(),
  lineEnd: fc.constantFrom('\n', '\r\n'),
  chunkSize: fc.constantFrom(1, 2, 3, 7, 64, 1 << 16),
});

describe('reading back what csv-stringify writes', () => {
  it('gives the same cells in every encoding and delimiter, named', async () => {
    await fc.assert(
      fc.asyncProperty(
        dialect.chain((options) =>
          fc.record({
            options: fc.constant(options),
            table: table(options.encoding === 'windows-1252' ? cp1252Text : unicodeText),
          }),
        ),
        async ({ options, table: { header, rows } }) => {
          const text = stringify([header, ...rows], writeOptions(options));
          const bytes = encode(text, options.encoding, options.bom && options.encoding !== 'windows-1252');
          const file = await openCsv(chunks(bytes, options.chunkSize), {
            encoding: options.encoding,
            delimiter: options.delimiter,
          });
          expect(file.header).toEqual(header);
          const records = await readAll(file.records);
          expect(records.map((record) => record.cells)).toEqual(rows.filter((row) => !isBlank(row)));
          expect(records.map((record) => record.row)).toEqual(
            rows.map((row, index) => (isBlank(row) ? 0 : index + 2)).filter((row) => row > 0),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('detects the encoding and delimiter of files whose cells hold no delimiter or quote', async () => {
    const plain = fc.string({ unit: fc.constantFrom(...'abcXYZ019 .-_@áéñüß€中文🙂'), maxLength: 10 });
    await fc.assert(
      fc.asyncProperty(
        dialect.filter((options) => options.encoding !== 'windows-1252'),
        fc.integer({ min: 2, max: 5 }).chain((width) =>
          fc.record({
            header: fc.uniqueArray(headerCell(plain), { minLength: width, maxLength: width }),
            rows: fc.array(fc.array(plain, { minLength: width, maxLength: width }), { maxLength: 8 }),
          }),
        ),
        async (options, { header, rows }) => {
          const text = stringify([header, ...rows], writeOptions(options));
          // UTF-16 is recognised by its byte order mark only.
          const bom = options.bom || options.encoding !== 'utf-8';
          const file = await openCsv(chunks(encode(text, options.encoding, bom), options.chunkSize));
          expect(file.encoding).toBe(options.encoding);
          expect(file.delimiter).toBe(options.delimiter);
          expect(file.header).toEqual(header);
          expect((await readAll(file.records)).map((record) => record.cells)).toEqual(
            rows.filter((row) => !isBlank(row)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads Windows-1252 as such whatever the chunking, € from 0x80', async () => {
    const bytes = encode('Nombre;Importe\r\nÑandú;€ 5\r\n', 'windows-1252', false);
    expect(bytes[bytes.indexOf(0x3b, 16) + 1]).toBe(0x80);
    for (const size of [1, 2, 5, 1 << 16]) {
      const file = await openCsv(chunks(bytes, size));
      expect(file.encoding).toBe('windows-1252');
      expect((await readAll(file.records)).map((record) => record.cells)).toEqual([['Ñandú', '€ 5']]);
    }
  });
});

describe('a file read through a stream', () => {
  it('rejects a named encoding that does not fit, naming the byte', async () => {
    const bytes = encode('email;firstName\nana@example.com;Jos\u00e9\n', 'windows-1252', false);
    const file = await openCsv(chunks(bytes, 1 << 16), { encoding: 'utf-8' });
    await expect(readAll(file.records)).rejects.toThrow(
      new ImportFileError(
        'The file is not valid UTF-8 text at byte 35. Check the encoding named for the import (windows-1252 for Excel "CSV" on Windows).',
      ),
    );
  });

  it('reads the 10,000-row file with the outcome expected, one record at a time', async () => {
    const expected = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '..', 'fixtures', 'imports', 'contacts-10000.expected.json'),
        'utf8',
      ),
    );
    const file = await openCsv(contactsCsv(10_000));
    const { columns } = mapColumns('contacts', file.header, { customFields: [] });
    let records = 0;
    let lastRow = 0;
    const withErrors: number[] = [];
    let firstError: unknown;
    for await (const record of file.records) {
      const read = readRow('contacts', columns, record, []);
      records++;
      lastRow = record.row;
      if (read.row === 2) {
        expect(read.fields).toEqual(expected.row2);
        expect(read.references).toEqual(expected.row2References);
      }
      if (read.errors.length > 0) {
        withErrors.push(read.row);
        firstError ??= read.errors[0];
      }
    }
    expect(records).toBe(expected.records);
    expect(lastRow).toBe(expected.lastRow);
    expect(withErrors).toHaveLength(expected.rowsWithErrors);
    expect(firstError).toEqual(expected.firstError);
  });

  it('never reads far ahead of the records consumed: memory stays flat in file size', async () => {
    const rows = 10_000;
    const chunkBytes = 8 * 1024;
    let produced = 0;
    const file = await openCsv(contactsCsv(rows, chunkBytes, (bytes) => (produced = bytes)));
    const total =
      Buffer.byteLength(CONTACTS_HEADER) +
      Array.from({ length: rows }, (_, index) => Buffer.byteLength(contactLine(index + 1))).reduce(
        (sum, length) => sum + length,
        0,
      );
    expect(total).toBeGreaterThan(700_000);
    // openCsv reads the detection prefix (64 KiB) and no more than a chunk past it.
    expect(produced).toBeLessThan(64 * 1024 + 2 * chunkBytes);
    let consumed = Buffer.byteLength(CONTACTS_HEADER);
    let furthestAhead = 0;
    for await (const record of file.records) {
      consumed += Buffer.byteLength(contactLine(record.row - 1));
      furthestAhead = Math.max(furthestAhead, produced - consumed);
    }
    expect(consumed).toBe(total);
    expect(produced).toBe(total);
    // What was read but not yet consumed: the detection prefix at most, plus a chunk or two.
    expect(furthestAhead).toBeLessThan(64 * 1024 + 2 * chunkBytes);
    expect(furthestAhead).toBeLessThan(total / 8);
  });

  it('fails a quote never closed once the row outgrows MAX_ROW_CHARACTERS, without reading the rest', async () => {
    let produced = 0;
    async function* source() {
      yield Buffer.from('email,firstName\nana@example.com,Ana\nbea@example.com,"Bea\n');
      for (let chunk = 0; chunk < 400; chunk++) {
        produced += 16 * 1024;
        yield Buffer.from(`${'x'.repeat(16 * 1024 - 1)}\n`);
      }
    }
    const file = await openCsv(source());
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const record of file.records) seen.push(record.row);
      })(),
    ).rejects.toThrow(
      new ImportFileError(
        `Row 3: the row is longer than 1,000,000 characters; a quoted cell starts here and its closing quote (") is probably missing.`,
      ),
    );
    expect(seen).toEqual([2]);
    expect(MAX_ROW_CHARACTERS).toBe(1_000_000);
    expect(produced).toBeLessThan(MAX_ROW_CHARACTERS + 64 * 1024);
  });

  it('fails a 3 MB unquoted cell as a cell too long, not as a missing quote', async () => {
    async function* source() {
      yield Buffer.from('email,notes\nana@example.com,short\nbea@example.com,');
      for (let chunk = 0; chunk < 192; chunk++) yield Buffer.from('y'.repeat(16 * 1024));
      yield Buffer.from('\ncloe@example.com,after\n');
    }
    const file = await openCsv(source());
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const record of file.records) seen.push(record.row);
      })(),
    ).rejects.toThrow(
      new ImportFileError(
        'Row 3: the row (its cell 2) is longer than 1,000,000 characters, the longest an import reads. Shorten that cell or leave its column out of the file.',
      ),
    );
    expect(seen).toEqual([2]);
  });

  it('stops reading the source when the consumer stops', async () => {
    let produced = 0;
    let finished = false;
    async function* source() {
      try {
        yield* contactsCsv(10_000, 4096, (bytes) => (produced = bytes));
      } finally {
        finished = true;
      }
    }
    const file = await openCsv(source());
    for await (const record of file.records) if (record.row === 3) break;
    expect(finished).toBe(true);
    expect(produced).toBeLessThan(100_000);
  });
});

describe('delimiter options', () => {
  it.each(csvDelimiters)('uses a named %j as given', async (delimiter: CsvDelimiter) => {
    const text = `a,b;c\td\n1,2;3\t4\n`;
    const file = await openCsv(chunks(Buffer.from(text), 1 << 16), { delimiter });
    expect(file.delimiter).toBe(delimiter);
    expect(file.header).toEqual(text.split('\n')[0]?.split(delimiter));
  });
});

describe('an export re-imports unchanged', () => {
  const customFields = [
    { key: 'score', label: 'Score', type: 'number' as const },
    { key: 'vip', label: 'VIP', type: 'boolean' as const },
    { key: 'renewal', label: 'Renewal', type: 'date' as const },
    {
      key: 'interests',
      label: 'Interests',
      type: 'multiselect' as const,
      options: ['CRM', 'ERP', 'Cloud, hosted'],
    },
  ];
  /** Text as a person types it: any Unicode, formula starts, quotes, delimiters, line breaks inside; trimmed. */
  const text = fc
    .string({
      unit: fc.oneof(
        fc.constantFrom('=', '+', '-', '@', "'", '"', ',', ';', '\t', '\r\n', '\n', ' '),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
      minLength: 1,
      maxLength: 12,
    })
    .map((value) => value.trim())
    .filter((value) => value !== '' && !value.includes('\u0000'));
  const tag = fc
    .string({ unit: fc.constantFrom(...'abcñé0 -_'), minLength: 1, maxLength: 8 })
    .map((value) => value.trim())
    .filter(Boolean);
  const contact = fc.record(
    {
      firstName: text,
      lastName: text,
      email: fc.emailAddress().map((value) => value.toLowerCase()),
      title: text,
      city: text,
      country: fc.constantFrom('ES', 'MX', 'DE', 'US'),
      tags: fc.uniqueArray(tag, { minLength: 1, maxLength: 4 }),
      lifecycleStage: fc.constantFrom('lead', 'customer', 'other'),
      customFields: fc.record(
        {
          score: fc.integer({ min: -1_000_000, max: 1_000_000 }).map((value) => value / 100),
          vip: fc.boolean(),
          renewal: fc
            .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
            .map((date) => date.toISOString().slice(0, 10)),
          interests: fc.uniqueArray(fc.constantFrom('CRM', 'ERP', 'Cloud, hosted'), { minLength: 1 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['firstName', 'customFields'] },
  );

  /** A cell as an export writes it (canonicalColumns' docstring). */
  const exportCell = (value: unknown): string =>
    value === undefined ? '' : neutralise(Array.isArray(value) ? value.join(';') : String(value));

  it('reads back every field an export wrote with the canonical columns', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(contact, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...csvDelimiters),
        async (contacts, delimiter) => {
          const header = canonicalColumns('contacts', customFields);
          const rows = contacts.map((record) =>
            header.map((column) =>
              exportCell(
                column.startsWith('customFields.')
                  ? (record.customFields as Record<string, unknown>)[column.slice('customFields.'.length)]
                  : (record as Record<string, unknown>)[column],
              ),
            ),
          );
          const csv = stringify([header, ...rows], writeOptions({ delimiter, lineEnd: '\r\n' }));
          const file = await openCsv(chunks(Buffer.from(csv), 5));
          expect(file.delimiter).toBe(delimiter);
          const { columns } = mapColumns('contacts', file.header, { customFields });
          const read = [];
          for await (const record of file.records)
            read.push(readRow('contacts', columns, record, customFields));
          expect(read.map((row) => row.errors)).toEqual(contacts.map(() => []));
          expect(read.map((row) => row.fields)).toEqual(
            contacts.map(({ customFields: custom, ...fields }) =>
              Object.keys(custom).length > 0 ? { ...fields, customFields: custom } : fields,
            ),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
