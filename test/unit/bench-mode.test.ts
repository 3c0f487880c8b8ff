import { afterEach, describe, expect, it } from 'vitest';
import { refreshModeSummary, sectionModes } from '../../bench/markdown-section.ts';
import { benchMode, modeLine, parseModeLine, sectionSizes } from '../../bench/mode.ts';

const stamp = { commit: 'abc1234', date: '2026-11-30T12:00:00.000Z' };

describe('bench modes', () => {
  afterEach(() => {
    delete process.env.BENCH_ITERATIONS;
    delete process.env.BENCH_CAMPAIGN_RECIPIENTS;
  });

  it('reads quick from the command line or BENCH_MODE, else full', () => {
    expect(benchMode(['node', 'run.ts', '--quick'], {})).toBe('quick');
    expect(benchMode(['node', 'run.ts'], { BENCH_MODE: 'quick' })).toBe('quick');
    expect(benchMode(['node', 'run.ts'], {})).toBe('full');
  });

  it('gives smaller sizes in quick mode and lets a BENCH_* variable override one, saying so', () => {
    expect(sectionSizes('operations', 'full').values.iterations).toBe(200);
    const quick = sectionSizes('operations', 'quick');
    expect(quick.values.iterations).toBeLessThan(200);
    expect(quick.overrides).toEqual([]);
    process.env.BENCH_ITERATIONS = '50';
    const overridden = sectionSizes('operations', 'quick');
    expect(overridden.values.iterations).toBe(50);
    expect(overridden.overrides).toEqual(['BENCH_ITERATIONS=50']);
    expect(modeLine(overridden, stamp)).toContain('**quick**, overridden by BENCH_ITERATIONS=50');
  });

  it('lets BENCH_CAMPAIGN_RECIPIENTS alone set both campaign runs', () => {
    process.env.BENCH_CAMPAIGN_RECIPIENTS = '500';
    const { values, overrides } = sectionSizes('campaigns', 'full');
    expect([values.recipients, values.rateRecipients]).toEqual([500, 500]);
    expect(overrides).toEqual(['BENCH_CAMPAIGN_RECIPIENTS=500']);
  });

  it('keeps the rate-limited campaign long enough to check every second against the rate', () => {
    const { rateRecipients, rate } = sectionSizes('campaigns', 'quick').values;
    expect(rateRecipients / rate).toBeGreaterThanOrEqual(30);
  });

  it('parses back the mode line it writes', () => {
    const line = modeLine(sectionSizes('imports', 'quick'), stamp);
    expect(parseModeLine(line)).toEqual({
      mode: 'quick',
      overrides: [],
      sizes: '2,000 rows in the large import',
      commit: 'abc1234',
      date: stamp.date,
    });
    expect(parseModeLine('Written by bench/imports.ts')).toBeUndefined();
  });
});

describe("the header's list of section modes", () => {
  const section = (heading: string, line?: string) => [
    `## ${heading}`,
    '',
    ...(line ? [line, ''] : []),
    'text',
  ];
  const full = modeLine(sectionSizes('reports', 'full'), stamp);
  const quick = modeLine(sectionSizes('imports', 'quick'), { ...stamp, commit: 'def5678' });

  it('lists every measured section with its mode and flags a quick section beside full ones', () => {
    const markdown = [
      '# Benchmarks',
      '',
      '## Machine',
      '',
      ...section('Report aggregates', full),
      ...section('CSV import and export', quick),
      ...section('Web console'),
    ].join('\n');
    expect(sectionModes(markdown).map((entry) => [entry.heading, entry.mode?.mode])).toEqual([
      ['Report aggregates', 'full'],
      ['CSV import and export', 'quick'],
      ['Web console', undefined],
    ]);
    const refreshed = refreshModeSummary(markdown);
    expect(refreshed.indexOf('| CSV import and export | quick | def5678 |')).toBeLessThan(
      refreshed.indexOf('## Machine'),
    );
    expect(refreshed).toContain('| Web console | not recorded |');
    expect(refreshed).toContain('**Mixed modes**');
    // Rebuilt in place, not added twice.
    expect(refreshModeSummary(refreshed)).toBe(refreshed);
  });

  it('says so when every section comes from one mode', () => {
    const markdown = [
      '# Benchmarks',
      '',
      '## Machine',
      '',
      ...section('A', full),
      ...section('B', full),
    ].join('\n');
    expect(refreshModeSummary(markdown)).toContain('Every section below comes from the full mode.');
  });
});
