import * as z from 'zod/mini';
import { listOf } from '../schemas/common.ts';
import { segmentInterpretSchemas, segmentPreviewSchema, segmentSchemas } from '../schemas/segments.ts';
import { shareSchemas } from '../schemas/shares.ts';
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
      "Count and sample a segment's live contacts that the caller may read (a rep: their own and their team's; a manager or admin: the whole tenant). `sample` (`limit`, default 10, max 100) holds the newest of them",
    query: () => segmentSchemas().previewQuery,
    response: () => segmentPreviewSchema(),
    status: 200,
  },
  {
    method: 'POST',
    path: '/segments/{id}/share',
    operationId: 'shareSegment',
    summary:
      "Share the segment's contacts with a partner: a signed link (`url`, no account needed) to a file " +
      '(`format` csv, json or vcf) that expires after `expiresInDays` (1 to 90) and can be revoked. Each download ' +
      'holds the contacts matching NOW that the creator may read then; every download is logged',
    body: () => shareSchemas().create,
    response: () => shareSchemas().share,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/segments/{id}/shares',
    operationId: 'listSegmentShares',
    summary:
      "The segment's live shares (not expired, not revoked), oldest first; `url` only on those the caller may revoke",
    response: () => z.object({ items: z.array(shareSchemas().share) }),
    status: 200,
  },
  {
    method: 'DELETE',
    path: '/segments/{id}/shares/{shareId}',
    operationId: 'revokeSegmentShare',
    summary:
      "Revoke a share: its link answers 404 from then on. The share's creator, an admin, or a manager of the creator's team",
    status: 204,
  },
  {
    method: 'GET',
    path: '/segments/{id}/shares/{shareId}/downloads',
    operationId: 'listShareDownloads',
    summary:
      "A share's download log, newest first (time, rows, bytes, format, IP, user agent, outcome), kept 180 days. " +
      "The share's creator, an admin, or a manager of the creator's team",
    query: () => shareSchemas().downloadsQuery,
    response: () => listOf(shareSchemas().download),
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
