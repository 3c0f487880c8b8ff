/**
 * A file the user must fix: the message says what and where, in plain words
 * (a row number as a spreadsheet shows it, a byte offset, the header names at
 * fault). The import fails as a whole with this message; nothing is imported.
 */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
}
