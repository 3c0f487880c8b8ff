import { decodeWindows1252 } from '../windows-1252.ts';
import type { CsvEncoding } from './entities.ts';
import { ImportFileError } from './errors.ts';

/**
 * Bytes to text. The encoding is named by the import, or detected from the
 * first DETECTION_PREFIX_BYTES: a byte order mark names UTF-8, UTF-16 LE or BE;
 * without one, bytes that are valid UTF-8 are UTF-8 and anything else is
 * Windows-1252 (what Excel on Windows writes as "CSV"). The stream decoder then
 * checks every later byte, so a file that turns out not to be UTF-8 after the
 * prefix fails naming the byte, never decodes to replacement characters.
 * UTF-8 and UTF-16 go through TextDecoder in streaming mode (a character or
 * surrogate pair cut by a chunk boundary is joined); Windows-1252, one byte
 * per character, goes through our own table (../windows-1252.ts), since some
 * Node releases' TextDecoder reads it as Latin-1 (0x80 as U+0080, not €).
 */

/** How many leading bytes encoding and delimiter detection look at. */
export const DETECTION_PREFIX_BYTES = 64 * 1024;

const boms: readonly { encoding: CsvEncoding; bytes: readonly number[] }[] = [
  { encoding: 'utf-8', bytes: [0xef, 0xbb, 0xbf] },
  { encoding: 'utf-16le', bytes: [0xff, 0xfe] },
  { encoding: 'utf-16be', bytes: [0xfe, 0xff] },
];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);

/** The byte order mark `bytes` starts with, if any. */
export function byteOrderMark(bytes: Uint8Array): { encoding: CsvEncoding; length: number } | undefined {
  const bom = boms.find((candidate) => startsWith(bytes, candidate.bytes));
  return bom && { encoding: bom.encoding, length: bom.bytes.length };
}

/** File signatures of things people upload instead of a CSV, and what to tell them. */
const signatures: readonly { bytes: readonly number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'an Excel workbook (.xlsx) or another zip file' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an Excel 97-2003 workbook (.xls)' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
];

const saveAsCsv = 'Open it in your spreadsheet app and save it as "CSV UTF-8", then upload that file.';

/** Throws when `bytes` (the file's start) is a known binary format. */
export function refuseKnownBinary(bytes: Uint8Array): void {
  const known = signatures.find((signature) => startsWith(bytes, signature.bytes));
  if (known) throw new ImportFileError(`This is not a CSV file: it looks like ${known.what}. ${saveAsCsv}`);
}

/** The error for a NUL byte in 8-bit text: binary data, or UTF-16 saved without its byte order mark. */
function binaryData(offset: number): ImportFileError {
  return new ImportFileError(
    `This is not a CSV file: it contains binary data (a NUL byte at byte ${offset}). ${saveAsCsv} ` +
      'If it is UTF-16 text without a byte order mark, name the encoding (utf-16le or utf-16be).',
  );
}

/**
 * A UTF-8 validator that is fed a stream chunk by chunk (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF). `feed` returns the file offset
 * of the first byte of the first invalid sequence, or -1.
 */
export class Utf8Check {
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;
  private start = 0;
  private seen = 0;

  feed(chunk: Uint8Array): number {
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      if (this.need === 0) {
        if (byte <= 0x7f) continue;
        this.start = this.seen + index;
        if (!this.lead(byte)) return this.start;
      } else if (byte < this.lower || byte > this.upper) {
        return this.start;
      } else {
        this.need--;
        this.lower = 0x80;
        this.upper = 0xbf;
      }
    }
    this.seen += chunk.length;
    return -1;
  }

  /** At the end of the file: the offset of a sequence cut short, or -1. */
  end(): number {
    return this.need > 0 ? this.start : -1;
  }

  private lead(byte: number): boolean {
    const [need, lower, upper] =
      byte >= 0xc2 && byte <= 0xdf
        ? [1, 0x80, 0xbf]
        : byte === 0xe0
          ? [2, 0xa0, 0xbf]
          : byte === 0xed
            ? [2, 0x80, 0x9f]
            : byte >= 0xe1 && byte <= 0xef
              ? [2, 0x80, 0xbf]
              : byte === 0xf0
                ? [3, 0x90, 0xbf]
                : byte >= 0xf1 && byte <= 0xf3
                  ? [3, 0x80, 0xbf]
                  : byte === 0xf4
                    ? [3, 0x80, 0x8f]
                    : [0, 0, 0];
    this.need = need;
    this.lower = lower;
    this.upper = upper;
    return need > 0;
  }
}

/** Whether `prefix` is UTF-8 (a sequence cut by the end of the prefix counts as valid unless the file ends there). */
function isUtf8(prefix: Uint8Array, wholeFile: boolean): boolean {
  const check = new Utf8Check();
  return check.feed(prefix) === -1 && (!wholeFile || check.end() === -1);
}

/**
 * The encoding of a file from its first bytes (`wholeFile`: the prefix is the
 * whole file) and the length of its byte order mark. Throws ImportFileError for
 * a binary file.
 */
export function detectEncoding(
  prefix: Uint8Array,
  wholeFile: boolean,
): { encoding: CsvEncoding; bomLength: number } {
  const bom = byteOrderMark(prefix);
  if (bom) return { encoding: bom.encoding, bomLength: bom.length };
  refuseKnownBinary(prefix);
  const nul = prefix.indexOf(0);
  if (nul >= 0) throw binaryData(nul);
  return { encoding: isUtf8(prefix, wholeFile) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/** The length of the byte order mark of `encoding` that `prefix` starts with (a named encoding's BOM is stripped). */
export function bomLengthFor(encoding: CsvEncoding, prefix: Uint8Array): number {
  const bom = byteOrderMark(prefix);
  return bom?.encoding === encoding ? bom.length : 0;
}

/**
 * Decodes a byte stream lazily, one chunk per chunk (memory flat in file size).
 * `skip` bytes (the byte order mark) are dropped first. Throws ImportFileError
 * naming the byte offset when UTF-8 turns out invalid, when 8-bit text holds a
 * NUL byte, or when UTF-16 ends halfway through a code unit. `detected` says
 * whether the encoding was detected (the message then suggests naming one).
 */
export async function* decodeText(
  chunks: AsyncIterable<Uint8Array>,
  encoding: CsvEncoding,
  skip: number,
  detected: boolean,
): AsyncGenerator<string> {
  const utf8 = encoding === 'utf-8' ? new Utf8Check() : undefined;
  const unicode = encoding === 'windows-1252' ? undefined : new TextDecoder(encoding, { ignoreBOM: true });
  const decode = (bytes: Uint8Array) =>
    unicode ? unicode.decode(bytes, { stream: true }) : decodeWindows1252(bytes);
  const eightBit = encoding === 'utf-8' || encoding === 'windows-1252';
  let offset = 0;
  let toSkip = skip;
  const notUtf8 = (at: number) =>
    new ImportFileError(
      `The file is not valid UTF-8 text at byte ${at}.` +
        (detected
          ? ' It was read as UTF-8 because its start is; if it was saved as Windows-1252 (Excel "CSV" on Windows), name the encoding windows-1252.'
          : ' Check the encoding named for the import (windows-1252 for Excel "CSV" on Windows).'),
    );
  for await (const raw of chunks) {
    let chunk = raw;
    if (toSkip > 0) {
      const dropped = Math.min(toSkip, chunk.length);
      chunk = chunk.subarray(dropped);
      toSkip -= dropped;
      offset += dropped;
    }
    if (chunk.length === 0) continue;
    // At a fault, the text before it is yielded first: every row before the fault is read.
    const nul = eightBit ? chunk.indexOf(0) : -1;
    const bad = utf8 ? utf8.feed(chunk) : -1;
    const fault = [nul >= 0 ? offset + nul : -1, bad >= 0 ? bad + skip : -1].filter((at) => at >= 0);
    if (fault.length > 0) {
      const at = Math.min(...fault);
      const before = chunk.subarray(0, at - offset);
      const text = decode(before);
      if (text !== '') yield text;
      throw at === offset + nul ? binaryData(at) : notUtf8(at);
    }
    offset += chunk.length;
    const text = decode(chunk);
    if (text !== '') yield text;
  }
  if (utf8) {
    const cut = utf8.end();
    if (cut >= 0) throw notUtf8(cut + skip);
  }
  if (!eightBit && (offset - skip) % 2 !== 0)
    throw new ImportFileError(`The file ends halfway through a UTF-16 character (byte ${offset - 1}).`);
  const rest = unicode?.decode();
  if (rest) yield rest;
}

/** The prefix decoded without checks, for delimiter detection (the stream decoder checks it again). */
export function decodePrefix(prefix: Uint8Array, encoding: CsvEncoding, skip: number): string {
  const bytes = prefix.subarray(skip);
  return encoding === 'windows-1252'
    ? decodeWindows1252(bytes)
    : new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes);
}
