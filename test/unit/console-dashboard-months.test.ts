import { describe, expect, it } from 'vitest';
import { everyMonth, monthsOf } from '../../console/src/pages/dashboard/period.ts';

/** Charts by month show every month of the period, empty ones as zero, not only those with data. */
describe('dashboard months', () => {
  it('lists every month a range touches, across a year end', () => {
    expect(monthsOf({ from: '2025-11-15', to: '2026-02-01' })).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    expect(monthsOf({ from: '2026-03-01', to: '2026-03-31' })).toEqual(['2026-03']);
  });

  it('fills the months without items and keeps the order', () => {
    const items = [
      { key: '2026-03', count: 2 },
      { key: '2026-01', count: 1 },
    ];
    const filled = everyMonth(items, { from: '2025-12-01', to: '2026-03-31' }, (key) => ({ key, count: 0 }));
    expect(filled).toEqual([
      { key: '2025-12', count: 0 },
      { key: '2026-01', count: 1 },
      { key: '2026-02', count: 0 },
      { key: '2026-03', count: 2 },
    ]);
  });
});
