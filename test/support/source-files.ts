import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every `.ts` file below `dir` (a path relative to the repository root, where
 * vitest runs), as relative paths: what the source-rule tests (no scan, no
 * console, environment through config, keys in one place) read.
 */
export const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
