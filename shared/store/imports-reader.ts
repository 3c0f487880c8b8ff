/** The CSV reading the import worker uses (pure: shared/domain/imports, shared/schemas/imports). */
export * from './imports-reader-interim.ts';
