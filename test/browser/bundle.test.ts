import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distPath, initialScripts, sizeOf, totalGzip } from '../../bench/console-assets.ts';
import { consoleDistDir } from '../../infra/local/console-build.ts';

/**
 * The console's initial JavaScript budget: what /app/ loads before any page chunk (the entry
 * script of index.html and the modules it preloads) stays under 120 kB gzip. Pages are lazy
 * chunks and do not count. The global setup has built console/dist as `npm start` builds it.
 */
const BUDGET_GZIP_BYTES = 120_000;

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

describe('the console bundle', () => {
  it(`loads at most ${kB(BUDGET_GZIP_BYTES)} gzip of JavaScript up front`, async () => {
    const html = await readFile(join(consoleDistDir, 'index.html'), 'utf8');
    const scripts = initialScripts(html);
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = await Promise.all(scripts.map((url) => sizeOf(consoleDistDir, distPath(url))));
    const total = totalGzip(sizes);
    console.log(
      [
        'Initial JavaScript of /app/ (gzip level 9):',
        ...sizes.map((size) => `  ${size.file}  ${kB(size.bytes)} raw, ${kB(size.gzipBytes)} gzip`),
        `  total ${kB(total)} gzip of a ${kB(BUDGET_GZIP_BYTES)} budget`,
      ].join('\n'),
    );
    expect(total).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });
});
