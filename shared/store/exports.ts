import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { Rights } from '../domain/access.ts';
import type { ExportEntity, ExportFormat } from '../domain/exports/index.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { exportJobKey } from './keys.ts';
import { absent, allOf, anyOf, below, equals, updateExpression } from './update-expression.ts';

/**
 * Export jobs: an export too large to stream in the response is written to
 * the exports bucket by a worker (functions/queue/exportJobs.ts) and
 * followed at `GET /exports/{id}`. The job keeps what was asked (the list
 * and its filters, or the segment), who asked, and once done the file's
 * rows and bytes. One worker at a time holds a job's lease; a redelivered
 * message finds it held (or done) and leaves it.
 */
export type ExportStatus = 'processing' | 'done' | 'failed';

/** What an export holds: a record list with its filters (as the list route takes them), or a segment's contacts. */
export type ExportSource =
  | {
      readonly kind: 'list';
      readonly entity: ExportEntity;
      readonly filters: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'segment';
      readonly segmentId: string;
      /** The segment's name when the export was asked for: the file's download name. */
      readonly name?: string;
      /** Served by a shared list link: only the fields a partner gets (shared/domain/exports/shared-list.ts). */
      readonly sharedList?: boolean;
    };

export interface ExportJob {
  readonly tenantId: string;
  readonly id: string;
  readonly status: ExportStatus;
  readonly format: ExportFormat;
  readonly source: ExportSource;
  /** The user who asked; the worker reads with their rights as they stand when it runs. */
  readonly requestedBy: string;
  /** The rights their token carried, used only when they have no user item (shared/store/readers.ts). */
  readonly requesterRights: Rights;
  readonly createdAt: string;
  readonly rows?: number;
  /** Size of the file, in bytes. */
  readonly bytes?: number;
  readonly finishedAt?: string;
  /** Why it failed, in words for the user. */
  readonly error?: string;
}

/** Export files and jobs last two days (the bucket's lifecycle rule expires the files as well). */
export const EXPORT_RETENTION_SECONDS = 2 * 24 * 60 * 60;
/** Failed runs (storage errors) after which a job is marked failed. */
export const MAX_EXPORT_FAILURES = 3;

type Item = Record<string, unknown>;

function toJob(item: Item): ExportJob {
  const source: ExportSource =
    typeof item.segmentId === 'string'
      ? {
          kind: 'segment',
          segmentId: item.segmentId,
          ...(typeof item.segmentName === 'string' ? { name: item.segmentName } : {}),
          ...(item.sharedList === true ? { sharedList: true } : {}),
        }
      : {
          kind: 'list',
          entity: item.listEntity as ExportEntity,
          filters: (item.filters as Record<string, string>) ?? {},
        };
  return {
    tenantId: String(item.tenantId),
    id: String(item.id),
    status: item.status as ExportStatus,
    format: item.format as ExportFormat,
    source,
    requestedBy: String(item.requestedBy),
    requesterRights: item.requesterRights as Rights,
    createdAt: String(item.createdAt),
    ...(typeof item.rows === 'number' ? { rows: item.rows } : {}),
    ...(typeof item.bytes === 'number' ? { bytes: item.bytes } : {}),
    ...(typeof item.finishedAt === 'string' ? { finishedAt: item.finishedAt } : {}),
    ...(typeof item.error === 'string' ? { error: item.error } : {}),
  };
}

/** Stores a new job in `processing`; the caller then queues its message. */
export async function createExportJob(
  job: Omit<ExportJob, 'status' | 'createdAt'>,
  now = new Date(),
): Promise<ExportJob> {
  const { source, ...rest } = job;
  const created: ExportJob = { ...job, status: 'processing', createdAt: now.toISOString() };
  await dynamo.send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...exportJobKey(job.tenantId, job.id),
        entity: 'export-job',
        ...rest,
        ...(source.kind === 'list'
          ? { listEntity: source.entity, filters: source.filters }
          : {
              segmentId: source.segmentId,
              ...(source.name !== undefined ? { segmentName: source.name } : {}),
              ...(source.sharedList ? { sharedList: true } : {}),
            }),
        status: 'processing',
        failures: 0,
        createdAt: created.createdAt,
        expiresAt: Math.floor(now.getTime() / 1000) + EXPORT_RETENTION_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return created;
}

/** The tenant's job of that id; undefined when there is none or it expired (TTL deletes lag behind). */
export async function getExportJob(
  tenantId: string,
  id: string,
  now = Date.now(),
): Promise<ExportJob | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: config.tableName, Key: exportJobKey(tenantId, id), ConsistentRead: true }),
  );
  if (!Item || Number(Item.expiresAt) * 1000 <= now) return undefined;
  return toJob(Item);
}

/**
 * Takes the lease of a job still processing for `owner` until `until` (epoch
 * ms); false when another worker holds it or the job is finished or gone.
 */
export function claimExportJob(
  tenantId: string,
  id: string,
  owner: string,
  now: number,
  until: number,
): Promise<boolean> {
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: exportJobKey(tenantId, id),
        ...updateExpression({
          set: { leaseOwner: owner, leaseUntil: until },
          when: [equals('status', 'processing'), anyOf(absent('leaseUntil'), below('leaseUntil', now))],
        }),
      }),
    ),
  );
}

/** Ends a job `owner` holds with `outcome` (done or failed, and their fields), releasing the lease; false when it no longer holds it. */
function endExportJob(
  tenantId: string,
  id: string,
  owner: string,
  outcome: Readonly<Record<string, string | number>>,
  now: Date,
): Promise<boolean> {
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: exportJobKey(tenantId, id),
        ...updateExpression({
          set: { ...outcome, finishedAt: now.toISOString() },
          remove: ['leaseOwner', 'leaseUntil'],
          when: [allOf(equals('status', 'processing'), equals('leaseOwner', owner))],
        }),
      }),
    ),
  );
}

/** Marks the job done with its file's rows and bytes, if `owner` still holds it. */
export const finishExportJob = (
  tenantId: string,
  id: string,
  owner: string,
  file: { rows: number; bytes: number },
  now = new Date(),
): Promise<boolean> =>
  endExportJob(tenantId, id, owner, { status: 'done', rows: file.rows, bytes: file.bytes }, now);

/** Marks the job failed for good (`reason` is shown to the user), if `owner` still holds it. */
export const failExportJob = (
  tenantId: string,
  id: string,
  owner: string,
  reason: string,
  now = new Date(),
): Promise<boolean> => endExportJob(tenantId, id, owner, { status: 'failed', error: reason }, now);

/**
 * Counts a failed run (a storage error: the queue retries it) and gives the
 * lease up so the retry can take the job at once; the MAX_EXPORT_FAILURES-th
 * failure marks the job failed.
 */
export async function recordExportFailure(
  tenantId: string,
  id: string,
  owner: string,
  error: unknown,
): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  const counted = await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: exportJobKey(tenantId, id),
        UpdateExpression: 'SET failures = failures + :one, lastError = :error REMOVE leaseOwner, leaseUntil',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':one': 1, ':error': message.slice(0, 500), ':owner': owner },
      }),
    ),
  );
  if (!counted) return;
  await conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: exportJobKey(tenantId, id),
        UpdateExpression: 'SET #status = :failed, #error = :reason, finishedAt = :now',
        ConditionExpression: 'failures >= :max AND #status = :processing',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':reason': 'The export kept failing on our side; it has been logged. Ask for it again.',
          ':now': new Date().toISOString(),
          ':max': MAX_EXPORT_FAILURES,
          ':processing': 'processing',
        },
      }),
    ),
  );
}
