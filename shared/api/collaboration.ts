import * as z from 'zod/mini';
import { collaborationSchemas as schemas } from '../schemas/collaboration.ts';
import { listOf } from '../schemas/common.ts';
import { defineRoutes, type RouteDef } from './route.ts';

/** Record types with a timeline, comments and followers: path segment → label. */
export const collaborativeResources = {
  contacts: 'contact',
  companies: 'company',
  leads: 'lead',
  deals: 'deal',
  cases: 'case',
} as const;

export type CollaborativeResource = keyof typeof collaborativeResources;

function recordRoutes(resource: CollaborativeResource): RouteDef[] {
  const label = collaborativeResources[resource];
  return [
    {
      method: 'GET',
      path: `/${resource}/{id}/timeline`,
      operationId: `${resource}Timeline`,
      summary: `The ${label}'s timeline, newest first: created, field changes, stage changes, activities, comments, quotes, cases${resource === 'companies' ? ", and its contacts' entries" : ''}`,
      query: () => schemas().timelineQuery,
      response: () => listOf(schemas().timelineEntry),
      status: 200,
    },
    {
      method: 'POST',
      path: `/${resource}/{id}/comments`,
      operationId: `${resource}Comment`,
      summary: `Comment on a ${label}; \`@[userId]\` mentions notify that user`,
      body: () => schemas().comment,
      response: () => schemas().commentRecord,
      status: 201,
      headers: ['Idempotency-Key'],
    },
    {
      method: 'POST',
      path: `/${resource}/{id}/follow`,
      operationId: `${resource}Follow`,
      summary: `Follow a ${label}: be notified when others change or comment on it`,
      response: () => schemas().following,
      status: 200,
    },
    {
      method: 'DELETE',
      path: `/${resource}/{id}/follow`,
      operationId: `${resource}Unfollow`,
      summary: `Stop following a ${label}`,
      status: 204,
    },
  ];
}

export const collaborationRoutes = defineRoutes([
  ...(Object.keys(collaborativeResources) as CollaborativeResource[]).flatMap(recordRoutes),
  {
    method: 'GET',
    path: '/me/notifications',
    operationId: 'listNotifications',
    summary: "The caller's notifications, newest first; `unread=true` for unread ones only",
    query: () => schemas().notificationsQuery,
    response: () => listOf(schemas().notification),
    status: 200,
  },
  {
    method: 'POST',
    path: '/me/notifications/read',
    operationId: 'markNotificationsRead',
    summary: 'Mark notifications read, by `ids` or `all: true`',
    body: () => schemas().markRead,
    response: () => z.object({ updated: z.number() }),
    status: 200,
  },
] satisfies RouteDef[]);
