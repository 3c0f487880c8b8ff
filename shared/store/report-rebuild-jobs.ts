import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import { type Contribution, MergedCounters } from '../domain/reports/aggregate.ts';
import { compareAggregates, type Drift } from '../domain/reports/drift.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { refreshIndexKeys } from './index-upkeep.ts';
import {
  REBUILD_DRIFT_PREFIX,
  REBUILD_PAGE_PREFIX,
  rebuildDriftKey,
  rebuildJobKey,
  rebuildJobPk,
  rebuildPageKey,
} from './keys.ts';
import { queryPages } from './query.ts';
import { whenRebuildLockFree } from './rebuild-lock.ts';
import {
  addPage,
  CORRECTIONS_PER_TRANSACTION,
  chunks,
  correctionUpdate,
  REBUILD_PAGE_SIZE,
  readStoredAggregates,
  rebuildSources,
} from './report-rebuild.ts';
import type { SourceCursor } from './report-sources.ts';
import { transact } from './transactions.ts';
import { equals, updateExpression } from './update-expression.ts';

/**
 * A rebuild of a large tenant's report aggregates run in the background
 * (functions/queue/reportRebuild.ts), resumable page by page.
 *
 * 1. Reading: each page of records is summed into a scratch item of the
 *    job's partition (`PAGE#<n>`), written in one transaction with the job's
 *    new cursor on the condition that the job still stands at page n under
 *    this worker's lease. A retried or duplicated page rewrites the same
 *    scratch item or fails its condition: nothing is counted twice.
 * 2. Correcting: once every source is read, the scratch sums are added up and
 *    compared with the stored aggregates once; corrections go out in
 *    transactions that each record their batch of drift (`DRIFT#<n>`). A
 *    retried correction compares again against the corrected values, so what
 *    was corrected is not corrected twice (see report-rebuild.ts for what a
 *    rebuild racing the stream can guarantee).
 *
 * One worker at a time holds the job's lease; a duplicate queue message
 * finds it held and leaves the job to its holder.
 */

export type RebuildStatus = 'running' | 'done' | 'failed';

export interface RebuildJobView {
  readonly id: string;
  readonly status: RebuildStatus;
  readonly aggregatesChecked?: number;
  readonly drifted?: Drift[];
}

/** The queue message that runs (or resumes) a job. */
export interface RebuildMessage {
  readonly tenantId: string;
  readonly jobId: string;
}

/** How long a worker holds a job; longer than one consumer run, so a crashed run's lease lapses before the retry. */
export const REBUILD_LEASE_MS = 6 * 60_000;
/** Failed runs after which a job is marked failed. */
export const MAX_REBUILD_FAILURES = 5;
/** Jobs and their scratch items are kept a week. */
const JOB_TTL_SECONDS = 7 * 24 * 60 * 60;
/** Records per background page: a page's sums must fit one item. */
const JOB_PAGE_SIZE = Math.min(REBUILD_PAGE_SIZE, 50);

const expiresAt = (now: number) => Math.floor(now / 1000) + JOB_TTL_SECONDS;

/** Creates a running job; the caller queues its first message. */
export async function createRebuildJob(tenantId: string, requestedBy: string, now = Date.now()) {
  const id = ulid(now);
  await dynamo.send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...rebuildJobKey(tenantId, id),
        entity: 'report-rebuild',
        tenantId,
        id,
        status: 'running',
        phase: 'reading',
        source: 0,
        page: 0,
        items: 0,
        driftBatches: 0,
        failures: 0,
        requestedBy,
        createdAt: new Date(now).toISOString(),
        expiresAt: expiresAt(now),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { id, status: 'running' as const };
}

type JobItem = Record<string, unknown>;

async function readJob(tenantId: string, jobId: string): Promise<JobItem | undefined> {
  const output = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: rebuildJobKey(tenantId, jobId),
      ConsistentRead: true,
    }),
  );
  return output.Item;
}

async function driftOf(tenantId: string, jobId: string): Promise<Drift[]> {
  const drifted: Drift[] = [];
  for await (const items of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': rebuildJobPk(tenantId, jobId), ':prefix': REBUILD_DRIFT_PREFIX },
  }))
    for (const item of items) drifted.push(...(JSON.parse(String(item.drifted)) as Drift[]));
  return drifted;
}

/** A job as `GET /admin/reports/rebuild/{id}` shows it, or undefined when the tenant has none of that id. */
export async function getRebuildJob(tenantId: string, jobId: string): Promise<RebuildJobView | undefined> {
  const job = await readJob(tenantId, jobId);
  if (!job) return undefined;
  const status = job.status as RebuildStatus;
  if (status !== 'done') return { id: jobId, status };
  return {
    id: jobId,
    status,
    aggregatesChecked: Number(job.aggregatesChecked ?? 0),
    drifted: await driftOf(tenantId, jobId),
  };
}

/** Takes the job's lease for `owner`, or says it is held, finished or gone. */
async function claim(tenantId: string, jobId: string, owner: string, now: number): Promise<boolean> {
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: rebuildJobKey(tenantId, jobId),
        UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
        ConditionExpression:
          'attribute_exists(pk) AND #status = :running AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':owner': owner,
          ':until': now + REBUILD_LEASE_MS,
          ':now': now,
          ':running': 'running',
        },
      }),
    ),
  );
}

/** The condition that this worker still holds the lease. */
const held = (owner: string) => ({
  ConditionExpression: 'leaseOwner = :owner',
  values: { ':owner': owner },
});

export type RunOutcome = 'done' | 'continue' | 'busy';

export interface RunOptions {
  /** Milliseconds left in this run; the worker stops starting pages below `marginMs`. */
  readonly remainingMs?: () => number;
  readonly marginMs?: number;
  readonly now?: () => number;
}

/**
 * Runs a job from where it stands until it is done or the run's time is
 * nearly out: `done`, `continue` (queue another message to resume) or `busy`
 * (another worker holds it, or it is finished or unknown: nothing to do).
 * Throws on a storage failure, after counting it on the job (MAX_REBUILD_FAILURES
 * marks the job failed).
 */
export async function runRebuildJob(
  { tenantId, jobId }: RebuildMessage,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const now = options.now ?? Date.now;
  const remaining = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const margin = options.marginMs ?? 15_000;
  const owner = randomUUID();
  if (!(await claim(tenantId, jobId, owner, now()))) return 'busy';
  try {
    const outcome = await proceed(tenantId, jobId, owner, () => remaining() > margin);
    if (outcome === 'continue') await release(tenantId, jobId, owner);
    return outcome;
  } catch (error) {
    await recordFailure(tenantId, jobId, owner, error);
    throw error;
  }
}

async function proceed(
  tenantId: string,
  jobId: string,
  owner: string,
  timeLeft: () => boolean,
): Promise<RunOutcome> {
  const sources = rebuildSources();
  for (;;) {
    const job = await readJob(tenantId, jobId);
    if (!job || job.leaseOwner !== owner) return 'busy';
    if (job.phase === 'correcting') return correct(tenantId, jobId, owner, Number(job.driftBatches ?? 0));
    if (!timeLeft()) return 'continue';
    const sourceIndex = Number(job.source ?? 0);
    const pageNumber = Number(job.page ?? 0);
    const source = sources[sourceIndex];
    const cursor = typeof job.cursor === 'string' ? (JSON.parse(job.cursor) as SourceCursor) : undefined;
    const page = source ? await source.page(tenantId, cursor, JOB_PAGE_SIZE) : { items: [], next: undefined };
    const sums = new MergedCounters();
    if (source) {
      addPage(sums, source, page.items);
      // The same pass migrates index keys written by earlier versions (index-upkeep.ts).
      await refreshIndexKeys(tenantId, source.entity, page.items);
    }
    const lastSource = sourceIndex + 1 >= sources.length;
    const advance =
      page.next !== undefined
        ? { source: sourceIndex, cursor: JSON.stringify(page.next), phase: 'reading' }
        : { source: sourceIndex + 1, cursor: null, phase: lastSource ? 'correcting' : 'reading' };
    const { ConditionExpression, values } = held(owner);
    const outcome = await transact([
      {
        Put: {
          TableName: config.tableName,
          Item: {
            ...rebuildPageKey(tenantId, jobId, pageNumber),
            entity: 'report-rebuild-page',
            tenantId,
            sums: JSON.stringify(sums.contributions()),
            expiresAt: expiresAt(Date.now()),
          },
        },
      },
      {
        Update: {
          TableName: config.tableName,
          Key: rebuildJobKey(tenantId, jobId),
          UpdateExpression:
            'SET #source = :source, #cursor = :cursor, phase = :phase, page = :next ADD #items :items',
          ConditionExpression: `${ConditionExpression} AND page = :page`,
          ExpressionAttributeNames: { '#source': 'source', '#cursor': 'cursor', '#items': 'items' },
          ExpressionAttributeValues: {
            ...values,
            ':source': advance.source,
            ':cursor': advance.cursor,
            ':phase': advance.phase,
            ':page': pageNumber,
            ':next': pageNumber + 1,
            ':items': page.items.length,
          },
        },
      },
    ]);
    if (!outcome.ok) return 'busy';
  }
}

/** The whole tenant's recomputed sums: the job's scratch pages added up. */
async function scratchSums(tenantId: string, jobId: string): Promise<Contribution[]> {
  const sums = new MergedCounters();
  for await (const items of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': rebuildJobPk(tenantId, jobId), ':prefix': REBUILD_PAGE_PREFIX },
  }))
    for (const item of items)
      for (const contribution of JSON.parse(String(item.sums)) as Contribution[]) sums.add(contribution, 1);
  return sums.contributions();
}

/** Compares and corrects holding the tenant's rebuild lease (waiting for a running synchronous rebuild). */
async function correct(
  tenantId: string,
  jobId: string,
  owner: string,
  firstBatch: number,
): Promise<RunOutcome> {
  const outcome = await whenRebuildLockFree(tenantId, () =>
    correctHolding(tenantId, jobId, owner, firstBatch),
  );
  // Still held (a long synchronous rebuild): the worker queues itself to come back.
  return outcome.ran ? outcome.value : 'continue';
}

async function correctHolding(
  tenantId: string,
  jobId: string,
  owner: string,
  firstBatch: number,
): Promise<RunOutcome> {
  const recomputed = await scratchSums(tenantId, jobId);
  const stored = await readStoredAggregates(tenantId);
  const { aggregatesChecked, drifted, corrections } = compareAggregates(stored, recomputed);
  const { ConditionExpression, values } = held(owner);
  let batch = firstBatch;
  for (const part of chunks(corrections, CORRECTIONS_PER_TRANSACTION)) {
    const keys = new Set(part.map((item) => `${item.report}\u0000${item.key}`));
    const outcome = await transact([
      {
        Put: {
          TableName: config.tableName,
          Item: {
            ...rebuildDriftKey(tenantId, jobId, batch),
            entity: 'report-rebuild-drift',
            tenantId,
            drifted: JSON.stringify(drifted.filter((d) => keys.has(`${d.report}\u0000${d.key}`))),
            expiresAt: expiresAt(Date.now()),
          },
        },
      },
      ...part.map((correction) => correctionUpdate(tenantId, correction)),
      {
        Update: {
          TableName: config.tableName,
          Key: rebuildJobKey(tenantId, jobId),
          UpdateExpression: 'SET driftBatches = :next',
          ConditionExpression: `${ConditionExpression} AND driftBatches = :batch`,
          ExpressionAttributeValues: { ...values, ':batch': batch, ':next': batch + 1 },
        },
      },
    ]);
    if (!outcome.ok) return 'busy';
    batch++;
  }
  const finished = await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: rebuildJobKey(tenantId, jobId),
        ...updateExpression({
          set: { status: 'done', aggregatesChecked, finishedAt: new Date().toISOString() },
          remove: ['leaseOwner', 'leaseUntil'],
          when: [equals('leaseOwner', owner)],
        }),
      }),
    ),
  );
  return finished ? 'done' : 'busy';
}

async function release(tenantId: string, jobId: string, owner: string): Promise<void> {
  await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: rebuildJobKey(tenantId, jobId),
        UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    ),
  );
}

async function recordFailure(tenantId: string, jobId: string, owner: string, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: rebuildJobKey(tenantId, jobId),
        // The lease goes with the failure, so the queue's retry can take the job up at once.
        UpdateExpression: 'SET failures = failures + :one, lastError = :error REMOVE leaseOwner, leaseUntil',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':one': 1, ':error': message.slice(0, 500), ':owner': owner },
      }),
    ),
  );
  await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: rebuildJobKey(tenantId, jobId),
        UpdateExpression: 'SET #status = :failed',
        ConditionExpression: 'failures >= :max AND #status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':max': MAX_REBUILD_FAILURES,
          ':running': 'running',
        },
      }),
    ),
  );
}
