import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { type MarketingStatus, marketingStatusRefusal } from '../domain/contacts.ts';
import { canonicalEmail, sameEmail } from '../domain/email.ts';
import type { SuppressionReason } from '../domain/suppression.ts';
import { actingAs } from './actor.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { type Contact, contacts } from './entities.ts';
import { engagementPk } from './keys.ts';
import { getRecord, replaceRecord } from './records.ts';
import { liftUnsubscribe, suppressionItem } from './suppression.ts';
import { holderOf } from './unique.ts';

/**
 * What unsubscribe links and SES events change outside a delivery: the
 * contact's marketing status, the tenant's suppression list, and the per-
 * campaign engagement items segments read. Every write here is idempotent, so
 * a retried request or a replayed event finishes what a crash left half done
 * and otherwise changes nothing.
 */

/** The contact, if it exists and is not archived (deleted); read consistently. */
export async function liveContact(tenantId: string, contactId: string): Promise<Contact | undefined> {
  const contact = await getRecord(contacts, tenantId, contactId, true);
  return contact && !contact.archived ? contact : undefined;
}

/** Which statuses each change may replace: bounced and complained are never undone by an unsubscribe. */
const replaces: Record<Exclude<MarketingStatus, 'subscribed'>, readonly MarketingStatus[]> = {
  unsubscribed: ['subscribed'],
  bounced: ['subscribed', 'unsubscribed'],
  complained: ['subscribed', 'unsubscribed', 'bounced'],
};

export type StatusChange = 'changed' | 'unchanged' | 'missing';

const MAX_ATTEMPTS = 5;

/**
 * Moves a contact's marketing status through a versioned write (so the stream
 * and the timeline see it, stamped with `actor`). With `onlyForEmail`, only
 * while the contact still has that address: a bounce of an old address says
 * nothing about the new one. A concurrent edit is re-read and retried.
 */
export async function changeMarketingStatus(
  tenantId: string,
  contactId: string,
  status: Exclude<MarketingStatus, 'subscribed'>,
  options: { actor: string; onlyForEmail?: string; now?: Date },
): Promise<StatusChange> {
  for (let attempt = 1; ; attempt++) {
    const current = await liveContact(tenantId, contactId);
    if (!current) return 'missing';
    if (!replaces[status].includes(current.marketingStatus)) return 'unchanged';
    if (options.onlyForEmail !== undefined && !sameEmail(current.email, options.onlyForEmail))
      return 'unchanged';
    const next: Contact = {
      ...current,
      marketingStatus: status,
      version: current.version + 1,
      updatedAt: (options.now ?? new Date()).toISOString(),
      updatedBy: options.actor,
    };
    const outcome = await actingAs(options.actor, () => replaceRecord(contacts, tenantId, current, next));
    if (outcome.ok) return 'changed';
    if (attempt >= MAX_ATTEMPTS) throw new Error(`Contact ${contactId} kept changing; status not written`);
  }
}

/**
 * Adds an address to the tenant's suppression list (by hash). An existing
 * entry stays, except that a bounce or complaint replaces an unsubscribe (the
 * stronger reason); an erased person's entry is never touched.
 */
export async function addSuppression(
  tenantId: string,
  email: string,
  reason: Exclude<SuppressionReason, 'erased'>,
  now = new Date(),
): Promise<boolean> {
  const upgrade = reason !== 'unsubscribed';
  return conditionHeld(() =>
    dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: suppressionItem(tenantId, email, reason, now),
        ConditionExpression: upgrade
          ? 'attribute_not_exists(pk) OR reason = :unsubscribed'
          : 'attribute_not_exists(pk)',
        ...(upgrade ? { ExpressionAttributeValues: { ':unsubscribed': 'unsubscribed' } } : {}),
      }),
    ),
  );
}

export type EngagementKind = 'opened' | 'clicked';

/**
 * Notes that a contact opened or clicked a campaign (one item per contact,
 * written once): what segment conditions `engagement.opened|clicked` read.
 */
export async function recordEngagementItem(
  tenantId: string,
  campaignId: string,
  kind: EngagementKind,
  contactId: string,
  at: Date,
): Promise<boolean> {
  return conditionHeld(() =>
    dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          pk: engagementPk(tenantId, campaignId, kind),
          sk: contactId,
          entity: 'engagement',
          tenantId,
          campaignId,
          contactId,
          kind,
          at: at.toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/** What a confirmed double opt-in did to the contact that holds the address (see renewConsentByEmail). */
export type ConsentRenewal = 'subscribed' | 'already_subscribed' | 'suppressed' | 'refused' | 'no_contact';

/**
 * A person proved, by clicking the confirmation link mailed to `email`, that
 * they want marketing email there (a confirmed double opt-in). When a live
 * contact of the tenant holds the address and is `unsubscribed`, it becomes
 * `subscribed` and an `unsubscribed` suppression of the address is lifted in
 * the same transaction (as an API write of `subscribed` does: contact-consent.ts); the
 * transaction is refused, changing nothing, when the address is suppressed for
 * a bounce, a complaint or an erasure, which only new email events may lift
 * (`suppressed`). A `bounced` or `complained` contact is never changed
 * (`refused`: marketingStatusRefusal). Without such a contact an unsubscribe
 * of the address is lifted alone (the person's own new consent), never another
 * reason. A concurrent edit of the contact is re-read and retried.
 */
export async function renewConsentByEmail(
  tenantId: string,
  email: string,
  options: { actor: string; now?: Date },
): Promise<ConsentRenewal> {
  const address = canonicalEmail(email);
  const lift = liftUnsubscribe(tenantId, address);
  const { Delete: liftAlone } = lift;
  for (let attempt = 1; ; attempt++) {
    const id = await holderOf(tenantId, 'CONTACT_EMAIL', address);
    const current = id ? await liveContact(tenantId, id) : undefined;
    if (!current || !sameEmail(current.email, address)) {
      const lifted = liftAlone ? await conditionHeld(() => dynamo.send(new DeleteCommand(liftAlone))) : true;
      return lifted ? 'no_contact' : 'suppressed';
    }
    if (current.marketingStatus === 'subscribed') return 'already_subscribed';
    if (marketingStatusRefusal(current.marketingStatus, 'subscribed')) return 'refused';
    const next: Contact = {
      ...current,
      marketingStatus: 'subscribed',
      version: current.version + 1,
      updatedAt: (options.now ?? new Date()).toISOString(),
      updatedBy: options.actor,
    };
    const outcome = await actingAs(options.actor, () =>
      replaceRecord(contacts, tenantId, current, next, [lift]),
    );
    if (outcome.ok) return 'subscribed';
    if (outcome.reason === 'check') return 'suppressed';
    if (attempt >= MAX_ATTEMPTS) throw new Error(`Contact ${current.id} kept changing; consent not written`);
  }
}
