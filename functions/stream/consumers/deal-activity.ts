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

export interface DealActivityUpdate {
  readonly tenantId: string;
  readonly dealId: string;
  /** ISO time the deal's `lastActivityAt` moves to, if later than what it holds. */
  readonly at: string;
}

/**
 * The `lastActivityAt` of a deal a change implies (what stale-deal alerts
 * measure, shared/domain/alerts.ts): an activity about the deal created (its
 * creation, or completion when created done) or completed; the deal's own
 * stage change (its `updatedAt`); or a deal whose write dropped the value (a
 * user's write replaces the whole item from what it read, so a value set in
 * between is lost: it is put back).
 */
export function dealActivityUpdate(
  before: Image | undefined,
  after: Image | undefined,
): DealActivityUpdate | undefined {
  const tenantId = str(after?.tenantId);
  if (!after || !tenantId) return undefined;
  if (after.entity === 'deal') {
    const dealId = str(after.id);
    if (!dealId || !before) return undefined;
    const lost = str(before.lastActivityAt);
    const now = str(after.lastActivityAt);
    const moved = before.stageId !== after.stageId ? str(after.updatedAt) : undefined;
    const at = [lost, moved]
      .filter((value): value is string => value !== undefined)
      .sort()
      .at(-1);
    return at && (!now || now < at) ? { tenantId, dealId, at } : undefined;
  }
  if (after.entity !== 'activity') return undefined;
  const related = after.related as { type?: unknown; id?: unknown } | undefined;
  const dealId = related?.type === 'deal' ? str(related.id) : undefined;
  if (!dealId) return undefined;
  const completed = after.status === 'done' && before?.status !== 'done';
  if (!before) {
    const at = (completed ? str(after.completedAt) : undefined) ?? str(after.createdAt);
    return at ? { tenantId, dealId, at } : undefined;
  }
  if (!completed) return undefined;
  const at = str(after.completedAt) ?? str(after.updatedAt);
  return at ? { tenantId, dealId, at } : undefined;
}

/**
 * Moves a deal's `lastActivityAt` forward. Conditional, so it never moves
 * back, never recreates a deleted deal, and a replayed record changes nothing.
 * `version` stays as it is: this is not the user's edit, and must not make
 * their next `If-Match` fail.
 */
async function advance(update: DealActivityUpdate): Promise<void> {
  const input: UpdateCommandInput = {
    TableName: config.tableName,
    Key: recordKey(update.tenantId, 'DEAL', update.dealId),
    UpdateExpression: 'SET lastActivityAt = :at',
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(lastActivityAt) OR lastActivityAt < :at)',
    ExpressionAttributeValues: { ':at': update.at },
  };
  await conditionHeld(() => dynamo.send(new UpdateCommand(input)));
  // Also when the record was already past it: a retry finishes copies a failure left behind.
  await updateSearchWords(input);
}

/** Applies the batch's deal lastActivityAt updates, one write per record; returns the events that failed. */
async function applyDealActivity(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  await Promise.all(
    changes.map(async ({ eventId, old: before, new: after }) => {
      const update = dealActivityUpdate(before, after);
      if (!update) return;
      try {
        await advance(update);
      } catch (error) {
        logger.error('deal lastActivityAt update failed', { eventId, error: describeError(error) });
        failed.set(eventId, error);
      }
    }),
  );
  return failed;
}

export const dealActivity: Consumer = { name: 'deal activity', apply: applyDealActivity };
