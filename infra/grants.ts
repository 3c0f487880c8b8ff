import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ScheduleTarget } from '#shared/schedule/scheduler';
import { tableDefinition } from '#shared/store/table';
import type { CrmConfig } from './config.ts';

/**
 * Table access as explicit action lists. CDK's grantReadData/grantReadWriteData also
 * allow Scan (and DescribeTable, ...); no request, schedule or stream path may scan,
 * so the permissions say so too.
 */
export const tableReadActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
] as const;

export const tableWriteActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

export type TableAccess = 'read' | 'readWrite';

/**
 * Grants `access` on the table. Reads also cover each index by name (no `index/*` wildcard,
 * so an index added to the table definition is granted explicitly on the next deploy);
 * writes only go to the table, since indexes cannot be written.
 * TransactWriteItems/TransactGetItems need no action of their own: IAM checks the
 * Put/Update/Delete/ConditionCheck/Get action of each item in the transaction.
 */
export function grantTable(grantee: IGrantable, table: ITableV2, access: TableAccess): void {
  const indexArns = tableDefinition.indexes.map((index) => `${table.tableArn}/index/${index.name}`);
  const principal = grantee.grantPrincipal;
  principal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...tableReadActions], resources: [table.tableArn, ...indexArns] }),
  );
  if (access === 'readWrite') {
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...tableWriteActions], resources: [table.tableArn] }),
    );
  }
}

/** What a function that creates, moves and cancels schedules may do in EventBridge Scheduler. */
export const scheduleManageActions = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
  'scheduler:GetSchedule',
] as const;

/**
 * Emailing through SES (v2 SendEmail authorises as ses:SendEmail; raw content as ses:SendRawEmail;
 * the campaign sender's v2 SendBulkEmail as ses:SendBulkEmail).
 */
export const mailSendActions = ['ses:SendEmail', 'ses:SendRawEmail', 'ses:SendBulkEmail'] as const;

/** What a function needs to create schedules (shared/schedule/eventbridge-scheduler.ts), from the schedule stack. */
export interface ScheduleWiring {
  readonly groupName: string;
  /** `arn:<partition>:scheduler:<region>:<account>:schedule/<group>/*`: the only schedules it may touch. */
  readonly scheduleArnPattern: string;
  readonly schedulerRoleArn: string;
  readonly deadLetterQueueArn: string;
  readonly targetArns: Readonly<Record<ScheduleTarget, string>>;
}

/**
 * What the users function does in Cognito when an admin creates or changes a user
 * (shared/identity/cognito-directory.ts). AdminDeleteUser only undoes a Cognito user whose
 * table record could not be written (duplicate email, missing team).
 */
export const userPoolAdminActions = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:AdminUpdateUserAttributes',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminEnableUser',
] as const;

/**
 * Lets `grantee` manage schedules of one group only (`schedule/<group>/*`) and pass the
 * scheduler's execution role, to EventBridge Scheduler only, when it creates or updates one.
 */
export function grantScheduling(
  grantee: IGrantable,
  access: { readonly scheduleArnPattern: string; readonly schedulerRoleArn: string },
  options: { readonly cancelOnly?: boolean } = {},
): void {
  const principal = grantee.grantPrincipal;
  // A function that only ends schedules (the stream consumer) needs neither create nor the role.
  const actions = options.cancelOnly ? ['scheduler:DeleteSchedule'] : [...scheduleManageActions];
  principal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [access.scheduleArnPattern] }));
  if (options.cancelOnly) return;
  principal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [access.schedulerRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
}

/**
 * Campaign and sequence email: SES sending as any verified identity of this account and region
 * (a campaign names its own From address), through the deployment's configuration set, and
 * reading the account's MaxSendRate (GetAccount has no resource to scope to).
 */
export function grantCampaignMail(fn: IFunction, configurationSetName: string): void {
  const stack = Stack.of(fn);
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'ses', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const principal = fn.grantPrincipal;
  principal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...mailSendActions],
      resources: [arn('identity', '*'), arn('configuration-set', configurationSetName)],
    }),
  );
  principal.addToPrincipalPolicy(new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
}

/** The cdk-nag acknowledgement for grantCampaignMail's `identity/*`, on the role of `functionName`. */
export const campaignMailAcknowledgement = (functionName: string) => ({
  id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
  reason:
    `${functionName} sends as the From address each campaign or sequence names, so any verified SES ` +
    'identity of this account and region; SES itself refuses unverified ones, and every send must name ' +
    "this deployment's configuration set.",
});

/** The cdk-nag acknowledgement for grantCampaignMail's `ses:GetAccount` on `*`. */
export const sendRateAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    "ses:GetAccount (the account's MaxSendRate, which paces campaign and sequence email) has no " +
    'resource to scope to, so it is granted on "*" and on nothing else.',
};

/** The cdk-nag acknowledgement for grantScheduling's `schedule/<group>/*`, on the role of `functionName`. */
export const scheduleGroupAcknowledgement = (groupName: string, functionName: string, why: string) => ({
  // As cdk-nag prints the pattern (pseudo parameters in angle brackets).
  id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*]`,
  reason: `Schedule names are per record (${why}), so ${functionName} manages schedule/${groupName}/*: every schedule of this deployment's group, nothing else.`,
});

/**
 * What transactional senders may send as: the sender address's identity and its domain's (SES
 * authorises by whichever is verified), or any identity while no sender is configured.
 */
export function mailIdentityArns(stack: Stack, config: Pick<CrmConfig, 'mailFrom'>): string[] {
  if (!config.mailFrom) return ['*'];
  const domain = config.mailFrom.slice(config.mailFrom.lastIndexOf('@') + 1);
  return [config.mailFrom, domain].map((identity) =>
    stack.formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: identity,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }),
  );
}

/**
 * The cdk-nag acknowledgement for a transactional sender's `Resource::*` while no sender is
 * configured (mailIdentityArns).
 */
export const unscopedMailAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    'ses:SendEmail/SendRawEmail need "*" while no sender is configured, because the ' +
    'verified SES identity is unknown at synth. Deploy with -c mailFrom=<address> to limit sending to ' +
    'that address and its domain.',
};
