import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { httpFunctionNames } from '#shared/api/catalogue';
import { scheduleEnv } from '#shared/config';
import { queueEnv } from '#shared/queue/queue';
import { recurringSchedules, scheduleTargets, scheduleTargetTimeoutMs } from '#shared/schedule/scheduler';
import { CAMPAIGN_START_TIMEOUT_MS } from '#shared/store/campaign-run';
import { projectRoot } from '../../infra/bundling.ts';
import {
  mailSendActions,
  scheduleManageActions,
  tableReadActions,
  tableWriteActions,
} from '../../infra/grants.ts';
import { scheduleTargetEntry } from '../../infra/lambdas.ts';
import { schedulingFunctions } from '../../infra/stacks/api-stack.ts';
import {
  actionsOf,
  allowStatements,
  beyondLogsTracingAndTable,
  expectSameStatements,
  logicalId,
  pseudoArn,
  roleIdOf,
  type Statement,
  synthApp,
} from './support.ts';

const { stacks, templates } = synthApp();
const schedule = templates.schedule;
const cfn = (construct: { node: { defaultChild?: unknown } }) => construct.node.defaultChild as CfnResource;
const queueId = logicalId(cfn(stacks.schedule.deadLetterQueue));
const schedulerRoleId = logicalId(cfn(stacks.schedule.schedulerRole));
const targetFunctionId = (target: (typeof scheduleTargets)[number]) =>
  logicalId(cfn(stacks.schedule.targets[target].fn));

function statementsOfRole(template: typeof schedule, roleId: string): Statement[] {
  return allowStatements(template)
    .filter(({ roles }) => roles.includes(roleId))
    .map(({ statement }) => statement);
}

const targetRoleId = (target: (typeof scheduleTargets)[number]) => {
  const role = stacks.schedule.targets[target].fn.role;
  if (!role) throw new Error(`${target} has no role`);
  return logicalId(cfn(role));
};

const sendQueueId = logicalId(cfn(stacks.messaging.sendQueue));
/** CDK's export of the send queue (the DLQ's id differs): `<stack>:ExportsOutput<Ref|FnGetAtt><id>[Arn]<hash>`. */
const sendQueueExport = (kind: 'Ref' | 'FnGetAtt', suffix = '') =>
  expect.stringMatching(new RegExp(`^CrmMessaging:ExportsOutput${kind}${sendQueueId}${suffix}[0-9A-F]{8}$`));

const functionProps = (target: (typeof scheduleTargets)[number]) =>
  schedule.findResources('AWS::Lambda::Function')[targetFunctionId(target)]?.Properties;

const httpStatements = (name: (typeof httpFunctionNames)[number]) => {
  const role = stacks.api.functions[name].fn.role;
  if (!role) throw new Error(`${name} has no role`);
  return statementsOfRole(templates.api, logicalId(cfn(role)));
};

describe('CrmSchedule: group, targets, role and DLQ', () => {
  it('has one schedule group named after the stage', () => {
    schedule.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    schedule.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'crm' });
    synthApp({ stage: 'dev' }).templates.schedule.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
      Name: 'crm-dev',
    });
    schedule.hasOutput('ScheduleGroupName', { Value: 'crm' });
  });

  it('has one function per schedule target, built from its entry file', () => {
    expect(Object.keys(stacks.schedule.targets).sort()).toEqual([...scheduleTargets].sort());
    // Beside the targets, the sequence enrollment worker, which creates step schedules in this group.
    schedule.resourceCountIs('AWS::Lambda::Function', scheduleTargets.length + 1);
    for (const target of scheduleTargets) {
      expect(existsSync(join(projectRoot, scheduleTargetEntry(target))), scheduleTargetEntry(target)).toBe(
        true,
      );
      expect(functionProps(target)?.Environment.Variables).toMatchObject({
        TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/Table/) },
        USER_DIRECTORY: 'cognito',
      });
    }
  });

  it('names each target <stack>-<target>, so its ARN is known without a reference', () => {
    for (const target of scheduleTargets) {
      expect(functionProps(target)?.FunctionName).toBe(`CrmSchedule-${target}`);
      expect(stacks.schedule.resolve(stacks.schedule.wiring.targetArns[target])).toEqual(
        pseudoArn('lambda', `function:CrmSchedule-${target}`),
      );
    }
    const staged = synthApp({ stage: 'dev' });
    const stagedTarget = staged.stacks.schedule.targets.sequenceStep.fn;
    expect(
      staged.templates.schedule.findResources('AWS::Lambda::Function')[logicalId(cfn(stagedTarget))]
        ?.Properties.FunctionName,
    ).toBe('CrmSchedule-dev-sequenceStep');
  });

  it('gives campaignStart 15 minutes (it writes every recipient), alertScan and sequenceSweep 5 (every tenant), the other targets 30 s', () => {
    const longer: Partial<Record<(typeof scheduleTargets)[number], number>> = {
      campaignStart: CAMPAIGN_START_TIMEOUT_MS / 1000,
      alertScan: scheduleTargetTimeoutMs.alertScan / 1000,
      sequenceSweep: scheduleTargetTimeoutMs.sequenceSweep / 1000,
    };
    for (const target of scheduleTargets) {
      expect(functionProps(target)?.Timeout, target).toBe(longer[target] ?? 30);
    }
    expect(scheduleTargetTimeoutMs.alertScan).toBe(300_000);
  });

  it('runs each recurring schedule at its rate, through the scheduler role, with retries and the DLQ', () => {
    schedule.resourceCountIs('AWS::Scheduler::Schedule', recurringSchedules.length);
    for (const recurring of recurringSchedules) {
      schedule.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: recurring.name,
        GroupName: Match.anyValue(),
        ScheduleExpression: `rate(${recurring.everyMinutes} minutes)`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': [targetFunctionId(recurring.target), 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        },
      });
    }
    expect(recurringSchedules).toEqual([
      { name: 'alert-scan', target: 'alertScan', everyMinutes: 60 },
      { name: 'sequence-sweep', target: 'sequenceSweep', everyMinutes: 60 },
    ]);
  });

  it('lets only EventBridge Scheduler assume its role, for this account and schedule group', () => {
    const role = schedule.findResources('AWS::IAM::Role')[schedulerRoleId];
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnEquals: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':scheduler:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':schedule-group/crm',
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it('allows the scheduler role only to invoke the targets and to send to the DLQ', () => {
    const statements = statementsOfRole(schedule, schedulerRoleId);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: scheduleTargets.map((target) => ({ 'Fn::GetAtt': [targetFunctionId(target), 'Arn'] })),
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    ]);
    expect(
      schedule.findResources('AWS::IAM::Role')[schedulerRoleId]?.Properties.ManagedPolicyArns,
    ).toBeUndefined();
  });

  it('keeps failures 14 days in an encrypted DLQ that refuses plain HTTP', () => {
    schedule.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    schedule.hasResourceProperties('AWS::SQS::QueuePolicy', {
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
    schedule.hasOutput('ScheduleFailureQueueUrl', {});
  });

  it.each(scheduleTargets)('%s: Lambda retries a failed run twice, then sends it to the DLQ', (target) => {
    schedule.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: targetFunctionId(target) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it.each(scheduleTargets)('%s reads and writes the table with the explicit action list only', (target) => {
    const actions = statementsOfRole(schedule, targetRoleId(target)).flatMap(actionsOf);
    expect(new Set(actions.filter((action) => action.startsWith('dynamodb:')))).toEqual(
      new Set([...tableReadActions, ...tableWriteActions]),
    );
    expect(actions.filter((action) => action.startsWith('cognito-idp:'))).toEqual([]);
  });

  // Beyond logs, X-Ray and the table: every target may put a failed run into the DLQ, and no more than this.
  const dlqSend: Statement = {
    Effect: 'Allow',
    Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
  };
  const campaignMail: Statement[] = [
    {
      Effect: 'Allow',
      Action: [...mailSendActions],
      Resource: [pseudoArn('ses', 'identity/*'), pseudoArn('ses', 'configuration-set/crm')],
    },
    // GetAccount (the account's MaxSendRate) has no resource to scope to.
    { Effect: 'Allow', Action: 'ses:GetAccount', Resource: '*' },
  ];
  const extraAccess: Record<(typeof scheduleTargets)[number], Statement[]> = {
    // Transactional mail from MAIL_FROM; on any identity while no mailFrom is configured.
    reminder: [{ Effect: 'Allow', Action: [...mailSendActions], Resource: '*' }, dlqSend],
    slaCheck: [dlqSend],
    // Reads and writes the table only (notifications, alert items, watches).
    alertScan: [dlqSend],
    // Queues recipients for the sender (it sends no email itself) and schedules an A/B campaign's decision.
    campaignStart: [
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: { 'Fn::ImportValue': sendQueueExport('FnGetAtt', 'Arn') },
      },
      {
        Effect: 'Allow',
        Action: [...scheduleManageActions],
        Resource: pseudoArn('scheduler', 'schedule/crm/*'),
      },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
      dlqSend,
    ],
    // Fires stuck steps again through their schedules; sends nothing and reads no secret.
    sequenceSweep: [
      {
        Effect: 'Allow',
        Action: [...scheduleManageActions],
        Resource: pseudoArn('scheduler', 'schedule/crm/*'),
      },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
      dlqSend,
    ],
    // Campaign mail (signed links), and schedules its own next step.
    sequenceStep: [
      ...campaignMail,
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { 'Fn::ImportValue': expect.stringMatching(/SigningSecret/) },
      },
      {
        Effect: 'Allow',
        Action: [...scheduleManageActions],
        Resource: pseudoArn('scheduler', 'schedule/crm/*'),
      },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
      dlqSend,
    ],
  };

  it.each(scheduleTargets)(
    '%s has exactly its own permissions beyond logs, X-Ray and the table',
    (target) => {
      expectSameStatements(
        beyondLogsTracingAndTable(statementsOfRole(schedule, targetRoleId(target))),
        extraAccess[target],
      );
    },
  );

  it('sends email only from reminder and forms (transactional), sequenceStep and campaignSend (campaign mail)', () => {
    const senders = Object.entries(templates).flatMap(([stack, template]) =>
      allowStatements(template)
        .filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('ses:Send')))
        .flatMap(({ roles }) => roles.map((role) => `${stack}/${role}`)),
    );
    expect(senders.sort()).toEqual(
      [
        `schedule/${targetRoleId('reminder')}`,
        `schedule/${targetRoleId('sequenceStep')}`,
        `messaging/${roleIdOf(stacks.messaging.sender.fn)}`,
        // The public form submit's double opt-in confirmation.
        `api/${roleIdOf(stacks.api.functions.forms.fn)}`,
      ].sort(),
    );
    expect(functionProps('reminder')?.Environment.Variables.MAIL_FROM).toBeUndefined();
  });

  it('gives campaignStart the send queue (QUEUE=sqs and its URL) and the scheduling env (A/B decisions), no mail', () => {
    expect(functionProps('campaignStart')?.Environment.Variables).toEqual({
      TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/Table/) },
      USER_DIRECTORY: 'cognito',
      [queueEnv.queue]: 'sqs',
      [queueEnv.url('campaignSend')]: {
        'Fn::ImportValue': sendQueueExport('Ref'),
      },
      [scheduleEnv.scheduler]: 'eventbridge',
      [scheduleEnv.group]: 'crm',
      [scheduleEnv.roleArn]: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
      [scheduleEnv.dlqArn]: { 'Fn::GetAtt': [queueId, 'Arn'] },
      ...Object.fromEntries(
        scheduleTargets.map((target) => [
          scheduleEnv.targetArn(target),
          pseudoArn('lambda', `function:CrmSchedule-${target}`),
        ]),
      ),
    });
  });

  it('gives sequenceStep the signing secret, the configuration set and the scheduling env with its own ARN', () => {
    const variables = functionProps('sequenceStep')?.Environment.Variables;
    expect(variables).toEqual({
      TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/Table/) },
      USER_DIRECTORY: 'cognito',
      SIGNING_SECRET_ARN: { 'Fn::ImportValue': expect.stringMatching(/SigningSecret/) },
      SES_CONFIGURATION_SET: 'crm',
      [scheduleEnv.scheduler]: 'eventbridge',
      [scheduleEnv.group]: 'crm',
      [scheduleEnv.roleArn]: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
      [scheduleEnv.dlqArn]: { 'Fn::GetAtt': [queueId, 'Arn'] },
      ...Object.fromEntries(
        scheduleTargets.map((target) => [
          scheduleEnv.targetArn(target),
          pseudoArn('lambda', `function:CrmSchedule-${target}`),
        ]),
      ),
    });
  });

  it('passes MAIL_FROM, SEND_RATE_PER_SECOND and PUBLIC_API_URL to sequenceStep only when the context sets them', () => {
    const custom = synthApp({
      mailFrom: 'crm@mail.example.com',
      sendRatePerSecond: '2.5',
      publicApiUrl: 'https://api.example.com',
    });
    const fnId = logicalId(cfn(custom.stacks.schedule.targets.sequenceStep.fn));
    const variables =
      custom.templates.schedule.findResources('AWS::Lambda::Function')[fnId]?.Properties.Environment
        .Variables;
    expect(variables).toMatchObject({
      MAIL_FROM: 'crm@mail.example.com',
      SEND_RATE_PER_SECOND: '2.5',
      PUBLIC_API_URL: 'https://api.example.com',
    });
    // A campaign names its own From address, so a configured sender does not narrow campaign mail.
    const ses = allowStatements(custom.templates.schedule)
      .filter(({ roles }) => roles.includes(roleIdOf(custom.stacks.schedule.targets.sequenceStep.fn)))
      .map(({ statement }) => statement)
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('ses:')));
    expect(ses).toEqual(campaignMail);
    const defaults = functionProps('sequenceStep')?.Environment.Variables;
    for (const name of ['MAIL_FROM', 'SEND_RATE_PER_SECOND', 'PUBLIC_API_URL'])
      expect(defaults[name]).toBeUndefined();
  });

  it('limits sending to the address and its domain with -c mailFrom, and gives MAIL_FROM', () => {
    const custom = synthApp({ mailFrom: 'crm@mail.example.com' });
    const template = custom.templates.schedule;
    const role = custom.stacks.schedule.targets.reminder.fn.role;
    const fnId = logicalId(cfn(custom.stacks.schedule.targets.reminder.fn));
    const statements = statementsOfRole(template, logicalId(cfn(role as never))).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('ses:')),
    );
    const identity = (name: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:identity/${name}`,
        ],
      ],
    });
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: [...mailSendActions],
        Resource: [identity('crm@mail.example.com'), identity('mail.example.com')],
      },
    ]);
    expect(
      template.findResources('AWS::Lambda::Function')[fnId]?.Properties.Environment.Variables.MAIL_FROM,
    ).toBe('crm@mail.example.com');
    expect(() => synthApp({ mailFrom: 'CRM <crm@example.com>' })).toThrow(/mailFrom/);
  });

  it('deploys in the order Data → Messaging → Schedule → Console → Files → Api → ConsoleConfig → Reporting, each stack using earlier ones only', () => {
    const order = [
      stacks.data,
      stacks.messaging,
      stacks.schedule,
      stacks.console,
      stacks.files,
      stacks.api,
      stacks.consoleConfig,
      stacks.reporting,
    ];
    const dependencies = Object.fromEntries(
      order.map((stack) => [
        stack.stackName,
        stack.dependencies.map((dependency) => dependency.stackName).sort(),
      ]),
    );
    expect(dependencies).toEqual({
      CrmData: [],
      CrmMessaging: ['CrmData'],
      // The send queue; the API and the stream consumer reference this stack, never the reverse.
      CrmSchedule: ['CrmData', 'CrmMessaging'],
      // The console's site refers to no other stack; the imports bucket and the API take its origin.
      CrmConsole: [],
      CrmFiles: ['CrmConsole', 'CrmData'],
      // The admin function queues background report rebuilds on the messaging stack's queue, the
      // exports function large exports on the files stack's.
      CrmApi: ['CrmConsole', 'CrmData', 'CrmFiles', 'CrmMessaging', 'CrmSchedule'],
      // config.json: the API's URL and the console's client, written into the console's bucket.
      CrmConsoleConfig: ['CrmApi', 'CrmConsole'],
      CrmReporting: ['CrmData', 'CrmSchedule'],
    });
    // Only earlier stacks: so the order is a topological one and there is no cycle.
    order.forEach((stack, index) => {
      const earlier = order.slice(0, index).map((other) => other.stackName);
      for (const dependency of stack.dependencies) expect(earlier).toContain(dependency.stackName);
    });
  });
});

describe('CrmApi: the functions that schedule', () => {
  const scheduling = httpFunctionNames.filter((name) => schedulingFunctions.has(name));
  const others = httpFunctionNames.filter((name) => !schedulingFunctions.has(name));
  const scheduleArnPattern = stacks.api.resolve(stacks.schedule.wiring.scheduleArnPattern);

  it('names functions of the catalogue (activities, cases, campaigns and sequences)', () => {
    expect([...schedulingFunctions].sort()).toEqual(scheduling.sort());
    expect(scheduling.sort()).toEqual(['activities', 'campaigns', 'cases', 'sequences']);
  });

  it.each(scheduling)('%s manages schedules of the group only and passes the scheduler role only', (name) => {
    const statements = httpStatements(name).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('scheduler:') || action.startsWith('iam:')),
    );
    expect(statements).toEqual([
      { Effect: 'Allow', Action: [...scheduleManageActions], Resource: scheduleArnPattern },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::ImportValue': expect.stringMatching(/SchedulerRole/) },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
    expect(scheduleArnPattern['Fn::Join'][1].at(-1)).toBe(':schedule/crm/*');
  });

  it.each(scheduling)('%s gets SCHEDULER=eventbridge, the group, role, DLQ and every target ARN', (name) => {
    templates.api.hasResourceProperties('AWS::Lambda::Function', {
      Description: `CRM HTTP API: ${name}`,
      Environment: {
        Variables: Match.objectLike({
          [scheduleEnv.scheduler]: 'eventbridge',
          [scheduleEnv.group]: 'crm',
          [scheduleEnv.roleArn]: { 'Fn::ImportValue': Match.stringLikeRegexp('SchedulerRole') },
          [scheduleEnv.dlqArn]: { 'Fn::ImportValue': Match.stringLikeRegexp('ScheduleFailures') },
          // Built from the fixed function names: no export of CrmSchedule per target.
          ...Object.fromEntries(
            scheduleTargets.map((target) => [
              scheduleEnv.targetArn(target),
              pseudoArn('lambda', `function:CrmSchedule-${target}`),
            ]),
          ),
        }),
      },
    });
  });

  it.each(others)('%s may not touch schedules nor pass roles, and has no scheduler env', (name) => {
    const actions = httpStatements(name).flatMap(actionsOf);
    expect(actions.filter((action) => action.startsWith('scheduler:') || action.startsWith('iam:'))).toEqual(
      [],
    );
    const fn = Object.values(templates.api.findResources('AWS::Lambda::Function')).find(
      (resource) => resource.Properties.Description === `CRM HTTP API: ${name}`,
    );
    expect(fn?.Properties.Environment?.Variables?.[scheduleEnv.scheduler]).toBeUndefined();
  });
});
