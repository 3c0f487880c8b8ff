import { searchable } from '../text.ts';
import { type Contribution, type Image, isLive, type ReportAggregate } from './aggregate.ts';

/**
 * The tenant's vocabulary for plain-language segments (SPEC "Natural-language
 * segments"): the cities and countries of live contacts, those of live
 * companies (kinds `companyCity`, `companyCountry`), the tags of live
 * contacts and the industries of live companies, each counted
 * per stored form, so a value no live record holds any more counts zero and
 * is left out when read (shared/store/segment-vocabulary.ts). Kept as a report
 * aggregate, so the stream applies it exactly once per change and a rebuild
 * (`POST /admin/reports/rebuild`) recomputes it and corrects its drift.
 *
 * Items of the `vocabulary` aggregate: `<kind>#<searchable>#<form>` with a
 * `records` count, where `searchable` is the value folded as filters compare
 * it (shared/domain/text.ts) and `form` the value as stored; `%` and `#` in
 * either are escaped (`%25`, `%23`). Values longer than
 * MAX_VOCABULARY_VALUE_CHARS are left out: no one types them in a sentence,
 * and a sort key holds 1 KB.
 */

export const VOCABULARY_REPORT = 'vocabulary';

/** Contacts' city/country and companies' are kept apart: a sentence's place is the contact's unless only companies have it. */
export const vocabularyKinds = [
  'city',
  'country',
  'tag',
  'industry',
  'companyCity',
  'companyCountry',
] as const;
export type VocabularyKind = (typeof vocabularyKinds)[number];

/** Longest value (in code points) the vocabulary keeps. */
export const MAX_VOCABULARY_VALUE_CHARS = 120;

const escapePart = (part: string) => part.replaceAll('%', '%25').replaceAll('#', '%23');
const unescapePart = (part: string) => part.replaceAll('%23', '#').replaceAll('%25', '%');

/** The aggregate key of one stored form of a value; undefined for a value the vocabulary does not keep. */
export function vocabularyKey(kind: VocabularyKind, form: string): string | undefined {
  const folded = searchable(form);
  if (folded === '' || [...form].length > MAX_VOCABULARY_VALUE_CHARS) return undefined;
  return `${kind}#${escapePart(folded)}#${escapePart(form)}`;
}

/** One vocabulary item read back: its kind, folded value and stored form; undefined for a malformed key. */
export function parseVocabularyKey(
  key: string,
): { kind: VocabularyKind; searchable: string; form: string } | undefined {
  const parts = key.split('#');
  if (parts.length !== 3) return undefined;
  const [kind, folded, form] = parts as [string, string, string];
  if (!(vocabularyKinds as readonly string[]).includes(kind)) return undefined;
  return { kind: kind as VocabularyKind, searchable: unescapePart(folded), form: unescapePart(form) };
}

const textOf = (image: Image, field: string): string[] => {
  const value = image[field];
  return typeof value === 'string' ? [value] : [];
};

const listOf = (image: Image, field: string): string[] => {
  const value = image[field];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
};

/** What each entity names, by kind. */
const sourcesByEntity: Record<string, readonly [VocabularyKind, (image: Image) => string[]][]> = {
  contact: [
    ['city', (image) => textOf(image, 'city')],
    ['country', (image) => textOf(image, 'country')],
    ['tag', (image) => listOf(image, 'tags')],
  ],
  company: [
    ['companyCity', (image) => textOf(image, 'city')],
    ['companyCountry', (image) => textOf(image, 'country')],
    ['industry', (image) => textOf(image, 'industry')],
  ],
};

const vocabularyEntities = Object.keys(sourcesByEntity);

export const vocabularyAggregate: ReportAggregate = {
  report: VOCABULARY_REPORT,
  entities: vocabularyEntities,
  contribute(image) {
    if (!isLive(image, vocabularyEntities)) return [];
    const keys = new Set<string>();
    for (const [kind, read] of sourcesByEntity[image.entity as string] ?? []) {
      for (const form of read(image)) {
        const key = vocabularyKey(kind, form);
        if (key !== undefined) keys.add(key);
      }
    }
    return [...keys].map(
      (key): Contribution => ({ report: VOCABULARY_REPORT, key, counters: { records: 1 } }),
    );
  },
};
