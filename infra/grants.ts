import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { tableDefinition } from '#shared/store/table';

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

/** Emailing through SES (v2 SendEmail authorises as ses:SendEmail; raw content as ses:SendRawEmail). */
export const mailSendActions = ['ses:SendEmail', 'ses:SendRawEmail'] as const;

/**
 * Lets `grantee` manage schedules of one group only (`schedule/<group>/*`) and pass the
 * scheduler's execution role, to EventBridge Scheduler only, when it creates or updates one.
 */
export function grantScheduling(
  grantee: IGrantable,
  access: { readonly scheduleArnPattern: string; readonly schedulerRoleArn: string },
): void {
  const principal = grantee.grantPrincipal;
  principal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...scheduleManageActions], resources: [access.scheduleArnPattern] }),
  );
  principal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [access.schedulerRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
}
