import * as z from 'zod/mini';
import { listOf, listQuery } from '../schemas/common.ts';
import { team, teamCreate, teamPatch } from '../schemas/teams.ts';
import { defineRoutes } from './route.ts';

export const teamListQuery = z.strictObject({ ...listQuery });

export const teamRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/teams',
    operationId: 'listTeams',
    summary: "List the tenant's teams",
    query: teamListQuery,
    response: listOf(team),
    status: 200,
  },
  {
    method: 'POST',
    path: '/teams',
    operationId: 'createTeam',
    summary: 'Create a team (admin)',
    body: teamCreate,
    response: team,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/teams/{id}',
    operationId: 'getTeam',
    summary: 'Read a team',
    response: team,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/teams/{id}',
    operationId: 'updateTeam',
    summary: 'Rename a team (admin)',
    body: teamPatch,
    response: team,
    status: 200,
    headers: ['If-Match'],
  },
]);
