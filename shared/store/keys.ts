/**
 * Every key value starts with the authenticated tenant (`T#<tenant>#`), so no
 * query built here can reach another tenant's items.
 */
export type EntityType =
  | 'CONTACT'
  | 'COMPANY'
  | 'TEAM'
  | 'USER'
  | 'LEAD'
  | 'DEAL'
  | 'PIPELINE'
  | 'PRODUCT'
  | 'QUOTE'
  | 'CASE'
  | 'ACTIVITY'
  | 'SEGMENT'
  | 'TEMPLATE'
  | 'CAMPAIGN'
  | 'SEQUENCE';

export const RECORD_SK = 'A';

export const tenantPrefix = (tenantId: string) => `T#${tenantId}#`;

export const recordPk = (tenantId: string, type: EntityType, id: string) => `T#${tenantId}#${type}#${id}`;

export const recordKey = (tenantId: string, type: EntityType, id: string) => ({
  pk: recordPk(tenantId, type, id),
  sk: RECORD_SK,
});

/** Live records of a type, newest first by ULID; archived ones sit in their own partition. */
export const collectionPk = (tenantId: string, type: EntityType, archived: boolean) =>
  `T#${tenantId}#${type}${archived ? '#ARCHIVED' : ''}`;

export const ownerPk = (tenantId: string, type: EntityType, ownerId: string) =>
  `T#${tenantId}#${type}#OWNER#${ownerId}`;

export const teamPk = (tenantId: string, type: EntityType, teamId: string) =>
  `T#${tenantId}#${type}#TEAM#${teamId}`;

export const statePk = (tenantId: string, type: EntityType, state: string) =>
  `T#${tenantId}#${type}#STATE#${state}`;

export const parentPk = (tenantId: string, type: EntityType, parent: string, parentId: string) =>
  `T#${tenantId}#${type}#${parent}#${parentId}`;

export const searchPk = (tenantId: string, type: EntityType) => `T#${tenantId}#${type}#NAME`;

/** A unique value (an email, a domain) reserved by one record. */
export const uniqueKey = (tenantId: string, name: string, value: string) => ({
  pk: `T#${tenantId}#UNIQUE#${name}#${value.toLowerCase()}`,
  sk: RECORD_SK,
});

/** Tenant settings (default pipeline, lead assignment, ...), one item each. */
export const settingsKey = (tenantId: string, name: string) => ({ pk: `T#${tenantId}#SETTINGS`, sk: name });

/** A deal's stage history lives in the deal's own partition, written in the same transaction as the change. */
export const dealHistoryKey = (tenantId: string, dealId: string, entryId: string) => ({
  pk: recordPk(tenantId, 'DEAL', dealId),
  sk: `HISTORY#${entryId}`,
});

export const idempotencyKey = (tenantId: string, userId: string, key: string) => ({
  pk: `T#${tenantId}#IDEMPOTENCY#${userId}#${key}`,
  sk: RECORD_SK,
});

/**
 * Pointers from a record to the stored idempotent responses that hold a copy
 * of it (`sk` = the idempotency item's pk), so that erasing the record
 * reaches those copies too.
 */
export const copiesPk = (tenantId: string, recordId: string) => `T#${tenantId}#COPIES#${recordId}`;

export const suppressionKey = (tenantId: string, emailHash: string) => ({
  pk: `T#${tenantId}#SUPPRESSION#${emailHash}`,
  sk: RECORD_SK,
});

export const aggregateKey = (tenantId: string, name: string) => ({ pk: `T#${tenantId}#AGGREGATE`, sk: name });

export const streamMarkerKey = (tenantId: string, eventId: string) => ({
  pk: `T#${tenantId}#STREAM#${eventId}`,
  sk: RECORD_SK,
});

/** Attributes that exist for the table, not for clients (named by the domain, which reads stored images). */
export { storageAttributes } from '../domain/records.ts';

/**
 * The marker of a deal's accepted quote, in the deal's own partition. Written
 * with attribute_not_exists in the accepting transaction, so a deal has at most
 * one accepted quote even when two accepts race.
 */
export const acceptedQuoteKey = (tenantId: string, dealId: string) => ({
  pk: recordPk(tenantId, 'DEAL', dealId),
  sk: 'ACCEPTED_QUOTE',
});

/**
 * One email to one contact: a campaign recipient, or one step of a contact's
 * sequence enrollment (see shared/domain/delivery.ts). A campaign's recipients
 * share a partition keyed by the contact, so freezing the list twice cannot
 * make a second recipient for anyone; a status index lists them by state.
 */
export const campaignRecipientsPk = (tenantId: string, campaignId: string) =>
  `T#${tenantId}#CAMPAIGN#${campaignId}#RECIPIENTS`;

export const campaignRecipientStatusPk = (tenantId: string, campaignId: string, status: string) =>
  `T#${tenantId}#CAMPAIGN#${campaignId}#RECIPIENTS#${status}`;

export const sequenceDeliveriesPk = (tenantId: string, sequenceId: string) =>
  `T#${tenantId}#SEQUENCE#${sequenceId}#DELIVERIES`;

/** Step numbers are zero-padded so that a contact's steps sort in order. */
export const sequenceDeliverySk = (contactId: string, step: number) =>
  `${contactId}#${String(step).padStart(2, '0')}`;

/** Every delivery to one contact (gsi3), so that erasing the person reaches all of them. */
export const contactDeliveriesPk = (tenantId: string, contactId: string) =>
  `T#${tenantId}#DELIVERY#CONTACT#${contactId}`;

/** A campaign's running totals, kept by the stream consumer. */
export const campaignStatsKey = (tenantId: string, campaignId: string) => ({
  pk: recordPk(tenantId, 'CAMPAIGN', campaignId),
  sk: 'STATS',
});

/**
 * Contacts that opened or clicked a campaign, one item each (written once, by
 * tracking): what segment conditions on `engagement.opened|clicked` read.
 */
export const engagementPk = (tenantId: string, campaignId: string, kind: 'opened' | 'clicked') =>
  `T#${tenantId}#ENGAGEMENT#${campaignId}#${kind}`;

/** A contact's enrollment in a sequence; listed per contact through gsi3 for exit conditions. */
export const enrollmentKey = (tenantId: string, sequenceId: string, contactId: string) => ({
  pk: `T#${tenantId}#SEQUENCE#${sequenceId}#ENROLLMENTS`,
  sk: contactId,
});

export const contactEnrollmentsPk = (tenantId: string, contactId: string) =>
  `T#${tenantId}#ENROLLMENT#CONTACT#${contactId}`;

/**
 * The SES send budget of one wall-clock second. SES limits the sending rate
 * per AWS account, not per tenant, so this is the one key without a tenant:
 * it holds a counter and nothing about anyone's data.
 */
export const sendBudgetKey = (epochSecond: number) => ({ pk: `SEND_BUDGET#${epochSecond}`, sk: RECORD_SK });
