import type { CustomFieldDefinition, CustomFieldValue } from '../custom-fields.ts';
import { canonicalEmail, normalizeEmail } from '../email.ts';
import type { ColumnMapping } from './columns.ts';
import { fieldOf, type MappedField } from './columns.ts';
import { readCountry } from './countries.ts';
import type { CsvRecord } from './csv.ts';
import type { CsvDelimiter, ImportEntity } from './entities.ts';
import type { ImportField } from './fields.ts';
import {
  fold,
  type Read,
  readBoolean,
  readCount,
  readDate,
  readDomain,
  readList,
  readMoney,
  readNumber,
  readOption,
  readWebsite,
  splitFullName,
  unneutralise,
} from './values.ts';

/** A problem with one cell of one row, in words for the person who fixes the file. */
export interface RowError {
  /** The spreadsheet row number (CsvRecord.row). */
  readonly row: number;
  /** The header cell of the column at fault (or a description when the column has none). */
  readonly column: string;
  /** The cell as written in the file. */
  readonly value: string;
  /** Why it is refused, e.g. "is not a date (write it as 2026-03-01 or 01/03/2026, day first)". */
  readonly reason: string;
}

/** References a row names by a human value; the pipeline resolves them against the store. */
export interface RowReferences {
  /** contacts, deals: a company domain or name. */
  readonly company?: string;
  /** An owner's email (canonical form) or user id. */
  readonly owner?: string;
  /** deals: pipeline name or id. */
  readonly pipeline?: string;
  /** deals: stage name or id. */
  readonly stage?: string;
  /** deals: contact emails (canonical form). */
  readonly contacts?: readonly string[];
}

export interface ReadRow {
  readonly row: number;
  /**
   * Normalised field values present in the row (blank cells omitted), in the
   * API's field names and types (the entity's create schema in shared/schemas),
   * references not included; custom fields under `customFields`.
   */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly references: RowReferences;
  /**
   * The value upsert matches on: contacts/leads email (canonical), companies domain
   * (lower case, without scheme, `www.` or path), deals externalId. Only a row that
   * validateRow accepts should be matched on it.
   */
  readonly matchKey?: string;
  /** Problems in this row's cells (unparseable date/number/email, unknown option, ...). Empty: the cells are fine. */
  readonly errors: readonly RowError[];
  /** The non-blank cells of mapped columns as written (header cell → cell), for error reports. */
  readonly cells: Readonly<Record<string, string>>;
}

const matchFields: Readonly<Record<ImportEntity, string>> = {
  contacts: 'email',
  leads: 'email',
  companies: 'domain',
  deals: 'externalId',
};

/** A custom field's cell read into its stored type (shared/domain/custom-fields.ts CustomFieldValue). */
function readCustom(
  definition: CustomFieldDefinition,
  cell: string,
  decimalComma: boolean,
): Read<CustomFieldValue> {
  const options = definition.options ?? [];
  const option = (entry: string) =>
    options.find((candidate) => candidate === entry || fold(candidate) === fold(entry));
  switch (definition.type) {
    case 'text':
      return { value: cell };
    case 'number':
      return readNumber(cell, decimalComma);
    case 'date':
      return readDate(cell);
    case 'boolean':
      return readBoolean(cell);
    case 'select': {
      const found = option(cell);
      return found !== undefined ? { value: found } : { reason: `is not one of: ${options.join(', ')}` };
    }
    case 'multiselect': {
      const whole = option(cell);
      if (whole !== undefined) return { value: [whole] };
      const entries = readList(cell);
      const unknown = entries.filter((entry) => option(entry) === undefined);
      if (unknown.length > 0)
        return {
          reason: `has values that are not options (${unknown.join(', ')}); allowed: ${options.join(', ')}`,
        };
      return { value: [...new Set(entries.map((entry) => option(entry) as string))] };
    }
  }
}

/** Mutable state of one row while its cells are read. */
interface Reading {
  readonly fields: Record<string, unknown>;
  readonly custom: Record<string, CustomFieldValue>;
  readonly references: { -readonly [K in keyof RowReferences]: RowReferences[K] };
  readonly errors: RowError[];
  /** The file is `;`-delimited: a single `,` in a number is its decimal separator. */
  readonly decimalComma: boolean;
  impliedCurrency?: { currency: string; column: string; cell: string };
  fullName?: { firstName: string; lastName?: string };
}

function readBuiltin(
  field: ImportField,
  cell: string,
  column: string,
  state: Reading,
  fail: (reason: string) => void,
) {
  const take = <T>(read: Read<T>, apply: (value: T) => void) =>
    'reason' in read ? fail(read.reason) : apply(read.value);
  const set = (value: unknown) => {
    state.fields[field.apiField] = value;
  };
  switch (field.kind.type) {
    case 'text':
    case 'phone':
      return set(cell);
    case 'email': {
      const email = normalizeEmail(cell);
      return email ? set(email) : fail('is not a valid email address');
    }
    case 'country':
      return take(readCountry(cell), set);
    case 'domain':
      return set(readDomain(cell));
    case 'website':
      return set(readWebsite(cell));
    case 'count':
      return take(readCount(cell, state.decimalComma), set);
    case 'money':
      return take(readMoney(cell, state.decimalComma), ({ amount, currency }) => {
        set(amount);
        if (currency) state.impliedCurrency = { currency, column, cell };
      });
    case 'currency':
      return set(cell.toUpperCase());
    case 'date':
      return take(readDate(cell), set);
    case 'tags':
      return set(readList(cell));
    case 'option': {
      const { options, synonyms } = field.kind;
      return take(readOption(cell, options, synonyms), set);
    }
    case 'reference': {
      const key = field.column as 'company' | 'owner' | 'pipeline' | 'stage';
      state.references[key] = key === 'owner' && cell.includes('@') ? canonicalEmail(cell) : cell;
      return;
    }
    case 'emails': {
      const entries = readList(cell);
      const bad = entries.filter((entry) => !normalizeEmail(entry));
      if (bad.length > 0) return fail(`has entries that are not email addresses (${bad.join(', ')})`);
      state.references.contacts = [...new Set(entries.map((entry) => normalizeEmail(entry) as string))];
      return;
    }
    case 'fullName':
      state.fullName = splitFullName(cell);
      return;
  }
}

/**
 * Reads one record through the mapping: every mapped, non-blank cell is
 * normalised (shared/domain/imports/values.ts states the rules: dates day
 * first, amounts in either decimal convention (a single `,` is decimal in a
 * `;`-delimited file, `delimiter`), emails canonical, country names
 * to ISO codes, lists split on `;`). Never throws: a cell that cannot be read
 * becomes a RowError naming its column. Also a row error: cells beyond the
 * header that hold data ("has N cells, the header has M"; empty extra cells
 * are the trailing-delimiter case and fine) and data under a column without a
 * header name. Each cell first loses the export's formula guard (a leading `'`
 * before `=`, `+`, `-`, `@`, tab or CR). A currency written in the amount cell
 * (`1200 EUR`) fills `currency` when no currency column says otherwise; when
 * one does and differs, the amount is refused.
 */
export function readRow(
  entity: ImportEntity,
  columns: readonly ColumnMapping[],
  record: CsvRecord,
  customFields: readonly CustomFieldDefinition[],
  delimiter?: CsvDelimiter,
): ReadRow {
  const state: Reading = {
    fields: {},
    custom: {},
    references: {},
    errors: [],
    decimalComma: delimiter === ';',
  };
  const cells: Record<string, string> = {};
  const fail = (column: string, value: string, reason: string) =>
    state.errors.push({ row: record.row, column, value, reason });

  const extra = record.cells.slice(columns.length);
  if (extra.some((cell) => cell.trim() !== ''))
    fail(
      `(after ${columns.at(-1)?.column || `column ${columns.length}`})`,
      extra.join(' | '),
      `has ${record.cells.length} cells, the header has ${columns.length}: data beyond the last column would be lost (a delimiter too many, or a cell that needs quotes?)`,
    );

  const mapped: { column: ColumnMapping; target: MappedField; cell: string }[] = [];
  for (const column of columns) {
    const cell = unneutralise(record.cells[column.index] ?? '').trim();
    if (cell === '') continue;
    if (column.column === '') {
      fail(
        `column ${column.index + 1} (no header)`,
        cell,
        'holds data but its column has no name in the header row',
      );
      continue;
    }
    if (column.field === null) continue;
    const target = fieldOf(entity, column.field, customFields);
    if (!target) continue;
    cells[column.column] = cell;
    mapped.push({ column, target, cell });
  }
  for (const { column, target, cell } of mapped) {
    const failHere = (reason: string) => fail(column.column, cell, reason);
    if (target.source === 'builtin') readBuiltin(target.field, cell, column.column, state, failHere);
    else {
      const read = readCustom(target.definition, cell, state.decimalComma);
      if ('reason' in read) failHere(read.reason);
      else state.custom[target.definition.key] = read.value;
    }
  }

  if (state.fullName) {
    state.fields.firstName ??= state.fullName.firstName;
    if (state.fullName.lastName !== undefined) state.fields.lastName ??= state.fullName.lastName;
  }
  if (state.impliedCurrency) {
    const { currency, column, cell } = state.impliedCurrency;
    const stated = state.fields.currency;
    if (stated === undefined) state.fields.currency = currency;
    else if (stated !== currency)
      fail(column, cell, `names ${currency}, but the currency column says ${String(stated)}`);
  }
  if (Object.keys(state.custom).length > 0) state.fields.customFields = state.custom;
  const key = state.fields[matchFields[entity]];
  return {
    row: record.row,
    fields: state.fields,
    references: state.references,
    ...(typeof key === 'string' ? { matchKey: key } : {}),
    errors: state.errors,
    cells,
  };
}
