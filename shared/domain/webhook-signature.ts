import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a webhook delivery (SPEC "Import, export, extensibility"):
 * `X-CRM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
 * with the webhook's secret, beside `X-CRM-Event-Id`. The timestamp is part of
 * what is signed, so a receiver that refuses old timestamps also refuses a
 * recorded delivery played back later. While a rotated-out secret is still in
 * its overlap (shared/domain/webhooks.ts SECRET_OVERLAP_MS) a delivery carries
 * one `v1=` per secret, the newest first, as Stripe does; a receiver accepts
 * the delivery when any of them matches the secret it holds.
 */

export const SIGNATURE_HEADER = 'X-CRM-Signature';
export const EVENT_ID_HEADER = 'X-CRM-Event-Id';

/** How old (or how far ahead) a signed timestamp may be: five minutes, in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** What every secret starts with, so that one found in a log or a repository is recognisable. */
export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and 32 random bytes, base64url (43 characters). */
export const newWebhookSecret = (): string => `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;

/** The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`: one `v1` value. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The `X-CRM-Signature` value of `body` sent at `timestamp` (unix seconds), one
 * `v1=` per secret in the order given.
 */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${signatureOf(secret, timestamp, body)}`)].join(
    ',',
  );
}

export type VerifyOutcome =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'expired' | 'mismatch' };

/**
 * Checks a delivery as a receiver should: the header parses, its timestamp is
 * within `toleranceSeconds` of `now` (either way), and one of its `v1` values
 * equals the HMAC of `"<t>.<rawBody>"` under `secret`, compared in constant
 * time. `rawBody` must be the bytes as received, before any JSON parsing.
 */
export function verifySignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  options: { readonly now?: Date; readonly toleranceSeconds?: number } = {},
): VerifyOutcome {
  if (!header) return { ok: false, reason: 'malformed' };
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamps = parts.filter(([name]) => name === 't').map(([, value]) => value ?? '');
  const given = parts.filter(([name, value]) => name === 'v1' && /^[0-9a-f]{64}$/.test(value ?? ''));
  const [stamp] = timestamps;
  if (timestamps.length !== 1 || !stamp || !/^\d{1,12}$/.test(stamp) || given.length === 0)
    return { ok: false, reason: 'malformed' };
  const timestamp = Number(stamp);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS))
    return { ok: false, reason: 'expired' };
  const expected = Buffer.from(signatureOf(secret, timestamp, rawBody), 'hex');
  const matches = given.some(([, value]) => timingSafeEqual(Buffer.from(value as string, 'hex'), expected));
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
