import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { CrmConfig } from '../config.ts';
import { CrmFunction } from '../constructs/crm-function.ts';
import type { ScheduleWiring } from '../grants.ts';
import { lambda, lambdasOf } from '../lambdas.ts';

export interface ReportingStackProps extends StackProps {
  readonly table: ITableV2;
  readonly config: CrmConfig;
  /** Leaving a sequence (an exit condition seen on the stream) deletes the pending step's schedule. */
  readonly schedules: ScheduleWiring;
}

/**
 * The table-stream consumer that keeps report aggregates, timelines and notifications, and
 * fans domain events out to webhooks: the `webhookDeliveries` queue (with its dead-letter
 * queue) and its worker (functions/queue/webhookDeliveries.ts), which posts each delivery and
 * queues its own retries with a delay.
 * Delivery is at least once (the consumer is idempotent per stream eventID); a record that
 * cannot be applied is isolated by the consumer and set aside on the failure queue with its
 * reason; one that keeps failing otherwise is isolated by bisecting and its position sent there.
 */
export class ReportingStack extends Stack {
  readonly consumer: CrmFunction;
  readonly failureQueue: Queue;
  /** One message per attempt of one event's delivery to one webhook. */
  readonly webhookQueue: Queue;
  readonly webhookWorker: CrmFunction;
  private readonly webhookFailures: Queue;

  constructor(scope: Construct, id: string, props: ReportingStackProps) {
    super(scope, id, props);
    const { config, table } = props;

    // Holds the shard and sequence numbers of failed batches, and the records the consumer set aside
    // with their reasons (keys only, never the images).
    this.failureQueue = new Queue(this, 'StreamFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });

    const worker = lambda('webhookDeliveries');
    this.webhookFailures = new Queue(this, 'WebhookDeliveryFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });
    this.webhookQueue = new Queue(this, 'WebhookDeliveries', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's advice: at least six times the function timeout, so a retried batch is not redelivered mid-run.
      visibilityTimeout: Duration.seconds(Duration.millis(worker.timeoutMs ?? 10_000).toSeconds() * 6),
      // Retries are new delayed messages (at most 15 minutes each), so a message is never old.
      retentionPeriod: Duration.days(4),
      // A message fails only when the table or the queue did; the endpoint's failures are retried by the worker.
      deadLetterQueue: { queue: this.webhookFailures, maxReceiveCount: 5 },
    });
    // The worker queues its own retries and put-backs, so it both sends to and consumes the queue.
    this.webhookWorker = CrmFunction.fromCatalogue(this, worker, {
      table,
      config,
      queues: { webhookDeliveries: this.webhookQueue },
    }).useQueue('webhookDeliveries', this.webhookQueue, 'consume', {
      batchSize: 5,
      reportBatchItemFailures: true,
      // Endpoints are capped at 5 in flight each by the worker; this caps the whole deployment.
      maxConcurrency: 20,
    });

    const [consumer] = lambdasOf('stream');
    if (!consumer) throw new Error('infra/lambdas.ts lists no stream consumer');
    this.consumer = CrmFunction.fromCatalogue(this, consumer, {
      table,
      config,
      schedules: props.schedules,
      queues: { webhookDeliveries: this.webhookQueue },
      // Records that can never be applied are set aside here by the consumer itself, with the reason.
      streamFailureQueue: this.failureQueue,
    });
    // DynamoEventSource grants the stream read itself (DescribeStream, GetRecords, GetShardIterator, ListStreams).
    this.consumer.fn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        // Lets small bursts fill a batch so updates to the same aggregate are coalesced.
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 5,
        // The stream keeps records 24 h; a lagging consumer should catch up, not skip records.
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.failureQueue),
      }),
    );

    new CfnOutput(this, 'StreamFailureQueueUrl', { value: this.failureQueue.queueUrl });
    new CfnOutput(this, 'WebhookDeliveriesQueueUrl', { value: this.webhookQueue.queueUrl });

    this.acknowledgeFindings();
  }

  /** Every cdk-nag acknowledgement of this stack, each scoped to the resource it is about. */
  private acknowledgeFindings(): void {
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination (dead-letter queue) of the stream consumer.',
    });
  }
}
