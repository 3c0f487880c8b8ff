import { listOf } from '../schemas/common.ts';
import { segmentInterpretSchemas, segmentPreviewSchema, segmentSchemas } from '../schemas/segments.ts';
import { defineRoutes } from './route.ts';

export const segmentRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/segments',
    operationId: 'listSegments',
    summary: 'List segments the caller may read; `q` is a name prefix (case- and accent-insensitive)',
    query: () => segmentSchemas().listQuery,
    response: () => listOf(segmentSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/segments',
    operationId: 'createSegment',
    summary:
      'Create a segment: a contact filter `{all?, any?}` of conditions `{field, op, value}`; every unknown field, op or bad value is listed in the 400',
    body: () => segmentSchemas().create,
    response: () => segmentSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/segments/{id}',
    operationId: 'getSegment',
    summary: 'Read a segment',
    response: () => segmentSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/segments/{id}',
    operationId: 'updateSegment',
    summary: 'Change a segment (JSON merge patch; `filter` is replaced as a whole)',
    body: () => segmentSchemas().patch,
    response: () => segmentSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/segments/{id}',
    operationId: 'deleteSegment',
    summary: 'Archive a segment',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/segments/{id}/restore',
    operationId: 'restoreSegment',
    summary: 'Restore an archived segment',
    response: () => segmentSchemas().record,
    status: 200,
  },
  {
    method: 'GET',
    path: '/segments/{id}/preview',
    operationId: 'previewSegment',
    summary:
      "Count and sample a segment's live contacts. `count` covers the whole tenant, as a campaign sent to the segment would reach every match; `sample` (`limit`, default 10, max 100) shows only contacts the caller may read, so a rep sees their own and their team's",
    query: () => segmentSchemas().previewQuery,
    response: () => segmentPreviewSchema(),
    status: 200,
  },
  {
    method: 'POST',
    path: '/segments/interpret',
    operationId: 'interpretSegment',
    summary:
      "Read a segment filter from a sentence in Spanish or English (`text`, 1-500 characters; `lang` es|en, detected when absent), using only the tenant's own values (cities, countries, tags, industries, stages, campaigns, owners). Answers the `filter` (null when nothing could be read), one `explanation` line per condition, the `unmatched` words, and `count`: the contacts the caller may read that match (null without a filter). Nothing is saved. Where words were left unmatched and a language model is configured, `suggestion` is its reading, checked against the same values and never applied",
    body: () => segmentInterpretSchemas().body,
    response: () => segmentInterpretSchemas().answer,
    status: 200,
  },
]);
