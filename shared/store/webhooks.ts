import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { DomainEventType } from '../domain/domain-events.ts';
import { MAX_WEBHOOKS_PER_TENANT } from '../domain/webhooks.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { recordKey, webhookCounterKey } from './keys.ts';
import type { PageKey } from './page.ts';
import {
  clientView,
  type EntitySpec,
  getRecord,
  listRecords,
  replaceRecord,
  type StoredRecord,
} from './records.ts';
import type { TransactItem } from './transactions.ts';

/**
 * A tenant's webhook (SPEC "Import, export, extensibility"): where the
 * tenant's domain events of the chosen types are POSTed, signed with
 * `secret`. Its owner is the admin who created it, who is notified when it is
 * disabled. The secrets and the failure clock are for the system alone
 * ({@link shownWebhook} leaves the secrets out of every answer but the one
 * that creates or rotates them).
 */
export type Webhook = StoredRecord & {
  url: string;
  events: DomainEventType[];
  description?: string;
  enabled: boolean;
  /** The signing secret (`whsec_...`). */
  secret: string;
  /** The secret before the last rotation, still signing beside the new one until `previousSecretUntil`. */
  previousSecret?: string;
  previousSecretUntil?: string;
  /** When the current run of failures began; absent while deliveries succeed. */
  failingSince?: string;
  /** When and why it was disabled; cleared when it is enabled again. */
  disabledAt?: string;
  disabledReason?: string;
};

/** Enabled webhooks are listed under one state (gsi6), what the stream's fan-out reads. */
export const ENABLED_STATE = 'ENABLED';

export const webhooks: EntitySpec<Webhook> = {
  type: 'WEBHOOK',
  label: 'webhook',
  accessPatterns: { byState: { state: (webhook) => (webhook.enabled ? ENABLED_STATE : undefined) } },
  maxItemBytes: 16 * 1024,
};

/** A webhook as its routes answer it: no secrets. */
export type ShownWebhook = Omit<Webhook, 'secret' | 'previousSecret' | 'previousSecretUntil'>;

export function shownWebhook(webhook: Webhook): ShownWebhook {
  const {
    secret: _secret,
    previousSecret: _previous,
    previousSecretUntil: _until,
    ...shown
  } = clientView(webhooks, webhook);
  return shown;
}

const counterUpdate = (tenantId: string, delta: 1 | -1, bounded: boolean): TransactItem => ({
  Update: {
    TableName: config.tableName,
    Key: webhookCounterKey(tenantId),
    UpdateExpression: 'ADD #n :delta SET entity = :entity',
    ...(bounded ? { ConditionExpression: 'attribute_not_exists(#n) OR #n < :max' } : {}),
    ExpressionAttributeNames: { '#n': 'webhooks' },
    ExpressionAttributeValues: {
      ':delta': delta,
      ':entity': 'webhook-counter',
      ...(bounded ? { ':max': MAX_WEBHOOKS_PER_TENANT } : {}),
    },
  },
});

/** The transaction item that counts a new webhook, failing once the tenant holds MAX_WEBHOOKS_PER_TENANT. */
export const countNewWebhook = (tenantId: string): TransactItem => counterUpdate(tenantId, 1, true);

/** The transaction item that uncounts a deleted webhook. */
export const uncountWebhook = (tenantId: string): TransactItem => counterUpdate(tenantId, -1, false);

/** Every webhook of a tenant (at most MAX_WEBHOOKS_PER_TENANT: one or two Query pages), newest first. */
export async function tenantWebhooks(tenantId: string, enabledOnly: boolean): Promise<Webhook[]> {
  const all: Webhook[] = [];
  let startKey: PageKey | undefined;
  do {
    const page = await listRecords(webhooks, tenantId, {
      archived: false,
      limit: 100,
      startKey,
      ...(enabledOnly ? { via: { pattern: 'byState', state: ENABLED_STATE } as const } : {}),
    });
    all.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return all;
}

/** The webhook as stored now (a strongly consistent read), or undefined. */
export const currentWebhook = (tenantId: string, id: string): Promise<Webhook | undefined> =>
  getRecord(webhooks, tenantId, id, true);

/**
 * Starts the failure clock of a webhook at `at` unless it runs already. Not a
 * change of the webhook's settings, so its version (and ETag) stays.
 */
export async function startFailureClock(tenantId: string, id: string, at: string): Promise<void> {
  await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: recordKey(tenantId, 'WEBHOOK', id),
        UpdateExpression: 'SET failingSince = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(failingSince)',
        ExpressionAttributeValues: { ':at': at },
      }),
    ),
  );
}

/** Stops the failure clock after a success (a no-op when it was not running). */
export async function stopFailureClock(tenantId: string, id: string): Promise<void> {
  await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: recordKey(tenantId, 'WEBHOOK', id),
        UpdateExpression: 'REMOVE failingSince',
        ConditionExpression: 'attribute_exists(failingSince)',
      }),
    ),
  );
}

/**
 * Disables a webhook that has failed since `failingSince`: a new version,
 * out of the enabled index, conditioned on the version read. True when this
 * call disabled it (so exactly one caller notifies), false when it was
 * already disabled, changed meanwhile or deleted.
 */
export async function disableFailingWebhook(
  tenantId: string,
  webhook: Webhook,
  now: Date,
  reason: string,
): Promise<boolean> {
  if (!webhook.enabled) return false;
  const at = now.toISOString();
  const next: Webhook = {
    ...webhook,
    enabled: false,
    disabledAt: at,
    disabledReason: reason,
    version: webhook.version + 1,
    updatedAt: at,
  };
  const outcome = await replaceRecord(webhooks, tenantId, webhook, next);
  return outcome.ok;
}
