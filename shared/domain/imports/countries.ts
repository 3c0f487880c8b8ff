import { fold, type Read } from './values.ts';

/**
 * Country cells to the ISO 3166-1 alpha-2 codes the API stores
 * (shared/schemas/common.ts `country()`). Names come from the Unicode CLDR
 * region names that Node's ICU carries (Intl.DisplayNames), in English and
 * Spanish, plus the common short forms CLDR does not list.
 */
const shortForms: Readonly<Record<string, string>> = {
  usa: 'US',
  us: 'US',
  unitedstatesofamerica: 'US',
  eeuu: 'US',
  eua: 'US',
  uk: 'GB',
  greatbritain: 'GB',
  england: 'GB',
  inglaterra: 'GB',
  granbretana: 'GB',
  holland: 'NL',
  holanda: 'NL',
  southkorea: 'KR',
  coreadelsur: 'KR',
  russia: 'RU',
  czechrepublic: 'CZ',
  republicacheca: 'CZ',
  uae: 'AE',
  emiratosarabes: 'AE',
};

/** Codes CLDR names that are not countries: groupings, pseudo-locales, the unknown region. */
const notCountries = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

let english: Intl.DisplayNames | undefined;

/**
 * Whether `code` is a current ISO 3166-1 alpha-2 code (or XK, Kosovo): CLDR
 * names it and does not replace it (UK is GB, BU is MM, YU is RS).
 */
function isRegionCode(code: string): boolean {
  english ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  return (
    /^[A-Z]{2}$/.test(code) &&
    !notCountries.has(code) &&
    english.of(code) !== undefined &&
    Intl.getCanonicalLocales(`und-${code}`)[0] === `und-${code}`
  );
}

let byName: ReadonlyMap<string, string> | undefined;

function countryNames(): ReadonlyMap<string, string> {
  if (byName) return byName;
  const names = new Map<string, string>(Object.entries(shortForms));
  const languages = ['en', 'es'].map(
    (language) => new Intl.DisplayNames([language], { type: 'region', fallback: 'none' }),
  );
  const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
  for (const first of letters)
    for (const second of letters) {
      const code = first + second;
      if (!isRegionCode(code)) continue;
      for (const display of languages) {
        const name = display.of(code);
        if (name) names.set(fold(name), code);
      }
    }
  byName = names;
  return names;
}

/** A country code from a code (`es`, `ES`) or an English or Spanish name (`Spain`, `España`, `Alemania`). */
export function readCountry(cell: string): Read<string> {
  const text = cell.trim();
  if (/^[A-Za-z]{2}$/.test(text) && isRegionCode(text.toUpperCase())) return { value: text.toUpperCase() };
  const code = countryNames().get(fold(text));
  return code
    ? { value: code }
    : { reason: 'is not a country (write its name or its two-letter ISO code, e.g. ES)' };
}
