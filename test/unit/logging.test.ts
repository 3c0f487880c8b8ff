import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../support/source-files.ts';

/** The one place that may write to the console: the logger and metrics module. */
const observability = join('shared', 'observability');

describe('logging', () => {
  it('logs only through the logger: no console.* in functions/ or shared/', () => {
    const offenders = ['functions', 'shared']
      .flatMap(sourceFiles)
      .filter((file) => !file.startsWith(observability))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, index) =>
            /\bconsole\s*\./.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [],
          ),
      );
    expect(offenders).toEqual([]);
  });
});
