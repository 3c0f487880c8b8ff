import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { CustomFieldDefinition } from '../domain/custom-fields.ts';
import { companySchemas } from '../schemas/companies.ts';
import { contactSchemas } from '../schemas/contacts.ts';
import { dealSchemas } from '../schemas/deals.ts';
import { leadSchemas } from '../schemas/leads.ts';

// Interim reader for well-formed UTF-8 files with canonical headers, until shared/domain/imports lands.
export type ImportEntity = 'contacts' | 'companies' | 'leads' | 'deals';
export class ImportFileError extends Error {}
export interface CsvRecord {
  readonly row: number;
  readonly cells: readonly string[];
}
export interface CsvFile {
  readonly encoding: string;
  readonly delimiter: string;
  readonly header: readonly string[];
  readonly records: AsyncIterable<CsvRecord>;
}
export interface ColumnMapping {
  readonly column: string;
  readonly index: number;
  readonly field: string | null;
}
export interface RowError {
  readonly row: number;
  readonly column: string;
  readonly value: string;
  readonly reason: string;
}
export interface RowReferences {
  readonly company?: string;
  readonly owner?: string;
  readonly pipeline?: string;
  readonly stage?: string;
  readonly contacts?: readonly string[];
}
export interface ReadRow {
  readonly row: number;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly references: RowReferences;
  readonly matchKey?: string;
  readonly errors: readonly RowError[];
}

export async function openCsv(
  source: AsyncIterable<Uint8Array>,
  options: { encoding?: string; delimiter?: string } = {},
): Promise<CsvFile> {
  const parser = Readable.from(source).pipe(
    parse({
      delimiter: options.delimiter ?? ',',
      bom: true,
      relax_column_count: true,
      info: true,
      skip_empty_lines: true,
    }),
  );
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  const first = await iterator.next();
  if (first.done) throw new ImportFileError('The file is empty');
  const header = first.value.record.map((cell) => cell.trim());
  return {
    encoding: 'utf-8',
    delimiter: options.delimiter ?? ',',
    header,
    records: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield { row: next.value.info.lines, cells: next.value.record };
        }
      },
    },
  };
}

const refFields = new Set(['company', 'owner', 'pipeline', 'stage', 'contacts']);

export function mapColumns(
  _entity: ImportEntity,
  header: readonly string[],
  options: {
    mapping?: Readonly<Record<string, string | null>>;
    customFields: readonly CustomFieldDefinition[];
  },
): { columns: ColumnMapping[]; mapping: Record<string, string | null> } {
  const columns = header.map((column, index) => ({
    column,
    index,
    field: options.mapping && column in options.mapping ? (options.mapping[column] ?? null) : column || null,
  }));
  return { columns, mapping: Object.fromEntries(columns.map((c) => [c.column, c.field])) };
}

export function readRow(
  entity: ImportEntity,
  columns: readonly ColumnMapping[],
  record: CsvRecord,
  _customFields: readonly CustomFieldDefinition[],
): ReadRow {
  const fields: Record<string, unknown> = {};
  const references: Record<string, unknown> = {};
  const errors: RowError[] = [];
  for (const column of columns) {
    const value = (record.cells[column.index] ?? '').trim();
    if (!column.field || value === '') continue;
    if (refFields.has(column.field))
      references[column.field] = column.field === 'contacts' ? value.split(';') : value;
    else if (column.field === 'tags') fields.tags = value.split(';').map((t) => t.trim());
    else if (column.field === 'amount' || column.field === 'employees') fields[column.field] = Number(value);
    else if (column.field.startsWith('customFields.'))
      fields.customFields = { ...(fields.customFields as object), [column.field.slice(13)]: value };
    else if (column.field === 'email') {
      const at = value.lastIndexOf('@');
      fields.email = at > 0 ? value.slice(0, at) + value.slice(at).toLowerCase() : value;
    } else fields[column.field] = value;
  }
  const key = entity === 'companies' ? fields.domain : entity === 'deals' ? fields.externalId : fields.email;
  return {
    row: record.row,
    fields,
    references: references as RowReferences,
    ...(typeof key === 'string' ? { matchKey: key.toLowerCase() } : {}),
    errors,
  };
}

const schemas = (entity: ImportEntity) =>
  entity === 'contacts'
    ? contactSchemas()
    : entity === 'companies'
      ? companySchemas()
      : entity === 'leads'
        ? leadSchemas()
        : dealSchemas();

export function validateRow(
  entity: ImportEntity,
  columns: readonly ColumnMapping[],
  row: ReadRow,
  resolved: Readonly<Record<string, unknown>>,
  mode: 'create' | 'update',
  _customFields: readonly CustomFieldDefinition[],
): { ok: true; input: Record<string, unknown> } | { ok: false; errors: RowError[] } {
  const schema = mode === 'create' ? schemas(entity).create : schemas(entity).patch;
  const result = (
    schema as unknown as {
      safeParse(v: unknown): {
        success: boolean;
        data?: unknown;
        error?: { issues: { path: PropertyKey[]; message: string }[] };
      };
    }
  ).safeParse({ ...row.fields, ...resolved });
  if (result.success) return { ok: true, input: result.data as Record<string, unknown> };
  return {
    ok: false,
    errors: (result.error?.issues ?? []).map((issue) => {
      const field = String(issue.path[0] ?? '');
      const column = columns.find((c) => c.field === field)?.column ?? field;
      return { row: row.row, column, value: String(row.fields[field] ?? ''), reason: issue.message };
    }),
  };
}
