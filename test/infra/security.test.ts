import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { httpFunctionNames, httpFunctions } from '#shared/api/catalogue';
import type { RouteDef } from '#shared/api/route';
import { scheduleTargets } from '#shared/schedule/scheduler';
import { mailSendActions } from '../../infra/grants.ts';
import { schedulingFunctions } from '../../infra/stacks/api-stack.ts';
import { actionsOf, allowStatements, synthApp } from './support.ts';

const { app, templates } = synthApp();
const all: [string, Template][] = Object.entries(templates);

/** Violations as `rule @ construct path`, sorted. */
function findings(violations: { ruleName: string; violatingResources: { constructPath?: string }[] }[]) {
  return violations
    .flatMap((v) => v.violatingResources.map((resource) => `${v.ruleName} @ ${resource.constructPath}`))
    .sort();
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.description}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('has exactly the acknowledgements listed here, none stale and none broader than its resource', () => {
    // The same checks with every acknowledgement ignored: what infra/ chose to accept.
    const pack = new AwsSolutionsChecks(undefined, { verbose: false });
    Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
    const publicRoutes = httpFunctionNames.flatMap((name) =>
      (httpFunctions[name] as readonly RouteDef[]).filter((route) => route.public),
    );
    const functions = [
      ...httpFunctionNames.map((name) => `CrmApi/${name}-function`),
      'CrmReporting/aggregates-function',
      ...scheduleTargets.map((target) => `CrmSchedule/${target}-function`),
    ];
    const scheduleGroupWildcard =
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/crm/*]';
    expect(findings(pack.validateScope(app).violations)).toEqual(
      [
        ...publicRoutes.map((route) => `AwsSolutions-APIG4 @ CrmApi/Route-${route.operationId}/Resource`),
        'AwsSolutions-COG2 @ CrmApi/UserPool/Resource',
        'AwsSolutions-COG8 @ CrmApi/UserPool/Resource',
        'AwsSolutions-SMG4 @ CrmApi/SigningSecret/Resource',
        'AwsSolutions-SQS3 @ CrmReporting/StreamFailures/Resource',
        'AwsSolutions-SQS3 @ CrmSchedule/ScheduleFailures/Resource',
        ...functions.map((fn) => `AwsSolutions-IAM5[Resource::*] @ ${fn}/Role/DefaultPolicy/Resource`),
        ...httpFunctionNames
          .filter((name) => schedulingFunctions.has(name))
          .map((name) => `${scheduleGroupWildcard} @ CrmApi/${name}-function/Role/DefaultPolicy/Resource`),
      ].sort(),
    );
  });

  it('gives every acknowledgement a reason', () => {
    const acknowledgements = app.node
      .findAll()
      .flatMap((construct: IConstruct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.values(entry.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const reason of acknowledgements) expect(reason.length).toBeGreaterThan(40);
  });
});

describe('IAM across all stacks', () => {
  const statements = all.flatMap(([, template]) =>
    allowStatements(template).map(({ statement }) => statement),
  );

  it('never allows Scan or any DynamoDB wildcard', () => {
    const actions = statements.flatMap(actionsOf);
    expect(actions.length).toBeGreaterThan(0);
    const forbidden = actions.filter(
      (action) => action === '*' || /^dynamodb:scan$/i.test(action) || /^dynamodb:.*\*/i.test(action),
    );
    expect(forbidden).toEqual([]);
  });

  it('grants on "*" only X-Ray (no resource-level permissions) and SES sending while no mailFrom is set', () => {
    const onStar = statements
      .filter((statement) => [statement.Resource].flat().includes('*'))
      .flatMap(actionsOf);
    // schedule.test.ts checks that SES on "*" is the reminder's only, and gone with -c mailFrom.
    expect(new Set(onStar)).toEqual(
      new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', ...mailSendActions]),
    );
  });

  it('uses no AWS managed policies (each function role writes only to its own log group)', () => {
    for (const [, template] of all) {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    }
  });
});

describe('Lambda defaults (constructs/crm-function.ts)', () => {
  const functions = all.flatMap(([stack, template]) =>
    Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, fn]) => ({
      id: `${stack}/${id}`,
      props: fn.Properties,
    })),
  );

  it('covers every HTTP function of the catalogue, the stream consumer and the schedule targets', () => {
    expect(functions.length).toBe(httpFunctionNames.length + 1 + scheduleTargets.length);
  });

  it.each(functions)('$id: Node.js 24 on ARM, traced, JSON logs to its own log group', ({ props }) => {
    expect(props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
    });
    expect(props.MemorySize).toBeGreaterThanOrEqual(512);
    expect(props.Timeout).toBeLessThanOrEqual(60);
  });

  it('gives every log group a retention', () => {
    for (const [, template] of all) {
      for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
        expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
      }
    }
  });
});
