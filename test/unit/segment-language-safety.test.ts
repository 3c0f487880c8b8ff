import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Condition, type SegmentFilter, validateFilter } from '#shared/domain/segment-filter';
import { interpretSegment, normaliseText } from '#shared/domain/segment-language/interpret';
import { lexicon } from '#shared/domain/segment-language/lexicon';
import type { SegmentVocabulary } from '#shared/domain/segment-language/vocabulary';

/**
 * Readings that must never be wrong while looking complete: unknown words one
 * edit away from a function word, "or" next to an unknown operand or an
 * audience noun, decomposed accents and invisible characters, repeated words.
 */

const vocabulary: SegmentVocabulary = JSON.parse(
  readFileSync(new URL('../eval/segment-vocabulary.json', import.meta.url), 'utf8'),
);
const now = new Date('2026-06-15T12:00:00Z');

const read = (text: string, vocab: SegmentVocabulary = vocabulary, lang?: 'es' | 'en') => {
  const result = interpretSegment(text, vocab, { now, ...(lang ? { lang } : {}) });
  if (result.filter) expect(validateFilter(result.filter)).toEqual([]);
  return result;
};

const c = (field: string, op: Condition['op'], value?: unknown): Condition =>
  value === undefined ? { field, op } : { field, op, value };
const customer = c('lifecycleStage', 'eq', 'customer');

const isComplete = (result: { filter: SegmentFilter | null; unmatched: readonly string[] }) =>
  result.filter !== null && result.unmatched.length === 0;

describe('typos are corrected into content words only', () => {
  it.each([
    ['customers in Bern', 'Bern'],
    ['customers in Oslo', 'Oslo'],
    ['customers in Peru', 'Peru'],
    ['clientes de Perú', 'Perú'],
    ['clientes en Lisa', 'Lisa'],
    ['contacts owned by Lisa', 'Lisa'],
    ['customers from Bonn', 'Bonn'],
  ])('%s: the unknown name is unmatched, never read as a filler', (text, word) => {
    const result = read(text);
    expect(isComplete(result)).toBe(false);
    expect(result.unmatched.join(' ')).toContain(word);
  });

  it('never offers a function word as a correction target', () => {
    for (const word of ['been', 'solo', 'pero', 'lista', 'list', 'the', 'with', 'from', 'and', 'que'])
      expect(lexicon.functionWords.has(word), word).toBe(true);
    for (const word of ['customers', 'clientes', 'tagged', 'leads', 'opened'])
      expect(lexicon.functionWords.has(word), word).toBe(false);
  });

  it('still corrects content keywords and vocabulary values', () => {
    expect(read('custmers in Madird').filter).toEqual({ all: [customer, c('city', 'eq', 'Madrid')] });
    expect(read('clientse de Sevila').unmatched).toEqual([]);
  });

  it('does not correct a word of four letters or fewer into a keyword', () => {
    // "Reed" is one edit from "read" (opened), "Mali" from "mail" (email).
    for (const text of ['customers in Reed', 'customers in Mali']) {
      const result = read(text);
      expect(result.filter, text).toEqual({ all: [customer] });
      expect(result.unmatched.length, text).toBe(1);
    }
  });

  it('after a place cue, an audience noun or a typo of one is an unknown place', () => {
    const leeds = read('leads in Leeds');
    expect(leeds.filter).toEqual({ all: [c('lifecycleStage', 'eq', 'lead')] });
    expect(leeds.unmatched).toEqual(['Leeds']);
    expect(leeds.lang).toBe('en');
    const leads = read('contacts in Leads');
    expect(leads.filter).toBeNull();
    expect(leads.unmatched[0]).toBe('Leads');
    expect(read('contactos de Leeds').unmatched[0]).toBe('Leeds');
    // A place the tenant has is read, typo or not.
    const withLeeds = { ...vocabulary, cities: [...vocabulary.cities, 'Leeds'] };
    expect(read('leads in Leeds', withLeeds).filter).toEqual({
      all: [c('lifecycleStage', 'eq', 'lead'), c('city', 'eq', 'Leeds')],
    });
    expect(read('leads in Leds', withLeeds).filter).toEqual({
      all: [c('lifecycleStage', 'eq', 'lead'), c('city', 'eq', 'Leeds')],
    });
    // Genitive "de" before a company noun is not a place cue.
    expect(read('oportunidades de empresas de Alemania').unmatched).toEqual([]);
  });

  it('detects English when English words outweigh an ambiguous "leads"', () => {
    expect(read('leads in Italy').lang).toBe('en');
    expect(read('leads de Madrid').lang).toBe('es');
  });
});

describe('"or" joins only operands of the same kind', () => {
  const paris = { ...vocabulary, cities: [...vocabulary.cities, 'Paris'] };

  it('an unknown operand stays unmatched and never turns the audience into an operand', () => {
    const bern = read('customers in Bern or Paris', paris);
    expect(bern.filter).toEqual({ all: [customer, c('city', 'eq', 'Paris')] });
    expect(bern.unmatched).toEqual(['Bern']);
    const noPortugal = { ...vocabulary, countries: ['Spain'] };
    const portugal = read('customers in Portugal or Spain', noPortugal);
    expect(portugal.filter).toEqual({ all: [customer, c('country', 'eq', 'Spain')] });
    expect(portugal.unmatched).toEqual(['Portugal']);
    const noNewsletter = { ...vocabulary, tags: ['vip'] };
    for (const text of ['customers tagged vip or newsletter', 'customers tagged newsletter or vip']) {
      const tagged = read(text, noNewsletter);
      expect(tagged.filter, text).toEqual({ all: [customer, c('tags', 'eq', 'vip')] });
      expect(tagged.unmatched.join(' '), text).toContain('newsletter');
    }
    const named = read('customers in Madrid or Nueva York vip');
    expect(named.filter).toEqual({ all: [customer, c('city', 'eq', 'Madrid'), c('tags', 'eq', 'vip')] });
    expect(named.unmatched.join(' ')).toContain('Nueva York');
    const after = read('customers in Madrid or Bern leads');
    expect(isComplete(after)).toBe(false);
    expect(JSON.stringify(after.filter)).not.toContain('any');
  });

  it('an audience noun joins only another audience noun; otherwise the "or" is reported', () => {
    expect(read('customers or leads in Madrid').filter).toEqual({
      all: [c('lifecycleStage', 'in', ['customer', 'lead']), c('city', 'eq', 'Madrid')],
    });
    for (const text of ['customers or Paris', 'vip or customers', 'clientes o de Madrid']) {
      const result = read(text, paris);
      expect(JSON.stringify(result.filter), text).not.toContain('any');
      expect(result.unmatched, text).toContain(text.includes(' o ') ? 'o' : 'or');
    }
  });

  it('keeps the contract readings: values of one field, different concepts, parallel clauses', () => {
    expect(read('customers tagged vip or newsletter').filter).toEqual({
      all: [customer, c('tags', 'in', ['newsletter', 'vip'])],
    });
    expect(read('contactos vip o de Madrid').filter).toEqual({
      all: [{ any: [c('tags', 'eq', 'vip'), c('city', 'eq', 'Madrid')] }],
    });
    expect(read('customers in Madrid or leads').filter).toEqual({
      all: [{ any: [{ all: [customer, c('city', 'eq', 'Madrid')] }, c('lifecycleStage', 'eq', 'lead')] }],
    });
  });
});

describe('text normalisation', () => {
  it('reads decomposed accents as their letters and drops invisible characters', () => {
    const spain = c('country', 'in', ['ES', 'Spain']);
    expect(read('clientes de Espan\u0303a').filter).toEqual({ all: [customer, spain] });
    expect(read('clientes de Espa\u200bña').filter).toEqual({ all: [customer, spain] });
    expect(read('\ufeffclientes de\u00ad Ma\u200ddrid').filter).toEqual({
      all: [customer, c('city', 'eq', 'Madrid')],
    });
    expect(normaliseText('Espan\u0303a')).toBe('España');
  });

  it('never reports an entry made only of marks or invisible characters', () => {
    for (const text of [
      'clientes \u0303',
      'clientes \u200b\u200c',
      'clientes \u0301\u0302 de Madrid',
      '\u0303',
    ]) {
      for (const entry of read(text).unmatched)
        expect(entry.replace(/[\p{M}\p{Default_Ignorable_Code_Point}\s]/gu, ''), text).not.toBe('');
    }
  });
});

describe('repeated words', () => {
  it('gives one condition per meaning', () => {
    expect(read('customers in spain spain spain').filter).toEqual({
      all: [customer, c('country', 'in', ['ES', 'Spain'])],
    });
    expect(read('customers customers').filter).toEqual({ all: [customer] });
    expect(read('clientes vip con la etiqueta vip').filter).toEqual({
      all: [customer, c('tags', 'eq', 'vip')],
    });
    const long = read(`customers in spain ${'spain '.repeat(90)}`);
    expect(long.filter).toEqual({ all: [customer, c('country', 'in', ['ES', 'Spain'])] });
    expect(long.explanation).toHaveLength(2);
  });

  it('reads the tag word after its value', () => {
    expect(read('contacts without the newsletter tag').filter).toEqual({
      all: [c('tags', 'neq', 'newsletter')],
    });
    expect(read('contacts without the newsletter tag').unmatched).toEqual([]);
    expect(read('contactos sin la vip etiqueta').unmatched).toEqual([]);
  });
});

describe("companies' places", () => {
  const tenant: SegmentVocabulary = {
    ...vocabulary,
    cities: ['Madrid'],
    countries: ['Spain'],
    companyCities: ['Lyon', 'madrid'],
    companyCountries: ['FR', 'ES'],
  };

  it('a place contacts hold is the contact’s; one only companies hold is the company’s, said so', () => {
    expect(read('customers in Madrid', tenant).filter).toEqual({
      all: [customer, c('city', 'eq', 'Madrid')],
    });
    const lyon = read('customers in Lyon', tenant);
    expect(lyon.filter).toEqual({ all: [customer, c('company.city', 'eq', 'Lyon')] });
    expect(lyon.unmatched).toEqual([]);
    expect(lyon.explanation.join(' ')).toMatch(/company's/);
    const france = read('clientes de Francia', tenant);
    expect(france.filter).toEqual({ all: [customer, c('company.country', 'eq', 'FR')] });
    expect(france.explanation.join(' ')).toMatch(/de la empresa/);
    expect(read('customers in FR', tenant).filter).toEqual({
      all: [customer, c('company.country', 'eq', 'FR')],
    });
    expect(read('clientes de Lyon o Madrid', tenant).filter).toEqual({
      all: [customer, { any: [c('city', 'eq', 'Madrid'), c('company.city', 'eq', 'Lyon')] }],
    });
    expect(read('customers not in Lyon', tenant).filter).toEqual({
      all: [customer, c('company.city', 'neq', 'Lyon')],
    });
  });

  it('after a company noun every place is the company’s, in the companies’ stored forms', () => {
    expect(read('empresas de Madrid', tenant).filter).toEqual({ all: [c('company.city', 'eq', 'Madrid')] });
    expect(read('companies in Spain', tenant).filter).toEqual({ all: [c('company.country', 'eq', 'ES')] });
    expect(read('empresas de Francia', tenant).explanation.join(' ')).not.toMatch(/ningún contacto/);
  });

  it('without company lists, places are the contacts’ as before', () => {
    expect(read('customers in Lyon').filter).toEqual({ all: [customer] });
    expect(read('companies in Spain').filter).toEqual({ all: [c('company.country', 'in', ['ES', 'Spain'])] });
  });
});

describe('messages', () => {
  it('tells apart ambiguous owners of one name and caps the list', () => {
    const twins: SegmentVocabulary = {
      ...vocabulary,
      owners: [
        { id: 'u1', name: 'Ana García', email: 'ana.garcia@north.test' },
        { id: 'u2', name: 'Ana García', email: 'ana.garcia@south.test' },
        { id: 'u3', name: 'Ana Torres' },
      ],
    };
    const twin = read('contacts owned by Ana García', twins);
    expect(twin.filter).toBeNull();
    expect(twin.unmatched[0]).toContain(
      'Ana García (ana.garcia@north.test) / Ana García (ana.garcia@south.test)?',
    );
    const anas: SegmentVocabulary = {
      ...vocabulary,
      owners: Array.from({ length: 8 }, (_, n) => ({ id: `u${n}`, name: `Ana Apellido${n}` })),
    };
    const many = read('contacts owned by Ana', anas).unmatched[0] as string;
    expect(many.split(' / ')).toHaveLength(5);
    expect(many).toMatch(/and 3 more\?$/);
    expect(read('contactos asignados a Ana', anas, 'es').unmatched[0]).toMatch(/y 3 más\?$/);
  });

  it('opened any campaign: the 100 most recent of more started campaigns, said so', () => {
    const campaigns = Array.from({ length: 130 }, (_, n) => ({
      id: `01KDVDNHT0QEBFBEH8C4PP4${String(n).padStart(3, '0')}`,
      name: `Campaign ${n}`,
      startedAt: new Date(Date.UTC(2025, 0, 1 + n)).toISOString(),
    }));
    const result = read('opened any campaign', { ...vocabulary, campaigns });
    const [condition] = (result.filter as SegmentFilter).all as Condition[];
    expect(condition?.op).toBe('in');
    expect(condition?.value).toHaveLength(100);
    expect(condition?.value).toContain('01KDVDNHT0QEBFBEH8C4PP4129');
    expect(condition?.value).not.toContain('01KDVDNHT0QEBFBEH8C4PP4029');
    expect(result.unmatched).toEqual([]);
    expect(result.explanation.join(' ')).toMatch(/100 most recent of 130/);
  });
});

describe('dates in more forms, and the forms not read said so', () => {
  const created = (op: Condition['op'], value: string) => c('createdAt', op, value);

  it('reads a day with its month name, a day after "on"/"el", and a quarter', () => {
    expect(read('creados antes del 1 de marzo de 2026').filter).toEqual({
      all: [created('lt', '2026-03-01')],
    });
    expect(read('created before 1 March 2026').filter).toEqual({ all: [created('lt', '2026-03-01')] });
    expect(read('created after March 1, 2026').filter).toEqual({ all: [created('gt', '2026-03-01')] });
    expect(read('created on 2026-03-05').filter).toEqual({
      all: [created('gte', '2026-03-05'), created('lt', '2026-03-06')],
    });
    expect(read('creados el 5 de marzo de 2026').filter).toEqual({
      all: [created('gte', '2026-03-05'), created('lt', '2026-03-06')],
    });
    expect(read('created in Q1 2026').filter).toEqual({
      all: [created('gte', '2026-01-01'), created('lt', '2026-04-01')],
    });
    // Without a year: the latest such quarter that has begun (now is 2026-06-15).
    expect(read('created in Q3').filter).toEqual({
      all: [created('gte', '2025-07-01'), created('lt', '2025-10-01')],
    });
    expect(read('created before Q2 2026').filter).toEqual({ all: [created('lt', '2026-04-01')] });
    expect(read('created between 1 March 2026 and 15 March 2026').filter).toEqual({
      all: [created('gte', '2026-03-01'), created('lt', '2026-03-16')],
    });
  });

  it.each([
    ['created before 31/12/2025', 'use a date such as 2025-12-31'],
    ['creados antes del 31/12/2025', 'escribe la fecha como 2025-12-31'],
    ['creados antes del 05/03/2026', '2026-03-05'],
    ['created before 03/05/2026', '2026-03-05'],
    ['customers created after 13.13.2025', 'YYYY-MM-DD'],
    ['created before 2026-02-31', 'not a calendar date'],
    ['created in the last 0 days', 'the number must be 1 or more'],
    ['clientes creados en los últimos 0 días', 'el número debe ser 1 o más'],
    ['customers 31-12-2025', '2025-12-31'],
  ])('%s: the date is reported as not understood (%s), never "no date given"', (text, message) => {
    const result = read(text);
    expect(isComplete(result)).toBe(false);
    expect(result.unmatched.join(' | ')).toContain(message);
    expect(result.unmatched.join(' | ')).not.toMatch(/no date given|falta la fecha/);
    expect(JSON.stringify(result.filter ?? {})).not.toContain('createdAt');
  });
});
