/**
 * Every environment variable a function reads, by name: the one list that the typed
 * reader (shared/config.ts), the CDK constructs (infra/constructs/crm-function.ts) and
 * the local runtime (infra/local/runtime.ts) share. Values are documented where they are read.
 */

/** The scheduling layer. SCHEDULER is `eventbridge` in AWS, `local` under `npm start`. */
const schedule = {
  scheduler: 'SCHEDULER',
  group: 'SCHEDULE_GROUP',
  roleArn: 'SCHEDULER_ROLE_ARN',
  dlqArn: 'SCHEDULE_DLQ_ARN',
  localTable: 'LOCAL_SCHEDULE_TABLE',
  /** `SCHEDULE_TARGET_REMINDER_ARN`, `SCHEDULE_TARGET_SLACHECK_ARN`, ... */
  targetArn: (target: string): string => `SCHEDULE_TARGET_${target.toUpperCase()}_ARN`,
} as const;

/** The work queues. QUEUE is `sqs` in AWS, `local` under `npm start`. */
const queue = {
  queue: 'QUEUE',
  /** `CAMPAIGN_SEND_QUEUE_URL`, ... (queue names are camelCase). */
  url: (name: string): string => `${name.replace(/[A-Z]/g, (char) => `_${char}`).toUpperCase()}_QUEUE_URL`,
  localTable: 'LOCAL_QUEUE_TABLE',
} as const;

/** Where the stream consumer sets aside records it can never apply. */
const streamFailures = {
  /** The stream's failure queue (AWS). */
  queueUrl: 'STREAM_FAILURE_QUEUE_URL',
  /** The JSONL file the local poller writes skipped records to (`npm start`). */
  localFile: 'LOCAL_STREAM_FAILURE_FILE',
} as const;

/** The domain events' bus (shared/events/). EVENT_BUS is `eventbridge` in AWS, `local` under `npm start`. */
const events = {
  bus: 'EVENT_BUS',
  /** The custom EventBridge bus the events are put on (AWS). */
  busName: 'EVENT_BUS_NAME',
  /** The SQS queue of events the bus kept refusing (AWS). */
  dlqUrl: 'EVENT_BUS_DLQ_URL',
  /** The JSONL file the local stand-in records events in (`npm start`). */
  localFile: 'LOCAL_EVENTS_FILE',
} as const;

/** The S3 bucket of each file kind (shared/storage/object-store.ts). */
const buckets = {
  imports: 'IMPORTS_BUCKET',
  exports: 'EXPORTS_BUCKET',
  /** Raw received mail, as SES's receipt rule stores it (functions/events/inboundEmail.ts). */
  inbound: 'INBOUND_MAIL_BUCKET',
} as const;

/** Powertools' own variables (logger and metrics), and the name Lambda gives the function. */
const observability = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Set (to anything) to let Powertools decide whether EMF lines are written; unset outside Lambda: dropped. */
  metricsDisabled: 'POWERTOOLS_METRICS_DISABLED',
  lambdaFunctionName: 'AWS_LAMBDA_FUNCTION_NAME',
} as const;

export const env = {
  tableName: 'TABLE_NAME',
  /** `cognito` in AWS; anything else (`local`) under `npm start`. */
  userDirectory: 'USER_DIRECTORY',
  userPoolId: 'USER_POOL_ID',
  /** The signing key itself (`npm start`). */
  signingSecret: 'SIGNING_SECRET',
  /** The Secrets Manager secret holding the signing key (AWS). */
  signingSecretArn: 'SIGNING_SECRET_ARN',
  publicApiUrl: 'PUBLIC_API_URL',
  mailFrom: 'MAIL_FROM',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  sendRatePerSecond: 'SEND_RATE_PER_SECOND',
  localInboxUrl: 'LOCAL_INBOX_URL',
  localSesLedgerUrl: 'LOCAL_SES_LEDGER_URL',
  /** The domain of the tenants' logging addresses (`log-<token>@<domain>`); unset: no inbound email. */
  inboundEmailDomain: 'INBOUND_EMAIL_DOMAIN',
  /** The Bedrock model (or inference profile) id that suggests segment filters; unset: no suggestions. */
  nlModelId: 'NL_MODEL_ID',
  /**
   * `allow` under `npm start` and in tests: webhooks may target http URLs and private or loopback
   * addresses (a listener on this machine). Unset in AWS, where such targets are refused.
   */
  webhookLocalTargets: 'WEBHOOK_LOCAL_TARGETS',
  schedule,
  queue,
  streamFailures,
  events,
  buckets,
  observability,
} as const;
