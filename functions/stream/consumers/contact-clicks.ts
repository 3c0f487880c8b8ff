import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config';
import { type LastClick, lastClickUpdate } from '#shared/domain/campaign-attribution';
import { logger } from '#shared/observability/logger';
import { dynamo } from '#shared/store/client';
import { conditionHeld } from '#shared/store/conditional';
import { recordKey } from '#shared/store/keys';
import { updateSearchWords } from '#shared/store/records';
import type { Consumer, FailedIds, TableChange } from '../pipeline/change.ts';
import { describeError } from '../pipeline/isolation.ts';

/**
 * Moves a contact's last campaign click forward (shared/domain/campaign-attribution.ts).
 * Conditional, so it never moves back, never recreates a deleted contact, and
 * a replayed record changes nothing. `version` stays as it is: this is not the
 * user's edit, and must not make their next `If-Match` fail.
 */
async function advance(click: LastClick): Promise<void> {
  const input: UpdateCommandInput = {
    TableName: config.tableName,
    Key: recordKey(click.tenantId, 'CONTACT', click.contactId),
    UpdateExpression: 'SET lastClickedCampaignId = :campaign, lastClickedAt = :at',
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(lastClickedAt) OR lastClickedAt < :at)',
    ExpressionAttributeValues: { ':campaign': click.campaignId, ':at': click.at },
  };
  await conditionHeld(() => dynamo.send(new UpdateCommand(input)));
  // Also when the record was already past it: a retry finishes copies a failure left behind.
  await updateSearchWords(input);
}

/** Applies the batch's last-click updates, one write per record; returns the events that failed. */
async function applyContactClicks(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  await Promise.all(
    changes.map(async ({ eventId, old: before, new: after }) => {
      const click = lastClickUpdate(before, after);
      if (!click) return;
      try {
        await advance(click);
      } catch (error) {
        logger.error('last click update failed', { eventId, error: describeError(error) });
        failed.set(eventId, error);
      }
    }),
  );
  return failed;
}

export const contactClicks: Consumer = { name: 'contact clicks', apply: applyContactClicks };
