/**
 * The CSV reading the import worker uses: pure (shared/domain/imports), with
 * row validation against the API's schemas (shared/schemas/imports.ts).
 */
export {
  type ColumnMapping,
  type CsvDelimiter,
  type CsvRecord,
  ImportFileError,
  mapColumns,
  openCsv,
  type ReadRow,
  type RowError,
  readRow,
} from '../domain/imports/index.ts';
export { validateRow } from '../schemas/imports.ts';
