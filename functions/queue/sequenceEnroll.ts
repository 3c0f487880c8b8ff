import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { canRead } from '#shared/domain/access';
import { ENROLL_CHUNK, type EnrollSkipReason, tallyOutcomes } from '#shared/domain/sequence';
import { observed } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { getQueue } from '#shared/queue/select';
import {
  type EnrollmentJob,
  failEnrollmentJob,
  finishIfComplete,
  getChunk,
  getEnrollmentJob,
  putChunks,
  recordChunk,
  recordChunkCount,
} from '#shared/store/enrollment-jobs';
import type { Contact } from '#shared/store/entities';
import { currentReader } from '#shared/store/readers';
import { getRecord } from '#shared/store/records';
import { resolveSegment } from '#shared/store/segment-resolution';
import { getLiveSegment } from '#shared/store/segments';
import { enrollContacts, getContacts, sequences } from '#shared/store/sequences';
import { consumeMessages } from './message-batch.ts';

/**
 * SQS consumer of the sequence enrollment queue: the background half of
 * `POST /sequences/{id}/enroll` for a segment larger than one request
 * enrolls (shared/store/enrollment-jobs.ts). Two kinds of message:
 *
 * - `{tenantId, jobId}`: resolves the segment with the requester's rights as
 *   they stand now, page by page, sorts the contact ids and stores them as
 *   chunks of ENROLL_CHUNK, records their number, then queues one message per
 *   chunk. A redelivery finds the chunks stored (and keeps them) and queues
 *   them again; chunks already counted are skipped when they arrive.
 * - `{tenantId, jobId, chunk}`: reads the chunk's contacts again (live, still
 *   readable by the requester), enrolls them (shared/store/sequences.ts
 *   enrollContacts: each contact at most once, skipped when already enrolled,
 *   unsubscribed, suppressed or without email) and adds the chunk's counts to
 *   the job once; the last chunk marks the job done.
 *
 * An archived sequence or segment, or a requester who left, fails the job
 * with the reason; the chunks still queued then do nothing. A message that
 * throws is retried (the queue's DLQ takes it after a few receives); one that
 * cannot be read is dropped.
 */
export interface EnrollMessage {
  readonly tenantId: string;
  readonly jobId: string;
  /** Absent for the message that resolves the segment. */
  readonly chunk?: number;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

function parse(body: string): EnrollMessage | undefined {
  try {
    const { tenantId, jobId, chunk } = JSON.parse(body) as Record<string, unknown>;
    if (typeof tenantId !== 'string' || !ID.test(tenantId) || typeof jobId !== 'string' || !ID.test(jobId))
      return undefined;
    if (chunk === undefined) return { tenantId, jobId };
    if (typeof chunk === 'number' && Number.isInteger(chunk) && chunk >= 0) return { tenantId, jobId, chunk };
  } catch {
    // reported by the caller
  }
  return undefined;
}

/** Messages per send call (SQS SendMessageBatch takes 10; the queue adapter splits as it needs). */
const SEND_BATCH = 100;

/** The requester's read rights now; undefined (the job failed) when they can no longer read. */
async function readerOf(job: EnrollmentJob) {
  const reader = await currentReader(job.tenantId, job.requestedBy, job.requesterRights);
  if (!reader) await failEnrollmentJob(job.tenantId, job.id, 'the user who asked for it is no longer active');
  return reader;
}

/** Whether the job's sequence can still be enrolled in; fails the job when not. */
async function liveSequence(job: EnrollmentJob) {
  const sequence = await getRecord(sequences, job.tenantId, job.sequenceId, true);
  if (sequence && !sequence.archived) return sequence;
  await failEnrollmentJob(job.tenantId, job.id, 'the sequence was archived');
  return undefined;
}

async function resolve(job: EnrollmentJob): Promise<string> {
  if (job.chunks === undefined) {
    const [reader, segment] = await Promise.all([readerOf(job), getLiveSegment(job.tenantId, job.segmentId)]);
    if (!reader) return 'failed';
    if (!segment) {
      await failEnrollmentJob(job.tenantId, job.id, 'the segment was archived');
      return 'failed';
    }
    const ids: string[] = [];
    for await (const page of resolveSegment(job.tenantId, segment.filter, { reader }))
      for (const contact of page) ids.push(contact.id);
    // Sorted, so that a resolution repeated on the same contacts makes the same chunks.
    ids.sort();
    const chunks = Array.from({ length: Math.ceil(ids.length / ENROLL_CHUNK) }, (_, n) =>
      ids.slice(n * ENROLL_CHUNK, (n + 1) * ENROLL_CHUNK),
    );
    await putChunks(job.tenantId, job.id, chunks);
    await recordChunkCount(job.tenantId, job.id, chunks.length);
  }
  const stored = await getEnrollmentJob(job.tenantId, job.id);
  const count = stored?.chunks ?? 0;
  const queue = await getQueue();
  for (let start = 0; start < count; start += SEND_BATCH) {
    const bodies: EnrollMessage[] = [];
    for (let chunk = start; chunk < Math.min(count, start + SEND_BATCH); chunk++)
      bodies.push({ tenantId: job.tenantId, jobId: job.id, chunk });
    await queue.sendMessages('sequenceEnroll', bodies);
  }
  // A segment that matched nobody is done at once.
  await finishIfComplete(job.tenantId, job.id);
  return `resolved into ${count} chunks`;
}

async function enrollChunk(job: EnrollmentJob, chunk: number): Promise<string> {
  const stored = await getChunk(job.tenantId, job.id, chunk);
  if (!stored || stored.done) return 'already counted';
  const [reader, sequence] = await Promise.all([readerOf(job), liveSequence(job)]);
  if (!reader || !sequence) return 'failed';
  const found = await getContacts(job.tenantId, stored.contactIds);
  const outcomes = new Map<string, EnrollSkipReason | 'enrolled'>();
  const candidates: Contact[] = [];
  for (const id of stored.contactIds) {
    const contact = found.get(id);
    // Archived, erased or moved out of the requester's sight since the segment was resolved.
    if (!contact || contact.archived || !canRead(reader, contact)) outcomes.set(id, 'not_found');
    else candidates.push(contact);
  }
  const enrolled = await enrollContacts({
    tenantId: job.tenantId,
    sequence,
    candidates,
    linkBaseUrl: job.linkBaseUrl,
    enrolledBy: job.requestedBy,
    enrolledAs: job.requesterRights,
    jobId: job.id,
  });
  for (const [id, outcome] of enrolled) outcomes.set(id, outcome);
  const counted = await recordChunk(job.tenantId, job.id, chunk, tallyOutcomes(outcomes.values()));
  await finishIfComplete(job.tenantId, job.id);
  return counted ? 'counted' : 'counted before';
}

export const handler = observed(async function sequenceEnroll(
  event: SQSEvent,
  context?: Context,
): Promise<SQSBatchResponse> {
  return consumeMessages(
    {
      name: 'sequenceEnroll',
      parse,
      correlation: ({ tenantId, jobId }) => ({ tenantId, jobId }),
      async handle(message) {
        const job = await getEnrollmentJob(message.tenantId, message.jobId);
        if (job?.status !== 'running') return;
        const outcome =
          message.chunk === undefined ? await resolve(job) : await enrollChunk(job, message.chunk);
        logger.info('sequenceEnroll: message handled', { chunk: message.chunk ?? 'resolve', outcome });
      },
    },
    event,
    context,
  );
});
