import { type ExportFormat, exportFormats } from './exports/index.ts';
import { expiryBytes, openToken, sealToken, ULID_BYTES, ulidBytes, ulidOf } from './token-bytes.ts';
import { asciiBaseUrl } from './urls.ts';

/**
 * The token of a shared list link (`/l/<token>`): which tenant's segment it
 * serves, the share it belongs to (whose item says whether it was revoked),
 * the file format and when it expires, sealed with an HMAC-SHA256
 * under the signing key. One base64url string without dots:
 *
 *   version (1) | segment ULID (16) | share ULID (16) | format (1) | expiry, epoch s (4) | tenant (UTF-8) | MAC (16)
 *
 * 54 bytes plus the tenant id: 72 characters for a 0-character tenant, 99 for
 * a 20-character one. A changed byte fails the MAC, so none of the parts can
 * be pointed elsewhere; expiry is checked here, revocation by the caller.
 */
const VERSION = 1;
const HEADER_BYTES = 1 + ULID_BYTES + ULID_BYTES + 1 + 4;
/** Purpose prefix: cursors, tracking and CSAT links share the key and must never verify as these (or back). */
const PURPOSE = 'crm:share-token:v1\n';
const TENANT = /^[A-Za-z0-9_-]{1,128}$/;

export interface ShareClaim {
  readonly tenantId: string;
  readonly segmentId: string;
  readonly shareId: string;
  readonly format: ExportFormat;
  /** When the link stops working, epoch seconds. */
  readonly expiresAt: number;
}

/** Signs a claim; throws for a claim no token can carry (ids not ULIDs, a bad tenant, format or expiry). */
export function signShareToken(claim: ShareClaim, key: Buffer): string {
  const segment = ulidBytes(claim.segmentId);
  const share = ulidBytes(claim.shareId);
  const format = exportFormats.indexOf(claim.format);
  if (!segment || !share) throw new Error('The segment and share ids must be ULIDs');
  if (format < 0) throw new Error('Unknown export format');
  if (!TENANT.test(claim.tenantId)) throw new Error('The tenant id must be a plain id');
  const expiry = expiryBytes(claim.expiresAt);
  const body = Buffer.concat([
    Buffer.of(VERSION),
    segment,
    share,
    Buffer.of(format),
    expiry,
    Buffer.from(claim.tenantId, 'utf8'),
  ]);
  return sealToken(PURPOSE, key, body);
}

/**
 * The claim of a genuine token that has not expired at `now` (epoch ms), or
 * undefined for anything else (tampered, truncated, foreign key, expired).
 */
export function verifyShareToken(token: string, key: Buffer, now = Date.now()): ShareClaim | undefined {
  const body = openToken(PURPOSE, key, token, { maxChars: 512, minBodyBytes: HEADER_BYTES + 1 });
  if (!body || body[0] !== VERSION) return undefined;
  const format = exportFormats[body[1 + 2 * ULID_BYTES] ?? -1];
  const expiresAt = body.readUInt32BE(2 + 2 * ULID_BYTES);
  const tenantId = body.subarray(HEADER_BYTES).toString('utf8');
  if (!format || !TENANT.test(tenantId) || expiresAt * 1000 <= now) return undefined;
  return {
    tenantId,
    segmentId: ulidOf(body.subarray(1, 1 + ULID_BYTES)),
    shareId: ulidOf(body.subarray(1 + ULID_BYTES, 1 + 2 * ULID_BYTES)),
    format,
    expiresAt,
  };
}

/** The public URL of a share's link, under the API's public base URL. */
export const shareUrl = (baseUrl: string, token: string): string => `${asciiBaseUrl(baseUrl)}/l/${token}`;
