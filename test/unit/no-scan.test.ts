import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

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
