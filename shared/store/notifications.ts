import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { boundedText } from '../domain/bounded.ts';
import { dynamo } from './client.ts';
import type { TransactItem } from './transactions.ts';

/**
 * In-app notifications, one item per recipient in the recipient's own
 * partition (`T#t#USER#<userId>#NOTIFICATIONS`), newest first by `occurredAt`.
 * The sort key is built from `occurredAt` and `key`, both deterministic for the
 * event (the record's updatedAt, the schedule's time), and written with
 * attribute_not_exists: a replayed stream record or a schedule firing twice
 * notifies once.
 */
export type NotificationKind =
  | 'reminder'
  | 'sla_breach'
  | 'mention'
  | 'assigned'
  | 'changed'
  | 'commented'
  | 'alert';

export interface NewNotification {
  readonly kind: NotificationKind;
  /** Short, human-readable line, e.g. `Reminder: Call Ana about renewal`. */
  readonly title: string;
  readonly record?: { readonly type: string; readonly id: string };
  /** Who caused it; never notified about their own action. */
  readonly actorId?: string;
  /** ISO time of the event, deterministic for it (same event, same value). */
  readonly occurredAt: string;
  /** Distinguishes events at the same time, deterministic too, e.g. `reminder:<activityId>`. */
  readonly key: string;
}

export const notificationsPk = (tenantId: string, userId: string) =>
  `T#${tenantId}#USER#${userId}#NOTIFICATIONS`;

const sortKey = (notification: NewNotification) => `N#${notification.occurredAt}#${notification.key}`;

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
        ...(notification.actorId ? { actorId: notification.actorId } : {}),
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
      try {
        await dynamo.send(new PutCommand(item.Put as NonNullable<TransactItem['Put']>));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }),
  );
}
