import { decodeHTMLAttribute } from 'entities/lib/decode.js';

/**
 * Links as authors write them and as mail clients and browsers read them.
 * A link goes through three encodings on its way to a reader: HTML attribute
 * escaping in the template (`&amp;`, `&#x3D;`), the author's own mix of raw
 * and percent-encoded characters (`café`, `caf%C3%A9`), and the ASCII a
 * header or a tracking token must carry. Everything here keeps what the
 * author meant through all three (the ASCII form: urls.ts).
 */

/**
 * The URL an `href` attribute value stands for, as a browser reads it: HTML
 * character references decoded (WHATWG HTML, "attribute value" state, so
 * `&amp;x=1` is `&x=1` and `&copy=2` stays as written), surrounding ASCII
 * whitespace dropped.
 */
export function hrefValue(attribute: string): string {
  return decodeHTMLAttribute(attribute).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
}

/**
 * http(s) URLs in plain text: up to whitespace, `<`, `>`, `"` or brackets
 * (text versions of HTML put hrefs in `[...]`, and people write `<url>`).
 * Sentence punctuation right after a URL is not part of it.
 */
const TEXT_URL = /\bhttps?:\/\/[^\s<>"[\]]+/giu;
const TRAILING = /[.,;:!?'’”)}]+$/u;

/** Keeps a closing parenthesis that closes one opened inside the URL (Wikipedia-style links). */
function trimTrailing(candidate: string): string {
  let url = candidate;
  for (;;) {
    const trailing = TRAILING.exec(url)?.[0];
    if (!trailing) return url;
    const opened = (url.match(/\(/g) ?? []).length;
    const closed = (url.match(/\)/g) ?? []).length;
    if (trailing === ')' && opened >= closed) return url;
    url = url.slice(0, -1);
  }
}

/**
 * Replaces each http(s) URL of a plain-text body with `rewrite(url)`, or
 * leaves it when that returns undefined (mailto:, tel: and other schemes are
 * never matched).
 */
export function rewriteTextLinks(text: string, rewrite: (url: string) => string | undefined): string {
  return text.replace(TEXT_URL, (match) => {
    const url = trimTrailing(match);
    const replaced = rewrite(url);
    return replaced === undefined ? match : `${replaced}${match.slice(url.length)}`;
  });
}
