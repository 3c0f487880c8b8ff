import { logger } from '#shared/observability/logger';
import { users } from '#shared/store/entities';
import type { EntityType } from '#shared/store/keys';
import { moveOwnedRecords, moveRecordToTeam, ownedTypes, quotesFollowDeal } from '#shared/store/ownership';
import { getRecords } from '#shared/store/records';
import type { Consumer, FailedIds, TableChange } from '../pipeline/change.ts';
import { describeError } from '../pipeline/isolation.ts';

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const ownedEntities = new Map<string, EntityType>(ownedTypes.map((type) => [type.toLowerCase(), type]));

/**
 * Keeps every record's `teamId` its owner's team: a user whose team changed
 * (PATCH /users/{id}) takes all their records along, a deal whose owner
 * changed takes its quotes along, and a record written with another team than
 * its owner's current one (by a token issued before a team change, or while
 * the move ran) is moved after it. All of it is idempotent, so a failed
 * record is simply retried. Returns the failed events with their errors.
 */
async function applyTeamMoves(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  const fail = (eventId: string, error: unknown) => {
    logger.error('team move failed', { eventId, error: describeError(error) });
    failed.set(eventId, error);
  };
  for (const { eventId, old: before, new: after } of changes) {
    if (!before || !after) continue;
    const tenantId = str(after.tenantId);
    if (!tenantId || !str(after.id)) continue;
    const teamChanged = str(before.teamId) !== str(after.teamId);
    try {
      if (after.entity === 'user' && teamChanged) {
        await moveOwnedRecords(tenantId, String(after.id), str(after.teamId));
      } else if (after.entity === 'deal' && (teamChanged || before.ownerId !== after.ownerId)) {
        const teamId = str(after.teamId);
        await quotesFollowDeal(tenantId, String(after.id), {
          ownerId: String(after.ownerId),
          ...(teamId ? { teamId } : {}),
        });
      }
    } catch (error) {
      fail(eventId, error);
    }
  }
  for (const [eventId, error] of await realignStragglers(changes)) fail(eventId, error);
  return failed;
}

/** Records written with a team that is not their owner's current one: one read of the owners per tenant. */
async function realignStragglers(changes: readonly TableChange[]): Promise<FailedIds> {
  const errors: FailedIds = new Map();
  const byTenant = new Map<string, TableChange[]>();
  for (const change of changes) {
    const after = change.new;
    const tenantId = str(after?.tenantId);
    if (!after || !tenantId || !ownedEntities.has(String(after.entity)) || !str(after.ownerId)) continue;
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), change]);
  }
  for (const [tenantId, owned] of byTenant) {
    let owners: Map<string, { teamId?: string; active: boolean }>;
    try {
      owners = await getRecords(users, tenantId, [
        ...new Set(owned.map((change) => String(change.new?.ownerId))),
      ]);
    } catch (error) {
      for (const change of owned) errors.set(change.eventId, error);
      continue;
    }
    for (const { eventId, new: after } of owned) {
      if (!after) continue;
      const owner = owners.get(String(after.ownerId));
      // A user made by hand in the user pool has no USER item: their token's team stands.
      if (!owner || owner.teamId === str(after.teamId)) continue;
      try {
        await moveRecordToTeam(
          tenantId,
          ownedEntities.get(String(after.entity)) as EntityType,
          { pk: String(after.pk), sk: String(after.sk) },
          String(after.id),
          String(after.ownerId),
          owner.teamId,
        );
      } catch (error) {
        errors.set(eventId, error);
      }
    }
  }
  return errors;
}

export const teamMoves: Consumer = { name: 'team moves', apply: applyTeamMoves };
