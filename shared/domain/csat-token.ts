import { randomBytes } from 'node:crypto';
import { openToken, sealToken, ULID_BYTES, ulidBytes, ulidOf } from './token-bytes.ts';

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
const CASE_BYTES = ULID_BYTES;
const NONCE_BYTES = 9;
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

/** A fresh nonce: 9 random bytes, 12 base64url characters. */
export const newCsatNonce = (): string => randomBytes(NONCE_BYTES).toString('base64url');

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
  return sealToken(PURPOSE, key, body);
}

/** The claim of a genuine token, or undefined for anything else (tampered, truncated, foreign key). */
export function verifyCsatToken(token: string, key: Buffer): CsatClaim | undefined {
  const body = openToken(PURPOSE, key, token, { maxChars: 256, minBodyBytes: HEADER_BYTES + 1 });
  if (!body || body[0] !== VERSION) return undefined;
  const tenantId = body.subarray(HEADER_BYTES).toString('utf8');
  if (!TENANT.test(tenantId)) return undefined;
  return {
    tenantId,
    caseId: ulidOf(body.subarray(1, 1 + CASE_BYTES)),
    nonce: body.subarray(1 + CASE_BYTES, HEADER_BYTES).toString('base64url'),
  };
}
