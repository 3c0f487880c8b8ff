import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContactView,
  compileFilter,
  requirements,
  type SegmentFilter,
  validateFilter,
} from '#shared/domain/segment-filter';
import { idRanges } from '#shared/store/segment-resolution';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CAMPAIGN = '01HZZZZZZZZZZZZZZZZZZZZZZA';
const OTHER_CAMPAIGN = '01HZZZZZZZZZZZZZZZZZZZZZZB';
const STAGE = '01HYYYYYYYYYYYYYYYYYYYYYYA';

const view = (
  contact: Record<string, unknown>,
  extra: Partial<Omit<ContactView, 'contact'>> = {},
): ContactView => ({
  contact: { tags: [], customFields: {}, ...contact },
  openedCampaigns: new Set(),
  clickedCampaigns: new Set(),
  dealStages: new Set(),
  ...extra,
});

const now = new Date('2030-06-15T12:00:00Z');
const matches = (filter: SegmentFilter, subject: ContactView) => compileFilter(filter, { now })(subject);
const one = (field: string, op: string, value?: unknown): SegmentFilter =>
  ({ all: [{ field, op, ...(value === undefined ? {} : { value }) }] }) as SegmentFilter;

describe('segment filter validation', () => {
  it('accepts a valid filter with nested groups', () => {
    expect(
      validateFilter({
        all: [
          { field: 'country', op: 'eq', value: 'ES' },
          {
            any: [
              { field: 'tags', op: 'contains', value: 'vip' },
              { field: 'company.size', op: 'gte', value: 50 },
            ],
          },
          { field: 'engagement.opened', op: 'in', value: [CAMPAIGN] },
          { field: 'lastActivityAt', op: 'withinDays', value: 30 },
          { field: 'customFields.plan', op: 'eq', value: 'gold' },
          { field: 'email', op: 'exists' },
        ],
      }),
    ).toEqual([]);
  });

  it('refuses a group with nothing in it, at any depth', () => {
    expect(validateFilter({})).toEqual([{ path: '', message: expect.stringContaining('all or any') }]);
    expect(validateFilter({ any: [] })).toEqual([{ path: 'any', message: expect.stringContaining('empty') }]);
    expect(validateFilter({ all: [] })).toEqual([{ path: 'all', message: expect.stringContaining('empty') }]);
    expect(
      validateFilter({ any: [{ field: 'country', op: 'eq', value: 'ES' }, { any: [] }, { all: [{}] }] }),
    ).toEqual([
      { path: 'any[1].any', message: expect.stringContaining('empty') },
      { path: 'any[2].all[0]', message: expect.stringContaining('condition') },
    ]);
  });

  it('checks date values against the calendar: no rolled-over days, hours or months', () => {
    const dates = [
      '2030-02-30T10:00:00Z',
      '2030-02-29',
      '2100-02-29T00:00:00Z',
      '2030-04-31',
      '2030-13-01',
      '2030-00-10',
      '2030-01-31T24:00:00Z',
      '2030-01-31T23:60:00Z',
      '2030-01-31T23:59:60Z',
      '2030-01-31T10:00:00+24:00',
    ];
    for (const value of dates) {
      expect(validateFilter({ all: [{ field: 'createdAt', op: 'lt', value }] }), value).toEqual([
        { path: 'all[0].value', message: expect.stringContaining('ISO 8601') },
      ]);
    }
    for (const value of ['2028-02-29', '2000-02-29T23:59:59.999+05:30', '2030-12-31T00:00Z']) {
      expect(validateFilter({ all: [{ field: 'createdAt', op: 'lt', value }] }), value).toEqual([]);
    }
  });

  it('lists every problem with its path, naming unknown fields and ops', () => {
    const errors = validateFilter({
      all: [
        { field: 'country', op: 'eq', value: 'ES' },
        { field: 'shoeSize', op: 'eq', value: 42 },
        { field: 'city', op: 'like', value: 'Ma' },
      ],
      any: [{ any: [{ field: 'createdAt', op: 'contains', value: '2020' }] }, 'nope'],
      none: [],
    });
    expect(errors).toEqual([
      { path: 'none', message: 'is not a known key of a group (use all or any)' },
      { path: 'all[1].field', message: 'unknown field "shoeSize"' },
      { path: 'all[2].op', message: 'unknown op "like"' },
      {
        path: 'any[0].any[0].op',
        message: expect.stringContaining('op "contains" does not apply to createdAt (date)'),
      },
      { path: 'any[1]', message: 'must be a condition {field, op, value} or a group {all, any}' },
    ]);
  });

  it('checks values per op: lists for in/nin, positive whole days, ISO dates, enums, ids', () => {
    const errors = validateFilter({
      all: [
        { field: 'country', op: 'in', value: 'ES' },
        { field: 'lastActivityAt', op: 'withinDays', value: 0 },
        { field: 'lastActivityAt', op: 'withinDays', value: 1.5 },
        { field: 'createdAt', op: 'gt', value: '31/01/2030' },
        { field: 'marketingStatus', op: 'eq', value: 'maybe' },
        { field: 'engagement.clicked', op: 'eq', value: 'not-an-id' },
        { field: 'tags', op: 'nin', value: ['ok', ''] },
        { field: 'email', op: 'exists', value: true },
        { field: 'company.size', op: 'gt', value: '10' },
        { field: 'email', op: 'eq' },
        { field: 'email', op: 'eq', value: 'a@b.c', extra: 1 },
      ],
    });
    expect(errors.map((error) => error.path)).toEqual([
      'all[0].value',
      'all[1].value',
      'all[2].value',
      'all[3].value',
      'all[4].value',
      'all[5].value',
      'all[6].value[1]',
      'all[7].value',
      'all[8].value',
      'all[9].value',
      'all[10].extra',
    ]);
    expect(errors[4]?.message).toContain('subscribed');
  });

  it('limits depth and size', () => {
    let deep: SegmentFilter = { all: [{ field: 'city', op: 'eq', value: 'x' }] };
    for (let level = 0; level < 5; level++) deep = { all: [deep] };
    expect(validateFilter(deep)).toEqual([
      { path: 'all[0].all[0].all[0].all[0].all[0]', message: expect.stringContaining('deeper') },
    ]);
    const wide = { any: Array.from({ length: 101 }, () => ({ field: 'city', op: 'eq', value: 'x' })) };
    expect(validateFilter(wide)).toEqual([{ path: '', message: expect.stringContaining('at most 100') }]);
    expect(validateFilter('all')).toEqual([{ path: '', message: 'must be an object {all?, any?}' }]);
  });
});

describe('segment filter evaluation', () => {
  it('compares text case- and accent-insensitively', () => {
    const angela = view({
      firstName: 'Ángela',
      lastName: 'Núñez',
      city: 'Málaga',
      email: 'angela@example.com',
    });
    expect(matches(one('firstName', 'eq', 'angela'), angela)).toBe(true);
    expect(matches(one('lastName', 'startsWith', 'NUN'), angela)).toBe(true);
    expect(matches(one('city', 'contains', 'alag'), angela)).toBe(true);
    expect(matches(one('city', 'in', ['Madrid', 'malaga']), angela)).toBe(true);
    expect(matches(one('city', 'nin', ['Madrid', 'malaga']), angela)).toBe(false);
    expect(matches(one('city', 'neq', 'Madrid'), angela)).toBe(true);
    expect(matches(one('title', 'neq', 'CEO'), angela)).toBe(true);
    expect(matches(one('title', 'eq', 'CEO'), angela)).toBe(false);
    expect(matches(one('title', 'exists'), angela)).toBe(false);
    expect(matches(one('title', 'notExists'), angela)).toBe(true);
  });

  it('compares ids exactly and enums by value', () => {
    const subject = view({ ownerId: 'User-1', marketingStatus: 'subscribed' });
    expect(matches(one('ownerId', 'eq', 'User-1'), subject)).toBe(true);
    expect(matches(one('ownerId', 'eq', 'user-1'), subject)).toBe(false);
    expect(matches(one('marketingStatus', 'in', ['subscribed', 'bounced']), subject)).toBe(true);
  });

  it('evaluates dates and withinDays against the given clock', () => {
    const subject = view({
      createdAt: '2030-01-10T08:00:00.000Z',
      lastActivityAt: '2030-06-01T00:00:00.000Z',
    });
    expect(matches(one('createdAt', 'gt', '2030-01-10'), subject)).toBe(true);
    expect(matches(one('createdAt', 'lt', '2030-01-10T08:00:00Z'), subject)).toBe(false);
    expect(matches(one('createdAt', 'lte', '2030-01-10T08:00:00Z'), subject)).toBe(true);
    expect(matches(one('createdAt', 'gte', '2030-01-11'), subject)).toBe(false);
    expect(matches(one('lastActivityAt', 'withinDays', 15), subject)).toBe(true);
    expect(matches(one('lastActivityAt', 'withinDays', 14), subject)).toBe(false);
    expect(matches(one('lastActivityAt', 'withinDays', 14), view({}))).toBe(false);
    expect(matches(one('updatedAt', 'exists'), view({}))).toBe(false);
  });

  it('treats tags as a set', () => {
    const subject = view({ tags: ['VIP', 'Newsletter'] });
    expect(matches(one('tags', 'contains', 'vip'), subject)).toBe(true);
    expect(matches(one('tags', 'eq', 'newsletter'), subject)).toBe(true);
    expect(matches(one('tags', 'neq', 'vip'), subject)).toBe(false);
    expect(matches(one('tags', 'in', ['x', 'vip']), subject)).toBe(true);
    expect(matches(one('tags', 'nin', ['x', 'y']), subject)).toBe(true);
    expect(matches(one('tags', 'exists'), subject)).toBe(true);
    expect(matches(one('tags', 'notExists'), view({ tags: [] }))).toBe(true);
  });

  it('reads custom fields of any scalar type, and list-valued ones', () => {
    const subject = view({ customFields: { plan: 'Gold', seats: 12, active: true, langs: ['es', 'en'] } });
    expect(matches(one('customFields.plan', 'eq', 'gold'), subject)).toBe(true);
    expect(matches(one('customFields.seats', 'gt', 10), subject)).toBe(true);
    expect(matches(one('customFields.seats', 'lt', 10), subject)).toBe(false);
    expect(matches(one('customFields.active', 'eq', true), subject)).toBe(true);
    expect(matches(one('customFields.langs', 'eq', 'en'), subject)).toBe(true);
    expect(matches(one('customFields.missing', 'notExists'), subject)).toBe(true);
    expect(matches(one('customFields.plan', 'startsWith', 'go'), subject)).toBe(true);
  });

  it('reads the company, engagement and deal stages from the view', () => {
    const subject = view(
      { companyId: 'C1' },
      {
        company: { name: 'Acmé Corp', size: 250, industry: 'Retail', tags: ['key'] },
        openedCampaigns: new Set([CAMPAIGN]),
        dealStages: new Set([STAGE]),
      },
    );
    expect(matches(one('company.name', 'startsWith', 'acme'), subject)).toBe(true);
    expect(matches(one('company.size', 'gte', 250), subject)).toBe(true);
    expect(matches(one('company.size', 'in', [10, 250]), subject)).toBe(true);
    expect(matches(one('company.tags', 'contains', 'KEY'), subject)).toBe(true);
    expect(matches(one('company.domain', 'notExists'), subject)).toBe(true);
    expect(matches(one('company.name', 'exists'), view({}))).toBe(false);
    expect(matches(one('engagement.opened', 'eq', CAMPAIGN), subject)).toBe(true);
    expect(matches(one('engagement.opened', 'neq', CAMPAIGN), subject)).toBe(false);
    expect(matches(one('engagement.clicked', 'in', [CAMPAIGN, OTHER_CAMPAIGN]), subject)).toBe(false);
    expect(matches(one('engagement.clicked', 'nin', [CAMPAIGN]), subject)).toBe(true);
    expect(matches(one('deals.stage', 'eq', STAGE), subject)).toBe(true);
  });

  it('combines all and any groups; an empty filter matches everyone', () => {
    const filter: SegmentFilter = {
      all: [{ field: 'country', op: 'eq', value: 'ES' }],
      any: [
        { field: 'tags', op: 'contains', value: 'vip' },
        {
          all: [
            { field: 'city', op: 'eq', value: 'Madrid' },
            { field: 'title', op: 'exists' },
          ],
        },
      ],
    };
    expect(matches(filter, view({ country: 'ES', tags: ['vip'] }))).toBe(true);
    expect(matches(filter, view({ country: 'ES', city: 'Madrid', title: 'CTO' }))).toBe(true);
    expect(matches(filter, view({ country: 'ES', city: 'Madrid' }))).toBe(false);
    expect(matches(filter, view({ country: 'FR', tags: ['vip'] }))).toBe(false);
    expect(matches({}, view({}))).toBe(true);
  });

  it('reads a stored empty group logically: an empty any matches no one and never widens an or', () => {
    const spain = { field: 'country', op: 'eq', value: 'ES' } as const;
    expect(matches({ any: [] }, view({ country: 'FR' }))).toBe(false);
    expect(matches({ any: [spain, { any: [] }] }, view({ country: 'FR' }))).toBe(false);
    expect(matches({ any: [spain, { any: [] }] }, view({ country: 'ES' }))).toBe(true);
    expect(matches({ all: [spain], any: [] }, view({ country: 'ES' }))).toBe(false);
  });

  it('says what resolution must read', () => {
    const needs = requirements({
      all: [
        { field: 'company.industry', op: 'eq', value: 'x' },
        { any: [{ field: 'engagement.opened', op: 'in', value: [CAMPAIGN, OTHER_CAMPAIGN] }] },
        { field: 'deals.stage', op: 'eq', value: STAGE },
      ],
    });
    expect(needs.company).toBe(true);
    expect([...needs.opened]).toEqual([CAMPAIGN, OTHER_CAMPAIGN]);
    expect([...needs.clicked]).toEqual([]);
    expect([...needs.dealStages]).toEqual([STAGE]);
    expect(requirements({ all: [{ field: 'city', op: 'eq', value: 'x' }] }).company).toBe(false);
  });
});

describe('segment id ranges', () => {
  const asNumber = (ulid: string) =>
    [...ulid].reduce((total, char) => total * 32n + BigInt(CROCKFORD.indexOf(char)), 0n);
  const ulidArb = fc
    .array(fc.constantFrom(...CROCKFORD), { minLength: 25, maxLength: 25 })
    .chain((rest) => fc.constantFrom(...'01234567').map((head) => head + rest.join('')));

  it('tile the span from the first to the last id exactly: no gap, no overlap', () => {
    fc.assert(
      fc.property(ulidArb, ulidArb, fc.integer({ min: 1, max: 32 }), (a, b, parts) => {
        const [first, last] = a <= b ? [a, b] : [b, a];
        const ranges = idRanges(first, last, parts);
        expect(ranges.length).toBeGreaterThanOrEqual(1);
        expect(ranges.length).toBeLessThanOrEqual(parts);
        expect(ranges[0]?.from).toBe(first);
        expect(ranges.at(-1)?.to).toBe(last);
        for (const [index, range] of ranges.entries()) {
          expect(range.from).toHaveLength(26);
          expect(range.to).toHaveLength(26);
          expect(asNumber(range.from) <= asNumber(range.to)).toBe(true);
          const next = ranges[index + 1];
          // The next range starts exactly one id after this one ends.
          if (next) expect(asNumber(next.from)).toBe(asNumber(range.to) + 1n);
        }
        const covered = ranges.reduce(
          (sum, range) => sum + asNumber(range.to) - asNumber(range.from) + 1n,
          0n,
        );
        expect(covered).toBe(asNumber(last) - asNumber(first) + 1n);
      }),
      { seed: 20261129, numRuns: 500 },
    );
    const first = '01HAAAAAAAAAAAAAAAAAAAAAAA';
    expect(idRanges(first, first, 8)).toEqual([{ from: first, to: first }]);
  });
});
