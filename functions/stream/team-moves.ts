import { moveOwnedRecords, quotesFollowDeal } from '#shared/store/ownership';
import type { StreamChange } from './collaboration.ts';

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Keeps every record's `teamId` its owner's team: a user whose team changed
 * (PATCH /users/{id}) takes all their records along, and a deal whose owner
 * changed takes its quotes along. Both are idempotent, so a failed record is
 * simply retried. Returns the event ids that failed.
 */
export async function applyTeamMoves(changes: readonly StreamChange[]): Promise<Set<string>> {
  const failed = new Set<string>();
  for (const { eventId, before, after } of changes) {
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
      console.error(
        JSON.stringify({ level: 'error', message: 'team move failed', eventId, error: String(error) }),
      );
      failed.add(eventId);
    }
  }
  return failed;
}
