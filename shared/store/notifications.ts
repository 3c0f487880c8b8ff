import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { boundedText } from '../domain/bounded.ts';
import type { NotificationKind } from '../domain/notification-rules.ts';
import type { NamedActor, NamedRef } from '../domain/wording.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import {
  indexEntry,
  indexPartition,
  itemIndexes,
  notificationAboutSk,
  notificationSk,
  notificationsAboutPk,
  notificationsPk,
} from './keys.ts';
import { queryPages } from './query.ts';
import type { TransactItem } from './transactions.ts';

/**
 * In-app notifications, one item per recipient in the recipient's own
 * partition (keys.ts notificationsPk), newest first by `occurredAt`.
 * The sort key is built from `occurredAt` and `key`, both deterministic for the
 * event (the record's updatedAt, the schedule's time), and written with
 * attribute_not_exists: a replayed stream record or a schedule firing twice
 * notifies once.
 */
export interface NewNotification {
  readonly kind: NotificationKind;
  /** Short, human-readable line naming the actor and the record (domain/wording.ts). */
  readonly title: string;
  /** The record it is about: type and id to link to it, its name to show. */
  readonly record?: NamedRef;
  /** The record that one relates to (a reminded activity's contact, a breached case's contact). */
  readonly related?: NamedRef;
  /** Who caused it; never notified about their own action. */
  readonly actorId?: string;
  readonly actor?: NamedActor;
  /** For comments and mentions: the comment's id and a short excerpt. */
  readonly commentId?: string;
  readonly excerpt?: string;
  /** ISO time of the event, deterministic for it (same event, same value). */
  readonly occurredAt: string;
  /** Distinguishes events at the same time, deterministic too, e.g. `reminder:<activityId>`. */
  readonly key: string;
  /** For alerts (shared/domain/alerts.ts): the alert's kind and why it was raised. */
  readonly alert?: { readonly kind: string; readonly reason: string };
}

export { notificationsAboutPk, notificationsPk };

const sortKey = (notification: NewNotification) => notificationSk(notification.occurredAt, notification.key);

/** A title names a record or quotes a comment; longer ones are cut (the record has the rest). */
export const MAX_TITLE_CHARS = 200;

/** Expire after 180 days. */
const RETENTION_SECONDS = 180 * 24 * 60 * 60;

/** One Put per recipient, skipping the actor; each succeeds at most once per event. */
export function notificationItems(
  tenantId: string,
  userIds: readonly string[],
  notification: NewNotification,
): TransactItem[] {
  const recipients = [...new Set(userIds)].filter((userId) => userId !== notification.actorId);
  const about = notification.record;
  return recipients.map((userId) => ({
    Put: {
      TableName: config.tableName,
      Item: {
        pk: notificationsPk(tenantId, userId),
        sk: sortKey(notification),
        entity: 'notification',
        tenantId,
        userId,
        id: Buffer.from(sortKey(notification)).toString('base64url'),
        kind: notification.kind,
        title: boundedText(notification.title, MAX_TITLE_CHARS),
        ...(notification.record ? { record: notification.record } : {}),
        ...(notification.related ? { related: notification.related } : {}),
        ...(notification.actorId ? { actorId: notification.actorId } : {}),
        ...(notification.actor ? { actor: notification.actor } : {}),
        ...(notification.commentId ? { commentId: notification.commentId } : {}),
        ...(notification.excerpt ? { excerpt: notification.excerpt } : {}),
        ...(notification.alert ? { alert: notification.alert } : {}),
        // Every user's notifications about one record: what an erasure reads to
        // remove or redact each copy of a person's name in anyone's notifications.
        ...(about
          ? indexEntry(
              itemIndexes.notificationsAbout,
              notificationsAboutPk(tenantId, about),
              notificationAboutSk(userId, sortKey(notification)),
            )
          : {}),
        occurredAt: notification.occurredAt,
        read: false,
        expiresAt: Math.floor(Date.parse(notification.occurredAt) / 1000) + RETENTION_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
}

/** Writes the notification for each recipient; one that already exists (a replay) is skipped. */
export async function notify(
  tenantId: string,
  userIds: readonly string[],
  notification: NewNotification,
): Promise<void> {
  await Promise.all(
    notificationItems(tenantId, userIds, notification).map(async (item) => {
      await conditionHeld(() => dynamo.send(new PutCommand(item.Put as NonNullable<TransactItem['Put']>)));
    }),
  );
}

/** Every user's notifications about `record`, page by page (whole items). */
export function notificationsAbout(
  tenantId: string,
  record: { type: string; id: string },
): AsyncGenerator<Record<string, unknown>[]> {
  return queryPages({
    TableName: config.tableName,
    ...indexPartition(itemIndexes.notificationsAbout, notificationsAboutPk(tenantId, record)),
  });
}
