import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '#shared/events/bus';
import type { CrmConfig } from '../config.ts';
import { CrmFunction } from '../constructs/crm-function.ts';
import type { ScheduleWiring } from '../grants.ts';
import { lambdasOf } from '../lambdas.ts';

/**
 * How long the bus's archive keeps the domain events for replay: a month covers
 * finding and fixing a subscriber's fault (a rule that was wrong, a target that
 * was down past EventBridge's own 24 h of retries) and replaying what it
 * missed, and bounds what the archive holds of people's data after their
 * records change or are erased.
 */
export const EVENT_ARCHIVE_RETENTION_DAYS = 30;

/** The name of the domain events' bus: `crm-events`, or `crm-events-<stage>`. */
export const eventBusName = (stage: string | undefined): string =>
  stage ? `crm-events-${stage}` : 'crm-events';

export interface ReportingStackProps extends StackProps {
  readonly table: ITableV2;
  readonly config: CrmConfig;
  /** Leaving a sequence (an exit condition seen on the stream) deletes the pending step's schedule. */
  readonly schedules: ScheduleWiring;
}

/**
 * The table-stream consumer that keeps report aggregates, timelines and notifications, and
 * puts the domain events on the deployment's custom EventBridge bus.
 * Delivery is at least once (the consumer is idempotent per stream eventID); a record that
 * cannot be applied is isolated by the consumer and set aside on the failure queue with its
 * reason; one that keeps failing otherwise is isolated by bisecting and its position sent there.
 */
export class ReportingStack extends Stack {
  readonly consumer: CrmFunction;
  readonly failureQueue: Queue;
  /** The custom bus the consumer puts the domain events on, with an archive for replay. */
  readonly eventBus: EventBus;
  /** Domain events the bus kept refusing (shared/events/eventbridge-bus.ts). */
  readonly eventDlq: Queue;

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

    // The domain events (README "Domain events"): a custom bus, so rules of other systems match
    // `source: crm` without seeing the account's default bus, and an archive of everything on it.
    this.eventBus = new EventBus(this, 'DomainEvents', { eventBusName: eventBusName(config.stage) });
    this.eventBus.archive('DomainEventsArchive', {
      archiveName: `${eventBusName(config.stage)}-archive`,
      description: 'Every CRM domain event, for replay to a rule after a subscriber fault',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(EVENT_ARCHIVE_RETENTION_DAYS),
    });
    this.eventDlq = new Queue(this, 'DomainEventsDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });

    const [consumer] = lambdasOf('stream');
    if (!consumer) throw new Error('infra/lambdas.ts lists no stream consumer');
    this.consumer = CrmFunction.fromCatalogue(this, consumer, {
      table,
      config,
      schedules: props.schedules,
      // Records that can never be applied are set aside here by the consumer itself, with the reason.
      streamFailureQueue: this.failureQueue,
      eventBus: { bus: this.eventBus, dlq: this.eventDlq },
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
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: this.eventBus.eventBusArn });
    new CfnOutput(this, 'EventDlqUrl', { value: this.eventDlq.queueUrl });

    this.acknowledgeFindings();
  }

  /** Every cdk-nag acknowledgement of this stack, each scoped to the resource it is about. */
  private acknowledgeFindings(): void {
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination (dead-letter queue) of the stream consumer.',
    });
    Validations.of(this.eventDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the domain events the bus kept refusing.',
    });
  }
}
