import type { Actor, Rights } from '../domain/access.ts';
import { users } from './entities.ts';
import { getRecord } from './records.ts';

/**
 * The read rights a user has now, for work done in their name away from any
 * request (a campaign's freeze and sends, a sequence step): role and team from
 * their USER item, so a role or team change made since the work was asked for
 * applies. `recorded` (the rights their token carried when they asked) is used
 * only when they have no USER item (an admin made by hand in the user pool).
 * Returns undefined, reading nothing, for a deactivated user or one unknown
 * both ways.
 */
export async function currentReader(
  tenantId: string,
  userId: string,
  recorded?: Rights,
): Promise<Actor | undefined> {
  const user = await getRecord(users, tenantId, userId, true);
  if (user) {
    if (!user.active) return undefined;
    return { userId, role: user.role, ...(user.teamId ? { teamId: user.teamId } : {}) };
  }
  return recorded
    ? { userId, role: recorded.role, ...(recorded.teamId ? { teamId: recorded.teamId } : {}) }
    : undefined;
}

/** The rights part of an actor, as stored on work to be done later in their name. */
export const rightsOf = (actor: Actor): Rights => ({
  role: actor.role,
  ...(actor.teamId ? { teamId: actor.teamId } : {}),
});
