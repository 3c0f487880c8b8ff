/**
 * Environment read once per container. Endpoints for local emulators come from the
 * SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2, ...),
 * so no handler knows whether it runs in AWS or under `npm start`.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

export const config = {
  get tableName(): string {
    return required('TABLE_NAME');
  },
  /** `cognito` in AWS; `local` under `npm start`, where the token CLI stands in for sign-up. */
  get userDirectory(): 'cognito' | 'local' {
    return process.env.USER_DIRECTORY === 'cognito' ? 'cognito' : 'local';
  },
  get userPoolId(): string {
    return required('USER_POOL_ID');
  },
  /** EventBridge Scheduler group of this deployment (functions that create schedules). */
  get scheduleGroup(): string {
    return required(scheduleEnv.group);
  },
  /** The role EventBridge Scheduler assumes to invoke the targets and write to the DLQ. */
  get schedulerRoleArn(): string {
    return required(scheduleEnv.roleArn);
  },
  /** Where EventBridge Scheduler puts an invocation it could not deliver. */
  get scheduleDlqArn(): string {
    return required(scheduleEnv.dlqArn);
  },
  /** The Lambda function of a schedule target (`reminder`, `slaCheck`, ...). */
  scheduleTargetArn(target: string): string {
    return required(scheduleEnv.targetArn(target));
  },
  /** The local web inbox of sent email (`npm start` only; undefined in AWS). */
  get localInboxUrl(): string | undefined {
    return process.env.LOCAL_INBOX_URL || undefined;
  },
  /** The local stand-in's own table (`npm start` only; EventBridge keeps schedules outside our table). */
  get localScheduleTable(): string {
    return required(scheduleEnv.localTable);
  },
};

/**
 * Environment names of the scheduling layer, one place for the CDK stacks, the local
 * runtime and the adapters. SCHEDULER is `eventbridge` in AWS, `local` under `npm start`.
 */
export const scheduleEnv = {
  scheduler: 'SCHEDULER',
  group: 'SCHEDULE_GROUP',
  roleArn: 'SCHEDULER_ROLE_ARN',
  dlqArn: 'SCHEDULE_DLQ_ARN',
  localTable: 'LOCAL_SCHEDULE_TABLE',
  /** `SCHEDULE_TARGET_REMINDER_ARN`, `SCHEDULE_TARGET_SLACHECK_ARN`, ... */
  targetArn: (target: string): string => `SCHEDULE_TARGET_${target.toUpperCase()}_ARN`,
} as const;
