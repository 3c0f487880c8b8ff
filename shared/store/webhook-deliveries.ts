import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { DomainEventType } from '../domain/domain-events.ts';
import type { DeliveryState, WebhookPolicy } from '../domain/webhooks.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { webhookDeliveryKey, webhookLogPk, webhookLogSk, webhookSlotKey } from './keys.ts';
import type { PageKey } from './page.ts';

/**
 * What the webhook delivery worker keeps in the table: each delivery's state
 * (claimed by a conditional write, so a replayed or redelivered message is a
 * no-op), each webhook's in-flight slots (leases that expire, so a worker that
 * dies cannot keep one), and the delivery log, one entry per attempt.
 */

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** Who a delivery is: its tenant, webhook and deterministic id. */
export interface DeliveryRef {
  readonly tenantId: string;
  readonly webhookId: string;
  readonly deliveryId: string;
}

/**
 * Claims attempt `attempt` of a delivery for `leaseMs`. It succeeds when the
 * delivery is new, when it waits for an earlier attempt's retry, when an
 * earlier attempt still holds it (that attempt queued this one after its
 * POST, so only its bookkeeping is left, and a retry queued with no delay can
 * be taken before it is done), or when the same attempt holds it with an
 * expired lease (its worker died); never once it is delivered or given up,
 * nor while a live holder of the same attempt has it (a duplicate message).
 * False: someone else has (or had) it, skip the message.
 */
export async function claimDelivery(
  ref: DeliveryRef,
  attempt: number,
  now: Date,
  policy: Pick<WebhookPolicy, 'slotLeaseMs' | 'logRetentionSeconds'>,
): Promise<boolean> {
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: webhookDeliveryKey(ref.tenantId, ref.webhookId, ref.deliveryId),
        UpdateExpression:
          'SET #state = :inFlight, attempt = :attempt, leaseUntil = :until, entity = :entity, tenantId = :tenant, expiresAt = :expires',
        ConditionExpression:
          'attribute_not_exists(pk) OR (#state = :waiting AND attempt < :attempt) OR (#state = :inFlight AND attempt < :attempt) OR (#state = :inFlight AND leaseUntil < :now AND attempt = :attempt)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':inFlight': 'in_flight',
          ':waiting': 'waiting',
          ':attempt': attempt,
          ':until': now.getTime() + policy.slotLeaseMs,
          ':now': now.getTime(),
          ':entity': 'webhook-delivery',
          ':tenant': ref.tenantId,
          ':expires': epochSeconds(now) + policy.logRetentionSeconds,
        },
      }),
    ),
  );
}

/**
 * Ends attempt `attempt`'s hold on a delivery: `waiting` for a later attempt
 * (`attempt` is then the last one made: a put-back message claims again with
 * the same number after `waiting` at `attempt - 1`), or final (`delivered`,
 * `failed`). Conditioned on the attempt still holding it.
 */
export async function settleDelivery(
  ref: DeliveryRef,
  attempt: number,
  state: 'waiting' | 'delivered' | 'failed',
  recordedAttempt: number = attempt,
): Promise<void> {
  await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: webhookDeliveryKey(ref.tenantId, ref.webhookId, ref.deliveryId),
        UpdateExpression: 'SET #state = :state, attempt = :recorded REMOVE leaseUntil',
        ConditionExpression: '#state = :inFlight AND attempt = :attempt',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':state': state,
          ':recorded': recordedAttempt,
          ':inFlight': 'in_flight',
          ':attempt': attempt,
        },
      }),
    ),
  );
}

/**
 * Takes one of the webhook's `maxInFlight` slots for `holder` until
 * `slotLeaseMs` from `now`, trying the slots from a random one (so workers
 * spread): the slot number, or undefined when every slot is held by a live
 * lease (the delivery is put back, not failed).
 */
export async function takeSlot(
  tenantId: string,
  webhookId: string,
  holder: string,
  now: Date,
  policy: Pick<WebhookPolicy, 'maxInFlight' | 'slotLeaseMs'>,
  random: () => number = Math.random,
): Promise<number | undefined> {
  const first = Math.floor(random() * policy.maxInFlight);
  for (let n = 0; n < policy.maxInFlight; n++) {
    const slot = (first + n) % policy.maxInFlight;
    const taken = await conditionHeld(() =>
      dynamo.send(
        new PutCommand({
          TableName: config.tableName,
          Item: {
            ...webhookSlotKey(tenantId, webhookId, slot),
            entity: 'webhook-slot',
            tenantId,
            holder,
            leaseUntil: now.getTime() + policy.slotLeaseMs,
            // Past its lease the slot is free anyway; TTL only tidies the table.
            expiresAt: epochSeconds(now) + Math.ceil(policy.slotLeaseMs / 1000) + 3600,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': now.getTime() },
        }),
      ),
    );
    if (taken) return slot;
  }
  return undefined;
}

/** Frees a slot this holder took (a no-op when its lease ran out and another took it). */
export async function releaseSlot(
  tenantId: string,
  webhookId: string,
  slot: number,
  holder: string,
): Promise<void> {
  await conditionHeld(() =>
    dynamo.send(
      new DeleteCommand({
        TableName: config.tableName,
        Key: webhookSlotKey(tenantId, webhookId, slot),
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeValues: { ':holder': holder },
      }),
    ),
  );
}

/** One attempt in a webhook's delivery log, as `GET /webhooks/{id}/deliveries` lists it. */
export interface DeliveryLogEntry {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: DomainEventType;
  readonly attempt: number;
  /** What came of it: `delivered`, `retrying` (another attempt at `nextRetryAt`) or `failed` (given up). */
  readonly state: DeliveryState;
  /** The endpoint's HTTP status, when it answered. */
  readonly statusCode?: number;
  /** Why it failed: a timeout, a refused connection, a refused address, a non-2xx answer. */
  readonly error?: string;
  readonly durationMs: number;
  /** ISO 8601 time the attempt started. */
  readonly at: string;
  readonly nextRetryAt?: string;
  /** A delivery of `POST /webhooks/{id}/test`. */
  readonly test?: boolean;
}

const LOG_FIELDS = [
  'deliveryId',
  'eventId',
  'eventType',
  'attempt',
  'state',
  'statusCode',
  'error',
  'durationMs',
  'at',
  'nextRetryAt',
  'test',
] as const;

/** Writes one attempt to the log (the same attempt written twice is one entry). */
export async function logAttempt(
  tenantId: string,
  webhookId: string,
  entry: DeliveryLogEntry,
  policy: Pick<WebhookPolicy, 'logRetentionSeconds'>,
): Promise<void> {
  await dynamo.send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        pk: webhookLogPk(tenantId, webhookId),
        sk: webhookLogSk(entry.at, entry.deliveryId, entry.attempt),
        entity: 'webhook-log',
        tenantId,
        ...Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)),
        expiresAt: epochSeconds(new Date(entry.at)) + policy.logRetentionSeconds,
      },
    }),
  );
}

/** A page of a webhook's delivery log, newest first. */
export async function deliveryLog(
  tenantId: string,
  webhookId: string,
  limit: number,
  startKey: PageKey | undefined,
): Promise<{ items: DeliveryLogEntry[]; lastKey: PageKey | undefined }> {
  const output = await dynamo.send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': webhookLogPk(tenantId, webhookId) },
      ScanIndexForward: false,
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  const items = (output.Items ?? []).map(
    (item) =>
      Object.fromEntries(
        LOG_FIELDS.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]),
      ) as unknown as DeliveryLogEntry,
  );
  return { items, lastKey: output.LastEvaluatedKey as PageKey | undefined };
}
