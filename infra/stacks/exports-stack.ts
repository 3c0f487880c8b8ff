import {
  Aws,
  CfnOutput,
  Duration,
  type RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { env } from '#shared/env';
import type { CrmConfig } from '../config.ts';
import { CrmFunction } from '../constructs/crm-function.ts';
import { lambda } from '../lambdas.ts';

export interface ExportsStackProps extends StackProps {
  readonly table: ITableV2;
  readonly config: CrmConfig;
}

/**
 * The exports bucket's physical name, fixed from the account, region and
 * stage (`crm-exports-<account>-<region>[-<stage>]`), so the API stack grants
 * its objects by name without a cross-stack reference; `shown` is how cdk-nag
 * prints it, for the acknowledgement of the tenant-prefix wildcard.
 */
export function exportsBucketName(stage: string | undefined): { physical: string; shown: string } {
  const suffix = stage ? `-${stage.toLowerCase().slice(0, 20)}` : '';
  return {
    physical: `crm-exports-${Aws.ACCOUNT_ID}-${Aws.REGION}${suffix}`,
    shown: `crm-exports-<AWS::AccountId>-<AWS::Region>${suffix}`,
  };
}

/** Export files are deleted two days after they are written (export jobs expire with them). */
export const EXPORT_FILES_DAYS = 2;

/**
 * Large exports (shared/http/export-jobs.ts): the private exports bucket
 * (S3-managed encryption, public access blocked, TLS only, access logs,
 * files expiring after two days), the exportJobs queue with its dead-letter
 * queue, and the worker (functions/queue/exportJobs.ts) that reads the table
 * and writes the bucket's objects, nothing else. The HTTP function that
 * queues jobs and presigns downloads is granted in the API stack
 * ({@link grantExportDownloads}).
 */
export class ExportsStack extends Stack {
  readonly bucket: Bucket;
  readonly queue: Queue;
  readonly worker: CrmFunction;

  constructor(scope: Construct, id: string, props: ExportsStackProps) {
    super(scope, id, props);
    const { config, table } = props;
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: config.removalPolicy,
    });
    this.bucket = new Bucket(this, 'Files', {
      bucketName: exportsBucketName(config.stage).physical,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'exports/',
      lifecycleRules: [
        {
          expiration: Duration.days(EXPORT_FILES_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: config.removalPolicy,
    });

    const spec = lambda('exportJobs');
    const failures = this.failureQueue(config.removalPolicy);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's advice: at least six times the function timeout, so a retried batch is not redelivered mid-run.
      visibilityTimeout: Duration.millis((spec.timeoutMs ?? 10_000) * 6),
      retentionPeriod: Duration.days(4),
      // A job that keeps failing is marked failed by the worker after three runs (shared/store/exports.ts).
      deadLetterQueue: { queue: failures, maxReceiveCount: 4 },
    });
    this.worker = CrmFunction.fromCatalogue(this, spec, { table, config }).useQueue(
      'exportJobs',
      this.queue,
      'consume',
      {
        // One job per run (it may take minutes); a few jobs at once.
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      },
    );
    grantObjects(
      this.worker,
      config.stage,
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      'the export worker writes',
    );

    new CfnOutput(this, 'ExportsBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'ExportJobsQueueUrl', { value: this.queue.queueUrl });
  }

  private failureQueue(removalPolicy: RemovalPolicy): Queue {
    return new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
  }
}

/**
 * EXPORTS_BUCKET, and `actions` on the bucket's objects only (no listing, no
 * bucket actions). Object keys begin with the tenant (`<tenant>/<exportId>.<ext>`),
 * so the grant names `<bucket>/*`; the acknowledgement says so.
 */
function grantObjects(fn: CrmFunction, stage: string | undefined, actions: string[], who: string): void {
  const name = exportsBucketName(stage);
  fn.fn.addEnvironment(env.buckets.exports, name.physical);
  fn.fn.addToRolePolicy(
    new PolicyStatement({ actions, resources: [`arn:${Aws.PARTITION}:s3:::${name.physical}/*`] }),
  );
  if (fn.fn.role)
    Validations.of(fn.fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${name.shown}/*]`,
      reason: `Export files are keyed <tenant>/<exportId>.<ext>: ${who} objects of the exports bucket (${actions.join(', ')}) and nothing else in it.`,
    });
}

/** The HTTP function's part: presigned downloads (GetObject on the bucket's objects) of finished exports. */
export function grantExportDownloads(fn: CrmFunction, stage: string | undefined): void {
  grantObjects(fn, stage, ['s3:GetObject'], 'the exports HTTP function presigns downloads of');
}
