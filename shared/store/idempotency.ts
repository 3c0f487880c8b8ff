import { gunzipSync, gzipSync } from 'node:zlib';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { redactText, referencedIds } from '../domain/erasure.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { MAX_ITEM_BYTES, valueBytes } from './item-size.ts';
import { copiesPk, idempotencyKey, RECORD_SK } from './keys.ts';
import { queryPages } from './query.ts';
import { exists, updateExpression } from './update-expression.ts';

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
  const claimed = await conditionHeld(() =>
    dynamo.send(
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
    ),
  );
  if (claimed) return { kind: 'claimed' };
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

/** The ids a stored response body refers to; none for a body that is not JSON. */
function idsIn(body: string): string[] {
  try {
    return referencedIds(JSON.parse(body));
  } catch {
    return [];
  }
}

/**
 * Stores the response. First, one pointer per record id the body refers to
 * (copiesPk), expiring with it, so that an erasure finds every stored copy of
 * the person's data (forgetStoredResponses).
 */
export async function completeIdempotencyKey(
  scope: Scope,
  response: StoredResponse,
  now = Date.now(),
): Promise<void> {
  const stored = keyOf(scope);
  const pointers = idsIn(response.body).map((id) => ({
    PutRequest: {
      Item: {
        pk: copiesPk(scope.tenantId, id),
        sk: stored.pk,
        entity: 'copy',
        tenantId: scope.tenantId,
        expiresAt: Math.floor(now / 1000) + RETENTION_SECONDS,
      },
    },
  }));
  for (let start = 0; start < pointers.length; start += 25) {
    let requests = pointers.slice(start, start + 25);
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= 8) throw new Error('idempotency copy pointers still unprocessed after retries');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const output = await dynamo.send(
        new BatchWriteCommand({ RequestItems: { [config.tableName]: requests } }),
      );
      requests = (output.UnprocessedItems?.[config.tableName] ?? []) as typeof requests;
    }
  }
  await dynamo.send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: keyOf(scope),
      ...updateExpression({ set: { state: 'done', response: storable(response) } }),
    }),
  );
}

/** Frees the key after a server error so the client's retry runs again. */
export async function releaseIdempotencyKey(scope: Scope): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: config.tableName, Key: keyOf(scope) }));
}

/** What a retry gets once the stored response was erased: the request is not run again. */
const erasedResponse: StoredResponse = {
  statusCode: 410,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({
    type: 'https://crm.dev/problems/410',
    title: 'Gone',
    status: 410,
    detail: 'The response to this request held personal data that has since been erased',
  }),
};

/** The pointers to the stored responses that refer to `recordId`, page by page. */
const copyPointers = (tenantId: string, recordId: string) =>
  queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': copiesPk(tenantId, recordId) },
  });

/**
 * After an erasure of `recordId`: every stored response (of any user) that
 * refers to it is replaced by a 410 problem, so no copy of the person's data
 * outlives the erasure, and a retry with the same key still does not run the
 * request again.
 */
export async function forgetStoredResponses(tenantId: string, recordId: string): Promise<void> {
  for await (const page of copyPointers(tenantId, recordId)) {
    for (const pointer of page) {
      await conditionHeld(() =>
        dynamo.send(
          new UpdateCommand({
            TableName: config.tableName,
            Key: { pk: pointer.sk, sk: RECORD_SK },
            ...updateExpression({
              set: { response: erasedResponse },
              when: [exists('pk'), exists('response')],
            }),
          }),
        ),
      );
      await dynamo.send(
        new DeleteCommand({ TableName: config.tableName, Key: { pk: pointer.pk, sk: pointer.sk } }),
      );
    }
  }
}

/**
 * After an erasure, for a record that keeps existing but held the person's
 * values (a deal, a case, an activity): the stored responses that refer to it
 * keep replaying, with those values redacted.
 */
export async function redactStoredResponses(
  tenantId: string,
  recordId: string,
  values: readonly string[],
): Promise<void> {
  for await (const page of copyPointers(tenantId, recordId)) {
    for (const pointer of page) {
      const { Item } = await dynamo.send(
        new GetCommand({
          TableName: config.tableName,
          Key: { pk: pointer.sk, sk: RECORD_SK },
          ConsistentRead: true,
        }),
      );
      if (!Item?.response) continue;
      // Stored bodies may be gzipped (storable): redacted as the client would read them.
      const response = replayed(Item.response as Record<string, unknown>);
      const body = redactText(response.body, values);
      if (body === response.body) continue;
      const redacted = storable({ ...response, body });
      await dynamo.send(
        new UpdateCommand({
          TableName: config.tableName,
          Key: { pk: pointer.sk, sk: RECORD_SK },
          ...updateExpression({ set: { response: redacted } }),
        }),
      );
    }
  }
}
