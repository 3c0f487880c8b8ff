import { describe, expect, it } from 'vitest';
import { aggregateDeltas, contributionsOf } from '#shared/domain/reports/aggregate';
import { reportAggregates } from '#shared/domain/reports/index';
import {
  MAX_VOCABULARY_VALUE_CHARS,
  parseVocabularyKey,
  VOCABULARY_REPORT,
  vocabularyAggregate,
  vocabularyKey,
} from '#shared/domain/reports/vocabulary';
import { MAX_ITEMS_PER_EVENT, splitEvent } from '#shared/store/report-aggregates';
import { campaignsOf, ownersOf, stagesOf, vocabularyLists } from '#shared/store/segment-vocabulary';

const contact = (fields: Record<string, unknown>) => ({
  tenantId: 't1',
  entity: 'contact',
  id: 'C1',
  archived: false,
  ...fields,
});
const company = (fields: Record<string, unknown>) => ({
  tenantId: 't1',
  entity: 'company',
  id: 'K1',
  archived: false,
  ...fields,
});
const vocabularyOf = (image: Record<string, unknown> | undefined) =>
  contributionsOf(image, [vocabularyAggregate]).map(({ key, counters }) => [key, counters.records]);

describe('the vocabulary aggregate', () => {
  it('is one of the report aggregates, so the stream keeps it and the rebuild recomputes it', () => {
    expect(reportAggregates).toContain(vocabularyAggregate);
  });

  it("counts a contact's city, country and each tag, and a company's city, country (kinds of their own) and industry", () => {
    expect(
      vocabularyOf(contact({ city: 'São Paulo', country: 'BR', tags: ['vip', 'VIP', 'Renewal due'] })).sort(),
    ).toEqual(
      [
        ['city#sao paulo#São Paulo', 1],
        ['country#br#BR', 1],
        ['tag#renewal due#Renewal due', 1],
        ['tag#vip#VIP', 1],
        ['tag#vip#vip', 1],
      ].sort(),
    );
    expect(
      vocabularyOf(company({ city: 'Madrid', country: 'Spain', industry: 'Hostelería', tags: ['x'] })).sort(),
    ).toEqual(
      [
        ['companyCity#madrid#Madrid', 1],
        ['companyCountry#spain#Spain', 1],
        ['industry#hosteleria#Hostelería', 1],
      ].sort(),
    );
  });

  it('counts nothing for archived records, other entities, blanks and values too long to name', () => {
    expect(vocabularyOf(contact({ city: 'Madrid', archived: true }))).toEqual([]);
    expect(vocabularyOf({ tenantId: 't1', entity: 'lead', country: 'ES' })).toEqual([]);
    expect(vocabularyOf(contact({ city: '   ', tags: ['', 7, null] }))).toEqual([]);
    expect(vocabularyOf(contact({ city: 'x'.repeat(MAX_VOCABULARY_VALUE_CHARS + 1) }))).toEqual([]);
    expect(vocabularyOf(contact({ city: 'x'.repeat(MAX_VOCABULARY_VALUE_CHARS) }))).toHaveLength(1);
  });

  it('moves the count when a value changes, and takes it away when the record goes', () => {
    const before = contact({ city: 'Madrid', tags: ['vip'] });
    const after = contact({ city: 'Sevilla', tags: ['vip'] });
    expect(aggregateDeltas(before, after, [vocabularyAggregate])).toEqual(
      expect.arrayContaining([
        { report: VOCABULARY_REPORT, key: 'city#madrid#Madrid', counters: { records: -1 } },
        { report: VOCABULARY_REPORT, key: 'city#sevilla#Sevilla', counters: { records: 1 } },
      ]),
    );
    expect(aggregateDeltas(before, after, [vocabularyAggregate])).toHaveLength(2);
    expect(aggregateDeltas(after, undefined, [vocabularyAggregate])).toHaveLength(2);
    expect(aggregateDeltas(after, { ...after, archived: true }, [vocabularyAggregate])).toEqual([
      { report: VOCABULARY_REPORT, key: 'city#sevilla#Sevilla', counters: { records: -1 } },
      { report: VOCABULARY_REPORT, key: 'tag#vip#vip', counters: { records: -1 } },
    ]);
  });

  it('escapes # and % so every key reads back as it was written', () => {
    for (const form of ['#1 client', '100% sure', 'a%23b', 'Zürich']) {
      const key = vocabularyKey('tag', form);
      expect(key?.split('#')).toHaveLength(3);
      expect(parseVocabularyKey(key as string)).toEqual({
        kind: 'tag',
        searchable: expect.any(String),
        form,
      });
    }
    expect(parseVocabularyKey('planet#mars#Mars')).toBeUndefined();
    expect(parseVocabularyKey('city#madrid')).toBeUndefined();
  });
});

describe('the vocabulary read from the aggregate (store mapping)', () => {
  const items = (entries: [string, number][]) => new Map(entries.map(([key, records]) => [key, { records }]));

  it('lists each value with a positive count once, in the form most records hold, sorted', () => {
    const lists = vocabularyLists(
      items([
        ['city#madrid#Madrid', 3],
        ['city#madrid#madrid', 1],
        ['city#sao paulo#São Paulo', 1],
        ['city#barcelona#Barcelona', 0],
        ['country#es#ES', 2],
        ['country#spain#Spain', 1],
        ['tag#vip#VIP', 1],
        ['tag#vip#vip', 1],
        ['industry#hosteleria#Hostelería', 4],
        ['companyCity#lyon#Lyon', 1],
        ['companyCity#madrid#Madrid', 2],
        ['companyCountry#fr#FR', 1],
        ['nonsense', 5],
      ]),
    );
    expect(lists).toEqual({
      cities: ['Madrid', 'São Paulo'],
      countries: ['ES', 'Spain'],
      // A tie goes to the form first in code-point order.
      tags: ['VIP'],
      industries: ['Hostelería'],
      // Companies' places apart from contacts'.
      companyCities: ['Lyon', 'Madrid'],
      companyCountries: ['FR'],
    });
  });

  it('drops a value nobody holds any more, even where drift left a form with a positive count', () => {
    expect(
      vocabularyLists(
        items([
          ['city#madrid#Madrid', 1],
          ['city#madrid#MADRID', -1],
          ['city#lima#Lima', 0],
        ]),
      ).cities,
    ).toEqual([]);
  });

  it('takes stages from every pipeline, campaigns with their start, owners by name', () => {
    const base = { createdAt: '', updatedAt: '', version: 1, ownerId: 'u', archived: false };
    expect(
      stagesOf([
        {
          ...base,
          id: 'P1',
          name: 'Sales',
          stages: [{ id: 'S1', name: 'Negotiation', probability: 60, kind: 'open' }],
        },
        {
          ...base,
          id: 'P2',
          name: 'Renewals',
          stages: [{ id: 'S2', name: 'Negotiation', probability: 50, kind: 'open' }],
        },
      ] as never),
    ).toEqual([
      { id: 'S1', name: 'Negotiation', pipeline: 'Sales' },
      { id: 'S2', name: 'Negotiation', pipeline: 'Renewals' },
    ]);
    expect(
      campaignsOf([
        { ...base, id: 'C1', name: 'Spring', startedAt: '2026-03-01T10:00:00.000Z' },
        { ...base, id: 'C2', name: 'Draft' },
      ] as never),
    ).toEqual([
      { id: 'C1', name: 'Spring', startedAt: '2026-03-01T10:00:00.000Z' },
      { id: 'C2', name: 'Draft' },
    ]);
    expect(
      ownersOf(
        [
          { ...base, id: 'U1', name: 'Ana García', email: 'a@x.test', role: 'rep', active: true },
          { ...base, id: 'U2', name: '', email: 'b@x.test', role: 'rep', active: true },
          {
            ...base,
            id: 'U3',
            name: 'Ana García',
            email: 'c@x.test',
            teamId: 'T1',
            role: 'rep',
            active: true,
          },
        ] as never,
        [{ ...base, id: 'T1', name: 'North' }] as never,
      ),
    ).toEqual([
      // Email and team tell apart owners of one name.
      { id: 'U1', name: 'Ana García', email: 'a@x.test' },
      { id: 'U3', name: 'Ana García', email: 'c@x.test', team: 'North' },
    ]);
  });
});

describe('an event moving more items than a transaction holds', () => {
  const tagsOf = (prefix: string) => Array.from({ length: 50 }, (_, n) => `${prefix}${n}`);

  it('is applied in parts small enough for one transaction each, the same parts on a replay', () => {
    const contributions = aggregateDeltas(
      contact({ city: 'Madrid', tags: tagsOf('a') }),
      contact({ city: 'Sevilla', tags: tagsOf('b') }),
      reportAggregates,
    );
    expect(contributions.length).toBeGreaterThan(MAX_ITEMS_PER_EVENT);
    const parts = splitEvent({ eventId: 'e1', contributions });
    expect(parts.map((part) => part.eventId)).toEqual(['e1#1', 'e1#2']);
    for (const part of parts) expect(part.contributions.length).toBeLessThanOrEqual(MAX_ITEMS_PER_EVENT);
    expect(parts.flatMap((part) => part.contributions)).toEqual(contributions);
    expect(splitEvent({ eventId: 'e1', contributions })).toEqual(parts);
  });

  it('is left whole when it fits', () => {
    const event = {
      eventId: 'e2',
      contributions: contributionsOf(contact({ tags: tagsOf('a') }), reportAggregates),
    };
    expect(splitEvent(event)).toEqual([event]);
  });
});
