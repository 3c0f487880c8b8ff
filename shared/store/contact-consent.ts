import type { Contact } from '../domain/records.ts';
import { liftUnsubscribe, notSuppressed } from './suppression.ts';
import type { TransactItem } from './transactions.ts';

/** What a failed consent condition means to the writer: the field, the message, and the 409 wording if any. */
export interface ConsentError {
  readonly path: string;
  readonly message: string;
  readonly conflict?: string;
}

export interface ConsentCheck {
  readonly item: TransactItem;
  readonly error: ConsentError;
  /** The condition that the address is not suppressed: failing it means the status must follow the list. */
  readonly unsuppressed?: true;
}

/**
 * Setting `subscribed` explicitly is the person's renewed consent: it lifts an
 * unsubscribe from the suppression list in the same write (so the next
 * campaign mails them), and is refused for an address that bounced,
 * complained or was erased.
 */
export const consentRenewed = (tenantId: string, email: string): ConsentCheck => ({
  item: liftUnsubscribe(tenantId, email),
  error: {
    path: 'marketingStatus',
    message: 'cannot be subscribed: the address bounced, complained or was erased',
    conflict:
      'This address is suppressed after a bounce, a complaint or an erasure; it cannot be re-subscribed',
  },
});

/**
 * The consent conditions of a new contact, written in its transaction (the API's
 * POST /contacts and the importer share them): an explicit `subscribed` renews
 * consent (consentRenewed); without an explicit status, the condition that the
 * address is not suppressed (when it fails, the writer reads the reason and
 * starts the contact with the status the list implies, statusOfSuppressed).
 */
export function newContactConsent(
  tenantId: string,
  contact: Contact,
  explicitStatus: boolean,
): ConsentCheck[] {
  if (!contact.email) return [];
  if (explicitStatus)
    return contact.marketingStatus === 'subscribed' ? [consentRenewed(tenantId, contact.email)] : [];
  return [
    {
      item: notSuppressed(tenantId, contact.email),
      error: { path: 'email', message: 'is on the suppression list' },
      unsuppressed: true,
    },
  ];
}
