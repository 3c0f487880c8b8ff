import { identifyingValues } from '#shared/domain/erasure';
import type { RecordRef } from '#shared/domain/timeline';
import { logger } from '#shared/observability/logger';
import { deletePartition, followersPk, timelinePk } from '#shared/store/collaboration';
import { forgetContactDeliveries } from '#shared/store/deliveries';
import {
  type Activity,
  activities,
  cases,
  companies,
  type Deal,
  deals,
  leads,
  quotes,
} from '#shared/store/entities';
import { deleteItems, redactItems, redactPartition, redactRecord } from '#shared/store/erasure';
import { forgetStoredResponses, redactStoredResponses } from '#shared/store/idempotency';
import { recordPk } from '#shared/store/keys';
import { notificationsAbout } from '#shared/store/notifications';
import { type EntitySpec, listRecords, type StoredRecord } from '#shared/store/records';
import type { Consumer, FailedIds, Image, TableChange } from '../pipeline/change.ts';
import { describeError } from '../pipeline/isolation.ts';

/**
 * Runs the erasure cascade (eraseTraces) for each contact the batch removed,
 * one record at a time. It runs after the notifications consumer, so what a
 * change earlier in the batch notified about the person is erased too.
 */
async function applyErasure(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  for (const { eventId, old: before, new: after } of changes) {
    const tenantId = (after ?? before)?.tenantId;
    if (typeof tenantId !== 'string' || after || before?.entity !== 'contact') continue;
    try {
      await eraseTraces(tenantId, before);
    } catch (error) {
      logger.error('erasure failed', { eventId, error: describeError(error) });
      failed.set(eventId, error);
    }
  }
  return failed;
}

export const erasure: Consumer = {
  name: 'erasure',
  reportedAs: 'timeline and notifications',
  apply: applyErasure,
};

/**
 * After a GDPR erasure of a contact (SPEC: "removes the person's data and
 * every item that holds it"), run from the stream on the contact's removal.
 * Every step is idempotent, so a failed record is simply retried:
 *
 * - what is only about the person goes: their timeline, comments, followers,
 *   the leads converted into them (with their own timelines, comments and
 *   followers), everyone's notifications about them or those leads, their
 *   entries on the company's timeline, their email on deliveries, their opens
 *   and clicks;
 * - what is about something else but copied their names, email or phone
 *   (their activities, cases, the deal, its quotes and the company of their
 *   conversion, deals of their company that list them, which also stop listing
 *   them, those records' timelines and notifications, the company's timeline) keeps its
 *   content with those values redacted, and activities lose their link;
 * - stored idempotent responses (any user's) that held them answer 410.
 */
async function eraseTraces(tenantId: string, contact: Image): Promise<void> {
  const person: RecordRef = { type: 'contact', id: String(contact.id) };
  const converted = await everyRecord(leads, tenantId, person.id);
  const values = identifyingValues([contact, ...(converted as unknown as Image[])]);

  for (const ref of [person, ...converted.map((lead) => ({ type: 'lead', id: lead.id }))])
    await forgetActivitiesAbout(tenantId, ref, values);
  for (const found of await everyRecord(cases, tenantId, person.id))
    await redactWithHistory(cases, tenantId, found.id, values);
  for (const lead of converted) {
    if (lead.dealId) {
      await redactWithHistory(deals, tenantId, lead.dealId, values);
      for (const quote of await everyRecord(quotes, tenantId, lead.dealId))
        await redactWithHistory(quotes, tenantId, quote.id, values);
    }
    if (lead.companyId) await redactWithHistory(companies, tenantId, lead.companyId, values);
    await eraseRecordTraces(tenantId, { type: 'lead', id: lead.id }, recordPk(tenantId, 'LEAD', lead.id));
  }

  if (typeof contact.companyId === 'string') {
    // Deals of their company that name them among their contacts (deals are listed by company).
    const withoutPerson = (deal: Deal): Deal => ({
      ...deal,
      contactIds: deal.contactIds.filter((id) => id !== person.id),
    });
    for (const deal of await everyRecord(deals, tenantId, contact.companyId))
      if (deal.contactIds.includes(person.id))
        await redactWithHistory(deals, tenantId, deal.id, values, withoutPerson);
  }
  await forgetContactDeliveries(tenantId, person.id);
  await eraseRecordTraces(tenantId, person, recordPk(tenantId, 'CONTACT', person.id));
  if (typeof contact.companyId === 'string') {
    const companyTimeline = timelinePk(tenantId, { type: 'company', id: contact.companyId });
    const subject = (item: Image) => (item.subject as RecordRef | undefined)?.id === person.id;
    await deletePartition(companyTimeline, subject);
    await redactPartition(companyTimeline, values);
  }
}

/** Activities about the person (as contact or as lead): unlinked, redacted, with their notifications and stored responses. */
async function forgetActivitiesAbout(tenantId: string, ref: RecordRef, values: readonly string[]) {
  for (const activity of await everyRecord(activities, tenantId, `${ref.type}:${ref.id}`)) {
    await redactRecord(activities, tenantId, activity.id, values, unlink);
    await redactNotificationsAbout(tenantId, { type: 'activity', id: activity.id }, values);
    await redactStoredResponses(tenantId, activity.id, values);
  }
}

/** Activities about an erased person keep their own content (redacted) but no longer point at them. */
const unlink = (activity: Activity): Activity => {
  const { related: _related, relatedKey: _relatedKey, companyId: _companyId, ...rest } = activity;
  return rest;
};

/** Everything about one record of the person: its partition (record, comments), timeline, followers, notifications, stored responses. */
async function eraseRecordTraces(tenantId: string, ref: RecordRef, partition: string): Promise<void> {
  await deletePartition(timelinePk(tenantId, ref));
  await deletePartition(followersPk(tenantId, ref));
  for await (const page of notificationsAbout(tenantId, ref)) await deleteItems(page);
  await forgetStoredResponses(tenantId, ref.id);
  // The record itself last: while it exists, a retry can still find what is left.
  await deletePartition(partition);
}

/** A record that copied the person's values, redacted with its comments, timeline and everyone's notifications about it. */
async function redactWithHistory<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  id: string,
  values: readonly string[],
  change?: (record: T) => T,
): Promise<void> {
  const ref = { type: spec.type.toLowerCase(), id };
  await redactRecord(spec, tenantId, id, values, change);
  // The rest of its partition: comments on it, a deal's stage history.
  await redactPartition(recordPk(tenantId, spec.type, id), values);
  await redactPartition(timelinePk(tenantId, ref), values);
  await redactNotificationsAbout(tenantId, ref, values);
  await redactStoredResponses(tenantId, id, values);
}

async function redactNotificationsAbout(tenantId: string, ref: RecordRef, values: readonly string[]) {
  for await (const page of notificationsAbout(tenantId, ref)) await redactItems(page, values);
}

/** Every record of `spec` under a parent (live and archived), e.g. the cases of a contact. */
async function everyRecord<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  parentId: string,
): Promise<T[]> {
  const found: T[] = [];
  for (const archived of [false, true]) {
    let startKey: Record<string, string | number> | undefined;
    do {
      const page = await listRecords(spec, tenantId, {
        archived,
        limit: 100,
        startKey,
        via: { pattern: 'byParent', parentId },
      });
      found.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
  }
  return found;
}
