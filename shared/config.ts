import { env } from './env.ts';

/**
 * The environment, read through one typed object (names in shared/env.ts). Getters read
 * `process.env` on each use, so a value set later (the local runtime sets the handlers'
 * environment before importing them) is seen. Endpoints for local emulators come from the
 * SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2, ...), so no handler
 * knows whether it runs in AWS or under `npm start`.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** The value as set (possibly empty); undefined when unset. */
const optional = (name: string): string | undefined => process.env[name];

export const config = {
  get tableName(): string {
    return required(env.tableName);
  },
  /** `cognito` in AWS; `local` under `npm start`, where the token CLI stands in for sign-up. */
  get userDirectory(): 'cognito' | 'local' {
    return optional(env.userDirectory) === 'cognito' ? 'cognito' : 'local';
  },
  get userPoolId(): string {
    return required(env.userPoolId);
  },
  /** The signing key itself (`npm start`); undefined in AWS, where `signingSecretArn` names it. */
  get signingSecret(): string | undefined {
    return optional(env.signingSecret) || undefined;
  },
  /** The Secrets Manager secret of the signing key (AWS). */
  get signingSecretArn(): string | undefined {
    return optional(env.signingSecretArn) || undefined;
  },
  /** The API's public base URL for links in emails (a custom domain); undefined: not configured. */
  get publicApiUrl(): string | undefined {
    return optional(env.publicApiUrl);
  },
  /** Sender of transactional email; undefined: the mailer's default. */
  get mailFrom(): string | undefined {
    return optional(env.mailFrom);
  },
  /** The SES configuration set every campaign and sequence email names. */
  get sesConfigurationSet(): string | undefined {
    return optional(env.sesConfigurationSet);
  },
  /** Emails per second across senders, as configured (a number or `unlimited`); parsed by the send budget. */
  get sendRatePerSecond(): string | undefined {
    return optional(env.sendRatePerSecond);
  },
  /** `eventbridge` in AWS; `local` (the stand-in) otherwise. */
  get scheduler(): 'eventbridge' | 'local' {
    return optional(env.schedule.scheduler) === 'eventbridge' ? 'eventbridge' : 'local';
  },
  /** EventBridge Scheduler group of this deployment (functions that create schedules). */
  get scheduleGroup(): string {
    return required(env.schedule.group);
  },
  /** The role EventBridge Scheduler assumes to invoke the targets and write to the DLQ. */
  get schedulerRoleArn(): string {
    return required(env.schedule.roleArn);
  },
  /** Where EventBridge Scheduler puts an invocation it could not deliver. */
  get scheduleDlqArn(): string {
    return required(env.schedule.dlqArn);
  },
  /** The Lambda function of a schedule target (`reminder`, `slaCheck`, ...). */
  scheduleTargetArn(target: string): string {
    return required(env.schedule.targetArn(target));
  },
  /** The local stand-in's own table (`npm start` only; EventBridge keeps schedules outside our table). */
  get localScheduleTable(): string {
    return required(env.schedule.localTable);
  },
  /** The S3 bucket of a file kind (`imports`, `exports`, `inbound`); its endpoint is the SDK's (AWS_ENDPOINT_URL_S3 locally). */
  bucket(name: 'imports' | 'exports' | 'inbound'): string {
    return required(env.buckets[name]);
  },
  /** A local S3 endpoint (AWS_ENDPOINT_URL_S3, `npm start`): addressed path-style; undefined in AWS. */
  get localS3Endpoint(): string | undefined {
    return optional('AWS_ENDPOINT_URL_S3') || undefined;
  },
  /** `sqs` in AWS; `local` (the stand-in) otherwise. */
  get queue(): 'sqs' | 'local' {
    return optional(env.queue.queue) === 'sqs' ? 'sqs' : 'local';
  },
  /** The SQS URL of a work queue (`campaignSend`, ...). */
  queueUrl(queue: string): string {
    return required(env.queue.url(queue));
  },
  /** The SQS stand-in's own table (`npm start` only). */
  get localQueueTable(): string {
    return required(env.queue.localTable);
  },
  /** The stream's failure queue, where the consumer sets aside records it can never apply (AWS). */
  get streamFailureQueueUrl(): string | undefined {
    return optional(env.streamFailures.queueUrl);
  },
  /** The local poller's file of skipped records (`npm start` only). */
  get localStreamFailureFile(): string | undefined {
    return optional(env.streamFailures.localFile);
  },
  /** `eventbridge` in AWS; `local` (the stand-in recording what would be sent) otherwise. */
  get eventBus(): 'eventbridge' | 'local' {
    return optional(env.events.bus) === 'eventbridge' ? 'eventbridge' : 'local';
  },
  /** The custom EventBridge bus of the domain events (AWS). */
  get eventBusName(): string {
    return required(env.events.busName);
  },
  /** The SQS queue of the domain events the bus kept refusing (AWS). */
  get eventBusDlqUrl(): string {
    return required(env.events.dlqUrl);
  },
  /** The local stand-in's JSONL file of sent events (`npm start`); unset: kept in memory. */
  get localEventsFile(): string | undefined {
    return optional(env.events.localFile) || undefined;
  },
  /** The local web inbox of sent email (`npm start` only; undefined in AWS). */
  get localInboxUrl(): string | undefined {
    return optional(env.localInboxUrl) || undefined;
  },
  /** The local SES's record of accepted mail by claim id (`npm start` only; undefined in AWS). */
  get localSesLedgerUrl(): string | undefined {
    return optional(env.localSesLedgerUrl);
  },
  /** The domain of the logging addresses (`cdk deploy -c inboundEmailDomain=...`; a fixed local one under `npm start`); undefined: none. */
  get inboundEmailDomain(): string | undefined {
    return optional(env.inboundEmailDomain)?.toLowerCase() || undefined;
  },
  /** The Bedrock model id for segment suggestions (`cdk deploy -c nlModel=...`); undefined: none. */
  get nlModelId(): string | undefined {
    return optional(env.nlModelId) || undefined;
  },
  /**
   * Whether webhooks may target http URLs and private, loopback or link-local addresses: only
   * where WEBHOOK_LOCAL_TARGETS is `allow` (`npm start`, tests); AWS refuses them (SSRF guard,
   * shared/domain/webhook-targets.ts).
   */
  get webhookLocalTargets(): boolean {
    return optional(env.webhookLocalTargets) === 'allow';
  },
  /**
   * The `service` of log lines and metrics: POWERTOOLS_SERVICE_NAME, else the Lambda
   * function's name, else `crm` (`npm start` and tests, where functions share a process).
   */
  get serviceName(): string {
    return optional(env.observability.serviceName) || optional(env.observability.lambdaFunctionName) || 'crm';
  },
  /** CloudWatch namespace of the business metrics (`ServerlessCrm` where unset). */
  get metricsNamespace(): string {
    return optional(env.observability.metricsNamespace) || 'ServerlessCrm';
  },
  /**
   * Whether EMF lines are written: in Lambda, or wherever POWERTOOLS_METRICS_DISABLED
   * is set (Powertools then decides by its value); elsewhere they would be noise.
   */
  get metricsPublished(): boolean {
    return (
      optional(env.observability.lambdaFunctionName) !== undefined ||
      optional(env.observability.metricsDisabled) !== undefined
    );
  },
};

/** Environment names of the scheduling layer (part of shared/env.ts). */
export const scheduleEnv = env.schedule;
