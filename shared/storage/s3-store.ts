import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { config } from '../config.ts';
import { attachmentDisposition } from '../domain/content-disposition.ts';
import type { BucketName, ObjectStore } from './object-store.ts';

/** S3's smallest part (5 MiB) keeps a multipart upload's memory at a few parts whatever the object's size. */
const PART_BYTES = 5 * 1024 * 1024;

/**
 * The ObjectStore over S3. Checksums only when S3 requires them: by default the SDK
 * signs a CRC32 of the (empty) payload into presigned PUT URLs, which the real upload
 * then fails. A local endpoint (AWS_ENDPOINT_URL_S3) is addressed path-style, since
 * `<bucket>.127.0.0.1` does not resolve.
 */
export function s3ObjectStore(client?: S3Client): ObjectStore {
  const s3 =
    client ??
    new S3Client({
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      forcePathStyle: config.localS3Endpoint !== undefined,
    });
  const name = (bucket: BucketName) => config.bucket(bucket);
  return {
    presignPut: (bucket, key, { expiresInSeconds }) =>
      getSignedUrl(s3, new PutObjectCommand({ Bucket: name(bucket), Key: key }), {
        expiresIn: expiresInSeconds,
      }),
    presignGet: (bucket, key, { expiresInSeconds, downloadName, contentType }) =>
      getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: name(bucket),
          Key: key,
          ...(downloadName
            ? {
                ResponseContentDisposition: attachmentDisposition(downloadName),
              }
            : {}),
          ...(contentType ? { ResponseContentType: contentType } : {}),
        }),
        { expiresIn: expiresInSeconds },
      ),
    async head(bucket, key) {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: name(bucket), Key: key }));
        return {
          size: head.ContentLength ?? 0,
          ...(head.ContentType ? { contentType: head.ContentType } : {}),
        };
      } catch (error) {
        if (
          error instanceof NotFound ||
          (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)
        )
          return undefined;
        throw error;
      }
    },
    async read(bucket, key, range) {
      const output = await s3.send(
        new GetObjectCommand({
          Bucket: name(bucket),
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
        }),
      );
      if (!output.Body) throw new Error(`S3 returned no body for ${bucket}/${key}`);
      return output.Body as Readable;
    },
    async write(bucket, key, body, { contentType, downloadName }) {
      const params = {
        Bucket: name(bucket),
        Key: key,
        Body: body,
        ContentType: contentType,
        ...(downloadName ? { ContentDisposition: attachmentDisposition(downloadName) } : {}),
      };
      if (typeof body === 'string' || body instanceof Uint8Array) {
        await s3.send(new PutObjectCommand({ ...params, Body: body }));
        return;
      }
      await new Upload({
        client: s3,
        params,
        partSize: PART_BYTES,
        queueSize: 2,
      }).done();
    },
    async remove(bucket, key) {
      await s3.send(new DeleteObjectCommand({ Bucket: name(bucket), Key: key }));
    },
  };
}
