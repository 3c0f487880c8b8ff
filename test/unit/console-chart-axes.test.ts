import { describe, expect, it } from 'vitest';
import { axisLabels, axisWidth } from '../../console/src/ui/chart-axes.ts';

/** Chart axes: figures are not cut at the card's edge, month labels are not cut to "De…". */
describe('chart axes', () => {
  it('makes the value axis as wide as its longest figure', () => {
    expect(axisWidth(['0 €', '100.000 €'])).toBeGreaterThanOrEqual('100.000 €'.length * 7 + 10);
    expect(axisWidth([])).toBe(40);
  });

  it('shows every label whole when there is room', () => {
    expect(axisLabels(['Jan 2026', 'Feb 2026', 'Mar 2026'], 600)).toEqual([
      'Jan 2026',
      'Feb 2026',
      'Mar 2026',
    ]);
  });

  it('skips labels rather than cutting them when they crowd', () => {
    const months = Array.from({ length: 12 }, (_, index) => `M${String(index + 1).padStart(2, '0')} 2026`);
    const shown = axisLabels(months, 300);
    expect(shown[0]).toBe('M01 2026');
    expect(shown.filter(Boolean).every((label) => !label.endsWith('…'))).toBe(true);
    expect(shown.filter(Boolean).length).toBeGreaterThan(1);
    expect(shown.filter(Boolean).length).toBeLessThan(12);
  });
});
