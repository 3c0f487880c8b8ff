import { type IndexName, tableDefinition } from './table.ts';

/**
 * Every key value of the table is built here (or by the record access patterns
 * of record-patterns.ts, from these builders). Every one starts with the
 * authenticated tenant (`T#<tenant>#`; tenant ids are plain identifiers, see
 * shared/http/auth.ts), so no query built here can reach another tenant's
 * items. The exceptions are the tenant-free SES send budget (sendBudgetKey) and
 * the index partitions listing tenants for the alert job (ALERT_TENANTS_PK)
 * and mapping a logging address to its tenant (inboundAddressPk).
 * Changing a template orphans the items stored under the old one:
 * test/unit/keys.test.ts pins today's strings.
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
  | 'SEQUENCE'
  | 'VIEW'
  | 'WEBHOOK'
  | 'FORM';

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

/** A search key (a normalised word, shared/domain/text.ts searchKeys) and the record it finds. */
export const searchSk = (word: string, id: string) => `${word}#${id}`;

/**
 * The items in a record's own partition that copy it for its later words
 * (`WORD#01`, `WORD#02`, ...; see records.ts searchWordWrites).
 */
export const SEARCH_WORD_PREFIX = 'WORD#';
export const searchWordSk = (n: number) => `${SEARCH_WORD_PREFIX}${String(n).padStart(2, '0')}`;

/** A unique value (an email, a domain) reserved by one record. */
export const uniqueKey = (tenantId: string, name: string, value: string) => ({
  pk: `T#${tenantId}#UNIQUE#${name}#${value.toLowerCase()}`,
  sk: RECORD_SK,
});

/** Tenant settings (default pipeline, lead assignment, ...), one item each. */
export const settingsKey = (tenantId: string, name: string) => ({ pk: `T#${tenantId}#SETTINGS`, sk: name });

/** A comment on a record, in the record's own partition. */
export const commentKey = (tenantId: string, type: EntityType, recordId: string, commentId: string) => ({
  pk: recordPk(tenantId, type, recordId),
  sk: `COMMENT#${commentId}`,
});

/** A deal's stage history lives in the deal's own partition, written in the same transaction as the change. */
/** What every entry of a deal's stage history (dealHistoryKey) sorts under. */
export const DEAL_HISTORY_PREFIX = 'HISTORY#';

export const dealHistoryKey = (tenantId: string, dealId: string, entryId: string) => ({
  pk: recordPk(tenantId, 'DEAL', dealId),
  sk: `${DEAL_HISTORY_PREFIX}${entryId}`,
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

/**
 * A report aggregate item (shared/domain/reports): the partition of one report
 * and shard, the item's group key (`owner#2026-03-14#<userId>`) as sort key.
 * Each report is split over REPORT_SHARDS partitions so a burst of writes (an
 * import, a campaign) spreads; a report is read by one Query per shard.
 */
export const reportAggregatePk = (tenantId: string, report: string, shard: number) =>
  `T#${tenantId}#REPORT#${report}#${shard}`;

export const reportAggregateKey = (tenantId: string, report: string, shard: number, key: string) => ({
  pk: reportAggregatePk(tenantId, report, shard),
  sk: key,
});

export const streamMarkerPk = (tenantId: string, eventId: string) => `T#${tenantId}#STREAM#${eventId}`;

export const streamMarkerKey = (tenantId: string, eventId: string) => ({
  pk: streamMarkerPk(tenantId, eventId),
  sk: RECORD_SK,
});

/** The campaign counters' marker of one stream event, beside (not instead of) other consumers' markers. */
export const campaignStatsMarkerKey = (tenantId: string, eventId: string) => ({
  pk: streamMarkerPk(tenantId, eventId),
  sk: 'CAMPAIGN',
});

/** The domain events' marker of one stream event: its events were published (shared/store/event-markers.ts). */
export const eventsMarkerKey = (tenantId: string, eventId: string) => ({
  pk: streamMarkerPk(tenantId, eventId),
  sk: 'EVENTS',
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
 * The last quote number given in one year (shared/domain/quote-number.ts),
 * raised in the transaction that creates the quote.
 */
export const quoteCounterKey = (tenantId: string, year: number) => ({
  pk: `T#${tenantId}#COUNTER#QUOTE#${year}`,
  sk: RECORD_SK,
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
  `${sequenceDeliveryPrefix(contactId)}${String(step).padStart(2, '0')}`;

/** What every sequenceDeliverySk of one contact begins with. */
export const sequenceDeliveryPrefix = (contactId: string) => `${contactId}#`;

/** Every delivery to one contact (gsi3), so that erasing the person reaches all of them. */
export const contactDeliveriesPk = (tenantId: string, contactId: string) =>
  `T#${tenantId}#DELIVERY#CONTACT#${contactId}`;

/** A delivery's sort key among its contact's deliveries: its own pk and sk. */
export const contactDeliverySk = (key: { readonly pk: string; readonly sk: string }) => `${key.pk}#${key.sk}`;

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
export const enrollmentsPk = (tenantId: string, sequenceId: string) =>
  `T#${tenantId}#SEQUENCE#${sequenceId}#ENROLLMENTS`;

export const enrollmentKey = (tenantId: string, sequenceId: string, contactId: string) => ({
  pk: enrollmentsPk(tenantId, sequenceId),
  sk: contactId,
});

export const contactEnrollmentsPk = (tenantId: string, contactId: string) =>
  `T#${tenantId}#ENROLLMENT#CONTACT#${contactId}`;

/** A sequence's enrollments in one status (gsi6), e.g. the active ones a schedule walks. */
export const enrollmentStatusPk = (tenantId: string, sequenceId: string, status: string) =>
  `T#${tenantId}#SEQUENCE#${sequenceId}#ENROLLMENTS#${status}`;

/**
 * A background enrollment of a segment into a sequence (shared/store/enrollment-jobs.ts):
 * the job item, and one item per chunk of the resolved segment (`CHUNK#<n>`: its
 * contact ids, written once; then marked done with its counts, once), in the
 * job's own partition.
 */
export const enrollmentJobPk = (tenantId: string, jobId: string) => `T#${tenantId}#ENROLLMENT_JOB#${jobId}`;

export const enrollmentJobKey = (tenantId: string, jobId: string) => ({
  pk: enrollmentJobPk(tenantId, jobId),
  sk: RECORD_SK,
});

export const ENROLLMENT_CHUNK_PREFIX = 'CHUNK#';

export const enrollmentChunkKey = (tenantId: string, jobId: string, chunk: number) => ({
  pk: enrollmentJobPk(tenantId, jobId),
  sk: `${ENROLLMENT_CHUNK_PREFIX}${String(chunk).padStart(6, '0')}`,
});

/**
 * A tenant's active enrollments by when their pending step is due (gsi2,
 * `sk` = enrollmentDueSk): what the sweep of stuck steps reads, only the
 * overdue ones. Present only while the enrollment is active.
 */
export const enrollmentsDuePk = (tenantId: string) => `T#${tenantId}#ENROLLMENTS#DUE`;

export const enrollmentDueSk = (nextStepAt: string, sequenceId: string, contactId: string) =>
  `${nextStepAt}#${sequenceId}#${contactId}`;

/** A record of the timeline and followers: its type as the API names it (`contact`) and id. */
interface Ref {
  readonly type: string;
  readonly id: string;
}

/** A record's timeline, newest first: `sk` = timelineSk. */
export const timelinePk = (tenantId: string, ref: Ref) => `T#${tenantId}#TIMELINE#${ref.type}#${ref.id}`;

/** Deterministic for a stream event, so a replayed record rewrites the same entries. */
export const timelineSk = (at: string, eventId: string, n: number) => `${at}#${eventId}#${n}`;

/** A record's followers, `sk` = the user id. */
export const followersPk = (tenantId: string, ref: Ref) => `T#${tenantId}#FOLLOWERS#${ref.type}#${ref.id}`;

/** A user's notifications, newest first by `sk` = notificationSk. */
export const notificationsPk = (tenantId: string, userId: string) =>
  `T#${tenantId}#USER#${userId}#NOTIFICATIONS`;

/** What every notificationSk begins with: how a notification id a client sends is told from other keys. */
export const NOTIFICATION_PREFIX = 'N#';

/** `occurredAt` sorts them; `key` tells apart events at the same time. */
export const notificationSk = (occurredAt: string, key: string) =>
  `${NOTIFICATION_PREFIX}${occurredAt}#${key}`;

/**
 * Every user's notifications about one record (gsi3, `sk` = notificationAboutSk):
 * what an erasure reads to reach each copy of a person's name.
 */
export const notificationsAboutPk = (tenantId: string, ref: Ref) =>
  `T#${tenantId}#NOTIFICATION#ABOUT#${ref.type}#${ref.id}`;

export const notificationAboutSk = (userId: string, notificationSk: string) => `${userId}#${notificationSk}`;

/**
 * The SES send budget of one wall-clock second. SES limits the sending rate
 * per AWS account, not per tenant, so this is the one key without a tenant:
 * it holds a counter and nothing about anyone's data.
 */
export const sendBudgetKey = (epochSecond: number) => ({ pk: `SEND_BUDGET#${epochSecond}`, sk: RECORD_SK });

/**
 * A record the alert job watches (shared/domain/alerts.ts watchOf): one item
 * per watched record and kind, kept by the stream from the record's images
 * and present only while the record can be alerted. Indexed (gsi6) under its
 * kind by due time, so the job finds what is due with one Query per tenant and
 * kind, without reading the records that are fine.
 */
export const alertWatchKey = (tenantId: string, kind: string, recordId: string) => ({
  pk: `T#${tenantId}#ALERT_WATCH#${kind}#${recordId}`,
  sk: RECORD_SK,
});

/** The watched records of one kind (gsi6), `sk` = alertWatchSk: due time first. */
export const alertWatchesPk = (tenantId: string, kind: string) => `T#${tenantId}#ALERT_WATCH#${kind}`;

export const alertWatchSk = (at: string, recordId: string) => `${at}#${recordId}`;

/**
 * One alert episode of a record (shared/domain/alerts.ts): written once, with
 * attribute_not_exists, by whichever finds the episode first, so a record
 * that stays in the same condition is alerted once.
 */
export const alertKey = (tenantId: string, kind: string, recordId: string, episode: string) => ({
  pk: `T#${tenantId}#ALERT#${kind}#${recordId}`,
  sk: episode,
});

/**
 * A tenant the alert job checks: written once, when the tenant's first record
 * is watched. Indexed (gsi1) in the one partition without a tenant,
 * ALERT_TENANTS_PK, holding nothing but tenant ids, so the job pages through
 * the tenants without a scan.
 */
export const alertTenantKey = (tenantId: string) => ({ pk: `T#${tenantId}#ALERT_TENANT`, sk: RECORD_SK });

export const ALERT_TENANTS_PK = 'ALERT_TENANTS';

/**
 * The tenant's inbound email settings item (settingsKey `inboundEmail`) is
 * indexed (gsi1) under its logging address's token, the index partition
 * mail arrives with: the token is 96 random bits, so the partition names no
 * tenant and holds only the one item that maps the token to its tenant.
 */
export const inboundAddressPk = (token: string) => `INBOUND_ADDRESS#${token}`;

/**
 * The indexes that items other than records are read by (records' own are
 * their access patterns, record-patterns.ts). Writers and readers of each
 * take the index from here.
 */
export const itemIndexes = {
  /** A campaign's recipients in one status: campaignRecipientStatusPk / contact id. */
  recipientsByStatus: 'gsi6',
  /** Every delivery to one contact: contactDeliveriesPk / contactDeliverySk. */
  deliveriesOfContact: 'gsi3',
  /** A sequence's enrollments in one status: enrollmentStatusPk / contact id. */
  enrollmentsByStatus: 'gsi6',
  /** Every enrollment of one contact: contactEnrollmentsPk / sequence id. */
  enrollmentsOfContact: 'gsi3',
  /** A tenant's active enrollments by due step: enrollmentsDuePk / enrollmentDueSk. */
  enrollmentsDue: 'gsi2',
  /** Every user's notifications about one record: notificationsAboutPk / notificationAboutSk. */
  notificationsAbout: 'gsi3',
  /** The records of one alert kind by due time: alertWatchesPk / alertWatchSk. */
  alertWatches: 'gsi6',
  /** The tenants the alert job checks: ALERT_TENANTS_PK / tenant id. */
  alertTenants: 'gsi1',
  /** The records holding a lookup value (a lead's email): lookupPk / record id. */
  recordsByLookup: 'gsi3',
  /** The tenant of a logging address: inboundAddressPk / tenant id. */
  inboundAddresses: 'gsi1',
} as const satisfies Record<string, IndexName>;

/**
 * The attributes that place an item in `index` (`{gsiNpk, gsiNsk}`), named by
 * the table definition: every writer of an index key goes through here.
 */
export function indexEntry(index: IndexName, pk: string, sk: string): Record<string, string> {
  const definition = indexDefinition(index);
  return { [definition.partitionKey]: pk, [definition.sortKey]: sk };
}

/** The query input that reads one partition of `index`, `:pk` bound to `pk`. */
export function indexPartition(index: IndexName, pk: string) {
  return {
    IndexName: index,
    KeyConditionExpression: `${indexDefinition(index).partitionKey} = :pk`,
    ExpressionAttributeValues: { ':pk': pk } as Record<string, unknown>,
  };
}

export function indexDefinition(index: IndexName) {
  const definition = tableDefinition.indexes.find((candidate) => candidate.name === index);
  if (!definition) throw new Error(`No index ${index}`);
  return definition;
}

/**
 * A rebuild of a tenant's report aggregates run in the background
 * (shared/store/report-rebuild-jobs.ts): the job item, the sums of each page
 * of records it read (`PAGE#<n>`) and the drift of each correction batch
 * (`DRIFT#<n>`), all in the job's own partition.
 */
export const rebuildJobPk = (tenantId: string, jobId: string) => `T#${tenantId}#REBUILD#${jobId}`;

export const rebuildJobKey = (tenantId: string, jobId: string) => ({
  pk: rebuildJobPk(tenantId, jobId),
  sk: RECORD_SK,
});

export const REBUILD_PAGE_PREFIX = 'PAGE#';
export const REBUILD_DRIFT_PREFIX = 'DRIFT#';

export const rebuildPageKey = (tenantId: string, jobId: string, page: number) => ({
  pk: rebuildJobPk(tenantId, jobId),
  sk: `${REBUILD_PAGE_PREFIX}${String(page).padStart(6, '0')}`,
});

export const rebuildDriftKey = (tenantId: string, jobId: string, batch: number) => ({
  pk: rebuildJobPk(tenantId, jobId),
  sk: `${REBUILD_DRIFT_PREFIX}${String(batch).padStart(6, '0')}`,
});

/** The lease one rebuild of a tenant holds while it compares and corrects (shared/store/rebuild-lock.ts). */
export const rebuildLockKey = (tenantId: string) => ({ pk: `T#${tenantId}#REBUILD_LOCK`, sk: RECORD_SK });

/** An export job (shared/store/exports.ts): what was asked, by whom, and the file once written. */
export const exportJobKey = (tenantId: string, exportId: string) => ({
  pk: `T#${tenantId}#EXPORT#${exportId}`,
  sk: RECORD_SK,
});

/** Where an export's file is kept in the exports bucket: under the tenant, like every key. */
export const exportObjectKey = (tenantId: string, exportId: string, extension: string) =>
  `${tenantId}/${exportId}.${extension}`;
/**
 * CSV imports (shared/store/imports.ts): each import's item in the tenant's
 * imports partition (sorted by its ULID, so listed newest first), and the
 * markers of the row ranges it has written in the import's own partition
 * (`RANGE#<first record, 9 digits>`), each written in the same transaction as
 * its rows so that a redelivered range is counted once and written never twice.
 */
export const importsPk = (tenantId: string) => `T#${tenantId}#IMPORTS`;

export const importKey = (tenantId: string, importId: string) => ({ pk: importsPk(tenantId), sk: importId });

export const IMPORT_RANGE_PREFIX = 'RANGE#';

export const importRangesPk = (tenantId: string, importId: string) => `T#${tenantId}#IMPORT#${importId}`;

export const importRangeSk = (first: number) => `${IMPORT_RANGE_PREFIX}${String(first).padStart(9, '0')}`;

export const importRangeKey = (tenantId: string, importId: string, first: number) => ({
  pk: importRangesPk(tenantId, importId),
  sk: importRangeSk(first),
});

/**
 * A value a record can be found by without it being unique (a lead's email,
 * which several leads may share): one item in the record's own partition
 * (`LOOKUP#<NAME>`, deleted with it), indexed under the value.
 */
export const LOOKUP_PREFIX = 'LOOKUP#';

export const lookupSk = (name: string) => `${LOOKUP_PREFIX}${name}`;

export const lookupPk = (tenantId: string, name: string, value: string) =>
  `T#${tenantId}#LOOKUP#${name}#${value.toLowerCase()}`;

/**
 * Shared list links (shared/store/shares.ts): each share in its segment's
 * partition (sorted by its ULID, so a segment's shares are one Query), and
 * its download log in the share's own partition, newest last
 * (`<ISO time>#<download ULID>`), each entry kept by TTL.
 */
export const sharesPk = (tenantId: string, segmentId: string) => `T#${tenantId}#SHARES#${segmentId}`;

export const shareKey = (tenantId: string, segmentId: string, shareId: string) => ({
  pk: sharesPk(tenantId, segmentId),
  sk: shareId,
});

export const shareDownloadsPk = (tenantId: string, shareId: string) =>
  `T#${tenantId}#SHARE_DOWNLOADS#${shareId}`;

export const shareDownloadSk = (at: string, downloadId: string) => `${at}#${downloadId}`;

/**
 * How many saved views a tenant holds (shared/store/views.ts), raised and
 * lowered in the transaction that creates or deletes one: the bound that
 * keeps a list of views a few Query pages.
 */
export const viewCounterKey = (tenantId: string) => ({
  pk: `T#${tenantId}#COUNTER#VIEW`,
  sk: RECORD_SK,
});

/**
 * How many saved views one user owns, beside the tenant's count: one user
 * cannot fill the tenant's bound alone.
 */
export const userViewCounterKey = (tenantId: string, userId: string) => ({
  pk: `T#${tenantId}#COUNTER#VIEW#U#${userId}`,
  sk: RECORD_SK,
});

/**
 * How many webhooks a tenant holds (shared/store/webhooks.ts), raised and
 * lowered in the transaction that creates or deletes one: the bound that
 * keeps the stream's read of a tenant's enabled webhooks one Query.
 */
export const webhookCounterKey = (tenantId: string) => ({
  pk: `T#${tenantId}#COUNTER#WEBHOOK`,
  sk: RECORD_SK,
});

/**
 * One delivery of one event to one webhook (shared/store/webhook-deliveries.ts):
 * its state, claimed by the worker with a conditional write, so a replayed or
 * redelivered message finds it taken or done. `deliveryId` is deterministic
 * (shared/domain/webhooks.ts deliveryIdOf). Kept by TTL.
 */
export const webhookDeliveryKey = (tenantId: string, webhookId: string, deliveryId: string) => ({
  pk: `T#${tenantId}#WEBHOOK_DELIVERY#${webhookId}#${deliveryId}`,
  sk: RECORD_SK,
});

/** A webhook's delivery log, newest last by `sk` = webhookLogSk (read backwards). Kept by TTL. */
export const webhookLogPk = (tenantId: string, webhookId: string) => `T#${tenantId}#WEBHOOK_LOG#${webhookId}`;

export const webhookLogSk = (at: string, deliveryId: string, attempt: number) =>
  `${at}#${deliveryId}#${String(attempt).padStart(3, '0')}`;

/**
 * One of the in-flight slots of a webhook (`sk` = the slot number): held by a
 * delivery until it ends or its lease expires, so a worker that dies
 * mid-request frees it by time alone.
 */
export const webhookSlotKey = (tenantId: string, webhookId: string, slot: number) => ({
  pk: `T#${tenantId}#WEBHOOK_SLOT#${webhookId}`,
  sk: String(slot),
});

/**
 * One rate-limit bucket of web-to-lead submissions (shared/store/forms.ts) for
 * one window: `bucket` is `FORM#<formId>` or `IP#<keyed hash of the address>`,
 * `windowStart` the window's first second. Expires (TTL) after its window.
 */
export const formRateKey = (tenantId: string, bucket: string, windowStart: number) => ({
  pk: `T#${tenantId}#FORM_RATE#${bucket}`,
  sk: String(windowStart),
});
