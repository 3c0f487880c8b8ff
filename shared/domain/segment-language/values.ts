import leven from 'leven';
import { searchable } from '../text.ts';
import { countryCode, namesOfCode } from './countries.ts';
import type { SegmentVocabulary } from './vocabulary.ts';

/**
 * Matching the tenant's vocabulary: every value is indexed by its searchable
 * word sequence (hyphens also read as spaces: "early adopter" meets
 * "early-adopter"); owners also by first and last name; countries also by the
 * English and Spanish names of their ISO code. Only these stored values ever
 * reach a filter.
 */
export type ValueKind = 'city' | 'country' | 'tag' | 'industry' | 'stage' | 'campaign' | 'owner';

export interface ValueRef {
  readonly kind: ValueKind;
  /** The value as stored (a name for stages, campaigns and owners). */
  readonly value: string;
  /** Stage, campaign or owner id. */
  readonly id?: string;
  /** Countries: the ISO code shared by the tenant's forms of one country. */
  readonly code?: string;
  /** Cities and countries: only companies hold it (no contact does), so it is the company's. */
  readonly companyOnly?: boolean;
}

/** Values of each kind read from the vocabulary; the rest are ignored (bounded work). */
export const MAX_VALUES_PER_KIND = 2_000;
/** A value is matched over at most this many words. */
export const MAX_VALUE_WORDS = 5;

export interface VocabularyIndex {
  readonly byForm: ReadonlyMap<string, readonly ValueRef[]>;
  /** Words of indexed forms (typos are corrected towards these). */
  readonly words: ReadonlySet<string>;
  /** Every stored form of a country code, sorted ("ES", "Spain"): contacts' forms, or companies' when no contact has the country. */
  readonly countryForms: ReadonlyMap<string, readonly string[]>;
  /** Companies' stored forms of a country code, sorted. */
  readonly companyCountryForms: ReadonlyMap<string, readonly string[]>;
  /** Country codes only companies hold. */
  readonly companyOnlyCodes: ReadonlySet<string>;
  /** Campaigns that began sending, latest first. */
  readonly startedCampaigns: readonly {
    readonly id: string;
    readonly name: string;
    readonly startedAt: string;
  }[];
  readonly vocabulary: SegmentVocabulary;
}

const formsOf = (text: string): string[] => {
  const form = searchable(text);
  const spaced = form.replace(/-/g, ' ').replace(/\s+/g, ' ').trim();
  return [...new Set([form, spaced])].filter(
    (each) => each !== '' && each.split(' ').length <= MAX_VALUE_WORDS,
  );
};

export function indexVocabulary(vocabulary: SegmentVocabulary): VocabularyIndex {
  const byForm = new Map<string, ValueRef[]>();
  const add = (text: string, ref: ValueRef) => {
    for (const form of formsOf(text)) {
      const list = byForm.get(form) ?? [];
      if (!list.some((each) => each.kind === ref.kind && each.value === ref.value && each.id === ref.id))
        list.push(ref);
      byForm.set(form, list);
    }
  };
  const cap = <T>(list: readonly T[] | undefined): readonly T[] => (list ?? []).slice(0, MAX_VALUES_PER_KIND);
  for (const city of cap(vocabulary.cities))
    if (typeof city === 'string') add(city, { kind: 'city', value: city });
  for (const tag of cap(vocabulary.tags)) if (typeof tag === 'string') add(tag, { kind: 'tag', value: tag });
  for (const industry of cap(vocabulary.industries))
    if (typeof industry === 'string') add(industry, { kind: 'industry', value: industry });
  // Companies' cities no contact has: read as the company's.
  const contactCities = new Set(cap(vocabulary.cities).map((city) => searchable(String(city))));
  for (const city of cap(vocabulary.companyCities))
    if (typeof city === 'string' && !contactCities.has(searchable(city)))
      add(city, { kind: 'city', value: city, companyOnly: true });
  const countryForms = new Map<string, string[]>();
  const companyCountryForms = new Map<string, string[]>();
  const contactCountries = new Set<string>();
  const countriesOf = (
    list: readonly string[] | undefined,
    forms: Map<string, string[]>,
    company: boolean,
  ) => {
    for (const country of cap(list)) {
      if (typeof country !== 'string') continue;
      const code = countryCode(country);
      if (!company) contactCountries.add(code ?? searchable(country));
      const companyOnly = company && !contactCountries.has(code ?? searchable(country));
      const ref: ValueRef = {
        kind: 'country',
        value: country,
        ...(code ? { code } : {}),
        ...(companyOnly ? { companyOnly } : {}),
      };
      if (!/^[A-Za-z]{2}$/.test(country.trim()) && (!company || companyOnly)) add(country, ref);
      if (code) forms.set(code, [...(forms.get(code) ?? []), country].sort());
    }
  };
  countriesOf(vocabulary.countries, countryForms, false);
  countriesOf(vocabulary.companyCountries, companyCountryForms, true);
  const companyOnlyCodes = new Set([...companyCountryForms.keys()].filter((code) => !countryForms.has(code)));
  for (const code of companyOnlyCodes) countryForms.set(code, companyCountryForms.get(code) as string[]);
  for (const [code, forms] of countryForms) {
    const companyOnly = companyOnlyCodes.has(code);
    for (const name of namesOfCode(code))
      add(name, {
        kind: 'country',
        value: forms[0] as string,
        code,
        ...(companyOnly ? { companyOnly } : {}),
      });
  }
  for (const stage of cap(vocabulary.stages))
    add(stage.name, { kind: 'stage', value: stage.name, id: stage.id });
  for (const campaign of cap(vocabulary.campaigns))
    add(campaign.name, { kind: 'campaign', value: campaign.name, id: campaign.id });
  for (const owner of cap(vocabulary.owners)) {
    const ref: ValueRef = { kind: 'owner', value: owner.name, id: owner.id };
    add(owner.name, ref);
    const parts = searchable(owner.name).split(' ');
    if (parts.length > 1) {
      add(parts[0] as string, ref);
      add(parts.slice(1).join(' '), ref);
      if (parts.length > 2) add(parts[parts.length - 1] as string, ref);
    }
  }
  // One ref per country code (several stored forms collapse into one value).
  for (const [form, refs] of byForm) {
    const seen = new Set<string>();
    byForm.set(
      form,
      refs.filter((ref) => {
        if (ref.kind !== 'country' || !ref.code) return true;
        if (seen.has(ref.code)) return false;
        seen.add(ref.code);
        return true;
      }),
    );
  }
  const words = new Set<string>();
  for (const form of byForm.keys()) for (const word of form.split(' ')) words.add(word);
  const startedCampaigns = cap(vocabulary.campaigns)
    .filter(
      (campaign) => typeof campaign.startedAt === 'string' && !Number.isNaN(Date.parse(campaign.startedAt)),
    )
    .map((campaign) => ({ id: campaign.id, name: campaign.name, startedAt: campaign.startedAt as string }))
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  return {
    byForm,
    words,
    countryForms,
    companyCountryForms,
    companyOnlyCodes,
    startedCampaigns,
    vocabulary,
  };
}

/** Typos tolerated for a word of this length: ≤ 3 letters none, 4–7 one, ≥ 8 two. */
export const tolerance = (word: string): number => (word.length <= 3 ? 0 : word.length <= 7 ? 1 : 2);

/**
 * Edit distance bounded by `max` (`leven` with maxDistance), where one swap of
 * two adjacent letters counts as one edit ("Madird" → "Madrid"), as people type.
 */
export function typoDistance(a: string, b: string, max: number): number {
  if (a.length === b.length && a !== b) {
    const differ = [...a].flatMap((char, index) => (char === b[index] ? [] : [index]));
    const [i] = differ as [number];
    if (differ.length === 2 && differ[1] === i + 1 && a[i] === b[i + 1] && a[i + 1] === b[i]) return 1;
  }
  return leven(a, b, { maxDistance: max + 1 });
}

/**
 * The known word a typo most likely stands for: the unique known word at the
 * smallest distance within {@link tolerance}; undefined when none or a tie.
 * Only letters are corrected (numbers and codes are exact).
 */
export function correctWord(word: string, known: Iterable<string>): string | undefined {
  const max = tolerance(word);
  if (max === 0 || !/^[\p{L}'-]+$/u.test(word)) return undefined;
  // Ranked by distance, then by length difference ("clientse" → "clientes" rather than "cliente").
  let best: string | undefined;
  let bestRank = (max + 1) * 100;
  let tie = false;
  for (const candidate of known) {
    if (Math.abs(candidate.length - word.length) > max || tolerance(candidate) === 0) continue;
    const distance = typoDistance(word, candidate, max);
    if (distance > max) continue;
    const rank = distance * 100 + Math.abs(candidate.length - word.length);
    if (rank < bestRank) {
      best = candidate;
      bestRank = rank;
      tie = false;
    } else if (rank === bestRank && candidate !== best) tie = true;
  }
  return best !== undefined && !tie ? best : undefined;
}
