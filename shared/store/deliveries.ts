import { randomUUID } from 'node:crypto';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import {
  type Delivery,
  type DeliveryRef,
  type DeliveryStatus,
  type EngagementField,
  INTERRUPTED,
  type RecipientStatus,
} from '../domain/delivery.ts';
import { dynamo } from './client.ts';
import { conditionHeld, unlessConditionFails } from './conditional.ts';
import {
  campaignRecipientStatusPk,
  campaignRecipientsPk,
  contactDeliveriesPk,
  contactDeliverySk,
  engagementPk,
  indexEntry,
  indexPartition,
  itemIndexes,
  sequenceDeliveriesPk,
  sequenceDeliverySk,
  storageAttributes,
} from './keys.ts';
import type { PageKey } from './page.ts';
import { queryPage, queryPages } from './query.ts';
import { exists, keptIfPresent, updateExpression, verbatim } from './update-expression.ts';

/**
 * Deliveries in the table (see shared/domain/delivery.ts). Every status change
 * is one conditional UpdateItem on the delivery itself, so concurrent senders,
 * redelivered queue messages and replayed events cannot move a delivery twice.
 */

type Item = Record<string, unknown>;

export const deliveryKey = (tenantId: string, ref: DeliveryRef) =>
  ref.kind === 'campaign'
    ? { pk: campaignRecipientsPk(tenantId, ref.campaignId), sk: ref.contactId }
    : { pk: sequenceDeliveriesPk(tenantId, ref.sequenceId), sk: sequenceDeliverySk(ref.contactId, ref.step) };

/**
 * Campaign recipients are listed by the status the list shows (gsi6; see
 * recipientStatus); sequence deliveries are read one by one.
 */
export const statusIndex = (tenantId: string, ref: DeliveryRef, status: RecipientStatus): Item =>
  ref.kind === 'campaign'
    ? indexEntry(
        itemIndexes.recipientsByStatus,
        campaignRecipientStatusPk(tenantId, ref.campaignId, status),
        ref.contactId,
      )
    : {};

const refFields = (ref: DeliveryRef): Item =>
  ref.kind === 'campaign'
    ? { kind: 'campaign', campaignId: ref.campaignId, contactId: ref.contactId }
    : { kind: 'sequence', sequenceId: ref.sequenceId, contactId: ref.contactId, step: ref.step };

const storage = new Set<string>(storageAttributes);
/** A delivery as the domain reads it: the item without its keys and index attributes. */
export const toDelivery = (item: Item): Delivery =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !storage.has(name))) as unknown as Delivery;

export interface NewDelivery {
  readonly ref: DeliveryRef;
  readonly email?: string;
  /** The contact's company when the delivery is made: its opens and clicks count for that company's engagement. */
  readonly companyId?: string | undefined;
  /** `pending` (to be sent), `held` (an A/B campaign's rest, sent the winner later) or `suppressed` with its cause. */
  readonly status: 'pending' | 'held' | 'suppressed';
  readonly reason?: string;
  /** An A/B campaign's subject variant for a test recipient. */
  readonly variant?: number;
  /** An A/B campaign's group (shared/domain/delivery.ts). */
  readonly group?: 'test' | 'rest';
}

function newItem(tenantId: string, delivery: NewDelivery, now: Date): Item {
  const at = now.toISOString();
  const key = deliveryKey(tenantId, delivery.ref);
  return {
    ...key,
    ...statusIndex(tenantId, delivery.ref, delivery.status),
    ...indexEntry(
      itemIndexes.deliveriesOfContact,
      contactDeliveriesPk(tenantId, delivery.ref.contactId),
      contactDeliverySk(key),
    ),
    ...refFields(delivery.ref),
    entity: 'delivery',
    tenantId,
    ...(delivery.email ? { email: delivery.email } : {}),
    ...(delivery.companyId ? { companyId: delivery.companyId } : {}),
    status: delivery.status,
    ...(delivery.reason ? { reason: delivery.reason } : {}),
    ...(delivery.variant === undefined ? {} : { variant: delivery.variant }),
    ...(delivery.group === undefined ? {} : { group: delivery.group }),
    createdAt: at,
    updatedAt: at,
  };
}

const BATCH = 25;
const MAX_BATCH_ATTEMPTS = 8;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes new deliveries in batches of 25 (unprocessed items retried with
 * backoff). Plain puts: only for lists that nothing has been sent from yet
 * (a campaign's recipients while it is being frozen), where writing the same
 * delivery twice writes the same thing.
 */
export async function putNewDeliveries(
  tenantId: string,
  deliveries: readonly NewDelivery[],
  now = new Date(),
): Promise<void> {
  for (let start = 0; start < deliveries.length; start += BATCH) {
    let requests = deliveries
      .slice(start, start + BATCH)
      .map((delivery) => ({ PutRequest: { Item: newItem(tenantId, delivery, now) } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error('DynamoDB kept leaving deliveries unprocessed');
      if (attempt > 0) await pause(Math.min(50 * 2 ** attempt, 2000));
      const output = await dynamo.send(
        new BatchWriteCommand({ RequestItems: { [config.tableName]: requests } }),
      );
      requests = (output.UnprocessedItems?.[config.tableName] ?? []) as typeof requests;
    }
  }
}

/** Creates one delivery unless it exists; false when it did (a sequence step fired twice). */
export async function createDelivery(tenantId: string, delivery: NewDelivery, now = new Date()) {
  return conditionHeld(() =>
    dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: newItem(tenantId, delivery, now),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

export async function getDelivery(tenantId: string, ref: DeliveryRef): Promise<Delivery | undefined> {
  const output = await dynamo.send(
    new GetCommand({ TableName: config.tableName, Key: deliveryKey(tenantId, ref), ConsistentRead: true }),
  );
  return output.Item ? toDelivery(output.Item) : undefined;
}

/**
 * One conditional update; the new delivery, or undefined when the condition
 * failed (someone else moved it first, or it does not exist).
 */
async function move(
  tenantId: string,
  ref: DeliveryRef,
  update: {
    set: Item;
    remove?: readonly string[];
    condition: string;
    values?: Item;
    names?: Record<string, string>;
  },
): Promise<Delivery | undefined> {
  // DynamoDB rejects names the expressions do not use (set-once engagement does not test the status).
  const names = update.condition.includes('#status')
    ? { ...update.names, '#status': 'status' }
    : update.names;
  const output = await unlessConditionFails(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: deliveryKey(tenantId, ref),
        ...updateExpression({
          set: update.set,
          ...(update.remove ? { remove: update.remove } : {}),
          when: [
            exists('pk'),
            verbatim(update.condition, {
              ...(names ? { names } : {}),
              ...(update.values ? { values: update.values } : {}),
            }),
          ],
        }),
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return output?.Attributes ? toDelivery(output.Attributes) : undefined;
}

const statusChange = (tenantId: string, ref: DeliveryRef, status: DeliveryStatus, now: Date): Item => ({
  status,
  updatedAt: now.toISOString(),
  ...statusIndex(tenantId, ref, status),
});

/**
 * Claims a pending delivery for sending. Returns the claimed delivery (with its
 * fresh `claimId`), or undefined when it was not claimable: someone else holds
 * or held it, so this caller must not send. With `winner` (an A/B campaign
 * whose winner is written), a `held` recipient is claimable too and gets the
 * winner's variant in the same write; a test recipient keeps its own.
 */
export function claimDelivery(tenantId: string, ref: DeliveryRef, now = new Date(), winner?: number) {
  return move(tenantId, ref, {
    set: {
      ...statusChange(tenantId, ref, 'sending', now),
      claimId: randomUUID(),
      claimedAt: now.toISOString(),
      ...(winner === undefined ? {} : { variant: keptIfPresent(winner) }),
    },
    ...(winner === undefined
      ? { condition: '#status = :pending', values: { ':pending': 'pending' } }
      : {
          condition: '#status = :pending OR #status = :held',
          values: { ':pending': 'pending', ':held': 'held' },
        }),
  });
}

const holding = (claimId: string) => ({
  condition: '#status = :sending AND claimId = :claim',
  values: { ':sending': 'sending', ':claim': claimId },
});

/** Records the send; undefined when the claim was lost meanwhile (given up as interrupted). */
export function markSent(
  tenantId: string,
  ref: DeliveryRef,
  claimId: string,
  messageId: string,
  now = new Date(),
) {
  const { condition, values } = holding(claimId);
  return move(tenantId, ref, {
    set: { ...statusChange(tenantId, ref, 'sent', now), messageId, sentAt: now.toISOString() },
    remove: ['claimId'],
    condition,
    values,
  });
}

/** SES said the email was not sent (throttled, paused): back to pending for a later attempt. */
export function releaseClaim(tenantId: string, ref: DeliveryRef, claimId: string, now = new Date()) {
  const { condition, values } = holding(claimId);
  return move(tenantId, ref, {
    set: statusChange(tenantId, ref, 'pending', now),
    remove: ['claimId', 'claimedAt'],
    condition,
    values,
  });
}

/** SES refused the email for good (a bad address, a rejected message). */
export function markClaimFailed(
  tenantId: string,
  ref: DeliveryRef,
  claimId: string,
  reason: string,
  now = new Date(),
) {
  const { condition, values } = holding(claimId);
  return move(tenantId, ref, {
    set: { ...statusChange(tenantId, ref, 'failed', now), reason, failedAt: now.toISOString() },
    remove: ['claimId'],
    condition,
    values,
  });
}

/**
 * Gives up a claim older than `claimedBefore` as `failed` with reason
 * `interrupted`, as earlier versions did with every open claim; senders now
 * settle open claims by evidence instead (shared/mail/deliver.ts,
 * settleOpenClaim). Deliveries left `interrupted` are still healed to `sent`
 * by their SES event.
 */
export function abandonStaleClaim(tenantId: string, ref: DeliveryRef, claimedBefore: Date, now = new Date()) {
  return move(tenantId, ref, {
    set: { ...statusChange(tenantId, ref, 'failed', now), reason: INTERRUPTED, failedAt: now.toISOString() },
    remove: ['claimId'],
    condition: '#status = :sending AND claimedAt < :before',
    values: { ':sending': 'sending', ':before': claimedBefore.toISOString() },
  });
}

/**
 * A pending (or an A/B campaign's held) delivery that will not be sent after
 * all (campaign canceled, contact opted out).
 */
export function settlePending(
  tenantId: string,
  ref: DeliveryRef,
  status: 'suppressed' | 'canceled' | 'failed',
  reason: string,
  now = new Date(),
) {
  return move(tenantId, ref, {
    set: { ...statusChange(tenantId, ref, status, now), reason },
    condition: '#status = :pending OR #status = :held',
    values: { ':pending': 'pending', ':held': 'held' },
  });
}

/**
 * Puts a held recipient of an A/B campaign in the test group: `pending` with
 * its variant. Undefined when it was not held (a repeated assignment), so
 * assigning twice changes nothing.
 */
export function assignTestRecipient(tenantId: string, ref: DeliveryRef, variant: number, now = new Date()) {
  return move(tenantId, ref, {
    set: { ...statusChange(tenantId, ref, 'pending', now), variant, group: 'test' },
    condition: '#status = :held',
    values: { ':held': 'held' },
  });
}

/**
 * An SES Send or Delivery event for `messageId` proves the email went out:
 * a delivery still claimed, or given up as interrupted, becomes `sent`.
 */
export function healAsSent(
  tenantId: string,
  ref: DeliveryRef,
  messageId: string,
  sentAt: Date,
  now = new Date(),
) {
  return move(tenantId, ref, {
    set: { ...statusChange(tenantId, ref, 'sent', now), messageId, sentAt: sentAt.toISOString() },
    remove: ['claimId', 'reason', 'failedAt'],
    condition: '#status = :sending OR (#status = :failed AND reason = :interrupted)',
    values: { ':sending': 'sending', ':failed': 'failed', ':interrupted': INTERRUPTED },
  });
}

/**
 * Sets an engagement moment once. With `messageId`, only on the delivery that
 * sent that message (SES events); undefined when it was already set, the
 * delivery does not exist, or the message is not this delivery's.
 */
export function recordEngagement(
  tenantId: string,
  ref: DeliveryRef,
  field: EngagementField,
  at: Date,
  options: { messageId?: string; also?: Item } = {},
) {
  return move(tenantId, ref, {
    set: { [field]: at.toISOString(), ...options.also },
    condition: `attribute_not_exists(#field)${options.messageId ? ' AND messageId = :message' : ''}`,
    values: options.messageId ? { ':message': options.messageId } : {},
    names: { '#field': field },
  });
}

export interface DeliveryPage {
  readonly items: Delivery[];
  readonly lastKey: PageKey | undefined;
}

/** A campaign's recipients, all or in one status, in contact-id order. */
export async function listCampaignRecipients(
  tenantId: string,
  campaignId: string,
  options: { status?: RecipientStatus; limit: number; startKey?: PageKey | undefined; consistent?: boolean },
): Promise<DeliveryPage> {
  const byStatus = options.status !== undefined;
  const output = await queryPage(
    {
      TableName: config.tableName,
      ...(byStatus
        ? indexPartition(
            itemIndexes.recipientsByStatus,
            campaignRecipientStatusPk(tenantId, campaignId, options.status as RecipientStatus),
          )
        : {
            ConsistentRead: options.consistent ?? false,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': campaignRecipientsPk(tenantId, campaignId) },
          }),
      Limit: options.limit,
    },
    options.startKey,
  );
  return { items: output.items.map(toDelivery), lastKey: output.lastKey };
}

/**
 * After a GDPR erasure: every delivery to the person keeps its status (campaign
 * numbers stay right) but loses the address, and their open and click marks go.
 */
export async function forgetContactDeliveries(tenantId: string, contactId: string): Promise<void> {
  const pages = queryPages({
    TableName: config.tableName,
    ...indexPartition(itemIndexes.deliveriesOfContact, contactDeliveriesPk(tenantId, contactId)),
  });
  for await (const page of pages) {
    for (const item of page) {
      await conditionHeld(() =>
        dynamo.send(
          new UpdateCommand({
            TableName: config.tableName,
            Key: { pk: item.pk, sk: item.sk },
            // Marked so its opens and clicks leave the customer and engagement reports (through the stream).
            ...updateExpression({ set: { contactErased: true }, remove: ['email'], when: [exists('pk')] }),
          }),
        ),
      );
      if (item.kind === 'campaign' && typeof item.campaignId === 'string') {
        for (const kind of ['opened', 'clicked'] as const) {
          await dynamo.send(
            new DeleteCommand({
              TableName: config.tableName,
              Key: { pk: engagementPk(tenantId, item.campaignId, kind), sk: contactId },
            }),
          );
        }
      }
    }
  }
}
