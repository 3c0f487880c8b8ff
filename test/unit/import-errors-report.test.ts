import { describe, expect, it } from 'vitest';
import { IMPORT_FILES_DAYS } from '#shared/domain/imports/entities';
import { errorsReportKept } from '#shared/store/imports';

describe("an import's error report link", () => {
  const day = 24 * 60 * 60 * 1000;
  const finished = '2026-03-01T10:00:00.000Z';
  const at = Date.parse(finished);

  it('is offered while the bucket keeps the report, and not once its lifecycle rule deleted it', () => {
    expect(errorsReportKept(finished, at + day)).toBe(true);
    expect(errorsReportKept(finished, at + IMPORT_FILES_DAYS * day - 1)).toBe(true);
    expect(errorsReportKept(finished, at + IMPORT_FILES_DAYS * day)).toBe(false);
  });

  it('is offered for an import not finished yet (no report is written before the end)', () => {
    expect(errorsReportKept(undefined, at)).toBe(true);
  });
});
