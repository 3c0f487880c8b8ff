import { createHash } from 'node:crypto';
import type { MarketingStatus } from './contacts.ts';
import { canonicalEmail } from './email.ts';

/**
 * Suppression entries keep only a hash of the address, so an erased person's
 * email is not stored, yet a later import of the same address is still
 * recognised: SHA-256 hex of `tenant:address`, the address in its canonical
 * form (shared/domain/email.ts), so an IDN domain hashes alike in either form.
 */
export const emailHash = (tenantId: string, email: string): string =>
  createHash('sha256')
    .update(`${tenantId}:${canonicalEmail(email)}`)
    .digest('hex');

export type SuppressionReason = 'erased' | 'unsubscribed' | 'bounced' | 'complained';

/**
 * The marketing status a new contact with a suppressed address starts with,
 * so that what the API shows is what sending will do: an unsubscribe or an
 * erasure reads as `unsubscribed` (a new opt-in lifts it), a bounce or
 * complaint as itself.
 */
export const statusOfSuppressed = (reason: SuppressionReason): Exclude<MarketingStatus, 'subscribed'> =>
  reason === 'bounced' || reason === 'complained' ? reason : 'unsubscribed';
