import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { scheduleEnv } from '#shared/config';
import { scheduleTargets } from '#shared/schedule/scheduler';
import { tableReadActions, tableWriteActions } from '../../infra/grants.ts';
import { EVENT_ARCHIVE_RETENTION_DAYS } from '../../infra/stacks/reporting-stack.ts';
import { actionsOf, allowStatements, logicalId, pseudoArn, synthApp } from './support.ts';

const { stacks, templates } = synthApp();
const reporting = templates.reporting;
const queueId = logicalId(stacks.reporting.failureQueue.node.defaultChild as CfnResource);
const functionId = logicalId(stacks.reporting.consumer.fn.node.defaultChild as CfnResource);

describe('CrmReporting: the table-stream consumer', () => {
  it('reads the table stream from the oldest record, in batches of 100', () => {
    reporting.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamArn') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
    });
  });

  it('isolates poison records: partial batch failures, bisect, bounded retries and age', () => {
    reporting.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 86_400,
    });
  });

  it('sends failed batches to the failure queue', () => {
    reporting.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('keeps failures 14 days in an encrypted queue that refuses plain HTTP', () => {
    reporting.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    reporting.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('may read and write the table (no Scan), read the stream and send to its queue only', () => {
    const roleId = logicalId(stacks.reporting.consumer.fn.role?.node.defaultChild as CfnResource);
    const actions = allowStatements(reporting)
      .filter(({ roles }) => roles.includes(roleId))
      .flatMap(({ statement }) => actionsOf(statement));
    const dynamo = actions.filter((action) => action.startsWith('dynamodb:'));
    expect(new Set(dynamo)).toEqual(
      new Set([
        ...tableReadActions,
        ...tableWriteActions,
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ]),
    );
    expect(actions.filter((action) => /^(secretsmanager|ses|iam):/.test(action))).toEqual([]);
  });

  it('may only delete schedules of the group (ending an enrollment), never create them nor pass the role', () => {
    const roleId = logicalId(stacks.reporting.consumer.fn.role?.node.defaultChild as CfnResource);
    const scheduler = allowStatements(reporting)
      .filter(({ roles }) => roles.includes(roleId))
      .map(({ statement }) => statement)
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('scheduler:')));
    expect(scheduler).toEqual([
      {
        Effect: 'Allow',
        Action: 'scheduler:DeleteSchedule',
        Resource: pseudoArn('scheduler', 'schedule/crm/*'),
      },
    ]);
  });

  it('knows the table name and the scheduling env, but not the signing secret', () => {
    const variables =
      reporting.findResources('AWS::Lambda::Function')[functionId]?.Properties.Environment.Variables;
    expect(variables).toMatchObject({
      TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/Table/) },
      // Where the consumer sets aside the records it can never apply, with the reason.
      STREAM_FAILURE_QUEUE_URL: { Ref: queueId },
      [scheduleEnv.scheduler]: 'eventbridge',
      [scheduleEnv.group]: 'crm',
      ...Object.fromEntries(
        scheduleTargets.map((target) => [
          scheduleEnv.targetArn(target),
          pseudoArn('lambda', `function:CrmSchedule-${target}`),
        ]),
      ),
    });
    expect(variables.SIGNING_SECRET_ARN).toBeUndefined();
  });
});

describe('CrmReporting: the domain events bus', () => {
  const busId = logicalId(stacks.reporting.eventBus.node.defaultChild as CfnResource);
  const dlqId = logicalId(stacks.reporting.eventDlq.node.defaultChild as CfnResource);

  it('is a custom bus named crm-events, archived 30 days for replay of everything with source crm', () => {
    reporting.hasResourceProperties('AWS::Events::EventBus', { Name: 'crm-events' });
    reporting.hasResourceProperties('AWS::Events::Archive', {
      ArchiveName: 'crm-events-archive',
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: EVENT_ARCHIVE_RETENTION_DAYS,
      EventPattern: { source: ['crm'] },
    });
    expect(EVENT_ARCHIVE_RETENTION_DAYS).toBe(30);
  });

  it('keeps refused events 14 days in an encrypted DLQ that refuses plain HTTP', () => {
    reporting.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    reporting.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('the consumer knows the bus and its DLQ, may put events on that bus only and send to that DLQ', () => {
    const variables =
      reporting.findResources('AWS::Lambda::Function')[functionId]?.Properties.Environment.Variables;
    expect(variables).toMatchObject({
      EVENT_BUS: 'eventbridge',
      EVENT_BUS_NAME: { Ref: busId },
      EVENT_BUS_DLQ_URL: { Ref: dlqId },
    });
    const roleId = logicalId(stacks.reporting.consumer.fn.role?.node.defaultChild as CfnResource);
    const statements = allowStatements(reporting)
      .filter(({ roles }) => roles.includes(roleId))
      .map(({ statement }) => statement);
    const events = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('events:')),
    );
    expect(events).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
    ]);
    const sqsResources = statements
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')))
      .map((statement) => statement.Resource);
    expect(sqsResources).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [dlqId, 'Arn'] }, { 'Fn::GetAtt': [queueId, 'Arn'] }]),
    );
    expect(sqsResources).toHaveLength(2);
  });
});
