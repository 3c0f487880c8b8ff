import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CustomFieldDefinition } from '../../shared/domain/custom-fields.ts';
import {
  type CsvDelimiter,
  type CsvEncoding,
  type ImportEntity,
  ImportFileError,
  mapColumns,
  openCsv,
  type ReadRow,
  type RowError,
  readRow,
} from '../../shared/domain/imports/index.ts';
import { validateRow } from '../../shared/schemas/imports.ts';
import { byteFixtures } from '../fixtures/imports/write-fixtures.ts';

/**
 * Every CSV fixture in test/fixtures/imports/ runs through openCsv → mapColumns
 * → readRow (→ validateRow) and is compared with the JSON beside it: the
 * dialect and header, the column mapping, each row's fields, references, match
 * key and errors, validation outcomes, or the file error.
 */
interface Expected {
  readonly description: string;
  readonly entity: ImportEntity;
  readonly options?: { encoding?: CsvEncoding; delimiter?: CsvDelimiter };
  readonly mapping?: Record<string, string>;
  readonly customFields?: CustomFieldDefinition[];
  /** A part of the ImportFileError's message (from openCsv, mapColumns or reading the records). */
  readonly fileError?: string;
  readonly encoding?: CsvEncoding;
  readonly delimiter?: CsvDelimiter;
  readonly header?: string[];
  /** mapColumns' `mapping`: header cell → field or null. */
  readonly columns?: Record<string, string | null>;
  /** How many records were read (before the file error, when there is one). */
  readonly records?: number;
  /** readRow of every record, in order. */
  readonly rows?: {
    row: number;
    fields: Record<string, unknown>;
    references?: Record<string, unknown>;
    matchKey?: string;
    errors?: Omit<RowError, 'row'>[];
  }[];
  readonly validate?: {
    row: number;
    mode: 'create' | 'update';
    resolved?: Record<string, unknown>;
    input?: Record<string, unknown>;
    errors?: Omit<RowError, 'row'>[];
  }[];
}

const folder = join(import.meta.dirname, '..', 'fixtures', 'imports');
const cases = readdirSync(folder)
  .filter((name) => name.endsWith('.json') && !name.endsWith('.expected.json'))
  .map((name) => name.slice(0, -'.json'.length));

/** The file as a stream of `size`-byte chunks (small chunks cut characters, line ends and quotes apart). */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

interface Outcome {
  file?: { encoding: CsvEncoding; delimiter: CsvDelimiter; header: readonly string[] };
  columns?: Record<string, string | null>;
  rows: ReadRow[];
  error?: unknown;
}

async function run(expected: Expected, bytes: Uint8Array, chunkSize: number): Promise<Outcome> {
  const customFields = expected.customFields ?? [];
  const outcome: Outcome = { rows: [] };
  try {
    const file = await openCsv(chunked(bytes, chunkSize), expected.options);
    outcome.file = file;
    const { columns, mapping } = mapColumns(expected.entity, file.header, {
      customFields,
      ...(expected.mapping ? { mapping: expected.mapping } : {}),
    });
    outcome.columns = mapping;
    for await (const record of file.records)
      outcome.rows.push(readRow(expected.entity, columns, record, customFields, file.delimiter));
  } catch (error) {
    outcome.error = error;
  }
  return outcome;
}

describe('import fixtures', () => {
  it('has the byte-exact fixtures write-fixtures.ts writes', () => {
    for (const [name, content] of Object.entries(byteFixtures()))
      expect(Buffer.compare(readFileSync(join(folder, name)), Buffer.from(content)), name).toBe(0);
  });

  it('has a CSV file beside every expectation and an expectation beside every CSV file', () => {
    const csvs = readdirSync(folder).filter((name) => name.endsWith('.csv'));
    expect(csvs.map((name) => name.slice(0, -4)).sort()).toEqual([...cases].sort());
    expect(cases.length).toBeGreaterThan(40);
  });

  describe.each(cases)('%s', (name) => {
    const expected = JSON.parse(readFileSync(join(folder, `${name}.json`), 'utf8')) as Expected;
    const bytes = new Uint8Array(readFileSync(join(folder, `${name}.csv`)));

    it.each([
      ['in one chunk', 1 << 20],
      ['in 3-byte chunks', 3],
    ])(`${expected.description} (%s)`, async (_, chunkSize) => {
      const outcome = await run(expected, bytes, chunkSize);
      if (expected.fileError !== undefined) {
        expect(outcome.error).toBeInstanceOf(ImportFileError);
        expect((outcome.error as Error).message).toContain(expected.fileError);
      } else if (outcome.error) throw outcome.error;
      if (expected.encoding) expect(outcome.file?.encoding).toBe(expected.encoding);
      if (expected.delimiter) expect(outcome.file?.delimiter).toBe(expected.delimiter);
      if (expected.header) expect(outcome.file?.header).toEqual(expected.header);
      if (expected.columns) expect(outcome.columns).toEqual(expected.columns);
      if (expected.records !== undefined) expect(outcome.rows).toHaveLength(expected.records);
      if (expected.rows) {
        expect(
          outcome.rows.map((row) => ({
            row: row.row,
            fields: row.fields,
            references: row.references,
            matchKey: row.matchKey,
            errors: row.errors,
          })),
        ).toEqual(
          expected.rows.map((row) => ({
            row: row.row,
            fields: row.fields,
            references: row.references ?? {},
            matchKey: row.matchKey,
            errors: (row.errors ?? []).map((error) => ({ row: row.row, ...error })),
          })),
        );
      }
    });

    if (expected.validate) {
      it.each(expected.validate)('validates row $row for $mode', async (check) => {
        const customFields = expected.customFields ?? [];
        const file = await openCsv(chunked(bytes, 1 << 20), expected.options);
        const { columns } = mapColumns(expected.entity, file.header, {
          customFields,
          ...(expected.mapping ? { mapping: expected.mapping } : {}),
        });
        let read: ReadRow | undefined;
        for await (const record of file.records)
          if (record.row === check.row) read = readRow(expected.entity, columns, record, customFields);
        expect(read).toBeDefined();
        const result = validateRow(
          expected.entity,
          columns,
          read as ReadRow,
          check.resolved ?? {},
          check.mode,
          customFields,
        );
        if (check.input) expect(result).toEqual({ ok: true, input: check.input });
        else
          expect(result).toEqual({
            ok: false,
            errors: (check.errors ?? []).map((error) => ({ row: check.row, ...error })),
          });
      });
    }
  });
});
