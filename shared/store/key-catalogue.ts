import { activityState, agendaKey } from '../domain/activities.ts';
import {
  ALERT_TENANTS_PK,
  acceptedQuoteKey,
  alertKey,
  alertTenantKey,
  alertWatchesPk,
  alertWatchKey,
  alertWatchSk,
  campaignRecipientStatusPk,
  campaignRecipientsPk,
  campaignStatsKey,
  campaignStatsMarkerKey,
  commentKey,
  contactDeliveriesPk,
  contactDeliverySk,
  contactEnrollmentsPk,
  copiesPk,
  dealHistoryKey,
  ENROLLMENT_CHUNK_PREFIX,
  type EntityType,
  engagementPk,
  enrollmentChunkKey,
  enrollmentDueSk,
  enrollmentJobKey,
  enrollmentKey,
  enrollmentStatusPk,
  enrollmentsDuePk,
  eventsMarkerKey,
  exportJobKey,
  followersPk,
  formRateKey,
  IMPORT_RANGE_PREFIX,
  idempotencyKey,
  importKey,
  importRangeKey,
  inboundAddressPk,
  itemIndexes,
  lookupPk,
  lookupSk,
  notificationAboutSk,
  notificationSk,
  notificationsAboutPk,
  notificationsPk,
  quoteCounterKey,
  REBUILD_DRIFT_PREFIX,
  REBUILD_PAGE_PREFIX,
  rebuildDriftKey,
  rebuildJobKey,
  rebuildLockKey,
  rebuildPageKey,
  recordKey,
  reportAggregateKey,
  searchSk,
  searchWordSk,
  sendBudgetKey,
  sequenceDeliveriesPk,
  sequenceDeliverySk,
  settingsKey,
  shareDownloadSk,
  shareDownloadsPk,
  shareKey,
  statePk,
  streamMarkerKey,
  suppressionKey,
  timelinePk,
  timelineSk,
  uniqueKey,
  userViewCounterKey,
  viewCounterKey,
  webhookCounterKey,
  webhookDeliveryKey,
  webhookLogPk,
  webhookLogSk,
  webhookSlotKey,
} from './keys.ts';
import { type DeclaredPatterns, type PatternName, recordPatterns } from './record-patterns.ts';
import type { IndexName } from './table.ts';

/**
 * Every kind of key the table holds, rendered from the builders with
 * `<placeholders>`: the source of the README's access-pattern table (a unit
 * test keeps the two equal) and of the key tests (tenant prefix, collisions).
 */
export interface KeyShape {
  /** The access pattern or item kind. */
  readonly name: string;
  /** `table` for the base table's own key. */
  readonly index: IndexName | 'table';
  readonly pk: string;
  readonly sk: string;
}

export const TENANT = '<tenant>';
const TYPE = '<TYPE>' as EntityType;
const ID = '<id>';

/** An entity declaring every pattern, for rendering them. */
const anyEntity: {
  readonly type: EntityType;
  readonly accessPatterns: DeclaredPatterns<{
    id: string;
    ownerId: string;
    archived: boolean;
    parentId: string;
  }>;
} = {
  type: TYPE,
  accessPatterns: {
    byParent: { parent: '<PARENT>', field: 'parentId' },
    byState: { state: () => '<state>' },
    byName: { name: () => '<name>' },
  },
};

const recordPattern = (name: PatternName, query: Record<string, string>, sk = ID): KeyShape => {
  const pattern = recordPatterns[name] as {
    index: IndexName;
    partition: (tenantId: string, entity: typeof anyEntity, query: unknown, archived: boolean) => string;
  };
  return { name, index: pattern.index, pk: pattern.partition(TENANT, anyEntity, query, false), sk };
};

/** The archived records of a type: byCollection's other partition. */
const archivedCollection = (): KeyShape => ({
  name: 'byCollection (archived)',
  index: recordPatterns.byCollection.index,
  pk: recordPatterns.byCollection.partition(TENANT, anyEntity, undefined, true),
  sk: ID,
});

const item = (name: string, key: { pk: string; sk: string }): KeyShape => ({ name, index: 'table', ...key });

/** The access patterns of records and of other items: what lists and lookups read. */
export function accessPatternShapes(): KeyShape[] {
  return [
    item('record', recordKey(TENANT, TYPE, ID)),
    recordPattern('byCollection', {}),
    archivedCollection(),
    recordPattern('byOwner', { ownerId: '<ownerId>' }),
    recordPattern('byTeam', { teamId: '<teamId>' }),
    recordPattern('byParent', { parentId: '<parentId>' }),
    recordPattern('byState', { state: '<state>' }),
    {
      name: 'byState (activities)',
      index: recordPatterns.byState.index,
      pk: statePk(TENANT, 'ACTIVITY', activityState({ status: '<status>' as 'open', ownerId: '<ownerId>' })),
      sk: agendaKey({ id: ID, dueAt: '<dueAt>' }),
    },
    recordPattern('byName', { prefix: '<prefix>' }, searchSk('<word>', ID)),
    {
      name: 'recipientsByStatus',
      index: itemIndexes.recipientsByStatus,
      pk: campaignRecipientStatusPk(TENANT, '<campaignId>', '<status>'),
      sk: '<contactId>',
    },
    {
      name: 'deliveriesOfContact',
      index: itemIndexes.deliveriesOfContact,
      pk: contactDeliveriesPk(TENANT, '<contactId>'),
      sk: contactDeliverySk({ pk: '<pk>', sk: '<sk>' }),
    },
    {
      name: 'enrollmentsByStatus',
      index: itemIndexes.enrollmentsByStatus,
      pk: enrollmentStatusPk(TENANT, '<sequenceId>', '<status>'),
      sk: '<contactId>',
    },
    {
      name: 'enrollmentsDue',
      index: itemIndexes.enrollmentsDue,
      pk: enrollmentsDuePk(TENANT),
      sk: enrollmentDueSk('<nextStepAt>', '<sequenceId>', '<contactId>'),
    },
    {
      name: 'enrollmentsOfContact',
      index: itemIndexes.enrollmentsOfContact,
      pk: contactEnrollmentsPk(TENANT, '<contactId>'),
      sk: '<sequenceId>',
    },
    {
      name: 'notificationsAbout',
      index: itemIndexes.notificationsAbout,
      pk: notificationsAboutPk(TENANT, { type: '<type>', id: ID }),
      sk: notificationAboutSk('<userId>', notificationSk('<occurredAt>', '<key>')),
    },
    item('timeline', {
      pk: timelinePk(TENANT, { type: '<type>', id: ID }),
      sk: timelineSk('<at>', '<eventId>', 0).replace(/0$/, '<n>'),
    }),
    item('followers', { pk: followersPk(TENANT, { type: '<type>', id: ID }), sk: '<userId>' }),
    item('notifications', {
      pk: notificationsPk(TENANT, '<userId>'),
      sk: notificationSk('<occurredAt>', '<key>'),
    }),
    item('comment', commentKey(TENANT, TYPE, ID, '<commentId>')),
    item('searchWord', { pk: recordKey(TENANT, TYPE, ID).pk, sk: searchWordSk(1).replace(/01$/, '<nn>') }),
    item('dealHistory', dealHistoryKey(TENANT, '<dealId>', '<entryId>')),
    item('acceptedQuote', acceptedQuoteKey(TENANT, '<dealId>')),
    item('quoteCounter', quoteCounterKey(TENANT, '<year>' as unknown as number)),
    item('unique', uniqueKey(TENANT, '<NAME>', '<value>')),
    item('settings', settingsKey(TENANT, '<name>')),
    item('reportAggregate', {
      pk: reportAggregateKey(TENANT, '<report>', 0, '').pk.replace(/0$/, '<shard>'),
      sk: '<groupKey>',
    }),
    item('idempotency', idempotencyKey(TENANT, '<userId>', '<key>')),
    item('copies', { pk: copiesPk(TENANT, '<recordId>'), sk: '<idempotency pk>' }),
    item('suppression', suppressionKey(TENANT, '<emailHash>')),
    item('streamMarker', streamMarkerKey(TENANT, '<eventId>')),
    item('campaignStatsMarker', campaignStatsMarkerKey(TENANT, '<eventId>')),
    item('eventsMarker', eventsMarkerKey(TENANT, '<eventId>')),
    item('campaignStats', campaignStatsKey(TENANT, '<campaignId>')),
    item('campaignRecipient', { pk: campaignRecipientsPk(TENANT, '<campaignId>'), sk: '<contactId>' }),
    item('sequenceDelivery', {
      pk: sequenceDeliveriesPk(TENANT, '<sequenceId>'),
      sk: sequenceDeliverySk('<contactId>', 0).replace(/00$/, '<nn>'),
    }),
    item('engagement', { pk: engagementPk(TENANT, '<campaignId>', '<kind>' as 'opened'), sk: '<contactId>' }),
    item('enrollment', enrollmentKey(TENANT, '<sequenceId>', '<contactId>')),
    item('enrollmentJob', enrollmentJobKey(TENANT, '<jobId>')),
    item('enrollmentChunk', {
      ...enrollmentChunkKey(TENANT, '<jobId>', 0),
      sk: `${ENROLLMENT_CHUNK_PREFIX}<nnnnnn>`,
    }),
    item('sendBudget', sendBudgetKey('<epochSecond>' as unknown as number)),
    {
      name: 'alertWatches',
      index: itemIndexes.alertWatches,
      pk: alertWatchesPk(TENANT, '<kind>'),
      sk: alertWatchSk('<at>', '<recordId>'),
    },
    { name: 'alertTenants', index: itemIndexes.alertTenants, pk: ALERT_TENANTS_PK, sk: '<tenantId>' },
    {
      name: 'inboundAddresses',
      index: itemIndexes.inboundAddresses,
      pk: inboundAddressPk('<token>'),
      sk: '<tenantId>',
    },
    {
      name: 'recordsByLookup',
      index: itemIndexes.recordsByLookup,
      pk: lookupPk(TENANT, '<NAME>', '<value>'),
      sk: ID,
    },
    item('lookup', { pk: recordKey(TENANT, TYPE, ID).pk, sk: lookupSk('<NAME>') }),
    item('alertWatch', alertWatchKey(TENANT, '<kind>', '<recordId>')),
    item('alert', alertKey(TENANT, '<kind>', '<recordId>', '<episode>')),
    item('alertTenant', alertTenantKey(TENANT)),
    item('rebuildJob', rebuildJobKey(TENANT, '<jobId>')),
    item('rebuildPage', { ...rebuildPageKey(TENANT, '<jobId>', 0), sk: `${REBUILD_PAGE_PREFIX}<nnnnnn>` }),
    item('rebuildDrift', { ...rebuildDriftKey(TENANT, '<jobId>', 0), sk: `${REBUILD_DRIFT_PREFIX}<nnnnnn>` }),
    item('rebuildLock', rebuildLockKey(TENANT)),
    item('exportJob', exportJobKey(TENANT, '<exportId>')),
    item('import', importKey(TENANT, '<importId>')),
    item('importRange', {
      ...importRangeKey(TENANT, '<importId>', 0),
      sk: `${IMPORT_RANGE_PREFIX}<nnnnnnnnn>`,
    }),
    item('share', shareKey(TENANT, '<segmentId>', '<shareId>')),
    item('shareDownload', {
      pk: shareDownloadsPk(TENANT, '<shareId>'),
      sk: shareDownloadSk('<at>', '<downloadId>'),
    }),
    item('viewCounter', viewCounterKey(TENANT)),
    item('userViewCounter', userViewCounterKey(TENANT, '<userId>')),
    item('webhookCounter', webhookCounterKey(TENANT)),
    item('webhookDelivery', webhookDeliveryKey(TENANT, '<webhookId>', '<deliveryId>')),
    item('webhookLog', {
      pk: webhookLogPk(TENANT, '<webhookId>'),
      sk: webhookLogSk('<at>', '<deliveryId>', 0).replace(/000$/, '<nnn>'),
    }),
    item('webhookSlot', { ...webhookSlotKey(TENANT, '<webhookId>', 0), sk: '<slot>' }),
    item('formRate', formRateKey(TENANT, '<bucket>', '<windowStart>' as unknown as number)),
  ];
}
