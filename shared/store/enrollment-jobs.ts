import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { Rights } from '../domain/access.ts';
import {
  type EnrollmentJobStatus,
  type EnrollSkipReason,
  type EnrollTally,
  enrollSkipReasons,
  tallyOutcomes,
} from '../domain/sequence.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { enrollmentChunkKey, enrollmentJobKey } from './keys.ts';
import { transact } from './transactions.ts';

/**
 * Background enrollments of a segment into a sequence, for segments that
 * match more contacts than one request enrolls (MAX_SEGMENT_ENROLLMENT). The
 * job item keeps what was asked, by whom and with which rights, and the
 * running counts. The worker (functions/queue/sequenceEnroll.ts) resolves
 * the segment once into chunks of contact ids, each stored as an item of the
 * job (`CHUNK#<n>`, written once: a replayed resolution finds them and
 * changes none), records how many there are, and queues one message per
 * chunk. A chunk's counts are added to the job in the same transaction that
 * marks it done, so a redelivered chunk counts nothing twice; enrollments are
 * keyed by contact, so nobody is enrolled twice either. Jobs and chunks
 * expire (TTL) after a week.
 */
export interface EnrollmentJob {
  readonly tenantId: string;
  readonly id: string;
  readonly sequenceId: string;
  readonly segmentId: string;
  readonly status: EnrollmentJobStatus;
  /** The user who asked; the worker reads the segment with their rights as they stand when it runs. */
  readonly requestedBy: string;
  /** The rights their token carried, used only when they have no user item (shared/store/readers.ts). */
  readonly requesterRights: Rights;
  /** Where the links of the sequence's emails point (the API's public URL of the request). */
  readonly linkBaseUrl: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Chunks the segment was split into; absent until it has been resolved. */
  readonly chunks?: number;
  /** Chunks enrolled so far. */
  readonly chunksDone: number;
  readonly enrolled: number;
  readonly skipped: Readonly<Record<EnrollSkipReason, number>>;
  readonly finishedAt?: string;
  /** Why it failed, in words for the user. */
  readonly error?: string;
}

/** Jobs are kept a week after they were asked for. */
export const ENROLLMENT_JOB_RETENTION_SECONDS = 7 * 24 * 60 * 60;

type Item = Record<string, unknown>;

const numberOf = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));

function toJob(item: Item): EnrollmentJob {
  const stored = (item.skipped ?? {}) as Record<string, unknown>;
  return {
    tenantId: String(item.tenantId),
    id: String(item.id),
    sequenceId: String(item.sequenceId),
    segmentId: String(item.segmentId),
    status: item.status as EnrollmentJobStatus,
    requestedBy: String(item.requestedBy),
    requesterRights: item.requesterRights as Rights,
    linkBaseUrl: String(item.linkBaseUrl),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    ...(item.chunks !== undefined ? { chunks: numberOf(item.chunks) } : {}),
    chunksDone: numberOf(item.chunksDone),
    enrolled: numberOf(item.enrolled),
    skipped: Object.fromEntries(
      enrollSkipReasons.map((reason) => [reason, numberOf(stored[reason])]),
    ) as Record<EnrollSkipReason, number>,
    ...(typeof item.finishedAt === 'string' ? { finishedAt: item.finishedAt } : {}),
    ...(typeof item.error === 'string' ? { error: item.error } : {}),
  };
}

/** What clients see of a job: not the requester's rights nor where links point. */
export function enrollmentJobView(job: EnrollmentJob) {
  const { tenantId: _tenant, requesterRights: _rights, linkBaseUrl: _base, ...shown } = job;
  return shown;
}

/** Stores a new job, `running` with nothing counted; the caller then queues its first message. */
export async function createEnrollmentJob(
  job: Pick<
    EnrollmentJob,
    'tenantId' | 'id' | 'sequenceId' | 'segmentId' | 'requestedBy' | 'requesterRights' | 'linkBaseUrl'
  >,
  now = new Date(),
): Promise<EnrollmentJob> {
  const at = now.toISOString();
  const empty = tallyOutcomes([]);
  const item: Item = {
    ...job,
    status: 'running',
    createdAt: at,
    updatedAt: at,
    chunksDone: 0,
    enrolled: empty.enrolled,
    skipped: empty.skipped,
  };
  await dynamo.send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...enrollmentJobKey(job.tenantId, job.id),
        entity: 'enrollment-job',
        ...item,
        expiresAt: Math.floor(now.getTime() / 1000) + ENROLLMENT_JOB_RETENTION_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return toJob(item);
}

/** The tenant's job of that id; undefined when there is none or it expired (TTL deletes lag behind). */
export async function getEnrollmentJob(
  tenantId: string,
  id: string,
  now = Date.now(),
): Promise<EnrollmentJob | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: enrollmentJobKey(tenantId, id),
      ConsistentRead: true,
    }),
  );
  if (!Item || Number(Item.expiresAt) * 1000 <= now) return undefined;
  return toJob(Item);
}

/** Concurrent chunk writes. */
const CHUNK_WRITES = 16;

/**
 * Stores the chunks of a resolved segment, each only if absent: of two
 * resolutions of one job (a redelivered message), the first to store a
 * chunk decides its contacts.
 */
export async function putChunks(
  tenantId: string,
  jobId: string,
  chunks: readonly (readonly string[])[],
  now = new Date(),
): Promise<void> {
  const expiresAt = Math.floor(now.getTime() / 1000) + ENROLLMENT_JOB_RETENTION_SECONDS;
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = next++;
      await conditionHeld(() =>
        dynamo.send(
          new PutCommand({
            TableName: config.tableName,
            Item: {
              ...enrollmentChunkKey(tenantId, jobId, chunk),
              entity: 'enrollment-chunk',
              contactIds: chunks[chunk],
              state: 'pending',
              expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHUNK_WRITES, chunks.length) }, worker));
}

/** A stored chunk: its contacts and whether they were counted; undefined when there is none. */
export async function getChunk(
  tenantId: string,
  jobId: string,
  chunk: number,
): Promise<{ contactIds: string[]; done: boolean } | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: enrollmentChunkKey(tenantId, jobId, chunk),
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  return { contactIds: (Item.contactIds as string[]) ?? [], done: Item.state === 'done' };
}

/**
 * Records how many chunks the segment was split into, once: false when a
 * run before this one recorded it already (a redelivered message).
 */
export function recordChunkCount(tenantId: string, jobId: string, chunks: number, now = new Date()) {
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: enrollmentJobKey(tenantId, jobId),
        UpdateExpression: 'SET chunks = :chunks, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(chunks)',
        ExpressionAttributeValues: { ':chunks': chunks, ':now': now.toISOString() },
      }),
    ),
  );
}

/**
 * Marks a chunk done with its counts and adds them to its job, in one
 * transaction: false (nothing added) when the chunk was counted before or
 * the job is no longer running.
 */
export async function recordChunk(
  tenantId: string,
  jobId: string,
  chunk: number,
  tally: EnrollTally,
  now = new Date(),
): Promise<boolean> {
  const names: Record<string, string> = { '#status': 'status', '#skipped': 'skipped' };
  const values: Record<string, unknown> = {
    ':running': 'running',
    ':one': 1,
    ':enrolled': tally.enrolled,
    ':now': now.toISOString(),
  };
  const adds = enrollSkipReasons.map((reason, n) => {
    names[`#r${n}`] = reason;
    values[`:r${n}`] = tally.skipped[reason];
    return `#skipped.#r${n} = #skipped.#r${n} + :r${n}`;
  });
  const outcome = await transact([
    {
      Update: {
        TableName: config.tableName,
        Key: enrollmentChunkKey(tenantId, jobId, chunk),
        UpdateExpression: 'SET #state = :done, enrolled = :enrolled, skipped = :skipped',
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':done': 'done',
          ':pending': 'pending',
          ':enrolled': tally.enrolled,
          ':skipped': tally.skipped,
        },
      },
    },
    {
      Update: {
        TableName: config.tableName,
        Key: enrollmentJobKey(tenantId, jobId),
        UpdateExpression: `SET chunksDone = chunksDone + :one, enrolled = enrolled + :enrolled, ${adds.join(', ')}, updatedAt = :now`,
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ]);
  return outcome.ok;
}

/** Marks a running job done once every chunk of a resolved segment is counted; false otherwise. */
export function finishIfComplete(tenantId: string, jobId: string, now = new Date()) {
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: enrollmentJobKey(tenantId, jobId),
        UpdateExpression: 'SET #status = :done, finishedAt = :now, updatedAt = :now',
        ConditionExpression: '#status = :running AND chunks = chunksDone',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done', ':running': 'running', ':now': now.toISOString() },
      }),
    ),
  );
}

/** Ends a running job as failed, saying why (the sequence was archived, the requester removed, ...). */
export function failEnrollmentJob(tenantId: string, jobId: string, error: string, now = new Date()) {
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: enrollmentJobKey(tenantId, jobId),
        UpdateExpression: 'SET #status = :failed, #error = :error, finishedAt = :now, updatedAt = :now',
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':running': 'running',
          ':error': error.slice(0, 500),
          ':now': now.toISOString(),
        },
      }),
    ),
  );
}
