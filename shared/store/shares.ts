import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import type { Rights } from '../domain/access.ts';
import type { ExportFormat } from '../domain/exports/index.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { shareDownloadSk, shareDownloadsPk, shareKey, sharesPk } from './keys.ts';
import type { PageKey } from './page.ts';
import { queryPage, queryPages } from './query.ts';
import { transact } from './transactions.ts';
import { absent, equals, exists, incremented, updateExpression } from './update-expression.ts';

/**
 * Shared list links: a segment's contacts served to a partner without an
 * account at `/l/<token>` until the link expires or is revoked. The share
 * item keeps what the token binds (format, expiry), who made it and their
 * rights then (the link serves what they may read both now and then:
 * shared/http/shares.ts shareServing), the export job of a list too large for
 * one response, and the download counter; each download is logged beside it.
 */
export interface Share {
  readonly tenantId: string;
  readonly id: string;
  readonly segmentId: string;
  readonly format: ExportFormat;
  readonly label?: string;
  /** When the link stops working, ISO 8601. */
  readonly expiresAt: string;
  readonly createdAt: string;
  readonly createdBy: string;
  /** The creator's rights when they shared: the link never serves more; their current rights too when they have no user item. */
  readonly creatorRights: Rights;
  readonly downloads: number;
  readonly lastDownloadAt?: string;
  readonly revokedAt?: string;
  /** The export job serving a list past the in-response limits. */
  readonly jobId?: string;
}

export type DownloadOutcome = 'inline' | 'job' | 'redirect';

/** One download of a shared link. */
export interface ShareDownload {
  readonly id: string;
  readonly at: string;
  readonly format: ExportFormat;
  readonly outcome: DownloadOutcome;
  readonly rows?: number;
  /** Size of the file served, in bytes. */
  readonly bytes?: number;
  readonly ip?: string;
  readonly userAgent?: string;
  /** The export job that serves (or served) the file, for `job` and `redirect`. */
  readonly exportId?: string;
}

/** Download log entries are kept this long (TTL), and a share's item as long past its expiry, for its log's rights. */
export const SHARE_LOG_RETENTION_SECONDS = 180 * 24 * 60 * 60;

type Item = Record<string, unknown>;
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

function toShare(item: Item): Share {
  return {
    tenantId: String(item.tenantId),
    id: String(item.id),
    segmentId: String(item.segmentId),
    format: item.format as ExportFormat,
    ...(typeof item.label === 'string' ? { label: item.label } : {}),
    expiresAt: String(item.linkExpiresAt),
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
    creatorRights: item.creatorRights as Rights,
    downloads: Number(item.downloads ?? 0),
    ...(typeof item.lastDownloadAt === 'string' ? { lastDownloadAt: item.lastDownloadAt } : {}),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
    ...(typeof item.jobId === 'string' ? { jobId: item.jobId } : {}),
  };
}

/** A share that still serves its link at `now` (epoch ms): not revoked, not expired. */
export const isLive = (share: Share, now = Date.now()): boolean =>
  share.revokedAt === undefined && Date.parse(share.expiresAt) > now;

/** Stores a new share of a segment, expiring `days` after `now` (whole seconds, as the token carries it). */
export async function createShare(
  input: Pick<Share, 'tenantId' | 'segmentId' | 'format' | 'label' | 'createdBy' | 'creatorRights'> & {
    readonly days: number;
  },
  now = new Date(),
): Promise<Share> {
  const expiry = epochSeconds(now) + input.days * 24 * 60 * 60;
  const share: Share = {
    tenantId: input.tenantId,
    id: ulid(now.getTime()),
    segmentId: input.segmentId,
    format: input.format,
    ...(input.label !== undefined ? { label: input.label } : {}),
    expiresAt: new Date(expiry * 1000).toISOString(),
    createdAt: now.toISOString(),
    createdBy: input.createdBy,
    creatorRights: input.creatorRights,
    downloads: 0,
  };
  const { expiresAt, ...stored } = share;
  await dynamo.send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...shareKey(share.tenantId, share.segmentId, share.id),
        entity: 'share',
        ...stored,
        linkExpiresAt: expiresAt,
        expiresAt: expiry + SHARE_LOG_RETENTION_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return share;
}

/** The share of that id on that segment of the tenant, live or not; undefined when there is none. */
export async function getShare(
  tenantId: string,
  segmentId: string,
  shareId: string,
): Promise<Share | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: shareKey(tenantId, segmentId, shareId),
      ConsistentRead: true,
    }),
  );
  return Item ? toShare(Item) : undefined;
}

/**
 * Live shares a segment may have at once: its list of shares stays one short
 * answer, and a creator who needs another revokes one first. Checked before
 * each share is made, so two made at the same instant may pass it by one.
 */
export const MAX_LIVE_SHARES_PER_SEGMENT = 50;

/** The segment's live shares at `now`, oldest first (one Query of its partition, revoked and expired ones filtered out). */
export async function liveShares(tenantId: string, segmentId: string, now = Date.now()): Promise<Share[]> {
  const shares: Share[] = [];
  for await (const items of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: 'attribute_not_exists(revokedAt) AND linkExpiresAt > :now',
    ExpressionAttributeValues: { ':pk': sharesPk(tenantId, segmentId), ':now': new Date(now).toISOString() },
  }))
    for (const item of items) {
      const share = toShare(item);
      if (isLive(share, now)) shares.push(share);
    }
  return shares;
}

/** Marks the share revoked; false when it was already revoked (or is gone). */
export const revokeShare = (share: Share, by: string, now = new Date()): Promise<boolean> =>
  conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: shareKey(share.tenantId, share.segmentId, share.id),
        ...updateExpression({
          set: { revokedAt: now.toISOString(), revokedBy: by },
          when: [exists('pk'), absent('revokedAt')],
        }),
      }),
    ),
  );

/**
 * Points the live share at a new export job, if it still points at
 * `previous` (none when undefined): one of two concurrent downloads wins,
 * the other finds the winner's job. False when it lost or the share was revoked.
 */
export const attachShareJob = (share: Share, jobId: string, previous: string | undefined): Promise<boolean> =>
  conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: shareKey(share.tenantId, share.segmentId, share.id),
        ...updateExpression({
          set: { jobId },
          when: [
            exists('pk'),
            absent('revokedAt'),
            previous === undefined ? absent('jobId') : equals('jobId', previous),
          ],
        }),
      }),
    ),
  );

/** Logs one download and counts it on the share, in one transaction. */
export async function recordDownload(
  share: Share,
  download: Omit<ShareDownload, 'id' | 'at' | 'format'>,
  now = new Date(),
): Promise<ShareDownload> {
  const entry: ShareDownload = {
    id: ulid(now.getTime()),
    at: now.toISOString(),
    format: share.format,
    ...download,
  };
  await transact([
    {
      Put: {
        TableName: config.tableName,
        Item: {
          pk: shareDownloadsPk(share.tenantId, share.id),
          sk: shareDownloadSk(entry.at, entry.id),
          entity: 'share-download',
          ...entry,
          expiresAt: epochSeconds(now) + SHARE_LOG_RETENTION_SECONDS,
        },
      },
    },
    {
      Update: {
        TableName: config.tableName,
        Key: shareKey(share.tenantId, share.segmentId, share.id),
        ...updateExpression({
          set: { downloads: incremented(1), lastDownloadAt: entry.at },
          when: [exists('pk')],
        }),
      },
    },
  ]);
  return entry;
}

/** A page of the share's download log, newest first, from `startKey`. */
export async function shareDownloads(
  share: Share,
  limit: number,
  startKey: PageKey | undefined,
  now = Date.now(),
): Promise<{ items: ShareDownload[]; lastKey: PageKey | undefined }> {
  const page = await queryPage(
    {
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': shareDownloadsPk(share.tenantId, share.id) },
      ScanIndexForward: false,
      Limit: limit,
    },
    startKey,
  );
  const items = page.items
    // TTL deletes lag behind.
    .filter((item) => Number(item.expiresAt) * 1000 > now)
    .map(
      (item): ShareDownload => ({
        id: String(item.id),
        at: String(item.at),
        format: item.format as ExportFormat,
        outcome: item.outcome as DownloadOutcome,
        ...(typeof item.rows === 'number' ? { rows: item.rows } : {}),
        ...(typeof item.bytes === 'number' ? { bytes: item.bytes } : {}),
        ...(typeof item.ip === 'string' ? { ip: item.ip } : {}),
        ...(typeof item.userAgent === 'string' ? { userAgent: item.userAgent } : {}),
        ...(typeof item.exportId === 'string' ? { exportId: item.exportId } : {}),
      }),
    );
  return { items, lastKey: page.lastKey };
}
