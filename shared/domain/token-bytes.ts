import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The byte-level parts that the signed link tokens (tracking, CSAT) share:
 * ULIDs packed into 16 bytes, and a body sealed with a truncated
 * HMAC-SHA256 under a purpose prefix, written as one base64url string.
 */
export const ULID_BYTES = 16;
export const MAC_BYTES = 16;

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID's 128 bits, big-endian; undefined for anything that is not a canonical ULID. */
export function ulidBytes(id: string): Buffer | undefined {
  if (!ULID.test(id)) return undefined;
  let value = 0n;
  for (const char of id) value = (value << 5n) | BigInt(CROCKFORD.indexOf(char));
  const bytes = Buffer.alloc(ULID_BYTES);
  for (let index = ULID_BYTES - 1; index >= 0; index--) {
    bytes[index] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

/** An expiry in whole epoch seconds as the 4 big-endian bytes a token carries; throws for one that cannot be. */
export function expiryBytes(expiresAt: number): Buffer {
  if (!Number.isInteger(expiresAt) || expiresAt < 0 || expiresAt > 0xffffffff)
    throw new Error('The expiry must be whole epoch seconds');
  const expiry = Buffer.alloc(4);
  expiry.writeUInt32BE(expiresAt);
  return expiry;
}

export function ulidOf(bytes: Buffer): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let id = '';
  for (let index = 0; index < 26; index++) {
    id = (CROCKFORD[Number(value & 31n)] ?? '0') + id;
    value >>= 5n;
  }
  return id;
}

/** The purpose goes into the MAC, so a token of one kind never verifies as another under the same key. */
const macOf = (purpose: string, key: Buffer, body: Buffer) =>
  createHmac('sha256', key).update(purpose).update(body).digest().subarray(0, MAC_BYTES);

/** The body and its MAC in base64url: one path segment, no dots. */
export const sealToken = (purpose: string, key: Buffer, body: Buffer): string =>
  Buffer.concat([body, macOf(purpose, key, body)]).toString('base64url');

/**
 * The body of a token sealed for this purpose under this key, or undefined: not
 * base64url of at most `maxChars`, not the one canonical spelling of its bytes, a
 * body shorter than `minBodyBytes`, or a MAC that does not match.
 */
export function openToken(
  purpose: string,
  key: Buffer,
  token: string,
  limits: { readonly maxChars: number; readonly minBodyBytes: number },
): Buffer | undefined {
  if (typeof token !== 'string' || token.length > limits.maxChars || !/^[A-Za-z0-9_-]+$/.test(token))
    return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // One string per token: a variant differing only in unused trailing bits is not the token.
  if (bytes.toString('base64url') !== token || bytes.length < limits.minBodyBytes + MAC_BYTES)
    return undefined;
  const body = bytes.subarray(0, bytes.length - MAC_BYTES);
  return timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), macOf(purpose, key, body))
    ? body
    : undefined;
}
