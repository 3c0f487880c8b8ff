import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { FormField, RateLimit } from '../domain/forms.ts';
import { rateWindow } from '../domain/forms.ts';
import type { StoredRecord } from '../domain/records.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { formRateKey } from './keys.ts';
import type { EntitySpec } from './records.ts';

/**
 * A web-to-lead form (shared/domain/forms.ts): which lead fields it takes,
 * where a browser goes after sending it, and whether it asks for marketing
 * consent by email. Its public id (`/f/<id>`) is not stored: it is sealed
 * from the tenant and the form id (shared/domain/form-token.ts).
 */
export type Form = StoredRecord & {
  name: string;
  fields: FormField[];
  redirectUrl?: string;
  doubleOptIn: boolean;
};

export const forms: EntitySpec<Form> = {
  type: 'FORM',
  label: 'form',
  maxItemBytes: 64 * 1024,
};

/** A bucket of submissions: one form's, or one source address's (a keyed hash, never the address). */
export type RateBucket = { readonly formId: string } | { readonly ipHash: string };

const bucketName = (bucket: RateBucket) =>
  'formId' in bucket ? `FORM#${bucket.formId}` : `IP#${bucket.ipHash}`;

/**
 * Takes one submission from the bucket's current window: one conditional
 * UpdateItem that counts it unless the window already holds `limit.limit`.
 * The item expires (TTL `expiresAt`) once its window is over. Answers
 * `retryAfter` (seconds until the next window) when the bucket is empty.
 */
export async function takeSubmission(
  tenantId: string,
  bucket: RateBucket,
  limit: RateLimit,
  now: number,
): Promise<{ readonly ok: true } | { readonly ok: false; readonly retryAfter: number }> {
  const window = rateWindow(limit, now);
  const taken = await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: formRateKey(tenantId, bucketName(bucket), window.start),
        UpdateExpression: 'ADD #n :one SET entity = :entity, expiresAt = if_not_exists(expiresAt, :expires)',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#n': 'submissions' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': limit.limit,
          ':entity': 'form-rate',
          ':expires': window.start + limit.windowSeconds,
        },
      }),
    ),
  );
  return taken ? { ok: true } : { ok: false, retryAfter: window.retryAfter };
}
