import { withAsciiDomain } from '../domain/email.ts';

/**
 * Header values for every email we send, whoever sends it (campaigns,
 * sequences, reminders, alerts): one place where a name, subject or header
 * value becomes header text, so no sender can break a header or start
 * another one.
 */

/**
 * One line of header text: control characters, CR and LF above all (which
 * would end the header and let the rest inject new ones), become spaces.
 */
export function headerText(value: string): string {
  return value
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** RFC 2047 §2: an encoded-word is at most 75 characters. */
const MAX_ENCODED_WORD = 75;
const PREFIX = '=?UTF-8?B?';
const SUFFIX = '?=';
/** Whole base64 quanta fitting in one word: (75 - 12) chars → 15 quanta → 45 bytes. */
const MAX_WORD_BYTES = Math.floor((MAX_ENCODED_WORD - PREFIX.length - SUFFIX.length) / 4) * 3;

/**
 * `text` as RFC 2047 "B" encoded-words in UTF-8, split between characters
 * (never inside one) so each word decodes on its own, separated by spaces
 * (which decoders drop between adjacent encoded-words, RFC 2047 §6.2).
 */
export function encodedWords(text: string): string {
  const words: string[] = [];
  let bytes: Buffer[] = [];
  let size = 0;
  for (const char of text) {
    const encoded = Buffer.from(char, 'utf8');
    if (size + encoded.length > MAX_WORD_BYTES) {
      words.push(`${PREFIX}${Buffer.concat(bytes).toString('base64')}${SUFFIX}`);
      bytes = [];
      size = 0;
    }
    bytes.push(encoded);
    size += encoded.length;
  }
  if (size > 0) words.push(`${PREFIX}${Buffer.concat(bytes).toString('base64')}${SUFFIX}`);
  return words.join(' ');
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * A display name as an RFC 5322 `phrase`: printable ASCII as a quoted string
 * (`"` and `\` escaped, so `,` `<` `@` and the like stay part of the name);
 * anything else as RFC 2047 encoded-words, which carry every character intact.
 */
export function displayNamePhrase(name: string): string {
  const text = headerText(name);
  if (PRINTABLE_ASCII.test(text)) return `"${text.replace(/(["\\])/g, '\\$1')}"`;
  return encodedWords(text);
}

/**
 * `"Name" <address>` (RFC 5322 `name-addr`), or the bare address without a
 * name; the address with its domain in IDNA ASCII, as SES requires.
 */
export function mailbox(address: string, name?: string): string {
  const ascii = withAsciiDomain(headerText(address));
  const text = name === undefined ? '' : headerText(name);
  return text === '' ? ascii : `${displayNamePhrase(text)} <${ascii}>`;
}
