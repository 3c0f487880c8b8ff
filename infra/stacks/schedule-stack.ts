import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { CfnSchedule, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { recurringSchedules, type ScheduleTarget, scheduleTargets } from '#shared/schedule/scheduler';
import type { CrmConfig } from '../config.ts';
import { CrmFunction } from '../constructs/crm-function.ts';
import { mailIdentityArns, type ScheduleWiring, unscopedMailAcknowledgement } from '../grants.ts';
import { lambda, lambdasOf } from '../lambdas.ts';

export interface ScheduleStackProps extends StackProps {
  readonly table: ITableV2;
  readonly config: CrmConfig;
  /** Signs tracking and unsubscribe links in sequence emails. */
  readonly signingSecret: ISecret;
  /** Where a campaign's start queues its recipients (the messaging stack's send queue). */
  readonly campaignSendQueue: IQueue;
  readonly configurationSetName: string;
}

/** `crm`, or `crm-<stage>` so that several copies can live in one account and region. */
export const scheduleGroupName = (stage: string | undefined): string => (stage ? `crm-${stage}` : 'crm');

/**
 * EventBridge Scheduler's side: the schedule group, one function per schedule target, the
 * execution role the scheduler assumes to invoke them, and the dead-letter queue. The API
 * stack only references this one (ARNs and the group name, see `wiring`), and this one only
 * the data stack, so there is no cycle. Functions create one-time schedules in the group at
 * run time; no schedule is part of the template.
 *
 * Failure path: EventBridge retries a failed invocation call (throttling, permissions) per
 * the schedule's retry policy, then sends it to the DLQ. Lambda invokes the targets
 * asynchronously, so an error inside a target is retried twice by Lambda and then sent to
 * the same DLQ by the function's on-failure destination.
 */
export class ScheduleStack extends Stack {
  readonly group: ScheduleGroup;
  readonly deadLetterQueue: Queue;
  readonly schedulerRole: Role;
  readonly targets: Readonly<Record<ScheduleTarget, CrmFunction>>;
  readonly wiring: ScheduleWiring;
  /**
   * Background enrollments of large segments into sequences (functions/queue/sequenceEnroll.ts),
   * queued by the sequences API: here because the worker creates step schedules in this group.
   */
  readonly enrollQueue: Queue;
  readonly enrollWorker: CrmFunction;

  constructor(scope: Construct, id: string, props: ScheduleStackProps) {
    super(scope, id, props);
    const { config } = props;
    const groupName = scheduleGroupName(config.stage);

    // Pending schedules are useless without this stack's targets, so the group (and the
    // schedules in it) goes with the stack whatever removalPolicy says.
    this.group = new ScheduleGroup(this, 'Group', {
      scheduleGroupName: groupName,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.deadLetterQueue = new Queue(this, 'ScheduleFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });

    const groupArn = this.formatArn({
      service: 'scheduler',
      resource: 'schedule-group',
      resourceName: groupName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // Only EventBridge Scheduler, for schedules of this account and group, may assume it
    // (confused-deputy protection); it may only invoke the targets and fill the DLQ.
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: invokes the CRM schedule targets',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnEquals: { 'aws:SourceArn': groupArn },
        },
      }),
    });

    // Targets have fixed names, so their ARNs are known before they exist: a sequence step
    // schedules the next step of its own function, which a reference to itself cannot express.
    const targetName = (target: ScheduleTarget) => `${this.stackName}-${target}`;
    this.wiring = {
      groupName,
      scheduleArnPattern: this.formatArn({
        service: 'scheduler',
        resource: 'schedule',
        resourceName: `${groupName}/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
      schedulerRoleArn: this.schedulerRole.roleArn,
      deadLetterQueueArn: this.deadLetterQueue.queueArn,
      targetArns: Object.fromEntries(
        scheduleTargets.map((target) => [
          target,
          this.formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: targetName(target),
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ]),
      ) as Record<ScheduleTarget, string>,
    };

    const targets: Partial<Record<ScheduleTarget, CrmFunction>> = {};
    for (const spec of lambdasOf('schedule')) {
      const target = spec.trigger.target;
      const fn = CrmFunction.fromCatalogue(
        this,
        spec,
        {
          table: props.table,
          config,
          signingSecret: props.signingSecret,
          schedules: this.wiring,
          queues: { campaignSend: props.campaignSendQueue },
          configurationSetName: props.configurationSetName,
          mailIdentityArns: mailIdentityArns(this, config),
        },
        { functionName: targetName(target) },
      );
      fn.fn.configureAsyncInvoke({
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new SqsDestination(this.deadLetterQueue),
      });
      targets[target] = fn;
    }
    this.targets = targets as Record<ScheduleTarget, CrmFunction>;

    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: scheduleTargets.map((target) => this.targets[target].fn.functionArn),
      }),
    );
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );

    this.addRecurringSchedules();

    const enroller = lambda('sequenceEnroll');
    const enrollFailures = new Queue(this, 'SequenceEnrollFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });
    this.enrollQueue = new Queue(this, 'SequenceEnroll', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's advice: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(Duration.millis(enroller.timeoutMs ?? 10_000).toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: enrollFailures, maxReceiveCount: 5 },
    });
    // The worker queues the chunks of the segment it resolved, so it both sends to and consumes the queue.
    this.enrollWorker = CrmFunction.fromCatalogue(this, enroller, {
      table: props.table,
      config,
      schedules: this.wiring,
      queues: { sequenceEnroll: this.enrollQueue },
    }).useQueue('sequenceEnroll', this.enrollQueue, 'consume', {
      batchSize: 1,
      reportBatchItemFailures: true,
      // Each chunk creates a schedule per contact: a few workers keep Scheduler's API rate in bounds.
      maxConcurrency: 4,
    });

    new CfnOutput(this, 'ScheduleGroupName', { value: groupName });
    new CfnOutput(this, 'ScheduleFailureQueueUrl', { value: this.deadLetterQueue.queueUrl });

    this.acknowledgeFindings(config);
  }

  /**
   * The recurring schedules (shared/schedule/scheduler.ts recurringSchedules),
   * part of the template unlike the one-time ones: a `rate()` schedule in the
   * group, invoking its target through the same role, retries and DLQ.
   */
  private addRecurringSchedules(): void {
    for (const recurring of recurringSchedules) {
      new CfnSchedule(this, `Recurring-${recurring.name}`, {
        name: recurring.name,
        groupName: this.group.scheduleGroupName,
        description: `CRM: runs ${recurring.target} every ${recurring.everyMinutes} minutes`,
        scheduleExpression: `rate(${recurring.everyMinutes} minutes)`,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: this.targets[recurring.target].fn.functionArn,
          roleArn: this.schedulerRole.roleArn,
          input: JSON.stringify({ recurring: recurring.name }),
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
      });
    }
  }

  /** Every cdk-nag acknowledgement of this stack, each scoped to the resource it is about. */
  private acknowledgeFindings(config: CrmConfig): void {
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the schedules and the on-failure destination of the schedule targets.',
    });
    if (!config.mailFrom) {
      for (const spec of lambdasOf('schedule').filter(
        (candidate) => candidate.uses.mail === 'transactional',
      )) {
        const role = this.targets[spec.trigger.target].fn.role;
        if (!role) continue;
        // Why SES sending is on "*" (beside X-Ray's, which CrmFunction acknowledges when tracing is active).
        Validations.of(role).acknowledge(unscopedMailAcknowledgement);
      }
    }
  }
}
