/**
 * The form names are indexed and searched in: accents stripped, lower case,
 * single spaces. "Ángela  Núñez" and "angela nu" meet on "angela nu".
 */
export function searchable(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Characters of a name that go into a search key: DynamoDB sort keys hold 1024 bytes, and NFKD can expand a character into many. */
export const SEARCH_KEY_CHARS = 200;

/** The searchable form cut to SEARCH_KEY_CHARS code points: what index keys and query prefixes hold. */
export const searchKey = (text: string): string => [...searchable(text)].slice(0, SEARCH_KEY_CHARS).join('');

export const fullName = (first: string, last?: string) => (last ? `${first} ${last}` : first);
