import { listOf } from '../schemas/common.ts';
import { sequenceSchemas } from '../schemas/sequences.ts';
import { defineRoutes } from './route.ts';

export const sequenceRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/sequences',
    operationId: 'listSequences',
    summary: 'List follow-up sequences; `q` is a name prefix (case- and accent-insensitive)',
    query: () => sequenceSchemas().listQuery,
    response: () => listOf(sequenceSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/sequences',
    operationId: 'createSequence',
    summary:
      'Create a follow-up sequence: 1-20 steps, each `{delayHours (0-8760, counted from the previous step, ' +
      'or from enrollment for the first), templateId (a live template of the tenant), condition}`. ' +
      'Conditions: `always` (default; the only one allowed on the first step), `not_opened` and ' +
      '`not_clicked`, which look at the latest email of the sequence sent to the contact (a click counts ' +
      'as an open; privacy-proxy machine opens do not). `exitOn` (default `replied`, `unsubscribed`) lists ' +
      "the events that end a contact's enrollment at once: `replied` (a logged email activity with " +
      '`direction: inbound` related to the contact), `unsubscribed` (marketingStatus leaves `subscribed`), ' +
      '`deal_won` (a deal of the contact enters a won stage), `case_opened` (a case is opened for the ' +
      'contact). Whatever `exitOn` says, no step mails a contact who is not subscribed or is suppressed: ' +
      'the enrollment exits with `unsubscribed` when its next step comes due',
    body: () => sequenceSchemas().create,
    response: () => sequenceSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/sequences/{id}',
    operationId: 'getSequence',
    summary: 'Read a sequence',
    response: () => sequenceSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/sequences/{id}',
    operationId: 'updateSequence',
    summary:
      'Change a sequence (JSON merge patch). Enrollments keep going by step index: a changed step applies ' +
      'to steps that come due afterwards (a step already scheduled keeps its time), and an enrollment ' +
      'whose next step no longer exists completes when it comes due',
    body: () => sequenceSchemas().patch,
    response: () => sequenceSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/sequences/{id}',
    operationId: 'archiveSequence',
    summary:
      'Archive a sequence: nothing more is sent from it, and no one can be enrolled. Each active enrollment ' +
      'exits (`sequence_archived`) when its pending step comes due; restoring the sequence before then ' +
      'lets it continue',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/sequences/{id}/restore',
    operationId: 'restoreSequence',
    summary: 'Restore an archived sequence',
    response: () => sequenceSchemas().record,
    status: 200,
  },
  {
    method: 'POST',
    path: '/sequences/{id}/enroll',
    operationId: 'enrollInSequence',
    summary:
      'Enroll contacts: exactly one of `contactIds` (1-500) or `segmentId` (resolved now). Each enrolled ' +
      'contact gets its first step scheduled. Answers 200 `{enrolled, skipped: [{contactId, reason}]}` ' +
      'for contactIds and for a segment of at most 1,000 matching contacts; a larger segment, of any ' +
      'size, is enrolled in the background: 202 with the job (`{id, status: running, ...}`, Location ' +
      '`/sequences/{id}/enrollment-jobs/{jobId}`), which counts the enrolled and skipped contacts per ' +
      'reason as it goes. Reasons: `already_enrolled`, `previously_enrolled` ' +
      '(a contact runs through a sequence once; a completed or exited enrollment is not restarted), ' +
      '`not_found` (missing, archived or not visible to you), `no_email`, `not_subscribed`, `suppressed`. ' +
      "Anyone who can read the sequence may enroll the contacts they can see; a segment's contacts that " +
      'you cannot see are left out. An archived sequence answers 409',
    body: () => sequenceSchemas().enroll,
    response: () => sequenceSchemas().enrolled,
    status: 200,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/sequences/{id}/enrollment-jobs/{jobId}',
    operationId: 'getSequenceEnrollmentJob',
    summary:
      "A large segment's background enrollment: `running` while its contacts are enrolled chunk by chunk " +
      '(`chunks` once the segment is resolved, `chunksDone` so far), then `done`, or `failed` with `error` ' +
      '(the sequence or segment was archived, the requester deactivated). `enrolled` and `skipped` (per ' +
      "reason) count the contacts so far; each is counted once, however often the worker's messages are " +
      'delivered. Visible to whoever can read the sequence; a rep sees only the jobs they started',
    response: () => sequenceSchemas().enrollmentJob,
    examples: { response: sequenceExamples.enrollmentJob },
    status: 200,
  },
  {
    method: 'GET',
    path: '/sequences/{id}/enrollments',
    operationId: 'listSequenceEnrollments',
    summary:
      "List a sequence's enrollments by contact id, all or by `status` (active, completed, exited); " +
      'each shows its current step, when the next one is due, skipped steps and why it ended',
    query: () => sequenceSchemas().enrollmentsQuery,
    response: () => listOf(sequenceSchemas().enrollment),
    status: 200,
  },
  {
    method: 'GET',
    path: '/sequences/{id}/enrollments/{contactId}',
    operationId: 'getSequenceEnrollment',
    summary: "Read a contact's enrollment in a sequence",
    response: () => sequenceSchemas().enrollment,
    status: 200,
  },
  {
    method: 'DELETE',
    path: '/sequences/{id}/enrollments/{contactId}',
    operationId: 'unenrollFromSequence',
    summary:
      'Take a contact out of a sequence: an active enrollment exits (`manual`) and its pending step ' +
      'schedule is deleted. An enrollment that already ended stays as it is (204 all the same)',
    status: 204,
  },
]);
