import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../support/source-files.ts';

describe('table access', () => {
  it('never scans the table in any request, stream or schedule path', () => {
    const offenders = ['functions', 'shared']
      .flatMap(sourceFiles)
      .filter((file) =>
        /\bScan(Command|Input)?\b|['"]Scan['"]|paginateScan/.test(readFileSync(file, 'utf8')),
      );
    expect(offenders).toEqual([]);
  });
});
