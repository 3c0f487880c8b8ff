import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { type AlertKind, type AlertSettings, alertSettingsOf, type Watch } from '../domain/alerts.ts';
import type { NamedRef } from '../domain/wording.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import {
  ALERT_TENANTS_PK,
  alertKey,
  alertTenantKey,
  alertWatchesPk,
  alertWatchKey,
  alertWatchSk,
  indexDefinition,
  indexEntry,
  indexPartition,
  itemIndexes,
} from './keys.ts';
import { type NewNotification, notify } from './notifications.ts';
import { queryPages } from './query.ts';
import { readSettings, type SettingsStamp, writeSettings } from './settings.ts';

/**
 * The items behind alerts (shared/domain/alerts.ts): the tenant's settings,
 * watch items (a sparse index of records that can be alerted, by due time),
 * the registry of tenants to check, and one item per alert episode.
 */

const SETTINGS = 'alerts';

export interface StoredAlertSettings extends AlertSettings, SettingsStamp {}

/** The tenant's alert settings; defaults (14 days, 70) until an admin sets them. */
export async function getAlertSettings(tenantId: string): Promise<StoredAlertSettings> {
  const { item, stamp } = await readSettings(tenantId, SETTINGS);
  return { ...alertSettingsOf(item), ...stamp };
}

export async function putAlertSettings(
  tenantId: string,
  settings: AlertSettings,
  updatedBy: string,
): Promise<StoredAlertSettings> {
  const values = { staleDealDays: settings.staleDealDays, churnRiskThreshold: settings.churnRiskThreshold };
  return { ...settings, ...(await writeSettings(tenantId, SETTINGS, values, updatedBy)) };
}

/**
 * Writes the watch item of a record as of its image at `version`. Conditional,
 * so a replayed older image cannot bring back an older state: it holds when
 * the item is missing, older, or of the same version with an earlier `at`
 * (a deal's `lastActivityAt` moves without a new version).
 */
export async function putWatch(tenantId: string, watch: Watch, version: number): Promise<boolean> {
  return conditionHeld(() =>
    dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...alertWatchKey(tenantId, watch.kind, watch.recordId),
          ...indexEntry(
            itemIndexes.alertWatches,
            alertWatchesPk(tenantId, watch.kind),
            alertWatchSk(watch.at, watch.recordId),
          ),
          entity: 'alertWatch',
          tenantId,
          kind: watch.kind,
          recordId: watch.recordId,
          at: watch.at,
          version,
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR version < :version OR (version = :version AND #at < :at)',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':version': version, ':at': watch.at },
      }),
    ),
  );
}

/**
 * Deletes a record's watch. From the stream, `upTo` is the image's version:
 * a newer watch stays. From the alert job, `at` is the episode it dealt with:
 * a watch the stream has moved to another episode since stays.
 */
export async function deleteWatch(
  tenantId: string,
  kind: AlertKind,
  recordId: string,
  when: { readonly upTo: number } | { readonly at: string },
): Promise<boolean> {
  const condition =
    'upTo' in when
      ? {
          ConditionExpression: 'attribute_not_exists(pk) OR version <= :version',
          ExpressionAttributeValues: { ':version': when.upTo },
        }
      : {
          ConditionExpression: '#at = :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': when.at },
        };
  return conditionHeld(() =>
    dynamo.send(
      new DeleteCommand({
        TableName: config.tableName,
        Key: alertWatchKey(tenantId, kind, recordId),
        ...condition,
      }),
    ),
  );
}

export interface StoredWatch extends Watch {
  readonly version: number;
}

function toWatch(item: Record<string, unknown>, kind: AlertKind): StoredWatch | undefined {
  const { recordId, at, version } = item;
  return typeof recordId === 'string' && typeof at === 'string' && typeof version === 'number'
    ? { kind, recordId, at, version }
    : undefined;
}

/**
 * The tenant's watches of `kind` due before `before` (ISO, exclusive), oldest
 * first, page by page: one Query per page on the watch index (gsi6), reading
 * only the records that can be alerted.
 */
export async function* dueWatches(
  tenantId: string,
  kind: AlertKind,
  before: string,
): AsyncGenerator<StoredWatch[]> {
  const partition = indexPartition(itemIndexes.alertWatches, alertWatchesPk(tenantId, kind));
  const sortKey = indexDefinition(itemIndexes.alertWatches).sortKey;
  for await (const items of queryPages({
    TableName: config.tableName,
    ...partition,
    KeyConditionExpression: `${partition.KeyConditionExpression} AND ${sortKey} < :before`,
    ExpressionAttributeValues: { ...partition.ExpressionAttributeValues, ':before': before },
  })) {
    yield items.flatMap((item) => toWatch(item, kind) ?? []);
  }
}

/**
 * Lists the tenant for the alert job. Conditional, so only the first write
 * reaches the tenant list's index partition; later ones change nothing.
 */
export async function registerAlertTenant(tenantId: string): Promise<void> {
  await conditionHeld(() =>
    dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...alertTenantKey(tenantId),
          ...indexEntry(itemIndexes.alertTenants, ALERT_TENANTS_PK, tenantId),
          entity: 'alertTenant',
          tenantId,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/** Every tenant the alert job checks, page by page (ids in order). */
export async function* alertTenants(): AsyncGenerator<string[]> {
  for await (const items of queryPages({
    TableName: config.tableName,
    ...indexPartition(itemIndexes.alertTenants, ALERT_TENANTS_PK),
  })) {
    yield items.flatMap((item) => (typeof item.tenantId === 'string' ? [item.tenantId] : []));
  }
}

/** One alert: what it is about, its episode, who hears of it and what they read. */
export interface Alert {
  readonly kind: AlertKind;
  readonly record: NamedRef;
  /** Identifies the episode: the same value means the same alert (a deal's activity baseline, a case's due time). */
  readonly episode: string;
  readonly reason: string;
  readonly recipients: readonly string[];
  /**
   * The notification to send each recipient. Without `occurredAt`, it is the
   * time the alert was first raised (kept on the alert item), so a retry
   * writes the same notification items, never a second set.
   */
  readonly notification: Omit<NewNotification, 'occurredAt'> & { readonly occurredAt?: string };
}

/** Alert items are kept as long as notifications: an episode older than that is not looked at again. */
const ALERT_RETENTION_SECONDS = 180 * 24 * 60 * 60;

export type AlertOutcome = 'raised' | 'already-raised';

/**
 * Raises an alert once per episode. The alert item is created with
 * attribute_not_exists; whoever creates it, or finds it without
 * `notifiedAt` (a crash between the two steps), notifies, then stamps
 * `notifiedAt`. Notifications are keyed by the episode, so notifying twice
 * writes them once.
 */
export async function raiseAlert(tenantId: string, alert: Alert, now = new Date()): Promise<AlertOutcome> {
  const key = alertKey(tenantId, alert.kind, alert.record.id, alert.episode);
  const raisedAt = now.toISOString();
  const created = await conditionHeld(() =>
    dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...key,
          entity: 'alert',
          tenantId,
          kind: alert.kind,
          record: alert.record,
          episode: alert.episode,
          reason: alert.reason,
          recipients: [...new Set(alert.recipients)],
          raisedAt,
          expiresAt: Math.floor(now.getTime() / 1000) + ALERT_RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  let firstRaisedAt = raisedAt;
  if (!created) {
    const { Item } = await dynamo.send(
      new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }),
    );
    if (Item?.notifiedAt !== undefined) return 'already-raised';
    if (typeof Item?.raisedAt === 'string') firstRaisedAt = Item.raisedAt;
  }
  await notify(tenantId, alert.recipients, {
    ...alert.notification,
    occurredAt: alert.notification.occurredAt ?? firstRaisedAt,
  });
  await dynamo.send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: key,
      UpdateExpression: 'SET notifiedAt = if_not_exists(notifiedAt, :now)',
      ExpressionAttributeValues: { ':now': raisedAt },
    }),
  );
  return created ? 'raised' : 'already-raised';
}
