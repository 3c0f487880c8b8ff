import { type CollaborativeResource, collaborativeResources } from '../../collaboration.ts';
import type { RouteExamples } from '../../route.ts';
import { collaborationExamples, notificationExamples } from '../service.ts';

/** The examples of one record type's timeline, comment and follow routes. */
function recordRouteExamples(resource: CollaborativeResource): [string, RouteExamples][] {
  const examples = collaborationExamples(collaborativeResources[resource]);
  return [
    [`${resource}Timeline`, { response: examples.timeline }],
    [`${resource}Comment`, { request: examples.comment, response: examples.commentRecord }],
    [`${resource}Follow`, { response: examples.following }],
  ];
}

/** Examples of the collaboration routes for the OpenAPI document, by operationId. */
export const collaborationRouteExamples: Readonly<Record<string, RouteExamples>> = {
  ...Object.fromEntries(
    (Object.keys(collaborativeResources) as CollaborativeResource[]).flatMap(recordRouteExamples),
  ),
  listNotifications: { response: notificationExamples.list },
  markNotificationsRead: { request: notificationExamples.markRead, response: notificationExamples.marked },
};
