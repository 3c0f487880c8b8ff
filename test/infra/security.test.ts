import type { CfnResource } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { httpFunctionNames, httpFunctions } from '#shared/api/catalogue';
import type { RouteDef } from '#shared/api/route';
import { CAMPAIGN_SEND_TIMEOUT_MS } from '#shared/mail/campaign-send';
import { queueConsumerTimeoutMs } from '#shared/queue/queue';
import { scheduleTargets, scheduleTargetTimeoutMs } from '#shared/schedule/scheduler';
import { CAMPAIGN_START_TIMEOUT_MS } from '#shared/store/campaign-run';
import { mailSendActions } from '../../infra/grants.ts';
import { schedulingFunctions } from '../../infra/stacks/api-stack.ts';
import { actionsOf, allowStatements, logicalId, statementsOfRole, synthApp } from './support.ts';

const { app, stacks, templates } = synthApp();
const all: [string, Template][] = Object.entries(templates);

/** The construct path of every catalogue function. */
const functionPaths = [
  ...httpFunctionNames.map((name) => `CrmApi/${name}-function`),
  'CrmReporting/aggregates-function',
  ...scheduleTargets.map((target) => `CrmSchedule/${target}-function`),
  'CrmMessaging/campaignSend-function',
  'CrmMessaging/sesEvents-function',
  'CrmMessaging/reportRebuild-function',
  'CrmFiles/Imports/importChunks-function',
  'CrmFiles/Exports/exportJobs-function',
  'CrmReporting/webhookDeliveries-function',
  'CrmSchedule/sequenceEnroll-function',
];

/** Violations as `rule @ construct path`, sorted. */
function findings(violations: { ruleName: string; violatingResources: { constructPath?: string }[] }[]) {
  return violations
    .flatMap((v) => v.violatingResources.map((resource) => `${v.ruleName} @ ${resource.constructPath}`))
    .sort();
}

/** CDK's BucketDeployment handler in `stack` (bucket-deployment-findings.ts). */
function bucketDeploymentFindings(stack: 'CrmConsole' | 'CrmConsoleConfig'): string[] {
  const handler = `${stack}/Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C`;
  const policy = `${stack}/DeploymentHandlerRole/DefaultPolicy/Resource`;
  const consoleObjects =
    stack === 'CrmConsole'
      ? `<${logicalId(stacks.console.bucket.node.defaultChild as CfnResource)}.Arn>/*`
      : 'arn:<AWS::Partition>:s3:::crm-console-<AWS::AccountId>-<AWS::Region>/*';
  return [
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(
      (action) => `AwsSolutions-IAM5[Action::${action}] @ ${policy}`,
    ),
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*] @ ${policy}`,
    `AwsSolutions-IAM5[Resource::${consoleObjects}] @ ${policy}`,
    `AwsSolutions-L1 @ ${handler}/Resource`,
  ];
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
    const anyIdentity =
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]';
    const importsObjects = (pattern: string) =>
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::crm-imports-<AWS::AccountId>-<AWS::Region>/${pattern}]`;
    const scheduleGroupWildcard =
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/crm/*]';
    const exportsObjects =
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::crm-exports-<AWS::AccountId>-<AWS::Region>/*]';
    expect(findings(pack.validateScope(app).violations)).toEqual(
      [
        ...publicRoutes.map((route) => `AwsSolutions-APIG4 @ CrmApi/Route-${route.operationId}/Resource`),
        'AwsSolutions-COG2 @ CrmApi/UserPool/Resource',
        'AwsSolutions-COG8 @ CrmApi/UserPool/Resource',
        'AwsSolutions-SMG4 @ CrmData/SigningSecret/Resource',
        // CampaignSendFailures is the send queue's redrive target, which SQS3 accepts without acknowledgement.
        'AwsSolutions-SQS3 @ CrmMessaging/SesEventFailures/Resource',
        `${anyIdentity} @ CrmMessaging/campaignSend-function/Role/DefaultPolicy/Resource`,
        `${anyIdentity} @ CrmSchedule/sequenceStep-function/Role/DefaultPolicy/Resource`,
        `${scheduleGroupWildcard} @ CrmSchedule/sequenceStep-function/Role/DefaultPolicy/Resource`,
        // An A/B campaign's start writes its winner decision, `campaign-<id>-w`.
        `${scheduleGroupWildcard} @ CrmSchedule/campaignStart-function/Role/DefaultPolicy/Resource`,
        // Sequence steps, `seq-<hash>-<step>`: the enrollment worker creates first steps, the sweep fires stuck ones again.
        `${scheduleGroupWildcard} @ CrmSchedule/sequenceEnroll-function/Role/DefaultPolicy/Resource`,
        `${scheduleGroupWildcard} @ CrmSchedule/sequenceSweep-function/Role/DefaultPolicy/Resource`,
        `${scheduleGroupWildcard} @ CrmReporting/aggregates-function/Role/DefaultPolicy/Resource`,
        'AwsSolutions-SQS3 @ CrmReporting/StreamFailures/Resource',
        // The domain events' DLQ is itself a dead-letter queue (of the events the bus kept refusing).
        'AwsSolutions-SQS3 @ CrmReporting/DomainEventsDlq/Resource',
        'AwsSolutions-SQS3 @ CrmSchedule/ScheduleFailures/Resource',
        // "*" without tracing: ses:GetAccount for campaign mail, SES sending for transactional mail while no mailFrom is set.
        ...[
          'CrmMessaging/campaignSend-function',
          'CrmSchedule/sequenceStep-function',
          'CrmSchedule/reminder-function',
          'CrmApi/forms-function',
        ].map((fn) => `AwsSolutions-IAM5[Resource::*] @ ${fn}/Role/DefaultPolicy/Resource`),
        // Object keys begin with the tenant: the import functions' grants name key patterns only.
        `${importsObjects('*.csv')} @ CrmApi/imports-function/Role/DefaultPolicy/Resource`,
        `${importsObjects('*-errors.csv')} @ CrmApi/imports-function/Role/DefaultPolicy/Resource`,
        `${importsObjects('*')} @ CrmFiles/Imports/importChunks-function/Role/DefaultPolicy/Resource`,
        `${importsObjects('*-errors.csv')} @ CrmFiles/Imports/importChunks-function/Role/DefaultPolicy/Resource`,
        // Export files are keyed by tenant: the worker writes them, the HTTP function presigns their download.
        `${exportsObjects} @ CrmApi/exports-function/Role/DefaultPolicy/Resource`,
        `${exportsObjects} @ CrmFiles/Exports/exportJobs-function/Role/DefaultPolicy/Resource`,
        // The console's site: static build output only (console-stack.ts says why for each).
        'AwsSolutions-S1 @ CrmConsole/Bucket/Resource',
        ...['CFR1', 'CFR2', 'CFR3', 'CFR4'].map(
          (rule) => `AwsSolutions-${rule} @ CrmConsole/Distribution/Resource`,
        ),
        ...(['CrmConsole', 'CrmConsoleConfig'] as const).flatMap((stack) => bucketDeploymentFindings(stack)),
        ...httpFunctionNames
          .filter((name) => schedulingFunctions.has(name))
          .map((name) => `${scheduleGroupWildcard} @ CrmApi/${name}-function/Role/DefaultPolicy/Resource`),
      ].sort(),
    );
  });

  it('acknowledges nothing that has no finding at or below the acknowledged construct', () => {
    const pack = new AwsSolutionsChecks(undefined, { verbose: false });
    Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
    const found = findings(pack.validateScope(app).violations);
    const stale = app.node
      .findAll()
      .flatMap((construct: IConstruct) =>
        construct.node.metadata
          .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
          .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
          .map((id) => ({ rule: id.replace(/^Annotation::/, ''), path: construct.node.path })),
      )
      .filter(({ rule, path }) => !found.some((finding) => finding.startsWith(`${rule} @ ${path}/`)))
      .map(({ rule, path }) => `${rule} @ ${path}`);
    expect(stale).toEqual([]);
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

  const onStar = (template: Template[]) =>
    new Set(
      template
        .flatMap((t) => allowStatements(t).map(({ statement }) => statement))
        .filter((statement) => [statement.Resource].flat().includes('*'))
        .flatMap(actionsOf),
    );

  it('grants on "*" only what has no resource-level permissions, and SES sending while no mailFrom is set', () => {
    // ses:GetAccount (campaign mail's send rate) cannot be scoped. schedule.test.ts checks that SES
    // sending on "*" is the reminder's only, and messaging.test.ts/schedule.test.ts who reads GetAccount.
    // No X-Ray: tracing is off unless -c tracing=active (below).
    expect(onStar(all.map(([, template]) => template))).toEqual(
      new Set(['ses:GetAccount', ...mailSendActions]),
    );
  });

  it('grants SES sending on "*" no more once -c mailFrom is set', () => {
    const { templates: custom } = synthApp({ mailFrom: 'crm@mail.example.com' });
    expect(onStar(Object.values(custom))).toEqual(new Set(['ses:GetAccount']));
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
  const fnId = (stack: string, fn: { node: { defaultChild?: unknown } }) =>
    `${stack}/${logicalId(fn.node.defaultChild as CfnResource)}`;
  /** Functions allowed more than 60 s, each with why; nobody waits on either. */
  const longRunning: Record<string, { seconds: number; why: string }> = {
    [fnId('schedule', stacks.schedule.targets.campaignStart.fn)]: {
      seconds: CAMPAIGN_START_TIMEOUT_MS / 1000,
      why: 'campaignStart resolves the segment and writes every recipient before queueing them (under a lease that outlives it); invoked asynchronously by the scheduler',
    },
    [fnId('schedule', stacks.schedule.targets.alertScan.fn)]: {
      seconds: scheduleTargetTimeoutMs.alertScan / 1000,
      why: 'alertScan pages through every tenant listed for alerts once an hour; invoked asynchronously by the scheduler',
    },
    [fnId('schedule', stacks.schedule.targets.sequenceSweep.fn)]: {
      seconds: scheduleTargetTimeoutMs.sequenceSweep / 1000,
      why: 'sequenceSweep pages through the same tenants once an hour for overdue sequence steps; invoked asynchronously by the scheduler',
    },
    [fnId('schedule', stacks.schedule.enrollWorker.fn)]: {
      seconds: queueConsumerTimeoutMs.sequenceEnroll / 1000,
      why: 'sequenceEnroll resolves a large segment into stored chunks and queues them, or enrolls one chunk (a schedule and a write per contact); a redelivered message finds the chunks and markers and repeats nothing',
    },
    [fnId('messaging', stacks.messaging.sender.fn)]: {
      seconds: CAMPAIGN_SEND_TIMEOUT_MS / 1000,
      why: 'campaignSend sends a message of recipients at the shared send rate; stale claims are judged against this timeout and the queue visibility is 6× it',
    },
    [fnId('messaging', stacks.messaging.rebuilder.fn)]: {
      seconds: queueConsumerTimeoutMs.reportRebuild / 1000,
      why: 'reportRebuild reads pages of a large tenant until its time is nearly out, then queues its own continuation; its lease outlives it',
    },
    [fnId('files', stacks.files.imports.worker.fn)]: {
      seconds: queueConsumerTimeoutMs.importChunks / 1000,
      why: 'importChunks streams an uploaded file chunk by chunk until its time is nearly out, then queues its own continuation; its lease outlives it',
    },
    [fnId('files', stacks.files.exports.worker.fn)]: {
      seconds: queueConsumerTimeoutMs.exportJobs / 1000,
      why: 'exportJobs writes a whole export file page by page in one multipart upload; a job that would not finish in one run fails, and its lease outlives the run',
    },
  };
  // CDK's BucketDeployment handler (the console's files) is CDK's own Python function, not one of these.
  const functions = all.flatMap(([stack, template]) =>
    Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([id, fn]) => ({ id: `${stack}/${id}`, props: fn.Properties })),
  );

  it('covers every HTTP function, the stream consumer, the schedule targets, the sender, the SES events handler, the report rebuild worker, the import worker, the export worker, the webhook delivery worker and the sequence enrollment worker', () => {
    expect(functions.length).toBe(httpFunctionNames.length + 1 + scheduleTargets.length + 7);
  });

  it.each(Object.entries(longRunning).map(([id, exception]) => ({ id, ...exception })))(
    '$id may run $seconds s: $why',
    ({ id, seconds }) => {
      expect(functions.find((fn) => fn.id === id)?.props.Timeout).toBe(seconds);
    },
  );

  it.each(functions)('$id: Node.js 24 on ARM, untraced, JSON logs to its own log group', ({ id, props }) => {
    expect(props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
    });
    // X-Ray tracing is a deployment choice (-c tracing=active), off by default.
    expect(props.TracingConfig).toBeUndefined();
    expect(props.MemorySize).toBeGreaterThanOrEqual(512);
    // Request and event paths stay short; only asynchronous bulk work may take longer.
    expect(props.Timeout).toBeLessThanOrEqual(longRunning[id]?.seconds ?? 60);
  });

  it('gives every log group a retention', () => {
    for (const [, template] of all) {
      for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
        expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
      }
    }
  });
});

describe('-c tracing=active', () => {
  const traced = synthApp({ tracing: 'active' });
  const tracedTemplates = Object.values(traced.templates);
  const functions = tracedTemplates.flatMap((template) =>
    Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([, fn]) => fn.Properties),
  );

  it('traces every function and lets each role put its segments, on "*" (X-Ray has no resources)', () => {
    expect(functions.length).toBe(httpFunctionNames.length + 1 + scheduleTargets.length + 7);
    for (const props of functions) expect(props.TracingConfig).toEqual({ Mode: 'Active' });
    const roles = tracedTemplates.flatMap((template) =>
      Object.entries(template.findResources('AWS::IAM::Role'))
        .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
        .map(([id]) => ({ template, id })),
    );
    const xrayRoles = roles.filter(({ template, id }) =>
      statementsOfRole(template, id).some(
        (statement) =>
          [statement.Resource].flat().includes('*') &&
          actionsOf(statement).includes('xray:PutTraceSegments') &&
          actionsOf(statement).includes('xray:PutTelemetryRecords'),
      ),
    );
    expect(xrayRoles.length).toBe(functions.length);
  });

  it('finds X-Ray\'s "*" on every function role, and leaves no cdk-nag finding unacknowledged', () => {
    const pack = new AwsSolutionsChecks(undefined, { verbose: false });
    Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
    const star = 'AwsSolutions-IAM5[Resource::*] @ ';
    expect(findings(pack.validateScope(traced.app).violations).filter((f) => f.startsWith(star))).toEqual(
      functionPaths.map((fn) => `${star}${fn}/Role/DefaultPolicy/Resource`).sort(),
    );
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(traced.app);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.description}`)).toEqual([]);
  });

  it('refuses any other tracing mode', () => {
    expect(() => synthApp({ tracing: 'passthrough' })).toThrow(
      'context tracing must be "active" or "disabled", got "passthrough"',
    );
  });
});
