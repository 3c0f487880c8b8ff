/**
 * The `Content-Disposition` of a download (RFC 6266): `attachment` with the
 * name twice, `filename="…"` in printable ASCII for old clients and
 * `filename*=UTF-8''…` (RFC 8187 percent-encoding) with the name as it is.
 * Every download the API answers or presigns builds its header here.
 */

/** Characters no file name takes on common systems, C0/C1 controls and bidi controls: replaced by `_`. */
const UNSAFE = /[\\/:*?"<>|\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const MAX_NAME_CHARS = 120;

/**
 * A name fit to save a file under: unsafe characters (see UNSAFE) as `_`,
 * runs of white space as one space, trimmed, at most 120 characters
 * (by code point). Empty when nothing is left.
 */
export function fileSafeName(name: string): string {
  const cleaned = name.replace(UNSAFE, '_').replace(/\s+/gu, ' ').trim();
  return [...cleaned].slice(0, MAX_NAME_CHARS).join('').trim();
}

/** The ASCII fallback: accents dropped (NFKD), anything else outside printable ASCII, `"` and `\` as `_`. */
export function asciiFileName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\]/g, '_');
}

/** RFC 8187 `value-chars`: UTF-8 bytes percent-encoded but for attr-char (ALPHA DIGIT !#$&+-.^_`|~). */
export function rfc8187Value(name: string): string {
  return encodeURIComponent(name).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `attachment; filename="Cafe list.csv"; filename*=UTF-8''Caf%C3%A9%20list.csv`
 * for `Café list.csv`; `attachment; filename="contacts.csv"` alone when the
 * fallback already is the name (plain ASCII), as RFC 6266 section 4.3 allows.
 */
export function attachmentDisposition(fileName: string): string {
  const name = fileSafeName(fileName) || 'download';
  const ascii = asciiFileName(name);
  return ascii === name
    ? `attachment; filename="${ascii}"`
    : `attachment; filename="${ascii}"; filename*=UTF-8''${rfc8187Value(name)}`;
}
