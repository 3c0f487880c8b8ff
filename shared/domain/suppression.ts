import { createHash } from 'node:crypto';

/**
 * Suppression entries keep only a hash of the address, so an erased person's
 * email is not stored, yet a later import of the same address is still recognised.
 */
export const emailHash = (tenantId: string, email: string): string =>
  createHash('sha256').update(`${tenantId}:${email.trim().toLowerCase()}`).digest('hex');

export type SuppressionReason = 'erased' | 'unsubscribed' | 'bounced' | 'complained';
