import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freeTiers, lambdaTraceSampling, PRICE_TABLE_DATE, prices } from '../../cost/prices.ts';
import {
  applyOverrides,
  defaultApiMix,
  flagFields,
  parseProfile,
  WORKING_DAYS_PER_MONTH,
} from '../../cost/profile.ts';

const minimal = { seats: 20, records: { contact: 100_000 }, apiCallsPerMonth: 300_000 };
const errorsOf = (input: unknown): readonly string[] => {
  const parsed = parseProfile(input);
  return 'errors' in parsed ? parsed.errors : [];
};

describe('a workload profile', () => {
  it('takes the minimal profile with documented defaults', () => {
    const parsed = parseProfile(minimal);
    if (!('profile' in parsed)) throw new Error(parsed.errors.join());
    expect(parsed.profile).toMatchObject({
      seats: 20,
      apiCallsPerMonth: 300_000,
      apiMix: defaultApiMix,
      retentionMonths: 12,
      emailsPerMonth: 0,
      openRate: 0.25,
      clickRate: 0.03,
      sesEventsPerEmail: 2,
      tracing: 'disabled',
    });
    expect(Object.values(defaultApiMix).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('turns calls per seat per working day into calls a month', () => {
    const parsed = parseProfile({ seats: 20, records: {}, apiCallsPerSeatPerDay: 100 });
    expect('profile' in parsed && parsed.profile.apiCallsPerMonth).toBe(20 * 100 * WORKING_DAYS_PER_MONTH);
  });

  it('names every problem at once', () => {
    expect(
      errorsOf({
        seats: -1,
        records: { contact: 'many' },
        apiCallsPerMonth: 1,
        apiCallsPerSeatPerDay: 1,
        openRate: 1.5,
        clickRate: 2,
        emails: 3,
      }),
    ).toEqual(
      expect.arrayContaining([
        'emails: unknown field',
        'seats: must be a number ≥ 0',
        'records.contact: must be a number ≥ 0',
        'apiCallsPerMonth, apiCallsPerSeatPerDay: give one of them, not both',
        'openRate: must be between 0 and 1',
      ]),
    );
    expect(errorsOf({})).toEqual(
      expect.arrayContaining([
        'seats: required',
        'records: required (record kind → count)',
        'apiCallsPerMonth: required (or apiCallsPerSeatPerDay)',
      ]),
    );
    expect(errorsOf([])).toEqual(['profile: must be a JSON object']);
    expect(errorsOf({ ...minimal, seats: 2.5 })).toEqual(['seats: must be a whole number']);
    expect(errorsOf({ ...minimal, tracing: true })).toEqual([
      'tracing: must be "active" or "disabled" (as deployed with -c tracing=…)',
    ]);
    expect(errorsOf({ ...minimal, openRate: 0.01, clickRate: 0.02 })).toEqual([
      'clickRate: cannot exceed openRate',
    ]);
  });

  it('wants a whole mix that adds up to 1', () => {
    expect(errorsOf({ ...minimal, apiMix: { reads: 1 } })).toContain(
      'apiMix.lists: required when apiMix is given (0 for none)',
    );
    expect(
      errorsOf({
        ...minimal,
        apiMix: { reads: 0.5, lists: 0.5, searches: 0.5, creates: 0, updates: 0, deletes: 0 },
      }),
    ).toEqual(['apiMix: shares add up to 1.5, not 1']);
    expect(errorsOf({ ...minimal, apiMix: { ...defaultApiMix, views: 0 } })).toContain(
      'apiMix.views: unknown category (reads, lists, searches, creates, updates, deletes)',
    );
  });

  it('applies flags over the profile, one API volume replacing the other', () => {
    const out = applyOverrides({ ...minimal, apiCallsPerSeatPerDay: undefined }, [
      { path: 'records.deal', value: 5 },
      { path: 'apiCallsPerSeatPerDay', value: 50 },
    ]);
    expect(out).toMatchObject({ records: { contact: 100_000, deal: 5 }, apiCallsPerSeatPerDay: 50 });
    expect(out).not.toHaveProperty('apiCallsPerMonth');
    const traced = parseProfile(
      applyOverrides(minimal, [{ path: flagFields['--tracing'] ?? '', value: 'active' }]),
    );
    expect('profile' in traced && traced.profile.tracing).toBe('active');
  });

  it('exits 2 with the errors for a bad profile or flag, before reading any counts', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, '../../cost/cli.ts'), ...args],
        {
          cwd: join(import.meta.dirname, '../..'),
        },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    const badSeats = await run('--seats', 'many', '--counts', '/nonexistent.json');
    expect(badSeats).toEqual({ code: 2, stderr: expect.stringContaining('seats: must be a number ≥ 0') });
    const badFlag = await run('--color', 'red');
    expect(badFlag).toEqual({ code: 2, stderr: expect.stringContaining('--color: unknown flag') });
  });
});

describe('the price table', () => {
  it('gives every price and free tier a source page, the copy read, a quote and a date', () => {
    expect(PRICE_TABLE_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [id, price] of Object.entries(prices)) {
      expect(price.source.page, id).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(price.source.seenAt, id).toMatch(/^https?:\/\//);
      expect(price.source.quote.length, id).toBeGreaterThan(20);
      expect(price.source.copyDate, id).toMatch(/\d{4}/);
      expect(price.usd, id).toBeGreaterThanOrEqual(0);
      expect(price.per, id).toBeGreaterThan(0);
    }
    for (const tier of freeTiers) {
      expect(prices[tier.price], tier.price).toBeDefined();
      expect(tier.source.quote.length).toBeGreaterThan(20);
      expect(tier.source.copyDate).toMatch(/\d{4}/);
    }
    // The sampling rule the X-Ray line rests on, from Lambda's own documentation.
    expect(lambdaTraceSampling.source.page).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/lambda\//);
    expect(lambdaTraceSampling.source.quote).toContain(
      '1 request per second and 5 percent of additional requests',
    );
  });
});
