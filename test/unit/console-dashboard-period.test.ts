import { describe, expect, it } from 'vitest';
import { periodRange } from '../../console/src/pages/dashboard/period.ts';

/** The dashboard's period picker gives the reports the from/to dates (UTC, inclusive) they take. */
describe('dashboard periods', () => {
  const now = new Date('2026-03-15T22:30:00Z');

  it('counts the last 30 and 90 days including today', () => {
    expect(periodRange('30d', now)).toEqual({ from: '2026-02-14', to: '2026-03-15' });
    expect(periodRange('90d', now)).toEqual({ from: '2025-12-16', to: '2026-03-15' });
  });

  it('gives the API its default year for 12 months, and the calendar year so far', () => {
    expect(periodRange('12m', now)).toEqual({ from: '2025-03-16', to: '2026-03-15' });
    expect(periodRange('ytd', now)).toEqual({ from: '2026-01-01', to: '2026-03-15' });
  });
});
