import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import { type BucketName, bucketNames } from '#shared/storage/object-store';
import { PortInUseError } from './errors.ts';

/**
 * An S3-compatible server on loopback (s3rver): the same @aws-sdk/client-s3 calls and
 * presigned URLs as in AWS, objects kept on disk under the data folder. It answers
 * SigV4 signed with the local credentials the handlers use (`local`/`local`) and
 * reports each object created, as S3 event notifications do (the import pipeline
 * listens for uploads through `onObjectCreated`).
 */
export interface RunningS3Local {
  readonly endpoint: string;
  readonly port: number;
  /** The bucket each name maps to (the same names as the env: IMPORTS_BUCKET, ...). */
  readonly buckets: Readonly<Record<BucketName, string>>;
  /** Calls `listener` after each object is stored (PUT, POST, copy, multipart completion). */
  onObjectCreated(listener: (created: S3ObjectCreated) => void): void;
  stop(): Promise<void>;
}

export interface S3ObjectCreated {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
}

/**
 * The web console uploads import files straight to their presigned URL and reads the error CSV
 * from another origin (the API's port): browsers need CORS for both. Presigned URLs carry their
 * own authorization, so any origin may use them, as with a bucket CORS rule in AWS.
 */
const BROWSER_CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/** The local credentials every handler signs with (infra/local/runtime.ts). */
const LOCAL_ACCESS_KEY = { id: 'local', secret: 'local' };

interface S3EventRecord {
  readonly eventName?: string;
  readonly s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number } };
}

export async function startS3Local(options: {
  port: number;
  /** Where objects are kept; omitted: a temporary folder removed on stop (in-memory runs). */
  readonly directory?: string;
  readonly portEnvVar?: string;
}): Promise<RunningS3Local> {
  // The account registry is a CommonJS singleton inside the package; registering our key there
  // makes the server accept the signatures of the SDK configured as every local handler is.
  const require = createRequire(import.meta.url);
  const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  DUMMY_ACCOUNT.createKeyPair(LOCAL_ACCESS_KEY.id, LOCAL_ACCESS_KEY.secret);

  const temporary = options.directory ? undefined : await mkdtemp(join(tmpdir(), 'crm-s3-'));
  const directory = options.directory ?? (temporary as string);
  const buckets = Object.fromEntries(bucketNames.map((name) => [name, `crm-${name}`])) as Record<
    BucketName,
    string
  >;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: Object.values(buckets).map((name) => ({ name, configs: [BROWSER_CORS] })),
  });
  const listeners: ((created: S3ObjectCreated) => void)[] = [];
  server.on('event', (event: { Records?: readonly S3EventRecord[] }) => {
    for (const record of event.Records ?? []) {
      if (!record.eventName?.startsWith('ObjectCreated:')) continue;
      const bucket = record.s3?.bucket?.name;
      const key = record.s3?.object?.key;
      if (!bucket || key === undefined) continue;
      // S3 events carry the key URL-encoded with `+` for spaces.
      const created = {
        bucket,
        key: decodeURIComponent(key.replace(/\+/g, ' ')),
        size: record.s3?.object?.size ?? 0,
      };
      for (const listener of listeners) listener(created);
    }
  });
  let address: AddressInfo;
  try {
    address = (await server.run()) as AddressInfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError(options.port, options.portEnvVar ?? 'S3_PORT', 'S3 port');
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    buckets,
    onObjectCreated: (listener) => {
      listeners.push(listener);
    },
    async stop() {
      await server.close().catch(() => undefined);
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}
