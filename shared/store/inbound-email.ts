import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { isLoggingToken, TOKEN_BYTES } from '../domain/inbound-email.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { type Activity, activities, type Lead, leads } from './entities.ts';
import { inboundAddressPk, indexEntry, indexPartition, itemIndexes, settingsKey, uniqueKey } from './keys.ts';
import { createItems } from './records.ts';
import { type TransactItem, transact } from './transactions.ts';

/**
 * The tenant's logging address and what inbound email writes. The address's
 * token lives in the settings item `inboundEmail`, indexed (gsi1) under
 * inboundAddressPk(token) so that arriving mail finds its tenant with one
 * Query and no scan; rotating the token moves the index entry with it, so the
 * old address stops working at once.
 */
const SETTINGS = 'inboundEmail';
/** The unique-value name of a logged message: one per tenant and message (see messageMarker). */
const MESSAGE = 'INBOUND_MESSAGE';

export interface LoggingAddressSettings {
  readonly token: string;
  readonly createdAt: string;
  readonly rotatedAt?: string;
  readonly rotatedBy?: string;
}

const newToken = () => randomBytes(TOKEN_BYTES).toString('hex');

const settingsItem = (tenantId: string, settings: LoggingAddressSettings) => ({
  ...settingsKey(tenantId, SETTINGS),
  ...indexEntry(itemIndexes.inboundAddresses, inboundAddressPk(settings.token), tenantId),
  entity: 'settings',
  tenantId,
  ...settings,
});

async function readAddressSettings(tenantId: string): Promise<LoggingAddressSettings | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: settingsKey(tenantId, SETTINGS),
      ConsistentRead: true,
    }),
  );
  if (typeof Item?.token !== 'string') return undefined;
  return {
    token: Item.token,
    createdAt: String(Item.createdAt),
    ...(typeof Item.rotatedAt === 'string' ? { rotatedAt: Item.rotatedAt } : {}),
    ...(typeof Item.rotatedBy === 'string' ? { rotatedBy: Item.rotatedBy } : {}),
  };
}

/**
 * The tenant's logging address settings, made on first use: the first read
 * draws the token, and a concurrent first read that loses the race reads the
 * winner's, so a tenant only ever has one address at a time.
 */
export async function loggingAddressSettings(tenantId: string): Promise<LoggingAddressSettings> {
  const existing = await readAddressSettings(tenantId);
  if (existing) return existing;
  const settings = { token: newToken(), createdAt: new Date().toISOString() };
  const made = await conditionHeld(() =>
    dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: settingsItem(tenantId, settings),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (made) return settings;
  const winner = await readAddressSettings(tenantId);
  if (!winner) throw new Error('The inbound email settings vanished while being made');
  return winner;
}

/** Replaces the token: mail to the previous address is dropped from now on. */
export async function rotateLoggingAddress(
  tenantId: string,
  rotatedBy: string,
): Promise<LoggingAddressSettings> {
  const current = await loggingAddressSettings(tenantId);
  const next = {
    token: newToken(),
    createdAt: current.createdAt,
    rotatedAt: new Date().toISOString(),
    rotatedBy,
  };
  await dynamo.send(new PutCommand({ TableName: config.tableName, Item: settingsItem(tenantId, next) }));
  return next;
}

/**
 * The tenant whose logging address has this token, or undefined. The index
 * answers eventually; the settings item, read consistently, must still hold
 * the token, so an address rotated away a moment ago finds nobody.
 */
export async function tenantOfLoggingToken(token: string): Promise<string | undefined> {
  if (!isLoggingToken(token)) return undefined;
  const { Items } = await dynamo.send(
    new QueryCommand({
      TableName: config.tableName,
      ...indexPartition(itemIndexes.inboundAddresses, inboundAddressPk(token)),
      Limit: 2,
    }),
  );
  for (const item of Items ?? []) {
    const tenantId = item.tenantId;
    if (typeof tenantId !== 'string') continue;
    if ((await readAddressSettings(tenantId))?.token === token) return tenantId;
  }
  return undefined;
}

/**
 * The unique value a logged message reserves in its tenant: the SHA-256 of
 * its Message-ID, or of the object key it was stored under when it has none,
 * so the same message arriving twice (redelivery, a retried invocation, two
 * copies of one message) is logged once.
 */
export function messageMarker(identity: { readonly messageId?: string; readonly objectKey: string }): string {
  const source = identity.messageId ? `mid:${identity.messageId}` : `key:${identity.objectKey}`;
  return createHash('sha256').update(source).digest('hex');
}

/** Whether this tenant logged the message already (a cheap early answer; the write itself is what guarantees once). */
export async function messageLogged(tenantId: string, marker: string): Promise<boolean> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: uniqueKey(tenantId, MESSAGE, marker),
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}

/**
 * Writes what one message becomes in one transaction: the lead it creates (if
 * any), its activities and the message's marker. All or nothing: a crash or
 * a retry never leaves a lead without its email or an email twice.
 * `duplicate` when the marker was there (another delivery won).
 */
export async function writeInboundLog(
  tenantId: string,
  marker: string,
  write: { readonly lead?: Lead; readonly activities: readonly Activity[] },
): Promise<'written' | 'duplicate'> {
  const first = write.activities[0];
  if (!first) throw new Error('An inbound message is logged as at least one activity');
  const parts = [
    ...(write.lead ? [createItems(leads, tenantId, write.lead)] : []),
    ...write.activities.map((activity) => createItems(activities, tenantId, activity)),
  ];
  const reservation: TransactItem = {
    Put: {
      TableName: config.tableName,
      Item: {
        ...uniqueKey(tenantId, MESSAGE, marker),
        entity: 'unique',
        tenantId,
        refType: 'ACTIVITY',
        refId: first.id,
        loggedAt: new Date().toISOString(),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  const items = [reservation, ...parts.flatMap((part) => part.items), ...parts.flatMap((part) => part.words)];
  const outcome = await transact(items);
  if (outcome.ok) return 'written';
  if (outcome.failedConditions.includes(0)) return 'duplicate';
  throw new Error(`The inbound email write failed its conditions ${outcome.failedConditions.join(', ')}`);
}
