import { userRoutes } from '#shared/api/users';
import type { Caller } from '#shared/http/auth';
import { httpHandler } from '#shared/http/handler';
import { conflict, notFound } from '#shared/http/problem';
import { failWrite, listPage, newRecordBase, referenceCheck, update } from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { requireAdmin } from '#shared/http/roles';
import { userDirectory } from '#shared/identity/directory';
import { teams, type User, users } from '#shared/store/entities';
import { createRecord, getRecord } from '#shared/store/records';
import { holderOf } from '#shared/store/unique';

const teamMustExist = (caller: Caller, teamId: string) =>
  referenceCheck(caller, teams, teamId, 'teamId', 'is not a team of this tenant');

const emailTaken = () =>
  conflict('Another user already uses this email', [
    { path: 'email', message: 'is already used by another user' },
  ]);

/** Everyone in the tenant may read its users (to assign records); only admins manage them. */
export const handler = httpHandler(userRoutes, {
  async getMe({ caller }) {
    const user = await getRecord(users, caller.tenantId, caller.userId);
    // Role and team come from the token: that is what every authorisation decision uses.
    return ok({
      id: caller.userId,
      tenantId: caller.tenantId,
      email: user?.email ?? caller.email,
      ...(user?.name ? { name: user.name } : {}),
      role: caller.role,
      ...(caller.teamId ? { teamId: caller.teamId } : {}),
    });
  },

  async listUsers({ caller, query, page }) {
    return listPage(users, caller, page, { archived: query.archived, visibility: 'tenant' });
  },

  async createUser({ caller, body }) {
    requireAdmin(caller);
    // Checked before the directory user exists, so a duplicate costs no compensation.
    if (await holderOf(caller.tenantId, 'USER_EMAIL', body.email)) throw emailTaken();
    const directory = await userDirectory();
    const id = await directory.createUser({ tenantId: caller.tenantId, ...body });
    const base = newRecordBase({ ownerId: id, ...(body.teamId ? { teamId: body.teamId } : {}) });
    const user: User = { ...base, id, email: body.email, name: body.name, role: body.role, active: true };
    const checks = body.teamId ? [teamMustExist(caller, body.teamId)] : [];
    const outcome = await createRecord(
      users,
      caller.tenantId,
      user,
      checks.map((check) => check.item),
    );
    if (!outcome.ok) {
      await directory.deleteUser(id);
      failWrite(
        users,
        outcome,
        checks.map((check) => check.error),
      );
    }
    return created(user, `/users/${user.id}`);
  },

  async getUser({ caller, params }) {
    const user = await getRecord(users, caller.tenantId, params.id);
    if (!user) throw notFound('User');
    return ok(user);
  },

  async updateUser({ caller, params, body, ifMatch }) {
    requireAdmin(caller);
    const id = params.id;
    if (id === caller.userId && ((body.role && body.role !== 'admin') || body.active === false)) {
      throw conflict('An admin cannot demote or deactivate themselves; ask another admin');
    }
    let before: User | undefined;
    const user = await update(users, caller, id, {
      ifMatch,
      change: (current) => {
        before = current;
        const { teamId, ...rest } = body;
        const next: User = { ...current, ...rest };
        if (teamId === null) delete next.teamId;
        else if (teamId !== undefined) next.teamId = teamId;
        return next;
      },
      checks: (previous, next) =>
        next.teamId && next.teamId !== previous.teamId ? [teamMustExist(caller, next.teamId)] : [],
    });
    if (before) {
      const directory = await userDirectory();
      await directory.updateUser(id, {
        ...(before.role !== user.role ? { role: { from: before.role, to: user.role } } : {}),
        ...(before.teamId !== user.teamId ? { teamId: user.teamId ?? null } : {}),
        ...(before.active !== user.active ? { active: user.active } : {}),
      });
    }
    return ok(user);
  },
});
