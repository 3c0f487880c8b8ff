import { CfnOutput, Duration, type RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { CrmConfig } from '../config.ts';
import { CrmFunction, type LambdaResources } from '../constructs/crm-function.ts';
import { lambda } from '../lambdas.ts';

export interface MessagingStackProps extends StackProps {
  readonly table: ITableV2;
  readonly signingSecret: ISecret;
  readonly config: CrmConfig;
}

/** `crm`, or `crm-<stage>`: the SES configuration set every campaign and sequence email names. */
export const configurationSetName = (stage: string | undefined): string => (stage ? `crm-${stage}` : 'crm');

/** The SES events the CRM acts on (first-party tracking replaces SES's open and click events). */
const publishedEvents = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.DELIVERY_DELAY,
  EmailSendingEvent.RENDERING_FAILURE,
];

/**
 * Email on the SES side: the configuration set whose events go to the default event bus, the
 * rule and handler that apply them (functions/events/sesEvents.ts), and the campaign send
 * queue with its sender (functions/queue/campaignSend.ts). Every asynchronous path ends in a
 * dead-letter queue.
 */
export class MessagingStack extends Stack {
  readonly configurationSet: ConfigurationSet;
  readonly sendQueue: Queue;
  readonly sender: CrmFunction;
  /** Background rebuilds of report aggregates (functions/queue/reportRebuild.ts), queued by the admin API. */
  readonly rebuildQueue: Queue;
  readonly rebuilder: CrmFunction;
  readonly eventHandler: CrmFunction;
  private readonly failureQueues: Queue[] = [];

  constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    const { config, table, signingSecret } = props;
    const setName = configurationSetName(config.stage);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: setName,
      reputationMetrics: true,
      // SES's account-level list as a second net under the CRM's own per-tenant suppression list.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    new ConfigurationSetEventDestination(this, 'ToEventBridge', {
      configurationSet: this.configurationSet,
      destination: EventDestination.eventBus(defaultBus),
      events: publishedEvents,
    });

    const sender = lambda('campaignSend');
    // One sender run: a queue message of recipients.
    const senderTimeout = Duration.millis(sender.timeoutMs ?? 10_000);
    const sendFailures = this.failureQueue('CampaignSendFailures', config.removalPolicy);
    this.sendQueue = new Queue(this, 'CampaignSend', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's advice: at least six times the function timeout, so a retried batch is not redelivered mid-run.
      visibilityTimeout: Duration.seconds(senderTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      // Throttled recipients go back to the queue, so a message may need several receives.
      deadLetterQueue: { queue: sendFailures, maxReceiveCount: 10 },
    });

    const resources: LambdaResources = { table, config, signingSecret, configurationSetName: setName };
    this.sender = CrmFunction.fromCatalogue(this, sender, resources).useQueue(
      'campaignSend',
      this.sendQueue,
      'consume',
      {
        batchSize: 5,
        reportBatchItemFailures: true,
        // The shared send budget paces them; more concurrent senders would only wait for it.
        maxConcurrency: 10,
      },
    );

    const rebuilder = lambda('reportRebuild');
    const rebuildTimeout = Duration.millis(rebuilder.timeoutMs ?? 10_000);
    const rebuildFailures = this.failureQueue('ReportRebuildFailures', config.removalPolicy);
    this.rebuildQueue = new Queue(this, 'ReportRebuild', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(rebuildTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      // A job that keeps failing is marked failed by the worker after a few runs (report-rebuild-jobs.ts).
      deadLetterQueue: { queue: rebuildFailures, maxReceiveCount: 6 },
    });
    // The worker queues its own continuation, so it both sends to and consumes the queue.
    this.rebuilder = CrmFunction.fromCatalogue(this, rebuilder, {
      ...resources,
      queues: { reportRebuild: this.rebuildQueue },
    }).useQueue('reportRebuild', this.rebuildQueue, 'consume', {
      batchSize: 1,
      reportBatchItemFailures: true,
      maxConcurrency: 2,
    });

    const eventFailures = this.failureQueue('SesEventFailures', config.removalPolicy);
    this.eventHandler = CrmFunction.fromCatalogue(this, lambda('sesEvents'), resources);
    // EventBridge invokes asynchronously: Lambda retries a failing event twice, then parks it.
    this.eventHandler.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(eventFailures),
    });
    new Rule(this, 'SesEventsRule', {
      description: `SES events of the ${setName} configuration set`,
      eventPattern: {
        source: ['aws.ses'],
        // Only the types the handler acts on: opens and clicks are tracked first-party.
        detailType: [
          'Email Sent',
          'Email Delivered',
          'Email Bounced',
          'Email Complaint Received',
          'Email Rejected',
          'Email Delivery Delayed',
          'Email Rendering Failed',
        ],
        detail: { mail: { tags: { 'ses:configuration-set': [setName] } } },
      },
      targets: [
        new LambdaFunction(this.eventHandler.fn, {
          deadLetterQueue: eventFailures,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    new CfnOutput(this, 'ConfigurationSetName', { value: setName });
    new CfnOutput(this, 'CampaignSendQueueUrl', { value: this.sendQueue.queueUrl });
    new CfnOutput(this, 'ReportRebuildQueueUrl', { value: this.rebuildQueue.queueUrl });
    this.acknowledgeFindings();
  }

  private failureQueue(id: string, removalPolicy: RemovalPolicy): Queue {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Failed sends and events outlive the stack like the other failure queues (context removalPolicy).
      removalPolicy,
    });
    this.failureQueues.push(queue);
    return queue;
  }

  private acknowledgeFindings(): void {
    for (const queue of this.failureQueues) {
      // cdk-nag already accepts a queue that is another queue's redrive target; acknowledging it would be stale.
      if (queue === this.sendQueue.deadLetterQueue?.queue) continue;
      if (queue === this.rebuildQueue.deadLetterQueue?.queue) continue;
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue (campaign sends or SES events that kept failing).',
      });
    }
  }
}
