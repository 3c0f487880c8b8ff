import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config';
import { logger } from '#shared/observability/logger';
import { dynamo } from '#shared/store/client';
import { conditionHeld } from '#shared/store/conditional';
import { recordKey } from '#shared/store/keys';
import { updateSearchWords } from '#shared/store/records';
import type { Consumer, FailedIds, Image, TableChange } from '../pipeline/change.ts';
import { describeError } from '../pipeline/isolation.ts';

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The `lastActivityAt` a change implies: an activity about a contact created
 * (its creation, or completion when created done) or completed; or a contact
 * whose write dropped the value (see healLost).
 */
export function lastActivityUpdate(
  before: Image | undefined,
  after: Image | undefined,
): { tenantId: string; contactId: string; at: string } | undefined {
  const tenantId = str(after?.tenantId);
  if (!after || !tenantId) return undefined;
  if (after.entity === 'contact') {
    // A user's write replaces the whole item from what it read, so a value set in between is lost: put it back.
    const lost = str(before?.lastActivityAt);
    const now = str(after.lastActivityAt);
    const id = str(after.id);
    return lost && id && (!now || now < lost) ? { tenantId, contactId: id, at: lost } : undefined;
  }
  if (after.entity !== 'activity') return undefined;
  const related = after.related as { type?: unknown; id?: unknown } | undefined;
  const contactId = related?.type === 'contact' ? str(related.id) : undefined;
  if (!contactId) return undefined;
  const completed = after.status === 'done' && before?.status !== 'done';
  if (!before) {
    const at = (completed ? str(after.completedAt) : undefined) ?? str(after.createdAt);
    return at ? { tenantId, contactId, at } : undefined;
  }
  if (!completed) return undefined;
  const at = str(after.completedAt) ?? str(after.updatedAt);
  return at ? { tenantId, contactId, at } : undefined;
}

/**
 * Moves a contact's `lastActivityAt` forward. Conditional, so it never moves
 * back, never recreates a deleted contact, and a replayed record changes
 * nothing. `version` stays as it is: this is not the user's edit, and must not
 * make their next `If-Match` fail.
 */
async function advance(update: { tenantId: string; contactId: string; at: string }): Promise<void> {
  const input: UpdateCommandInput = {
    TableName: config.tableName,
    Key: recordKey(update.tenantId, 'CONTACT', update.contactId),
    UpdateExpression: 'SET lastActivityAt = :at',
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(lastActivityAt) OR lastActivityAt < :at)',
    ExpressionAttributeValues: { ':at': update.at },
  };
  await conditionHeld(() => dynamo.send(new UpdateCommand(input)));
  // Also when the record was already past it: a retry finishes copies a failure left behind.
  await updateSearchWords(input);
}

/** Applies the batch's lastActivityAt updates, one write per record; returns the events that failed. */
async function applyContactActivity(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  await Promise.all(
    changes.map(async ({ eventId, old: before, new: after }) => {
      const update = lastActivityUpdate(before, after);
      if (!update) return;
      try {
        await advance(update);
      } catch (error) {
        logger.error('lastActivityAt update failed', { eventId, error: describeError(error) });
        failed.set(eventId, error);
      }
    }),
  );
  return failed;
}

export const contactActivity: Consumer = { name: 'contact activity', apply: applyContactActivity };
