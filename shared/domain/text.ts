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

/** At most this many search keys per record: its whole name and the tails from its next words. */
export const MAX_SEARCH_KEYS = 8;

/**
 * The keys a name is found by: its searchable form, then its tail from each
 * later word start (a letter or digit after anything else), each cut like
 * searchKey. "Linda Sánchez" gives "linda sanchez" and "sanchez"; "Mary-Ann
 * O'Neil" also "ann o'neil", "o'neil" and "neil". A prefix of any key is a
 * search that finds the record.
 */
export function searchKeys(text: string): string[] {
  const form = searchable(text);
  if (form === '') return [];
  const starts = [...form.matchAll(/(?<![\p{L}\p{N}])[\p{L}\p{N}]/gu)].map((match) => match.index);
  const tails = starts.length > 0 && starts[0] === 0 ? starts : [0, ...starts];
  return tails
    .slice(0, MAX_SEARCH_KEYS)
    .map((start) => [...form.slice(start)].slice(0, SEARCH_KEY_CHARS).join(''));
}

export const fullName = (first: string, last?: string) => (last ? `${first} ${last}` : first);
