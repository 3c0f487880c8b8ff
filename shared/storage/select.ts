import type { ObjectStore } from './object-store.ts';

let store: Promise<ObjectStore> | undefined;

/**
 * The object store, loaded on first use (the S3 client weighs, and most functions
 * never touch a file). Local runs point the same client at the loopback server
 * through AWS_ENDPOINT_URL_S3.
 */
export function getObjectStore(): Promise<ObjectStore> {
  store ??= import('./s3-store.ts').then((module) => module.s3ObjectStore());
  return store;
}
