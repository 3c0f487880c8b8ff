import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { CAMPAIGN_SEND_TIMEOUT_MS } from '#shared/mail/campaign-send';
import { queueConsumerTimeoutMs } from '#shared/queue/queue';
import { mailSendActions, tableReadActions, tableWriteActions } from '../../infra/grants.ts';
import {
  actionsOf,
  beyondLogsTracingAndTable,
  expectSameStatements,
  logicalId,
  pseudoArn,
  roleIdOf,
  statementsOfRole,
  synthApp,
} from './support.ts';

const { stacks, templates } = synthApp();
const messaging = templates.messaging;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  logicalId(construct.node.defaultChild as CfnResource);

const sendQueueId = id(stacks.messaging.sendQueue);
const sendFailures = stacks.messaging.sendQueue.deadLetterQueue?.queue as Queue;
const sendFailuresId = id(sendFailures);
const eventFailuresId = id(stacks.messaging.node.findChild('SesEventFailures') as Queue);
const senderId = id(stacks.messaging.sender.fn);
const rebuildQueueId = id(stacks.messaging.rebuildQueue);
const rebuildFailuresId = id(stacks.messaging.rebuildQueue.deadLetterQueue?.queue as Queue);
const rebuilderId = id(stacks.messaging.rebuilder.fn);
const handlerId = id(stacks.messaging.eventHandler.fn);
const ruleId = id(stacks.messaging.node.findChild('SesEventsRule') as never);
const signingSecretImport = { 'Fn::ImportValue': expect.stringMatching(/SigningSecret/) };

/** SES event types the configuration set publishes, and the EventBridge detail type of each. */
const detailTypes: Record<string, string> = {
  send: 'Email Sent',
  delivery: 'Email Delivered',
  bounce: 'Email Bounced',
  complaint: 'Email Complaint Received',
  reject: 'Email Rejected',
  deliveryDelay: 'Email Delivery Delayed',
  renderingFailure: 'Email Rendering Failed',
};

const functionProps = (template: typeof messaging, fnId: string) =>
  template.findResources('AWS::Lambda::Function')[fnId]?.Properties;
const queueProps = (queueId: string) => messaging.findResources('AWS::SQS::Queue')[queueId]?.Properties;

// One synth with every optional context value, shared by the tests that need it.
const custom = synthApp({
  stage: 'dev',
  sendRatePerSecond: '14',
  publicApiUrl: 'https://api.example.com/',
  removalPolicy: 'destroy',
});

describe('CrmMessaging: SES configuration set and its events', () => {
  it('names the configuration set crm, or crm-<stage>, and exports the name', () => {
    messaging.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    messaging.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'crm',
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    messaging.hasOutput('ConfigurationSetName', { Value: 'crm' });
    custom.templates.messaging.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'crm-dev' });
  });

  it('publishes exactly the 7 acted-on event types to the default event bus', () => {
    const destinations = Object.values(messaging.findResources('AWS::SES::ConfigurationSetEventDestination'));
    expect(destinations).toHaveLength(1);
    const props = destinations[0]?.Properties;
    expect(props.ConfigurationSetName).toEqual({ Ref: id(stacks.messaging.configurationSet) });
    expect(props.EventDestination).toEqual({
      Enabled: true,
      EventBridgeDestination: { EventBusArn: pseudoArn('events', 'event-bus/default') },
      MatchingEventTypes: Object.keys(detailTypes),
    });
    // Opens and clicks are tracked first-party (tracking function), not by SES.
    expect(props.EventDestination.MatchingEventTypes).not.toContain('open');
    expect(props.EventDestination.MatchingEventTypes).not.toContain('click');
  });

  it('routes only SES events of this configuration set, of those types, to sesEvents', () => {
    messaging.resourceCountIs('AWS::Events::Rule', 1);
    const rule = messaging.findResources('AWS::Events::Rule')[ruleId]?.Properties;
    // No EventBusName: the rule is on the default bus, where SES delivers.
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': Object.values(detailTypes),
      detail: { mail: { tags: { 'ses:configuration-set': ['crm'] } } },
    });
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [handlerId, 'Arn'] });
    const staged = Object.values(custom.templates.messaging.findResources('AWS::Events::Rule'))[0];
    expect(staged?.Properties.EventPattern.detail).toEqual({
      mail: { tags: { 'ses:configuration-set': ['crm-dev'] } },
    });
  });

  it('lets only this rule invoke sesEvents', () => {
    const permissions = Object.values(messaging.findResources('AWS::Lambda::Permission')).map(
      (permission) => permission.Properties,
    );
    expect(permissions).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [handlerId, 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      },
    ]);
  });
});

describe('CrmMessaging: every asynchronous path ends in a dead-letter queue', () => {
  it('rule target: EventBridge retries delivery, then parks the event in the SES events DLQ', () => {
    const rule = messaging.findResources('AWS::Events::Rule')[ruleId];
    const [target] = rule?.Properties.Targets ?? [];
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [eventFailuresId, 'Arn'] } });
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 });
  });

  it('EventBridge may put into that DLQ only on behalf of this rule', () => {
    messaging.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: eventFailuresId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('Lambda async invocation of sesEvents: two retries, then the same DLQ', () => {
    const configs = Object.values(messaging.findResources('AWS::Lambda::EventInvokeConfig')).map(
      (config) => config.Properties,
    );
    expect(configs).toEqual([
      {
        FunctionName: { Ref: handlerId },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 6 * 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [eventFailuresId, 'Arn'] } } },
      },
    ]);
  });

  it('send queue: a message received 5 times moves to the campaign send DLQ', () => {
    expect(queueProps(sendQueueId)?.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [sendFailuresId, 'Arn'] },
      maxReceiveCount: 10,
    });
  });

  it('has exactly the send and rebuild queues and three DLQs, all encrypted and refusing plain HTTP', () => {
    const queueIds = Object.keys(messaging.findResources('AWS::SQS::Queue')).sort();
    expect(queueIds).toEqual(
      [sendQueueId, sendFailuresId, eventFailuresId, rebuildQueueId, rebuildFailuresId].sort(),
    );
    for (const queueId of queueIds) {
      expect(queueProps(queueId)?.SqsManagedSseEnabled).toBe(true);
      messaging.hasResourceProperties('AWS::SQS::QueuePolicy', {
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
    }
  });

  it('keeps failures 14 days, retained on stack deletion unless removalPolicy=destroy', () => {
    const queues = messaging.findResources('AWS::SQS::Queue');
    const customQueues = custom.templates.messaging.findResources('AWS::SQS::Queue');
    for (const queueId of [sendFailuresId, eventFailuresId]) {
      expect(queues[queueId]?.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(queues[queueId]?.DeletionPolicy).toBe('Retain');
      expect(customQueues[queueId]?.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('CrmMessaging: campaign send queue and sender', () => {
  it('gives the queue a visibility timeout of at least six times the sender timeout', () => {
    const timeout = functionProps(messaging, senderId)?.Timeout as number;
    expect(timeout).toBe(CAMPAIGN_SEND_TIMEOUT_MS / 1000);
    expect(queueProps(sendQueueId)?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('consumes the queue in batches of 5, reporting failed items, at most 10 senders at once', () => {
    const mappings = Object.values(messaging.findResources('AWS::Lambda::EventSourceMapping'))
      .map((mapping) => mapping.Properties)
      .filter((mapping) => mapping.FunctionName?.Ref === senderId);
    expect(mappings).toEqual([
      expect.objectContaining({
        FunctionName: { Ref: senderId },
        EventSourceArn: { 'Fn::GetAtt': [sendQueueId, 'Arn'] },
        BatchSize: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 10 },
      }),
    ]);
    // No batching window: a campaign's first recipients should not wait.
    expect(mappings[0]?.MaximumBatchingWindowInSeconds).toBeUndefined();
  });

  it('lets the sender send only through this configuration set, read the quota, the table and the secret', () => {
    const statements = statementsOfRole(messaging, roleIdOf(stacks.messaging.sender.fn));
    const dynamo = statements.flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'));
    expect(new Set(dynamo)).toEqual(new Set([...tableReadActions, ...tableWriteActions]));
    expectSameStatements(beyondLogsTracingAndTable(statements), [
      {
        Effect: 'Allow',
        Action: [...mailSendActions],
        Resource: [pseudoArn('ses', 'identity/*'), pseudoArn('ses', 'configuration-set/crm')],
      },
      // GetAccount (MaxSendRate) has no resource to scope to.
      { Effect: 'Allow', Action: 'ses:GetAccount', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: signingSecretImport,
      },
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        Resource: { 'Fn::GetAtt': [sendQueueId, 'Arn'] },
      },
    ]);
  });

  it('names the configuration set in the sender policy of a staged deployment', () => {
    const statements = statementsOfRole(
      custom.templates.messaging,
      roleIdOf(custom.stacks.messaging.sender.fn),
    ).filter((statement) => actionsOf(statement).includes('ses:SendEmail'));
    expect(statements.map((statement) => statement.Resource)).toEqual([
      [pseudoArn('ses', 'identity/*'), pseudoArn('ses', 'configuration-set/crm-dev')],
    ]);
  });

  it('gives the sender the table, the signing secret and the configuration set, nothing optional by default', () => {
    expect(functionProps(messaging, senderId)?.Environment).toEqual({
      Variables: {
        TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/Table/) },
        SIGNING_SECRET_ARN: { 'Fn::ImportValue': expect.stringMatching(/SigningSecret/) },
        SES_CONFIGURATION_SET: 'crm',
      },
    });
  });

  it('passes SEND_RATE_PER_SECOND and PUBLIC_API_URL (without trailing slash) when the context sets them', () => {
    const fn = custom.stacks.messaging.sender.fn;
    expect(functionProps(custom.templates.messaging, id(fn))?.Environment.Variables).toMatchObject({
      SES_CONFIGURATION_SET: 'crm-dev',
      SEND_RATE_PER_SECOND: '14',
      PUBLIC_API_URL: 'https://api.example.com',
    });
  });
});

describe('CrmMessaging: the SES events handler', () => {
  it('may use the table only (and put failures into its DLQ): no SES sending, no secret', () => {
    const statements = statementsOfRole(messaging, roleIdOf(stacks.messaging.eventHandler.fn));
    const actions = statements.flatMap(actionsOf);
    expect(new Set(actions.filter((action) => action.startsWith('dynamodb:')))).toEqual(
      new Set([...tableReadActions, ...tableWriteActions]),
    );
    expect(beyondLogsTracingAndTable(statements)).toEqual([
      // The on-failure destination of its asynchronous invocation.
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: { 'Fn::GetAtt': [eventFailuresId, 'Arn'] },
      },
    ]);
    expect(actions.filter((action) => /^(ses|secretsmanager):/.test(action))).toEqual([]);
  });

  it('knows only the table name, whatever the context', () => {
    expect(functionProps(messaging, handlerId)?.Environment).toEqual({
      Variables: { TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/Table/) } },
    });
    const customHandler = functionProps(
      custom.templates.messaging,
      id(custom.stacks.messaging.eventHandler.fn),
    );
    expect(Object.keys(customHandler?.Environment.Variables)).toEqual(['TABLE_NAME']);
  });

  it('has a short timeout: one event, a few items', () => {
    expect(functionProps(messaging, handlerId)?.Timeout).toBe(30);
  });
});

describe('CrmMessaging: context validation', () => {
  it('fails synthesis on a sendRatePerSecond that is not a positive number', () => {
    expect(() => synthApp({ sendRatePerSecond: 'abc' })).toThrow(
      'context sendRatePerSecond must be a positive number, got "abc"',
    );
    expect(() => synthApp({ sendRatePerSecond: '0' })).toThrow(/sendRatePerSecond must be a positive number/);
  });

  it('fails synthesis on a publicApiUrl that is not https', () => {
    expect(() => synthApp({ publicApiUrl: 'http://x' })).toThrow(
      'context publicApiUrl must be an https URL without query, got "http://x"',
    );
    expect(() => synthApp({ publicApiUrl: 'https://api.example.com/?a=1' })).toThrow(/publicApiUrl/);
  });
});

describe('CrmMessaging: report rebuild queue and worker', () => {
  it('consumes one message at a time, reporting failures, with a visibility of six times the timeout and a DLQ', () => {
    const timeout = functionProps(messaging, rebuilderId)?.Timeout as number;
    expect(timeout).toBe(queueConsumerTimeoutMs.reportRebuild / 1000);
    expect(queueProps(rebuildQueueId)?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(queueProps(rebuildQueueId)?.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [rebuildFailuresId, 'Arn'] },
      maxReceiveCount: 6,
    });
    const mappings = Object.values(messaging.findResources('AWS::Lambda::EventSourceMapping'))
      .map((mapping) => mapping.Properties)
      .filter((mapping) => mapping.FunctionName?.Ref === rebuilderId);
    expect(mappings).toEqual([
      expect.objectContaining({
        EventSourceArn: { 'Fn::GetAtt': [rebuildQueueId, 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
      }),
    ]);
  });

  it('lets the worker use the table and send only to its own queue (to resume a job), and no mail', () => {
    const statements = statementsOfRole(messaging, roleIdOf(stacks.messaging.rebuilder.fn));
    const actions = beyondLogsTracingAndTable(statements).flatMap(actionsOf);
    expect(actions.filter((action) => action.startsWith('ses:'))).toEqual([]);
    expect(actions.every((action) => action.startsWith('sqs:'))).toBe(true);
  });
});
