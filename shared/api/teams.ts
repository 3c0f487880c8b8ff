import { listOf } from '../schemas/common.ts';
import { teamSchemas } from '../schemas/teams.ts';
import { defineRoutes } from './route.ts';

export const teamRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/teams',
    operationId: 'listTeams',
    summary: "List the tenant's teams",
    query: () => teamSchemas().listQuery,
    response: () => listOf(teamSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/teams',
    operationId: 'createTeam',
    role: { least: 'admin' },
    summary: 'Create a team (admin)',
    body: () => teamSchemas().create,
    response: () => teamSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/teams/{id}',
    operationId: 'getTeam',
    summary: 'Read a team',
    response: () => teamSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/teams/{id}',
    operationId: 'updateTeam',
    role: { least: 'admin' },
    summary: 'Rename a team (admin)',
    body: () => teamSchemas().patch,
    response: () => teamSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
]);
