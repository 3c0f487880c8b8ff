import type { DeliveryRef } from './delivery.ts';
import { openToken, sealToken, ULID_BYTES, ulidBytes, ulidOf } from './token-bytes.ts';
import { asciiBaseUrl } from './urls.ts';

/**
 * Tokens in the links of a marketing email (open pixel, click redirect,
 * unsubscribe): which tenant's delivery they belong to and, for a click, the
 * one URL it may redirect to, sealed with an HMAC-SHA256 under the signing
 * key. One base64url string without dots, so it is a single path segment:
 *
 *   version | purpose | kind | delivery ids | tenant | url (click only) | MAC (16 bytes)
 *
 * Ids that are ULIDs take 16 bytes; anything else is length-prefixed UTF-8.
 * An open or unsubscribe token for ULID ids and a 20-character tenant is about
 * 100 characters; a click token grows with its URL.
 */
const VERSION = 1;
/** Purpose prefix: cursors and CSAT links use the same key and must never verify as these (or back). */
const PURPOSE = 'crm:tracking-token:v1\n';

export type TrackingPurpose = 'open' | 'click' | 'unsubscribe';

export interface TrackingClaim {
  readonly purpose: TrackingPurpose;
  readonly tenantId: string;
  readonly ref: DeliveryRef;
  /** The sealed redirect target of a click token (http or https only). */
  readonly url?: string;
}

const purposes: readonly TrackingPurpose[] = ['open', 'click', 'unsubscribe'];
const TENANT = /^[A-Za-z0-9_-]{1,128}$/;
const ID = /^[A-Za-z0-9_-]{1,128}$/;
const ULID_MARK = 0;
const MAX_URL_CHARS = 2048;

/** A URL a click may redirect to: absolute http(s), no credentials, no control characters. */
export function isTrackableUrl(url: string): boolean {
  // Whitespace and control characters (code points below 0x21, and DEL) never belong in a link.
  if (url.length > MAX_URL_CHARS || [...url].some((char) => char <= ' ' || char === '\u007f')) return false;
  try {
    const parsed = new URL(url);
    return (
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      parsed.hostname !== '' &&
      parsed.username === '' &&
      parsed.password === ''
    );
  } catch {
    return false;
  }
}

/** A string field: 0 then 16 ULID bytes, or its UTF-8 length (1..255) then the bytes. */
function field(value: string, allowUlid: boolean): Buffer {
  const ulid = allowUlid ? ulidBytes(value) : undefined;
  if (ulid) return Buffer.concat([Buffer.of(ULID_MARK), ulid]);
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length < 1 || bytes.length > 255) throw new Error('A token field must be 1 to 255 bytes');
  return Buffer.concat([Buffer.of(bytes.length), bytes]);
}

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Buffer) {}
  byte(): number | undefined {
    return this.offset < this.bytes.length ? this.bytes[this.offset++] : undefined;
  }
  take(length: number): Buffer | undefined {
    if (this.offset + length > this.bytes.length) return undefined;
    const part = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return part;
  }
  field(): string | undefined {
    const length = this.byte();
    if (length === undefined) return undefined;
    if (length === ULID_MARK) {
      const bytes = this.take(ULID_BYTES);
      return bytes ? ulidOf(bytes) : undefined;
    }
    return this.take(length)?.toString('utf8');
  }
  rest(): Buffer {
    const part = this.bytes.subarray(this.offset);
    this.offset = this.bytes.length;
    return part;
  }
}

/** Signs a claim; throws for a claim no token may carry (bad ids, a click without a trackable URL). */
export function signTrackingToken(claim: TrackingClaim, key: Buffer): string {
  const purpose = purposes.indexOf(claim.purpose);
  if (purpose < 0) throw new Error('Unknown token purpose');
  if (!TENANT.test(claim.tenantId)) throw new Error('The tenant id must be a plain id');
  const ref = claim.ref;
  const ids = ref.kind === 'campaign' ? [ref.campaignId, ref.contactId] : [ref.sequenceId, ref.contactId];
  if (!ids.every((id) => ID.test(id))) throw new Error('Delivery ids must be plain ids');
  if (ref.kind === 'sequence' && !(Number.isInteger(ref.step) && ref.step >= 0 && ref.step <= 255))
    throw new Error('A sequence step must be 0 to 255');
  if (claim.purpose === 'click' ? !claim.url || !isTrackableUrl(claim.url) : claim.url !== undefined)
    throw new Error('Only a click token carries a URL, and only an http(s) one');
  const body = Buffer.concat([
    Buffer.of(VERSION, purpose, ref.kind === 'campaign' ? 0 : 1),
    ...ids.map((id) => field(id, true)),
    ...(ref.kind === 'sequence' ? [Buffer.of(ref.step)] : []),
    field(claim.tenantId, false),
    Buffer.from(claim.url ?? '', 'utf8'),
  ]);
  return sealToken(PURPOSE, key, body);
}

/** The claim of a genuine token, or undefined for anything else (tampered, truncated, foreign key). */
export function verifyTrackingToken(token: string, key: Buffer): TrackingClaim | undefined {
  // The shortest body: version, purpose, kind and one byte of the first id.
  const body = openToken(PURPOSE, key, token, { maxChars: 4096, minBodyBytes: 4 });
  if (!body) return undefined;
  const reader = new Reader(body);
  const [version, purposeIndex, kind] = [reader.byte(), reader.byte(), reader.byte()];
  const purpose = purposeIndex === undefined ? undefined : purposes[purposeIndex];
  if (version !== VERSION || !purpose || (kind !== 0 && kind !== 1)) return undefined;
  const parentId = reader.field();
  const contactId = reader.field();
  const step = kind === 1 ? reader.byte() : 0;
  const tenantId = reader.field();
  if (!parentId || !contactId || step === undefined || !tenantId || !TENANT.test(tenantId)) return undefined;
  const url = reader.rest().toString('utf8');
  if (purpose === 'click' ? !isTrackableUrl(url) : url !== '') return undefined;
  const ref: DeliveryRef =
    kind === 0
      ? { kind: 'campaign', campaignId: parentId, contactId }
      : { kind: 'sequence', sequenceId: parentId, contactId, step };
  return { purpose, tenantId, ref, ...(purpose === 'click' ? { url } : {}) };
}

/**
 * The public URLs of a delivery's tokens, under the API's public base URL, in
 * ASCII (an IDN host punycoded), since they also go into List-Unsubscribe.
 */
export const trackingUrls = {
  open: (baseUrl: string, token: string) => `${asciiBaseUrl(baseUrl)}/t/o/${token}.gif`,
  click: (baseUrl: string, token: string) => `${asciiBaseUrl(baseUrl)}/t/c/${token}`,
  unsubscribe: (baseUrl: string, token: string) => `${asciiBaseUrl(baseUrl)}/u/${token}`,
};
