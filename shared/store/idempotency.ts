import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { MAX_ITEM_BYTES, valueBytes } from './item-size.ts';
import { idempotencyKey } from './keys.ts';

export interface StoredResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' };

const RETENTION_SECONDS = 24 * 60 * 60;
/** A claim left by a crashed invocation may be taken over after this long. */
const STALE_CLAIM_MS = 60_000;

interface Scope {
  readonly tenantId: string;
  readonly userId: string;
  readonly key: string;
}

const keyOf = (scope: Scope) => idempotencyKey(scope.tenantId, scope.userId, scope.key);

/** Claims the key for this request, or says what an earlier request with it did. */
export async function claimIdempotencyKey(
  scope: Scope,
  fingerprint: string,
  now = Date.now(),
): Promise<Claim> {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...keyOf(scope),
          tenantId: scope.tenantId,
          entity: 'idempotency',
          fingerprint,
          state: 'pending',
          claimedAt: now,
          expiresAt: Math.floor(now / 1000) + RETENTION_SECONDS,
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR (#state = :pending AND claimedAt < :stale AND fingerprint = :fp)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':stale': now - STALE_CLAIM_MS,
          ':fp': fingerprint,
        },
      }),
    );
    return { kind: 'claimed' };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: config.tableName, Key: keyOf(scope), ConsistentRead: true }),
  );
  if (!Item) return claimIdempotencyKey(scope, fingerprint, now);
  if (Item.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (Item.state === 'done')
    return { kind: 'replay', response: replayed(Item.response as Record<string, unknown>) };
  return { kind: 'in-progress' };
}

/** Bodies above this many bytes are kept gzipped: a record's JSON can outweigh its item (escapes). */
const COMPRESS_ABOVE_BYTES = 16 * 1024;
/** What a stored response may take, leaving the rest of the 400 KB item to the key and claim. */
const MAX_STORED_BYTES = MAX_ITEM_BYTES - 8 * 1024;

/** The response as stored: small bodies as text, larger ones gzipped; one that still does not fit, described. */
function storable(response: StoredResponse): Record<string, unknown> {
  if (Buffer.byteLength(response.body) <= COMPRESS_ABOVE_BYTES) return { ...response };
  const stored = {
    statusCode: response.statusCode,
    headers: response.headers,
    bodyGzip: gzipSync(response.body),
  };
  if (valueBytes(stored) <= MAX_STORED_BYTES) return stored;
  return {
    statusCode: 409,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: 'https://crm.dev/problems/409',
      title: 'Conflict',
      status: 409,
      detail:
        'The request with this Idempotency-Key was done; its response was too large to keep, so read what it made',
    }),
  };
}

function replayed(stored: Record<string, unknown>): StoredResponse {
  const { bodyGzip, ...rest } = stored as unknown as StoredResponse & { bodyGzip?: Uint8Array };
  return bodyGzip ? { ...rest, body: gunzipSync(bodyGzip).toString('utf8') } : (rest as StoredResponse);
}

export async function completeIdempotencyKey(scope: Scope, response: StoredResponse): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: keyOf(scope),
      UpdateExpression: 'SET #state = :done, #response = :response',
      ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
      ExpressionAttributeValues: { ':done': 'done', ':response': storable(response) },
    }),
  );
}

/** Frees the key after a server error so the client's retry runs again. */
export async function releaseIdempotencyKey(scope: Scope): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: config.tableName, Key: keyOf(scope) }));
}
