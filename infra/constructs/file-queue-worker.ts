import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueName } from '#shared/queue/queue';
import type { BucketName } from '#shared/storage/object-store';
import { type LambdaName, lambda } from '../lambdas.ts';
import { CrmFunction, type LambdaResources } from './crm-function.ts';
import { fileBucketName } from './files.ts';

export interface FileQueueWorkerProps {
  /** The bucket's name in the catalogue (its env var, `<NAME>_BUCKET`, and the functions' grants). */
  readonly bucketName: BucketName;
  readonly queueName: QueueName;
  /** The catalogue function that consumes the queue (infra/lambdas.ts). */
  readonly worker: LambdaName;
  readonly resources: LambdaResources;
  /** Objects are deleted this many days after they are written. */
  readonly expiryDays: number;
  /** Where S3 writes the bucket's server access logs. */
  readonly accessLogs: Bucket;
  readonly removalPolicy: RemovalPolicy;
  /** Objects whose creation queues a message (S3's ObjectCreated notification); none: only the worker's own messages. */
  readonly notifySuffix?: string;
  /** Receives before a message goes to the dead-letter queue. Default 6, like the rebuild queue. */
  readonly maxReceiveCount?: number;
  readonly source?: Omit<SqsEventSourceProps, 'reportBatchItemFailures'>;
  /** Browser origins that may PUT and GET objects with presigned URLs (the web console's). */
  readonly browserOrigins?: readonly string[];
}

/**
 * The pattern of a file-processing job (imports, exports): a private bucket
 * (S3-managed encryption, public access blocked, TLS only, access logs,
 * objects expiring), a work queue with its dead-letter queue, the bucket's
 * ObjectCreated notification to the queue, and the catalogue's worker
 * consuming it, with the grants its `uses` lists (the bucket's objects, the
 * table, its own queue for continuations) and nothing else.
 */
export class FileQueueWorker extends Construct {
  readonly bucket: Bucket;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly worker: CrmFunction;

  constructor(scope: Construct, id: string, props: FileQueueWorkerProps) {
    super(scope, id);
    const spec = lambda(props.worker);
    const name = fileBucketName(props.bucketName, props.resources.config.stage);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: name.physical,
      ...(props.browserOrigins?.length
        ? {
            cors: [
              {
                allowedOrigins: [...props.browserOrigins],
                allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
                allowedHeaders: ['content-type'],
                maxAge: 3600,
              },
            ],
          }
        : {}),
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: `${props.bucketName}/`,
      lifecycleRules: [
        {
          expiration: Duration.days(props.expiryDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    this.deadLetterQueue = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    const timeout = Duration.millis(spec.timeoutMs ?? 10_000);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's advice: at least six times the function timeout, so a retried batch is not redelivered mid-run.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 6 },
    });
    if (props.notifySuffix) {
      // The notification on the bucket itself (not CDK's custom resource, a Lambda of its own with a
      // managed policy): S3 checks at creation that it may send, so the queue's policy comes first,
      // naming the bucket by its fixed name (no cycle between the two).
      const sender = `arn:${Aws.PARTITION}:s3:::${name.physical}`;
      const { policyDependable } = this.queue.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('s3.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [this.queue.queueArn],
          conditions: {
            ArnEquals: { 'aws:SourceArn': sender },
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          },
        }),
      );
      const bucket = this.bucket.node.defaultChild as CfnBucket;
      bucket.notificationConfiguration = {
        queueConfigurations: [
          {
            event: 's3:ObjectCreated:*',
            queue: this.queue.queueArn,
            filter: { s3Key: { rules: [{ name: 'suffix', value: props.notifySuffix }] } },
          },
        ],
      };
      if (policyDependable) bucket.node.addDependency(policyDependable);
    }
    this.worker = CrmFunction.fromCatalogue(this, spec, {
      ...props.resources,
      queues: { ...props.resources.queues, [props.queueName]: this.queue },
      buckets: { ...props.resources.buckets, [props.bucketName]: name },
    }).useQueue(props.queueName, this.queue, 'consume', { ...props.source, reportBatchItemFailures: true });
  }
}
