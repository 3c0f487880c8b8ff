/** The record kinds a CSV file can be imported into (and exported from). */
export const importEntities = ['contacts', 'companies', 'leads', 'deals'] as const;
export type ImportEntity = (typeof importEntities)[number];

/** The text encodings an import accepts: detected, or named in the import's `encoding`. */
export const csvEncodings = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
export type CsvEncoding = (typeof csvEncodings)[number];

/** The cell separators an import accepts: detected, or named in the import's `delimiter`. */
export const csvDelimiters = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof csvDelimiters)[number];

/** Uploaded import files and their error reports are deleted this many days after they are written (the imports bucket's lifecycle rule). */
export const IMPORT_FILES_DAYS = 7;
