import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { IMPORT_FILES_DAYS } from '#shared/domain/imports/entities';
import type { CrmConfig } from '../config.ts';
import { FileQueueWorker } from '../constructs/file-queue-worker.ts';
import { accessLogsBucket } from '../constructs/files.ts';

export interface FilesStackProps extends StackProps {
  readonly table: ITableV2;
  readonly config: CrmConfig;
  /** The web console's origin (CrmConsole): it uploads import files and reads their error reports. */
  readonly consoleOrigin: string;
}

/** Uploaded import files (and their error reports) are deleted a week after they are written. */
export { IMPORT_FILES_DAYS };

/** Export files are deleted two days after they are written (export jobs expire with them). */
export const EXPORT_FILES_DAYS = 2;

/**
 * Files in and out of the CRM, in their own stack (the API stack is near
 * CloudFormation's 500 resources): the imports bucket whose uploads (`.csv`)
 * queue the import worker (functions/queue/importChunks.ts) through S3's
 * ObjectCreated notification; the exports bucket the export worker
 * (functions/queue/exportJobs.ts) writes large exports to, from the exportJobs
 * queue; and the access-log bucket of the file buckets.
 */
export class FilesStack extends Stack {
  readonly accessLogs: Bucket;
  readonly imports: FileQueueWorker;
  readonly exports: FileQueueWorker;

  constructor(scope: Construct, id: string, props: FilesStackProps) {
    super(scope, id, props);
    // S3 log delivery through a bucket policy (not the legacy ACL), so every bucket can enforce bucket-owner ownership.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const { config, table } = props;
    this.accessLogs = accessLogsBucket(this, config.removalPolicy);
    this.imports = new FileQueueWorker(this, 'Imports', {
      bucketName: 'imports',
      queueName: 'importChunks',
      worker: 'importChunks',
      resources: { table, config },
      expiryDays: IMPORT_FILES_DAYS,
      accessLogs: this.accessLogs,
      removalPolicy: config.removalPolicy,
      notifySuffix: '.csv',
      browserOrigins: [props.consoleOrigin],
      // Each import is one message at a time (its lease serialises runs); a few imports run at once.
      source: { batchSize: 1, maxConcurrency: 5 },
    });
    // Large exports (shared/http/export-jobs.ts): queued by the exports HTTP function, written by the worker.
    this.exports = new FileQueueWorker(this, 'Exports', {
      bucketName: 'exports',
      queueName: 'exportJobs',
      worker: 'exportJobs',
      resources: { table, config },
      expiryDays: EXPORT_FILES_DAYS,
      accessLogs: this.accessLogs,
      removalPolicy: config.removalPolicy,
      // A job that keeps failing is marked failed by the worker after three runs (shared/store/exports.ts).
      maxReceiveCount: 4,
      // One job per run (it may take minutes); a few jobs at once.
      source: { batchSize: 1, maxConcurrency: 5 },
    });
    new CfnOutput(this, 'ImportsBucketName', { value: this.imports.bucket.bucketName });
    new CfnOutput(this, 'ExportsBucketName', { value: this.exports.bucket.bucketName });
    new CfnOutput(this, 'ExportJobsQueueUrl', { value: this.exports.queue.queueUrl });
    new CfnOutput(this, 'ImportChunksQueueUrl', { value: this.imports.queue.queueUrl });
  }
}
