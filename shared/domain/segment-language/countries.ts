import { searchable } from '../text.ts';

/**
 * ISO 3166-1 alpha-2 region codes and their names in English and Spanish, from
 * `Intl.DisplayNames` (CLDR data shipped with the runtime; deprecated codes are left out), so "España",
 * "Spain" and "ES" meet on ES. A few common short forms CLDR does not give
 * as names are added (USA, EEUU, UK, RU for Reino Unido).
 */
let names: ReadonlyMap<string, string> | undefined;

const aliases: Record<string, string> = {
  usa: 'US',
  eeuu: 'US',
  'ee uu': 'US',
  'estados unidos de america': 'US',
  america: 'US',
  uk: 'GB',
  // Reino Unido; "RU" in capitals is Russia's code when the tenant stores that code (the code wins).
  ru: 'GB',
  eua: 'US',
  'great britain': 'GB',
  inglaterra: 'GB',
  england: 'GB',
  holland: 'NL',
  holanda: 'NL',
};

/** Searchable country name (en or es) → ISO code. Built once, 676 candidate codes × 2 languages. */
function countryNames(): ReadonlyMap<string, string> {
  if (names) return names;
  const map = new Map<string, string>(Object.entries(aliases));
  const displays = ['en', 'es'].map(
    (locale) => new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' }),
  );
  for (let first = 65; first <= 90; first++) {
    for (let second = 65; second <= 90; second++) {
      const code = String.fromCharCode(first, second);
      // Deprecated codes (DD, SU, YU…) are aliases of current ones: only canonical codes are kept.
      if (!isCanonicalRegion(code)) continue;
      for (const display of displays) {
        let name: string | undefined;
        try {
          name = display.of(code);
        } catch {
          name = undefined;
        }
        if (!name || name === code || /desconocid|unknown/i.test(name)) continue;
        const form = searchable(name);
        if (!map.has(form)) map.set(form, code);
      }
    }
  }
  names = map;
  return map;
}

function isCanonicalRegion(code: string): boolean {
  try {
    return Intl.getCanonicalLocales(`und-${code}`)[0] === `und-${code}`;
  } catch {
    return false;
  }
}

/** The ISO code of a stored country value (a name in en/es or a code), or undefined. */
export function countryCode(value: string): string | undefined {
  const trimmed = value.trim();
  // A stored two-letter code is that code ("RU" is Russia), before any short form ("ru": Reino Unido).
  if (/^[A-Z]{2}$/.test(trimmed) && isCanonicalRegion(trimmed) && namesOfCode(trimmed).length > 0)
    return trimmed;
  const byName = countryNames().get(searchable(trimmed));
  if (byName) return byName;
  const upper = trimmed.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper) && [...countryNames().values()].includes(upper)) return upper;
  return undefined;
}

/** Names (searchable, en and es, aliases) of an ISO code. */
export function namesOfCode(code: string): string[] {
  return [...countryNames()].filter(([, each]) => each === code).map(([name]) => name);
}
