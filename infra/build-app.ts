import { type App, CrossStackReferences, ReferenceStrength, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.ts';
import { consoleDistDir } from './local/console-build.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { ConsoleConfigStack } from './stacks/console-config-stack.ts';
import { ConsoleStack } from './stacks/console-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { FilesStack } from './stacks/files-stack.ts';
import { InboundStack } from './stacks/inbound-stack.ts';
import { configurationSetName, MessagingStack } from './stacks/messaging-stack.ts';
import { ReportingStack } from './stacks/reporting-stack.ts';
import { ScheduleStack } from './stacks/schedule-stack.ts';

export interface CrmStacks {
  readonly data: DataStack;
  readonly messaging: MessagingStack;
  readonly schedule: ScheduleStack;
  readonly api: ApiStack;
  readonly reporting: ReportingStack;
  readonly files: FilesStack;
  readonly console: ConsoleStack;
  readonly consoleConfig: ConsoleConfigStack;
  /** Only when `inboundEmailDomain` is configured. */
  readonly inbound?: InboundStack;
}

export interface BuildOptions {
  /** The built web console; default console/dist (app.ts builds it first when stale). */
  readonly consoleDist?: string;
}

/**
 * Adds the CRM's stacks to `app` and registers cdk-nag's AWS Solutions pack, which fails
 * synthesis on any unacknowledged finding. Tests call this with bundling turned off
 * (context `aws:cdk:bundling-stacks: []`). No env: the stacks are account- and region-agnostic.
 */
export function buildApp(app: App, options: BuildOptions = {}): CrmStacks {
  const config = readConfig(app.node);
  // The other stacks import the table through CloudFormation exports (strong references),
  // so CloudFormation refuses to delete CrmData while they use it. Said explicitly, unless cdk.json
  // chooses otherwise, so CDK does not warn about an implicit default.
  if (app.node.tryGetContext('@aws-cdk/core:defaultCrossStackReferences') === undefined) {
    CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);
  }
  const name = (base: string) => (config.stage ? `${base}-${config.stage}` : base);

  const data = new DataStack(app, 'CrmData', {
    stackName: name('CrmData'),
    description: 'Serverless CRM: the single DynamoDB table and the signing key',
    removalPolicy: config.removalPolicy,
  });
  const messaging = new MessagingStack(app, 'CrmMessaging', {
    stackName: name('CrmMessaging'),
    description: 'Serverless CRM: SES configuration set and events, campaign send queue and sender',
    table: data.table,
    signingSecret: data.signingSecret,
    config,
  });
  // Before the API: its scheduling functions reference the group, role, DLQ and targets.
  const schedule = new ScheduleStack(app, 'CrmSchedule', {
    stackName: name('CrmSchedule'),
    description: 'Serverless CRM: EventBridge Scheduler group, schedule targets and their DLQ',
    table: data.table,
    config,
    signingSecret: data.signingSecret,
    campaignSendQueue: messaging.sendQueue,
    configurationSetName: configurationSetName(config.stage),
  });
  // The console's site comes before the API (and the files stack, whose imports bucket lets it
  // upload), which takes its origin for CORS and the console's
  // app client; its config.json, which needs the API's URL and that client, comes after both.
  const webConsole = new ConsoleStack(app, 'CrmConsole', {
    stackName: name('CrmConsole'),
    description: 'Serverless CRM: the web console on CloudFront and S3',
    config,
    distDir: options.consoleDist ?? consoleDistDir,
  });
  const files = new FilesStack(app, 'CrmFiles', {
    stackName: name('CrmFiles'),
    description: 'Serverless CRM: import and export buckets, their queues and workers',
    table: data.table,
    config,
    consoleOrigin: webConsole.origin,
  });
  const api = new ApiStack(app, 'CrmApi', {
    stackName: name('CrmApi'),
    description: 'Serverless CRM: Cognito, HTTP API and its functions',
    table: data.table,
    config,
    schedules: schedule.wiring,
    signingSecret: data.signingSecret,
    reportRebuildQueue: messaging.rebuildQueue,
    exportJobsQueue: files.exports.queue,
    sequenceEnrollQueue: schedule.enrollQueue,
    consoleOrigin: webConsole.origin,
  });
  const consoleConfig = new ConsoleConfigStack(app, 'CrmConsoleConfig', {
    stackName: name('CrmConsoleConfig'),
    description: "Serverless CRM: the web console's config.json (API URL, hosted UI, app client)",
    config,
    consoleOrigin: webConsole.origin,
    apiUrl: api.stage.url,
    hostedUiUrl: api.hostedUi.baseUrl(),
    clientId: api.consoleClient.userPoolClientId,
  });
  const reporting = new ReportingStack(app, 'CrmReporting', {
    stackName: name('CrmReporting'),
    description: 'Serverless CRM: table stream consumer and webhook deliveries',
    table: data.table,
    config,
    schedules: schedule.wiring,
  });

  // Inbound email only for a configured domain: without one, no receiving resources at all.
  const inbound = config.inboundEmailDomain
    ? new InboundStack(app, 'CrmInbound', {
        stackName: name('CrmInbound'),
        description:
          'Serverless CRM: inbound email (SES receipt rule set, raw mail bucket, logging function)',
        table: data.table,
        config,
        domain: config.inboundEmailDomain,
      })
    : undefined;

  Tags.of(app).add('app', 'serverless-crm');
  if (config.stage) Tags.of(app).add('stage', config.stage);

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return {
    data,
    messaging,
    schedule,
    api,
    reporting,
    files,
    console: webConsole,
    consoleConfig,
    ...(inbound ? { inbound } : {}),
  };
}
