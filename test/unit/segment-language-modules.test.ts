import { describe, expect, it } from 'vitest';
import { countryCode, namesOfCode } from '#shared/domain/segment-language/countries';
import {
  calendarSpan,
  monthSpan,
  unitsAgo,
  windowDays,
  yearSpan,
} from '#shared/domain/segment-language/dates';
import { describe as describeNode } from '#shared/domain/segment-language/explain';
import { detectLanguage } from '#shared/domain/segment-language/interpret';
import { lexicon } from '#shared/domain/segment-language/lexicon';
import { MAX_TOKENS, tokenise } from '#shared/domain/segment-language/tokens';
import {
  correctWord,
  indexVocabulary,
  tolerance,
  typoDistance,
} from '#shared/domain/segment-language/values';
import { emptyVocabulary } from '#shared/domain/segment-language/vocabulary';

const now = new Date('2026-06-15T12:00:00Z');

describe('tokenise', () => {
  it('reads words, numbers, ISO dates, quoted phrases and symbols', () => {
    const { tokens } = tokenise(
      'Clientes de São Paulo, 1.000 empleados desde 2026-01-31 "Head of Sales" {x}',
    );
    expect(tokens.map((token) => [token.kind, token.text])).toEqual([
      ['word', 'Clientes'],
      ['word', 'de'],
      ['word', 'São'],
      ['word', 'Paulo'],
      ['symbol', ','],
      ['number', '1.000'],
      ['word', 'empleados'],
      ['word', 'desde'],
      ['date', '2026-01-31'],
      ['phrase', 'Head of Sales'],
      ['symbol', '{'],
      ['word', 'x'],
      ['symbol', '}'],
    ]);
    expect(tokens[5]?.value).toBe(1000);
    expect(tokens[2]?.norm).toBe('sao');
  });

  it('keeps inner hyphens and apostrophes, splits possessives, non- and -tagged', () => {
    const texts = (text: string) => tokenise(text).tokens.map((token) => token.text);
    expect(texts("evento-2026 didn't")).toEqual(['evento-2026', "didn't"]);
    expect(texts("John's contacts")).toEqual(['John', "'s", 'contacts']);
    expect(texts('non-customers')).toEqual(['non', 'customers']);
    expect(texts('vip-tagged')).toEqual(['tagged', 'vip']);
  });

  it('reads dotted abbreviations of capitals as one word', () => {
    const read = (text: string) => tokenise(text).tokens.map((token) => [token.kind, token.text, token.norm]);
    expect(read('de EE.UU. y')).toEqual([
      ['word', 'de', 'de'],
      ['word', 'EE.UU.', 'eeuu'],
      ['word', 'y', 'y'],
    ]);
    expect(read('EE. UU.')).toEqual([['word', 'EE. UU.', 'eeuu']]);
    expect(read('the U.K.')).toEqual([
      ['word', 'the', 'the'],
      ['word', 'U.K.', 'uk'],
    ]);
    // A sentence's full stop after a word is still a symbol.
    expect(read('Madrid.').map(([kind]) => kind)).toEqual(['word', 'symbol']);
  });

  it('stops at MAX_TOKENS and returns the rest', () => {
    const result = tokenise('a '.repeat(MAX_TOKENS + 5));
    expect(result.tokens).toHaveLength(MAX_TOKENS);
    expect(result.rest).toBe('a a a a a');
  });
});

describe('typos', () => {
  it('tolerates by length: ≤ 3 exact, 4–7 one edit, ≥ 8 two', () => {
    expect([tolerance('vip'), tolerance('madrid'), tolerance('barcelona')]).toEqual([0, 1, 2]);
    expect(typoDistance('madird', 'madrid', 1)).toBe(1);
    expect(typoDistance('madxid', 'madrid', 1)).toBe(1);
    expect(typoDistance('mxdxid', 'madrid', 1)).toBeGreaterThan(1);
  });

  it('corrects towards the unique closest known word, never short words or numbers', () => {
    const known = ['clientes', 'cliente', 'clients', 'madrid', 'vip'];
    expect(correctWord('clientse', known)).toBe('clientes');
    expect(correctWord('madird', known)).toBe('madrid');
    expect(correctWord('vup', known)).toBeUndefined();
    expect(correctWord('2025', ['2026'])).toBeUndefined();
    expect(correctWord('abcd', ['abce', 'abcf'])).toBeUndefined();
  });
});

describe('countries (Intl.DisplayNames, CLDR)', () => {
  it('maps names in English and Spanish and codes to ISO 3166 codes', () => {
    expect(countryCode('España')).toBe('ES');
    expect(countryCode('Spain')).toBe('ES');
    expect(countryCode('ES')).toBe('ES');
    expect(countryCode('Alemania')).toBe('DE');
    expect(countryCode('USA')).toBe('US');
    expect(countryCode('Narnia')).toBeUndefined();
    // A stored two-letter code is that code; the short forms UK and RU (Reino Unido) are Great Britain.
    expect(countryCode('RU')).toBe('RU');
    expect(countryCode('ru')).toBe('GB');
    expect(countryCode('UK')).toBe('GB');
    expect(namesOfCode('PT')).toEqual(expect.arrayContaining(['portugal']));
  });

  it('collapses a tenant’s several forms of one country', () => {
    const index = indexVocabulary({ ...emptyVocabulary(), countries: ['Spain', 'ES', 'Narnia'] });
    expect(index.countryForms.get('ES')).toEqual(['ES', 'Spain']);
    expect(index.byForm.get('espana')).toHaveLength(1);
    expect(index.byForm.get('narnia')?.[0]?.value).toBe('Narnia');
  });
});

describe('vocabulary index', () => {
  it('indexes owners by full, first and last name and hyphenated values also with spaces', () => {
    const index = indexVocabulary({
      ...emptyVocabulary(),
      owners: [
        { id: 'u1', name: 'Ana García' },
        { id: 'u2', name: 'Ana Torres' },
      ],
      tags: ['early-adopter'],
    });
    expect(index.byForm.get('ana')?.map((ref) => ref.id)).toEqual(['u1', 'u2']);
    expect(index.byForm.get('garcia')?.map((ref) => ref.id)).toEqual(['u1']);
    expect(index.byForm.get('early adopter')?.[0]?.value).toBe('early-adopter');
  });

  it('orders started campaigns latest first and leaves drafts out', () => {
    const index = indexVocabulary({
      ...emptyVocabulary(),
      campaigns: [
        { id: 'a', name: 'A', startedAt: '2026-01-01T00:00:00Z' },
        { id: 'b', name: 'B' },
        { id: 'c', name: 'C', startedAt: '2026-03-01T00:00:00Z' },
      ],
    });
    expect(index.startedCampaigns.map((campaign) => campaign.id)).toEqual(['c', 'a']);
  });
});

describe('dates (UTC, from 2026-06-15, a Monday)', () => {
  it('counts calendar months back with clamping, days and weeks exactly', () => {
    expect(unitsAgo(now, 3, 'month')).toBe('2026-03-15');
    expect(unitsAgo(new Date('2026-05-31T10:00:00Z'), 3, 'month')).toBe('2026-02-28');
    expect(unitsAgo(now, 2, 'week')).toBe('2026-06-01');
    expect(unitsAgo(now, 1, 'year')).toBe('2025-06-15');
    expect(windowDays(2, 'month')).toBe(60);
  });

  it('gives calendar spans: ISO weeks from Monday, calendar quarters', () => {
    expect(calendarSpan(now, 'week', 'this')).toEqual({ kind: 'range', gte: '2026-06-15' });
    expect(calendarSpan(new Date('2026-06-14T23:00:00Z'), 'week', 'previous')).toEqual({
      kind: 'range',
      gte: '2026-06-01',
      lt: '2026-06-08',
    });
    expect(calendarSpan(now, 'quarter', 'previous')).toEqual({
      kind: 'range',
      gte: '2026-01-01',
      lt: '2026-04-01',
    });
    expect(calendarSpan(new Date('2026-02-10T00:00:00Z'), 'quarter', 'previous')).toEqual({
      kind: 'range',
      gte: '2025-10-01',
      lt: '2026-01-01',
    });
    expect(yearSpan(2025)).toEqual({ kind: 'range', gte: '2025-01-01', lt: '2026-01-01' });
  });

  it('reads a month without a year as the latest one that has begun', () => {
    expect(monthSpan(now, 6)).toEqual({ kind: 'range', gte: '2026-06-01', lt: '2026-07-01' });
    expect(monthSpan(now, 7)).toEqual({ kind: 'range', gte: '2025-07-01', lt: '2025-08-01' });
    expect(monthSpan(now, 12, 2026)).toEqual({ kind: 'range', gte: '2026-12-01', lt: '2027-01-01' });
  });
});

describe('lexicon and explanations', () => {
  it('detects the language from one-language keywords, ties Spanish', () => {
    expect(detectLanguage(['customers', 'in', 'madrid'])).toBe('en');
    expect(detectLanguage(['clientes', 'de', 'madrid'])).toBe('es');
    expect(detectLanguage(['madrid'])).toBe('es');
    expect(lexicon.phrases.get('ultimos')?.has('date:lastN')).toBe(true);
  });

  it('describes conditions in either language, ids by their names', () => {
    const names = new Map([['c1', 'Webinar IA']]);
    expect(describeNode({ field: 'city', op: 'eq', value: 'Madrid' }, 'es', names)).toBe('ciudad es Madrid');
    expect(describeNode({ field: 'engagement.opened', op: 'neq', value: 'c1' }, 'en', names)).toBe(
      'did not open «Webinar IA»',
    );
    expect(describeNode({ field: 'createdAt', op: 'withinDays', value: 30 }, 'en', names)).toBe(
      'created in the last 30 days',
    );
  });
});
