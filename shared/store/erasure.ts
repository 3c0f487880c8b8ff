import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { ERASURE_ACTOR, redactDeep } from '../domain/erasure.ts';
import { actingAs } from './actor.ts';
import { dynamo } from './client.ts';
import { queryPages } from './query.ts';
import { type EntitySpec, getRecord, replaceRecord, type StoredRecord } from './records.ts';

type Item = Record<string, unknown>;

/**
 * The erasure's writes on items that keep existing but held a copy of an
 * erased person's data (domain/erasure.ts): redacted in place, or deleted.
 */

/** Rewrites the items whose strings hold any of `values`, redacted; the others are left alone. */
export async function redactItems(items: readonly Item[], values: readonly string[]): Promise<void> {
  for (const item of items) {
    const redacted = redactDeep(item, values);
    if (redacted === item) continue;
    await dynamo.send(new PutCommand({ TableName: config.tableName, Item: redacted }));
  }
}

/** Redacts every item of a partition (a timeline). */
export async function redactPartition(pk: string, values: readonly string[]): Promise<void> {
  const pages = queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
  });
  for await (const page of pages) await redactItems(page, values);
}

/** Deletes the given items (by their pk and sk), 25 per request, retrying what is left unprocessed. */
export async function deleteItems(items: readonly Item[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    let requests = items
      .slice(start, start + 25)
      .map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= 8) throw new Error('deletes still unprocessed after retries');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const output = await dynamo.send(
        new BatchWriteCommand({ RequestItems: { [config.tableName]: requests } }),
      );
      requests = (output.UnprocessedItems?.[config.tableName] ?? []) as typeof requests;
    }
  }
}

const MAX_ATTEMPTS = 3;

/**
 * Redacts a record's fields (and, through `change`, anything else the
 * erasure changes on it, e.g. a removed link) as the erasure actor, whose
 * writes the timeline and notifications do not tell: a history entry would
 * copy the old values back. A concurrent change is re-read and redacted
 * again; false when the record is gone or nothing changed.
 */
export async function redactRecord<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  id: string,
  values: readonly string[],
  change: (record: T) => T = (record) => record,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const current = await getRecord(spec, tenantId, id, true);
    if (!current) return false;
    const changed = redactDeep(change(current), values);
    if (changed === current) return false;
    const next: T = { ...changed, version: current.version + 1, updatedAt: new Date().toISOString() };
    const outcome = await actingAs(ERASURE_ACTOR, () => replaceRecord(spec, tenantId, current, next));
    if (outcome.ok) return true;
    if (attempt >= MAX_ATTEMPTS) throw new Error(`${spec.label} ${id} kept changing while being redacted`);
  }
}
