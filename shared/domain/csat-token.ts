import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The token of a public satisfaction link (`/s/<token>`): which tenant's case
 * it rates and the nonce that resolution stored on the case, sealed with an
 * HMAC-SHA256 under the signing key. It is one base64url string (no dots), so
 * it passes the handler's path-parameter rule (`[A-Za-z0-9_-]{1,128}`):
 *
 *   version (1 byte) | case ULID (16 bytes) | nonce (9 bytes) | tenant (UTF-8) | MAC (16 bytes)
 *
 * 42 bytes plus the tenant id: 56 characters for a 0-character tenant, 128
 * for a 54-character one (`MAX_TENANT_BYTES`). A changed byte fails the MAC;
 * single use comes from the nonce on the case, which recording a score removes.
 */
const VERSION = 1;
const CASE_BYTES = 16;
const NONCE_BYTES = 9;
const MAC_BYTES = 16;
const HEADER_BYTES = 1 + CASE_BYTES + NONCE_BYTES;
/** Purpose prefix: the same key seals cursors, which must never verify as tokens (or back). */
const PURPOSE = 'crm:csat-token:v1\n';

/** The longest tenant id a token can carry and still be a path parameter of at most 128 characters. */
export const MAX_TENANT_BYTES = 54;

export interface CsatClaim {
  readonly tenantId: string;
  readonly caseId: string;
  readonly nonce: string;
}

const TENANT = /^[A-Za-z0-9_-]{1,128}$/;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A fresh nonce: 9 random bytes, 12 base64url characters. */
export const newCsatNonce = (): string => randomBytes(NONCE_BYTES).toString('base64url');

function ulidBytes(id: string): Buffer | undefined {
  if (!ULID.test(id)) return undefined;
  let value = 0n;
  for (const char of id) value = (value << 5n) | BigInt(CROCKFORD.indexOf(char));
  const bytes = Buffer.alloc(CASE_BYTES);
  for (let index = CASE_BYTES - 1; index >= 0; index--) {
    bytes[index] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

function ulidOf(bytes: Buffer): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let id = '';
  for (let index = 0; index < 26; index++) {
    id = (CROCKFORD[Number(value & 31n)] ?? '0') + id;
    value >>= 5n;
  }
  return id;
}

const macOf = (key: Buffer, body: Buffer) =>
  createHmac('sha256', key).update(PURPOSE).update(body).digest().subarray(0, MAC_BYTES);

/** Signs a claim; throws for a claim no token can carry (not a ULID, a bad nonce, a tenant too long). */
export function signCsatToken(claim: CsatClaim, key: Buffer): string {
  const caseBytes = ulidBytes(claim.caseId);
  const nonce = Buffer.from(claim.nonce, 'base64url');
  const tenant = Buffer.from(claim.tenantId, 'utf8');
  if (!caseBytes) throw new Error('The case id must be a ULID');
  if (nonce.length !== NONCE_BYTES || nonce.toString('base64url') !== claim.nonce)
    throw new Error(`The nonce must be ${NONCE_BYTES} bytes in base64url`);
  if (!TENANT.test(claim.tenantId) || tenant.length > MAX_TENANT_BYTES)
    throw new Error(`The tenant id must be a plain id of at most ${MAX_TENANT_BYTES} characters`);
  const body = Buffer.concat([Buffer.of(VERSION), caseBytes, nonce, tenant]);
  return Buffer.concat([body, macOf(key, body)]).toString('base64url');
}

/** The claim of a genuine token, or undefined for anything else (tampered, truncated, foreign key). */
export function verifyCsatToken(token: string, key: Buffer): CsatClaim | undefined {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // One string per token: a variant differing only in unused trailing bits is not the token.
  if (bytes.toString('base64url') !== token) return undefined;
  if (bytes.length < HEADER_BYTES + 1 + MAC_BYTES) return undefined;
  const body = bytes.subarray(0, bytes.length - MAC_BYTES);
  const given = bytes.subarray(bytes.length - MAC_BYTES);
  if (!timingSafeEqual(given, macOf(key, body))) return undefined;
  if (body[0] !== VERSION) return undefined;
  const tenantId = body.subarray(HEADER_BYTES).toString('utf8');
  if (!TENANT.test(tenantId)) return undefined;
  return {
    tenantId,
    caseId: ulidOf(body.subarray(1, 1 + CASE_BYTES)),
    nonce: body.subarray(1 + CASE_BYTES, HEADER_BYTES).toString('base64url'),
  };
}
