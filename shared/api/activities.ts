import { activitySchemas } from '../schemas/activities.ts';
import { listOf } from '../schemas/common.ts';
import { lastPage, page } from './examples/common.ts';
import { activityExamples } from './examples/service.ts';
import { defineRoutes } from './route.ts';

export const activityRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/activities',
    operationId: 'listActivities',
    summary:
      'List activities by assignee, status, related record (`related=contact:<id>`) or due time ' +
      '(`dueBefore`); `q` is a subject prefix',
    query: () => activitySchemas().listQuery,
    response: () => listOf(activitySchemas().record),
    examples: { response: page(activityExamples.record) },
    status: 200,
  },
  {
    method: 'POST',
    path: '/activities',
    operationId: 'createActivity',
    summary:
      'Create a task, call, meeting, email or note, assigned to the caller unless `assigneeId` says ' +
      'otherwise; `remindAt` (in the future) schedules an email and notification to the assignee',
    body: () => activitySchemas().create,
    response: () => activitySchemas().record,
    examples: { request: activityExamples.create, response: activityExamples.record },
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/activities/{id}',
    operationId: 'getActivity',
    summary: 'Read an activity',
    response: () => activitySchemas().record,
    examples: { response: activityExamples.record },
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/activities/{id}',
    operationId: 'updateActivity',
    summary:
      'Change an activity: `status` done sets `completedAt`; moving `remindAt` moves the reminder, ' +
      'removing it or finishing or canceling the activity cancels it',
    body: () => activitySchemas().patch,
    response: () => activitySchemas().record,
    examples: { request: activityExamples.patch, response: activityExamples.done },
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/activities/{id}',
    operationId: 'archiveActivity',
    summary: 'Archive an activity (hidden from lists unless `archived=true`); its reminder is canceled',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/activities/{id}/restore',
    operationId: 'restoreActivity',
    summary: 'Restore an archived activity; a reminder still ahead is scheduled again',
    response: () => activitySchemas().record,
    examples: { response: activityExamples.record },
    status: 200,
  },
  {
    method: 'GET',
    path: '/me/agenda',
    operationId: 'getAgenda',
    summary:
      "The caller's open activities by due time: overdue first, undated last " +
      '(the 500 most recently created open activities are considered)',
    query: () => activitySchemas().agendaQuery,
    response: () => listOf(activitySchemas().record),
    examples: { response: lastPage(activityExamples.record) },
    status: 200,
  },
]);
