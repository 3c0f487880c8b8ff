import { searchable } from '../text.ts';

/**
 * Tokenising a plain-language sentence: the interpreter only ever reads these
 * tokens, the text itself is never evaluated.
 * - word: letters and digits, with inner apostrophes or hyphens ("didn't", "evento-2026"),
 *   or an abbreviation of dotted capitals ("EE.UU.", "EE. UU.", "U.K.": norm "eeuu", "uk");
 * - number: digits, thousands groups allowed ("1.000", "1,000") → an integer;
 * - date: an ISO calendar date `YYYY-MM-DD`;
 * - phrase: text between quotes ("…", «…», '…');
 * - symbol: any other single character (";", "{", "+").
 * `norm` is the searchable form (shared/domain/text.ts): case and accents folded.
 * Two splits make the grammar simpler: "John's" → "John", "'s"; "non-customers" → "non",
 * "customers"; "vip-tagged" → "tagged", "vip" (the cue first, like "tagged vip").
 */
export interface Token {
  readonly kind: 'word' | 'number' | 'date' | 'phrase' | 'symbol';
  /** The characters as written. */
  readonly text: string;
  /** Searchable form (a number's digits without separators). */
  readonly norm: string;
  /** Offsets of the token in the sentence, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** A number token's value. */
  readonly value?: number;
}

/** Tokens read from one sentence; later ones are dropped and reported (the work per sentence is bounded). */
export const MAX_TOKENS = 100;

const TOKEN =
  /(\d{4}-\d{2}-\d{2})(?![\p{L}\p{N}])|(\d{1,3}(?:[.,]\d{3})+|\d+)(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])(["«“'‘])([^"«»“”'‘’]{1,200}?)["»”'’](?![\p{L}\p{N}])|(?<![\p{L}\p{N}.])((?:\p{Lu}{1,2}\. ?)+\p{Lu}{1,2}\.)(?![\p{L}\p{N}])|([\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*)|(\S)/gu;

export interface Tokenised {
  readonly tokens: readonly Token[];
  /** The text past the token limit, if any. */
  readonly rest?: string;
}

export function tokenise(text: string): Tokenised {
  const tokens: Token[] = [];
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index;
    const end = start + match[0].length;
    if (tokens.length >= MAX_TOKENS) return { tokens, rest: text.slice(start).trim() };
    const [, date, number, , quoted, abbreviation, word] = match;
    if (date) tokens.push({ kind: 'date', text: date, norm: date, start, end });
    else if (number) {
      const digits = number.replace(/[.,]/g, '');
      const value = Number(digits);
      // A number too large to store exactly is not a value the user can mean: it stays a word.
      if (Number.isSafeInteger(value))
        tokens.push({ kind: 'number', text: number, norm: digits, start, end, value });
      else tokens.push({ kind: 'word', text: number, norm: digits, start, end });
    } else if (quoted !== undefined)
      tokens.push({ kind: 'phrase', text: quoted.trim(), norm: searchable(quoted), start, end });
    else if (abbreviation)
      tokens.push({
        kind: 'word',
        text: abbreviation,
        norm: searchable(abbreviation.replace(/[.\s]/g, '')),
        start,
        end,
      });
    else if (word) tokens.push(...splitWord(word, start));
    // A combining mark with no letter to combine with says nothing: not a token.
    else if (!/^\p{M}$/u.test(match[0]))
      tokens.push({ kind: 'symbol', text: match[0], norm: match[0], start, end });
  }
  return { tokens };
}

function wordToken(text: string, start: number): Token {
  return { kind: 'word', text, norm: searchable(text).replace(/’/g, "'"), start, end: start + text.length };
}

function splitWord(word: string, start: number): Token[] {
  const possessive = /^(.+)['’]s$/iu.exec(word);
  if (possessive?.[1]) {
    const name = possessive[1];
    return [wordToken(name, start), wordToken(word.slice(name.length), start + name.length)];
  }
  const non = /^(non)-(.+)$/iu.exec(word);
  if (non?.[1] && non[2]) return [wordToken(non[1], start), wordToken(non[2], start + non[1].length + 1)];
  const tagged = /^(.+)-(tagged)$/iu.exec(word);
  if (tagged?.[1] && tagged[2]) {
    const cueStart = start + tagged[1].length + 1;
    return [wordToken(tagged[2], cueStart), wordToken(tagged[1], start)];
  }
  return [wordToken(word, start)];
}
