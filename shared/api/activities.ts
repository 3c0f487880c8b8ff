import { activitySchemas, inboundEmailSchemas } from '../schemas/activities.ts';
import { listOf } from '../schemas/common.ts';
import { defineRoutes } from './route.ts';

export const activityRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/activities',
    operationId: 'listActivities',
    summary:
      'List activities by assignee, status, related record (`related=contact:<id>`) or due time ' +
      '(`dueBefore`); `q` is a subject prefix. Newest first, except `assigneeId` with `status`, which ' +
      'lists by due time, latest first (undated ones first)',
    query: () => activitySchemas().listQuery,
    response: () => listOf(activitySchemas().record),
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
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/activities/{id}',
    operationId: 'getActivity',
    summary: 'Read an activity',
    response: () => activitySchemas().record,
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
    status: 200,
  },
  {
    method: 'GET',
    path: '/me/agenda',
    operationId: 'getAgenda',
    summary:
      "The caller's open activities by due time: overdue first, undated last, however many there are " +
      '(each page is one read of an index sorted by due time)',
    query: () => activitySchemas().agendaQuery,
    response: () => listOf(activitySchemas().record),
    status: 200,
  },
  {
    method: 'GET',
    path: '/settings/inbound-email',
    operationId: 'getInboundEmailAddress',
    summary:
      "The tenant's logging address (anyone in the tenant): mail a contact sends there becomes an " +
      '`inbound` email activity on the contact (a stranger becomes a lead); a user who copies it (Bcc) ' +
      'logs their mail as `outbound` on the contacts it went to. 404 when the deployment has no inbound domain',
    response: () => inboundEmailSchemas().address,
    status: 200,
  },
  {
    method: 'POST',
    path: '/settings/inbound-email/rotate',
    operationId: 'rotateInboundEmailAddress',
    role: { least: 'admin' },
    summary:
      'Replace the logging address with a new one (admin); mail to the previous address is dropped from now on',
    response: () => inboundEmailSchemas().address,
    status: 200,
  },
]);
