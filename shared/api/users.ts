import { listOf } from '../schemas/common.ts';
import { userSchemas } from '../schemas/users.ts';
import { defineRoutes } from './route.ts';

export const userRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/me',
    operationId: 'getMe',
    summary: "The caller's user, role and team",
    response: () => userSchemas().me,
    status: 200,
  },
  {
    method: 'GET',
    path: '/users',
    operationId: 'listUsers',
    summary: "List the tenant's users",
    query: () => userSchemas().listQuery,
    response: () => listOf(userSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/users',
    operationId: 'createUser',
    role: { least: 'admin' },
    summary: 'Create a user (admin); in AWS also the Cognito user and its group',
    body: () => userSchemas().create,
    response: () => userSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/users/{id}',
    operationId: 'getUser',
    summary: 'Read a user',
    response: () => userSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/users/{id}',
    operationId: 'updateUser',
    role: { least: 'admin' },
    summary: "Change a user's name, role, team or active flag (admin)",
    body: () => userSchemas().patch,
    response: () => userSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
]);
