/**
 * Windows-1252 ("ANSI" on Western Windows, what Excel writes as "CSV") to text.
 *
 * It is Latin-1 except for 0x80-0x9F, which hold 27 printable characters (€,
 * curly quotes, dashes, Š, Ž, Ÿ, ...) where Latin-1 has C1 controls. The table
 * is Microsoft's (unicode.org MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT); its
 * five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) become U+FFFD.
 *
 * Our own table rather than `new TextDecoder('windows-1252')`: some Node
 * releases (20.x among them) decode that label as Latin-1, turning 0x80 into
 * U+0080 instead of €, and the result must not depend on the runtime.
 * Single-byte, so chunks decode independently (no state across a stream).
 */

/** Code points of bytes 0x80-0x9F. */
const high = [
  0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152,
  0xfffd, 0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122,
  0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
].map((codePoint) => String.fromCharCode(codePoint));

/** Decodes Windows-1252 bytes; every byte is one character, so nothing fails. */
export function decodeWindows1252(bytes: Uint8Array): string {
  // Latin-1 gives every byte its own code point; only 0x80-0x9F differ from Windows-1252.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (control) => high[control.charCodeAt(0) - 0x80] as string);
}
