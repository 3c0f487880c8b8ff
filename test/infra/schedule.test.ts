import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { httpFunctionNames } from '#shared/api/catalogue';
import { scheduleEnv } from '#shared/config';
import { scheduleTargetEntry, scheduleTargets } from '#shared/schedule/scheduler';
import { projectRoot } from '../../infra/bundling.ts';
import {
  mailSendActions,
  scheduleManageActions,
  tableReadActions,
  tableWriteActions,
} from '../../infra/grants.ts';
import { schedulingFunctions } from '../../infra/stacks/api-stack.ts';
import { actionsOf, allowStatements, logicalId, type Statement, synthApp } from './support.ts';

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
    schedule.resourceCountIs('AWS::Lambda::Function', scheduleTargets.length);
    for (const target of scheduleTargets) {
      expect(existsSync(join(projectRoot, scheduleTargetEntry(target))), scheduleTargetEntry(target)).toBe(
        true,
      );
      schedule.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ TABLE_NAME: Match.anyValue() }) },
      });
    }
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
    expect(actions.filter((action) => /^(scheduler|iam|secretsmanager|cognito-idp):/.test(action))).toEqual(
      [],
    );
  });

  it('lets only the reminder send email; on any identity while no mailFrom is configured', () => {
    const ses = (template: typeof schedule, target: (typeof scheduleTargets)[number]) =>
      statementsOfRole(template, targetRoleId(target)).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('ses:')),
      );
    expect(ses(schedule, 'reminder')).toEqual([
      { Effect: 'Allow', Action: [...mailSendActions], Resource: '*' },
    ]);
    expect(ses(schedule, 'slaCheck')).toEqual([]);
    const reminderFn = schedule.findResources('AWS::Lambda::Function')[targetFunctionId('reminder')];
    expect(reminderFn?.Properties.Environment.Variables.MAIL_FROM).toBeUndefined();
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

  it('depends on the data stack only; the API stack depends on it (no cycle)', () => {
    expect(stacks.schedule.dependencies.map((stack) => stack.stackName)).toEqual([stacks.data.stackName]);
    expect(stacks.api.dependencies.map((stack) => stack.stackName)).toContain(stacks.schedule.stackName);
  });
});

describe('CrmApi: the functions that schedule', () => {
  const scheduling = httpFunctionNames.filter((name) => schedulingFunctions.has(name));
  const others = httpFunctionNames.filter((name) => !schedulingFunctions.has(name));
  const scheduleArnPattern = stacks.api.resolve(stacks.schedule.wiring.scheduleArnPattern);

  it('names functions of the catalogue (activities and cases)', () => {
    expect([...schedulingFunctions].sort()).toEqual(scheduling.sort());
    expect(scheduling.length).toBeGreaterThan(0);
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
          ...Object.fromEntries(
            scheduleTargets.map((target) => [
              scheduleEnv.targetArn(target),
              { 'Fn::ImportValue': Match.stringLikeRegexp(`${target}function`) },
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
