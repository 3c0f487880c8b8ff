import { createHmac } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { expiryBytes, openToken, sealToken, ULID_BYTES, ulidBytes, ulidOf } from './token-bytes.ts';
import { asciiBaseUrl } from './urls.ts';

/**
 * The two tokens of a web-to-lead form, each sealed with an HMAC-SHA256 under
 * the deployment's signing key (shared/domain/token-bytes.ts), one base64url
 * string without dots:
 *
 * - the form's public id, the `{formId}` of `POST /f/{formId}`, which a website
 *   embeds for good (so it never expires; archiving the form stops it):
 *     version (1) | form ULID (16) | tenant (UTF-8) | MAC (16)
 *   45 bytes plus the tenant id: 60 characters for a 0-character tenant, 87 for a 20-character one.
 * - the double opt-in confirmation (`/f/{formId}/confirm?token=`, its page and its POST): the
 *   lead it confirms and when the link stops working:
 *     version (1) | form ULID (16) | lead ULID (16) | expiry, epoch s (4) | tenant (UTF-8) | MAC (16)
 *
 * The tenant is read from the sealed bytes, never from the caller: a changed
 * byte fails the MAC, so a token cannot be pointed at another tenant, form or lead.
 */
const VERSION = 1;
/** Purpose prefixes: cursors, tracking, CSAT and share links use the same key and must never verify as these (or back). */
const FORM_PURPOSE = 'crm:form-id:v1\n';
const CONFIRM_PURPOSE = 'crm:form-confirm:v1\n';
const FORM_HEADER_BYTES = 1 + ULID_BYTES;
const CONFIRM_HEADER_BYTES = 1 + 2 * ULID_BYTES + 4;
const TENANT = /^[A-Za-z0-9_-]{1,128}$/;

export interface FormClaim {
  readonly tenantId: string;
  readonly formId: string;
}

export interface ConfirmClaim extends FormClaim {
  readonly leadId: string;
  /** When the link stops working, epoch seconds. */
  readonly expiresAt: number;
}

/** How long a confirmation link works: a week covers a mail read after a weekend or a holiday. */
export const CONFIRM_LINK_SECONDS = 7 * 24 * 60 * 60;

function tenantBytes(tenantId: string): Buffer {
  if (!TENANT.test(tenantId)) throw new Error('The tenant id must be a plain id');
  return Buffer.from(tenantId, 'utf8');
}

function ulidOrThrow(id: string, what: string): Buffer {
  const bytes = ulidBytes(id);
  if (!bytes) throw new Error(`The ${what} id must be a ULID`);
  return bytes;
}

/** The public id of a form; throws for a claim no token can carry (not a ULID, a bad tenant). */
export function signFormId(claim: FormClaim, key: Buffer): string {
  const body = Buffer.concat([
    Buffer.of(VERSION),
    ulidOrThrow(claim.formId, 'form'),
    tenantBytes(claim.tenantId),
  ]);
  return sealToken(FORM_PURPOSE, key, body);
}

/** The claim of a genuine public form id, or undefined for anything else (tampered, truncated, foreign key). */
export function verifyFormId(token: string, key: Buffer): FormClaim | undefined {
  const body = openToken(FORM_PURPOSE, key, token, { maxChars: 256, minBodyBytes: FORM_HEADER_BYTES + 1 });
  if (!body || body[0] !== VERSION) return undefined;
  const tenantId = body.subarray(FORM_HEADER_BYTES).toString('utf8');
  if (!TENANT.test(tenantId)) return undefined;
  return { tenantId, formId: ulidOf(body.subarray(1, FORM_HEADER_BYTES)) };
}

/** A confirmation token; throws for a claim no token can carry. */
export function signConfirmToken(claim: ConfirmClaim, key: Buffer): string {
  const expiry = expiryBytes(claim.expiresAt);
  const body = Buffer.concat([
    Buffer.of(VERSION),
    ulidOrThrow(claim.formId, 'form'),
    ulidOrThrow(claim.leadId, 'lead'),
    expiry,
    tenantBytes(claim.tenantId),
  ]);
  return sealToken(CONFIRM_PURPOSE, key, body);
}

/**
 * The claim of a genuine confirmation token that has not expired at `now`
 * (epoch ms), or undefined for anything else.
 */
export function verifyConfirmToken(token: string, key: Buffer, now = Date.now()): ConfirmClaim | undefined {
  const body = openToken(CONFIRM_PURPOSE, key, token, {
    maxChars: 512,
    minBodyBytes: CONFIRM_HEADER_BYTES + 1,
  });
  if (!body || body[0] !== VERSION) return undefined;
  const expiresAt = body.readUInt32BE(1 + 2 * ULID_BYTES);
  const tenantId = body.subarray(CONFIRM_HEADER_BYTES).toString('utf8');
  if (!TENANT.test(tenantId) || expiresAt * 1000 <= now) return undefined;
  return {
    tenantId,
    formId: ulidOf(body.subarray(1, 1 + ULID_BYTES)),
    leadId: ulidOf(body.subarray(1 + ULID_BYTES, 1 + 2 * ULID_BYTES)),
    expiresAt,
  };
}

/** Where a form posts: `POST <base>/f/<public id>`. */
export const formSubmitUrl = (baseUrl: string, publicId: string): string =>
  `${asciiBaseUrl(baseUrl)}/f/${publicId}`;

/** The double opt-in link of a confirmation email. */
export const formConfirmUrl = (baseUrl: string, publicId: string, token: string): string =>
  `${formSubmitUrl(baseUrl, publicId)}/confirm?token=${token}`;

/**
 * The source address a submission is counted under: an IPv4 address as it is
 * (an IPv4-mapped IPv6 one as its IPv4), an IPv6 address by its /64, which
 * one subscriber holds whole and could otherwise walk through. Anything that
 * does not parse counts as given.
 */
export function rateAddress(sourceIp: string): string {
  if (!ipaddr.isValid(sourceIp)) return sourceIp;
  const address = ipaddr.process(sourceIp);
  if (address instanceof ipaddr.IPv4) return address.toString();
  return `${address.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}

/**
 * How a source address is stored in the rate-limit buckets: an HMAC-SHA256
 * under the signing key, per tenant (128 bits, hex), so the table never holds
 * an address and the 2^32 IPv4 addresses cannot be hashed through to find one.
 */
export const sourceAddressHash = (tenantId: string, sourceIp: string, key: Buffer): string =>
  createHmac('sha256', key)
    .update(`crm:form-source:v1\n${tenantId}\n${rateAddress(sourceIp)}`)
    .digest('hex')
    .slice(0, 32);
