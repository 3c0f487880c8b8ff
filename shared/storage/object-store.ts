import type { Readable } from 'node:stream';
import { env } from '../env.ts';

/**
 * Files the CRM keeps outside the table: uploaded import files and their error
 * reports, finished exports, received mail. In AWS S3 buckets (private, encrypted, expiring);
 * under `npm start` an S3-compatible server on loopback (infra/local/s3-local.ts)
 * reached through the same client and presigner, so the same code runs in both.
 * Keys always begin with the tenant (`<tenant>/...`, see shared/store/keys.ts),
 * except in `inbound`, where SES stores received mail before anyone knows
 * its tenant (`inbound/<SES message id>`).
 */
export const bucketNames = ['imports', 'exports', 'inbound'] as const;
export type BucketName = (typeof bucketNames)[number];

/** Environment names: the bucket of each name (`IMPORTS_BUCKET`, `EXPORTS_BUCKET`, `INBOUND_MAIL_BUCKET`). */
export const bucketEnv: Readonly<Record<BucketName, string>> = env.buckets;

export interface StoredObject {
  /** Bytes. */
  readonly size: number;
  readonly contentType?: string;
}

export interface ObjectStore {
  /** A URL that accepts one HTTP PUT of the object for `expiresInSeconds` (SigV4 query signing). */
  presignPut(bucket: BucketName, key: string, options: { expiresInSeconds: number }): Promise<string>;
  /**
   * A URL that GETs the object for `expiresInSeconds`; `downloadName` sets the
   * Content-Disposition the browser saves it under.
   */
  presignGet(
    bucket: BucketName,
    key: string,
    options: { expiresInSeconds: number; downloadName?: string; contentType?: string },
  ): Promise<string>;
  /** Size and type of the object; undefined when there is none. */
  head(bucket: BucketName, key: string): Promise<StoredObject | undefined>;
  /** The object's bytes as a stream (never loaded whole); `range` is inclusive, in bytes. */
  read(bucket: BucketName, key: string, range?: { start: number; end?: number }): Promise<Readable>;
  /**
   * Stores `body`. A stream of unknown length goes up in parts (multipart upload),
   * so memory stays flat in the object's size.
   */
  write(
    bucket: BucketName,
    key: string,
    body: string | Uint8Array | Readable,
    /** `downloadName`: the name a download of the object is saved under (its Content-Disposition). */
    options: { contentType: string; downloadName?: string },
  ): Promise<void>;
  /** Removes the object; no error when there is none. */
  remove(bucket: BucketName, key: string): Promise<void>;
}
