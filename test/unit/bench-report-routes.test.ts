import { describe, expect, it } from 'vitest';
import { type ReportRoutesReport, type RouteFigures, renderReportRoutes } from '../../bench/report-routes.ts';

const size = { contacts: 10, companies: 1, deals: 2, leads: 2, cases: 1, activities: 3, deliveries: 2 };
const figures = (queries: number, itemsRead: number): RouteFigures => ({
  requests: { Query: queries },
  readUnits: queries * 0.5,
  itemsRead,
  medianMs: 1,
});

function report(large: Record<string, RouteFigures>): ReportRoutesReport {
  return {
    calls: 1,
    routes: [{ name: 'overview' }, { name: 'customers', growsWith: 'the companies' }],
    runs: [
      {
        label: 'small',
        size,
        records: 21,
        loadSeconds: 1,
        routes: { overview: figures(4, 4), customers: figures(24, 10) },
      },
      { label: 'large', size, records: 21, loadSeconds: 1, routes: large },
    ],
    expectations: [],
  };
}

const row = (lines: string[], route: string) => lines.find((line) => line.startsWith(`| ${route} |`)) ?? '';

describe('the report routes section of BENCHMARKS.md', () => {
  it('says yes for a route whose Queries are the same at both sizes, however many items it read', () => {
    const lines = renderReportRoutes(report({ overview: figures(4, 400), customers: figures(24, 10) }));
    expect(row(lines, 'overview').endsWith('| yes |')).toBe(true);
    expect(lines.join('\n')).toContain('same at both sizes for 2 of 2 routes');
    expect(lines.join('\n')).toContain('100× (overview: 4 → 400 items)');
  });

  it('flags a route whose Queries grow with the records, and names what else a route may grow with', () => {
    const lines = renderReportRoutes(report({ overview: figures(6, 4), customers: figures(30, 10) }));
    expect(row(lines, 'overview')).toContain('**no**');
    expect(row(lines, 'customers')).toContain('no: grows with the companies');
    expect(lines.join('\n')).toContain('same at both sizes for 0 of 2 routes');
  });
});
