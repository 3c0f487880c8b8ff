import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A table's scroll area must take the keyboard's focus (axe's scrollable-region-focusable, seen on
 * a phone on the campaign report and the import's error rows): the marketing and admin pages and
 * the shared components wrap tables in `TableWrap`, never in a bare `<div class="table-wrap">`.
 */
describe('table scroll areas', () => {
  it('are TableWrap in the marketing and admin pages and the shared components', async () => {
    const bare: string[] = [];
    for (const folder of ['console/src/pages/marketing', 'console/src/pages/admin', 'console/src/ui']) {
      for (const name of await readdir(folder)) {
        // chart.tsx's table sits in the chart's own named section (the dashboard's tests find it by that name).
        if (!name.endsWith('.tsx') || name === 'table-wrap.tsx' || name === 'chart.tsx') continue;
        const source = await readFile(join(folder, name), 'utf8');
        if (source.includes('<div class="table-wrap"')) bare.push(join(folder, name));
      }
    }
    expect(bare).toEqual([]);
  });
});
