/**
 * Import reading, pure: bytes → dialect → header mapping → row inputs.
 * openCsv (csv.ts) decodes and parses a byte stream; mapColumns (columns.ts)
 * maps the header; readRow (read-row.ts) normalises each record's cells.
 * Validation against the API's schemas is shared/schemas/imports.ts
 * `validateRow` (the schemas sit above the domain).
 */
export { type ColumnMapping, canonicalColumns, fieldOf, type MappedField, mapColumns } from './columns.ts';
export { type CsvFile, type CsvRecord, MAX_ROW_CHARACTERS, openCsv } from './csv.ts';
export {
  type CsvDelimiter,
  type CsvEncoding,
  csvDelimiters,
  csvEncodings,
  type ImportEntity,
  importEntities,
} from './entities.ts';
export { ImportFileError } from './errors.ts';
export { CUSTOM_FIELD_PREFIX, type ImportField, importFields } from './fields.ts';
export { type ReadRow, type RowError, type RowReferences, readRow } from './read-row.ts';
export { neutralise, unneutralise } from './values.ts';
