import * as z from 'zod/mini';
import { listOf, listQuery } from '../schemas/common.ts';
import { me, user, userCreate, userPatch } from '../schemas/users.ts';
import { defineRoutes } from './route.ts';

export const userListQuery = z.strictObject({ ...listQuery });

export const userRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/me',
    operationId: 'getMe',
    summary: "The caller's user, role and team",
    response: me,
    status: 200,
  },
  {
    method: 'GET',
    path: '/users',
    operationId: 'listUsers',
    summary: "List the tenant's users",
    query: userListQuery,
    response: listOf(user),
    status: 200,
  },
  {
    method: 'POST',
    path: '/users',
    operationId: 'createUser',
    summary: 'Create a user (admin); in AWS also the Cognito user and its group',
    body: userCreate,
    response: user,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/users/{id}',
    operationId: 'getUser',
    summary: 'Read a user',
    response: user,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/users/{id}',
    operationId: 'updateUser',
    summary: "Change a user's name, role, team or active flag (admin)",
    body: userPatch,
    response: user,
    status: 200,
    headers: ['If-Match'],
  },
]);
