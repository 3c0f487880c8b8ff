import { type HttpFunctionName, httpFunctions } from '#shared/api/catalogue';
import type { RouteDef } from '#shared/api/route';
import { type QueueName, queueConsumerTimeoutMs } from '#shared/queue/queue';
import { type ScheduleTarget, scheduleTargetTimeoutMs } from '#shared/schedule/scheduler';
import type { BucketName } from '#shared/storage/object-store';
import type { TableAccess } from './grants.ts';

/**
 * Every Lambda function of the CRM, in one list: what triggers it, its entry file and
 * what it uses. The CDK stacks create their functions from it (crm-function.ts turns
 * `uses` into environment variables and their least-privilege grants), the local runtime
 * imports handlers from it, and `npm run routes` prints it. Plain data: no CDK import,
 * so the local runtime loads it without the CDK.
 */

export type LambdaKind = 'http' | 'stream' | 'schedule' | 'queue' | 'events' | 'mail';

export type LambdaTrigger =
  | { readonly kind: 'http'; readonly routes: readonly RouteDef[] }
  /** The table's stream (DynamoDB Streams). */
  | { readonly kind: 'stream' }
  /** One-time EventBridge Scheduler schedules of this target. */
  | { readonly kind: 'schedule'; readonly target: ScheduleTarget }
  | { readonly kind: 'queue'; readonly queue: QueueName }
  /** EventBridge events of the deployment's SES configuration set. */
  | { readonly kind: 'events'; readonly source: 'aws.ses' }
  /**
   * SES receipt: the Lambda action of the rule that receives the inbound domain (after its S3
   * action stored the message); only deployed when `inboundEmailDomain` is configured.
   */
  | { readonly kind: 'mail'; readonly source: 'ses.receipt' };

/** What a function touches beyond its own logs; each item is an env var set together with its grant. */
export interface LambdaUses {
  /** TABLE_NAME, and read or read-write access to the table and its indexes (never Scan). */
  readonly table?: TableAccess;
  /** USER_DIRECTORY=cognito: users are managed in (and looked up from) Cognito, not the local token tool. */
  readonly userDirectory?: true;
  /** USER_POOL_ID, and the Cognito admin actions on that pool (creating and changing users). */
  readonly userPool?: true;
  /** SIGNING_SECRET_ARN (and PUBLIC_API_URL when configured), and reading that secret. */
  readonly signingKey?: true;
  /**
   * The scheduling environment, and managing (or only deleting) schedules of the group.
   * `names`: the schedule names it uses, for the acknowledgement of the group-wide pattern.
   */
  readonly scheduler?: { readonly access: 'manage' | 'cancel'; readonly names: string };
  /** QUEUE=sqs and `<QUEUE>_QUEUE_URL`, and sending to that queue. */
  readonly sendsTo?: readonly QueueName[];
  /**
   * `transactional`: MAIL_FROM, and sending as that identity (any, when none is configured).
   * `campaign`: the configuration set, sender and send rate, sending as any verified identity
   * through that set, and reading the account's quota.
   */
  readonly mail?: 'transactional' | 'campaign';
  /** STREAM_FAILURE_QUEUE_URL, and sending to the stream's failure queue. */
  readonly streamFailures?: true;
  /**
   * EVENT_BUS=eventbridge, EVENT_BUS_NAME and EVENT_BUS_DLQ_URL, and `events:PutEvents` on the
   * domain events' bus only, and sending to its DLQ (shared/events/eventbridge-bus.ts).
   */
  readonly eventBus?: true;
  /**
   * `<NAME>_BUCKET` of each bucket named, and the object actions on the keys of the patterns
   * given (IAM wildcards after the bucket ARN): `read` GetObject (a HEAD and a presigned GET
   * need it too), `write` PutObject (and a presigned PUT). Nothing else: no listing, no delete.
   */
  readonly buckets?: Readonly<Partial<Record<BucketName, ObjectAccess>>>;
  /**
   * NL_MODEL_ID and `bedrock:InvokeModel` on that model (and, for an inference profile, on the
   * profile), only when the deployment names one (`-c nlModel=<id>`); otherwise nothing.
   */
  readonly languageModel?: true;
  /** INBOUND_EMAIL_DOMAIN, only when the deployment names one (`-c inboundEmailDomain=...`); no grant. */
  readonly inboundEmail?: true;
}

/** Key patterns of a bucket a function may read or write, e.g. `*-errors.csv`. */
export interface ObjectAccess {
  readonly read?: string;
  readonly write?: string;
}

export interface LambdaSpec {
  /** Catalogue name: the HTTP function, schedule target or queue name. */
  readonly name: string;
  /** Entry file relative to the repository root. */
  readonly entry: string;
  readonly trigger: LambdaTrigger;
  readonly description: string;
  readonly uses: LambdaUses;
  /** Default 512 (crm-function.ts). */
  readonly memoryMb?: number;
  /** Default 10 s (crm-function.ts). */
  readonly timeoutMs?: number;
  /** Construct id when it is not `<name>-function`: kept so that a deployed function is not replaced. */
  readonly constructId?: string;
  /** Who the scheduler acknowledgement names, when not the catalogue name. */
  readonly actor?: string;
  /**
   * Files the code reads at run time, copied into the package next to the bundle when it is
   * built: `from` relative to the repository root, `to` relative to the bundle's folder.
   */
  readonly files?: readonly { readonly from: string; readonly to: string }[];
}

/**
 * Swagger UI's script and styles for `/docs`, which functions/http/docs-assets.ts reads from
 * `swagger-ui/` next to the bundle (a build-time copy: swagger-ui-dist stays a dev dependency).
 */
export const swaggerUiFiles = ['swagger-ui-bundle.js', 'swagger-ui.css'].map((file) => ({
  from: `node_modules/swagger-ui-dist/${file}`,
  to: `swagger-ui/${file}`,
}));

/** Every HTTP function reads and writes the table and signs cursors and links, unless listed otherwise. */
const httpDefaults: LambdaUses = { table: 'readWrite', userDirectory: true, signingKey: true };
const httpSchedules = 'reminder-<activityId>, sla-<caseId>, campaign-<id>, sequence steps';

function http<N extends HttpFunctionName>(
  name: N,
  uses: LambdaUses = httpDefaults,
): LambdaSpec & { name: N } {
  return {
    name,
    entry: `functions/http/${name}.ts`,
    trigger: { kind: 'http', routes: httpFunctions[name] },
    description: `CRM HTTP API: ${name}`,
    uses,
  };
}

function scheduleTarget<T extends ScheduleTarget>(
  target: T,
  description: string,
  uses: LambdaUses = {},
): LambdaSpec & { name: T } {
  return {
    name: target,
    entry: `functions/schedule/${target}.ts`,
    trigger: { kind: 'schedule', target },
    description,
    uses: { table: 'readWrite', userDirectory: true, ...uses },
    timeoutMs: scheduleTargetTimeoutMs[target],
  };
}

export const lambdas = [
  { ...http('meta', {}), files: swaggerUiFiles }, // health, OpenAPI and docs: no data at all
  http('users', { ...httpDefaults, userPool: true }),
  http('teams'),
  http('companies'),
  http('contacts'),
  http('leads'),
  http('reports', { table: 'read', userDirectory: true, signingKey: true }),
  http('pipelines'),
  http('deals'),
  http('products'),
  http('quotes'),
  http('cases', { ...httpDefaults, scheduler: { access: 'manage', names: httpSchedules } }),
  // Also shows the tenant's logging address for inbound email (`/settings/inbound-email`).
  http('activities', {
    ...httpDefaults,
    scheduler: { access: 'manage', names: httpSchedules },
    inboundEmail: true,
  }),
  http('collaboration'),
  http('segments', { ...httpDefaults, languageModel: true }),
  http('templates'),
  http('campaigns', { ...httpDefaults, scheduler: { access: 'manage', names: httpSchedules } }),
  // A segment larger than one request enrolls is queued to the enrollment worker (202 with a job).
  http('sequences', {
    ...httpDefaults,
    scheduler: { access: 'manage', names: httpSchedules },
    sendsTo: ['sequenceEnroll'],
  }),
  http('tracking'),
  // A rebuild below the background threshold answers within API Gateway's 29 s.
  { ...http('admin', { ...httpDefaults, sendsTo: ['reportRebuild'] }), timeoutMs: 29_000, memoryMb: 1024 },
  http('fields'),
  // Presigns the upload (a PUT of `<tenant>/<id>.csv`) and the error report's download.
  http('imports', { ...httpDefaults, buckets: { imports: { write: '*.csv', read: '*-errors.csv' } } }),
  scheduleTarget('reminder', 'CRM schedule: activity reminder (email and notification)', {
    mail: 'transactional',
  }),
  scheduleTarget('slaCheck', 'CRM schedule: case SLA check (notifications)'),
  {
    ...scheduleTarget(
      'campaignStart',
      'CRM schedule: campaign start (freezes the recipients, queues them for sending)',
      // An A/B campaign's start schedules its winner decision (`campaign-<id>-w`).
      { sendsTo: ['campaignSend'], scheduler: { access: 'manage', names: 'campaign-<id>-w' } },
    ),
    memoryMb: 1024,
  },
  scheduleTarget('sequenceStep', 'CRM schedule: follow-up sequence step (one email, then the next step)', {
    signingKey: true,
    mail: 'campaign',
    scheduler: { access: 'manage', names: 'one per enrollment and step' },
  }),
  scheduleTarget(
    'alertScan',
    'CRM recurring schedule: alerts (stale deals, missed SLA breaches) for every tenant, as notifications',
  ),
  scheduleTarget(
    'sequenceSweep',
    'CRM recurring schedule: sequence steps left pending by a firing that died, fired again or settled',
    // Fires a stuck step again through its own schedule name; settles its open claim without calling SES.
    { scheduler: { access: 'manage', names: 'one per enrollment and step' } },
  ),
  {
    name: 'campaignSend',
    entry: 'functions/queue/campaignSend.ts',
    trigger: { kind: 'queue', queue: 'campaignSend' },
    description: 'CRM campaign sender: one queue message of recipients through SES at the shared rate',
    uses: { table: 'readWrite', signingKey: true, mail: 'campaign' },
    timeoutMs: queueConsumerTimeoutMs.campaignSend,
  },
  {
    name: 'sequenceEnroll',
    entry: 'functions/queue/sequenceEnroll.ts',
    trigger: { kind: 'queue', queue: 'sequenceEnroll' },
    description:
      "CRM sequence enrollment worker: a large segment's contacts into a sequence, chunk by chunk, counted once",
    // Resolves the segment, writes the job's chunks and the enrollments, creates each first step's
    // schedule, and queues the chunks to itself.
    uses: {
      table: 'readWrite',
      scheduler: { access: 'manage', names: 'one per enrollment and step' },
      sendsTo: ['sequenceEnroll'],
    },
    memoryMb: 1024,
    timeoutMs: queueConsumerTimeoutMs.sequenceEnroll,
  },
  {
    name: 'reportRebuild',
    entry: 'functions/queue/reportRebuild.ts',
    trigger: { kind: 'queue', queue: 'reportRebuild' },
    description: "CRM report rebuild: recomputes a tenant's report aggregates in resumable pages",
    uses: { table: 'readWrite', sendsTo: ['reportRebuild'] },
    memoryMb: 1024,
    timeoutMs: queueConsumerTimeoutMs.reportRebuild,
  },
  // Exports: a small list answered in the response (within API Gateway's 29 s), a large one queued.
  {
    ...http('exports', {
      table: 'readWrite',
      userDirectory: true,
      // Verifies shared list links (`/l/{token}`).
      signingKey: true,
      sendsTo: ['exportJobs'],
      // Presigned downloads of finished exports (`<tenant>/<exportId>.<ext>`).
      buckets: { exports: { read: '*' } },
    }),
    timeoutMs: 29_000,
    memoryMb: 1024,
  },
  // Saved list views: reads the custom field definitions a view's filter and columns name.
  http('views'),
  // Webhooks: `POST /webhooks/{id}/test` delivers at once (5 s of DNS and 10 s of request at most), within API
  // Gateway's 29 s; registering resolves the host too (5 s at most).
  { ...http('webhooks'), timeoutMs: 20_000 },
  // Web-to-lead forms: the admin routes and the public submit, which emails double opt-in confirmations.
  http('forms', { ...httpDefaults, mail: 'transactional' }),
  {
    name: 'exportJobs',
    entry: 'functions/queue/exportJobs.ts',
    trigger: { kind: 'queue', queue: 'exportJobs' },
    description:
      'CRM export worker: writes a large export (CSV, JSON, vCard) to the exports bucket page by page',
    // Reads the records; writes only its job item (lease, outcome) and the export files.
    uses: { table: 'readWrite', buckets: { exports: { write: '*' } } },
    memoryMb: 1024,
    timeoutMs: queueConsumerTimeoutMs.exportJobs,
  },
  {
    name: 'importChunks',
    entry: 'functions/queue/importChunks.ts',
    trigger: { kind: 'queue', queue: 'importChunks' },
    description: "CRM CSV import worker: an upload's rows into records, chunk by chunk, resumable",
    // Reads the uploaded file, writes the table (records, markers, the owner's notification) and the
    // error report beside the file; queues its own continuation when its time runs short.
    uses: {
      table: 'readWrite',
      sendsTo: ['importChunks'],
      buckets: { imports: { read: '*', write: '*-errors.csv' } },
    },
    memoryMb: 1024,
    timeoutMs: queueConsumerTimeoutMs.importChunks,
  },
  {
    name: 'webhookDeliveries',
    entry: 'functions/queue/webhookDeliveries.ts',
    trigger: { kind: 'queue', queue: 'webhookDeliveries' },
    description:
      "CRM webhook deliveries: one signed POST of a domain event to a tenant's endpoint, retried with backoff",
    // Reads the webhook, claims the delivery, holds a slot, logs the attempt, notifies the owner of a disabling;
    // queues its own retries (with a delay) and put-backs.
    uses: { table: 'readWrite', sendsTo: ['webhookDeliveries'] },
    timeoutMs: queueConsumerTimeoutMs.webhookDeliveries,
  },
  {
    name: 'sesEvents',
    entry: 'functions/events/sesEvents.ts',
    trigger: { kind: 'events', source: 'aws.ses' },
    description: 'CRM SES events: delivery, bounce, complaint, reject to recipients, suppression, contacts',
    uses: { table: 'readWrite' },
    timeoutMs: 30_000,
  },
  {
    name: 'inboundEmail',
    entry: 'functions/events/inboundEmail.ts',
    trigger: { kind: 'mail', source: 'ses.receipt' },
    description: 'CRM inbound email: mail to the logging addresses as email activities (contacts, new leads)',
    // Reads the raw message SES stored; writes the activities, the lead and the message marker.
    uses: { table: 'readWrite', inboundEmail: true, buckets: { inbound: { read: 'inbound/*' } } },
    // A message may be SES's maximum (40 MB) with its attachments held while parsing.
    memoryMb: 1024,
    timeoutMs: 60_000,
  },
  {
    name: 'tableChanges',
    entry: 'functions/stream/tableChanges.ts',
    trigger: { kind: 'stream' },
    description: 'CRM table stream: report aggregates, timelines, notifications, domain events',
    uses: {
      table: 'readWrite',
      streamFailures: true,
      eventBus: true,
      // The webhook fan-out: one delivery message per (webhook, event).
      sendsTo: ['webhookDeliveries'],
      scheduler: {
        access: 'cancel',
        names:
          'a sequence step per enrollment, deleted when an exit condition or an erasure ends the enrollment',
      },
    },
    // A batch of 100 records runs several transactions; far below the stream's patience.
    timeoutMs: 60_000,
    constructId: 'aggregates-function',
    actor: 'the stream consumer',
  },
] as const satisfies readonly LambdaSpec[];

export type LambdaName = (typeof lambdas)[number]['name'];

/** The functions of one kind, in catalogue order. */
export function lambdasOf<K extends LambdaKind>(
  kind: K,
): (LambdaSpec & { readonly trigger: Extract<LambdaTrigger, { kind: K }> })[] {
  return (lambdas as readonly LambdaSpec[]).filter(
    (spec): spec is LambdaSpec & { readonly trigger: Extract<LambdaTrigger, { kind: K }> } =>
      spec.trigger.kind === kind,
  );
}

/** The function of `name`; throws for a name not in the catalogue (a name from outside the type system). */
export function lambda(name: LambdaName): LambdaSpec {
  const spec = (lambdas as readonly LambdaSpec[]).find((candidate) => candidate.name === name);
  if (!spec) throw new Error(`No Lambda function named ${name} in infra/lambdas.ts`);
  return spec;
}

/** The entry of the HTTP function `name`. */
export const httpEntry = (name: HttpFunctionName): string => lambda(name).entry;

/** The entry of the function a schedule target invokes. */
export function scheduleTargetEntry(target: ScheduleTarget): string {
  const spec = lambdasOf('schedule').find((candidate) => candidate.trigger.target === target);
  if (!spec) throw new Error(`No Lambda function for schedule target ${target}`);
  return spec.entry;
}

/** The entry of the function that consumes `queue`. */
export function queueConsumerEntry(queue: QueueName): string {
  const spec = lambdasOf('queue').find((candidate) => candidate.trigger.queue === queue);
  if (!spec) throw new Error(`No Lambda function consumes the ${queue} queue`);
  return spec.entry;
}

/** The table stream's consumer. */
export const streamEntry = (): string => oneOf('stream').entry;

/** The SES events handler. */
export const sesEventsEntry = (): string => oneOf('events').entry;

/** The inbound email handler (SES receipt rule, or the local SMTP listener). */
export const inboundEmailEntry = (): string => oneOf('mail').entry;

function oneOf(kind: 'stream' | 'events' | 'mail'): LambdaSpec {
  const [spec, ...others] = lambdasOf(kind);
  if (!spec || others.length > 0)
    throw new Error(`Expected exactly one ${kind} function in infra/lambdas.ts`);
  return spec;
}
