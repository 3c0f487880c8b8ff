import { teamRoutes } from '#shared/api/teams';
import { httpHandler } from '#shared/http/handler';
import { notFound } from '#shared/http/problem';
import { create, listPage, newRecordBase, update } from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { requireAdmin } from '#shared/http/roles';
import { type Team, teams } from '#shared/store/entities';
import { getRecord } from '#shared/store/records';

/** Everyone in the tenant may read teams; only admins manage them. */
export const handler = httpHandler(teamRoutes, {
  async listTeams({ caller, query, page }) {
    return listPage(teams, caller, page, { archived: query.archived, visibility: 'tenant' });
  },

  async createTeam({ caller, body }) {
    requireAdmin(caller);
    const base = newRecordBase({ ownerId: caller.userId });
    const team: Team = { ...base, teamId: base.id, name: body.name };
    await create(teams, caller, team);
    return created(team, `/teams/${team.id}`);
  },

  async getTeam({ caller, params }) {
    const team = await getRecord(teams, caller.tenantId, params.id);
    if (!team) throw notFound('Team');
    return ok(team);
  },

  async updateTeam({ caller, params, body, ifMatch }) {
    requireAdmin(caller);
    return ok(
      await update(teams, caller, params.id, {
        ifMatch,
        change: (current) => ({ ...current, ...body }),
      }),
    );
  },
});
