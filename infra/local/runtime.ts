import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { env } from '#shared/env';
import { localQueue } from '#shared/queue/local-queue';
import type { Queue } from '#shared/queue/queue';
import { type RecurringSchedule, recurringSchedules } from '#shared/schedule/scheduler';
import { tableDefinition } from '#shared/store/table';
import { DEMO_TENANT } from './console-server.ts';
import { type DataFolderLock, lockDataFolder } from './data-lock.ts';
import { loadOrCreateDevTokenKeys, loadOrCreateSigningSecret } from './dev-secrets.ts';
import { type RunningDynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { StartupError } from './errors.ts';
import { EVENTS_CONTROL_FUNCTION, eventsControlHandler, eventsControlRoutes } from './events-control.ts';
import {
  type LoadHttpHandler,
  type LoadStreamHandler,
  loadCatalogueHttpHandler,
  loadCatalogueStreamHandler,
} from './handler-loader.ts';
import { type HttpServerOptions, type RunningHttpServer, startHttpServer } from './http-server.ts';
import type { TableSetup } from './local-table.ts';
import { consoleLogger, type Logger } from './logger.ts';
import { defaultDataDir } from './paths.ts';
import { findFreePort, portFromEnv } from './ports.ts';
import type { LocalQueueConsumer, LocalQueueConsumerOptions } from './queue-consumer.ts';
import { type LocalRoute, routesFromCatalogue } from './routes.ts';
import type { RunningS3Local, S3ObjectCreated } from './s3-local.ts';
import type { LoadScheduleHandler, LocalSchedulerControl, LocalSchedulerLoop } from './scheduler.ts';
import {
  SCHEDULER_CONTROL_FUNCTION,
  schedulerControlHandler,
  schedulerControlRoutes,
} from './scheduler-control.ts';
import type { RunningSesWithEvents, SesWithEventsOptions } from './ses-events.ts';
import { INBOUND_FAILURES_FILE, LOCAL_INBOUND_DOMAIN, type RunningSmtpLocal } from './smtp-local.ts';
import { tokenRequestProblem } from './tokens.ts';

/**
 * The whole CRM on a laptop: DynamoDB Local with the table from the shared
 * definition, a local SES with its inbox, the API Gateway stand-in serving the same
 * handler modules as AWS, the stream consumer and the EventBridge Scheduler stand-in
 * (scheduler.ts, with its clock exposed as `scheduler` and on /__local/scheduler/*,
 * see scheduler-control.ts). One call starts it, `stop()` ends it.
 */
export interface LocalRuntimeOptions {
  /** State folder (DynamoDB data, dev keys, checkpoints). Default: LOCAL_DATA_DIR or `.local/` in the repo. */
  readonly dataDir?: string;
  /** DynamoDB Local with `-inMemory` and checkpoints in memory: nothing survives `stop()` (tests). */
  readonly inMemory?: boolean;
  /** API port. Default: PORT or 3000; 0 picks a free port. */
  readonly port?: number;
  /** API interface. Default: Node's (every interface, IPv4 and IPv6). */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly dynamoPort?: number;
  /** 0 (default) picks a free port. */
  readonly sesPort?: number;
  /** The S3-compatible server's port. Default: S3_PORT or 0, a free port. */
  readonly s3Port?: number;
  /** The inbound email SMTP listener's port (smtp-local.ts). Default: SMTP_PORT or 0, a free port. */
  readonly smtpPort?: number;
  /** SES event publishing of local sends (ses-events.ts): handler, delay after the send, retries. */
  readonly sesEvents?: Partial<
    Pick<SesWithEventsOptions, 'loadHandler' | 'delayMs' | 'maxAttempts' | 'retryBaseMs'>
  >;
  readonly tableName?: string;
  readonly region?: string;
  readonly streamPollMs?: number;
  /** Attempts on a stream record before it goes to stream-failures.jsonl. Default 3. */
  readonly streamMaxAttempts?: number;
  readonly log?: Logger;
  /** One log line per API request, or per request the function picks. */
  readonly logRequests?: HttpServerOptions['logRequests'];
  /** Default: every route of the catalogue's HTTP functions (infra/lambdas.ts). */
  readonly routes?: readonly LocalRoute[];
  /** Default: import the catalogue's entry of each HTTP function (infra/lambdas.ts). */
  readonly loadHttpHandler?: LoadHttpHandler;
  /** Default: import the catalogue's stream consumer (infra/lambdas.ts). */
  readonly loadStreamHandler?: LoadStreamHandler;
  /** The local-only table of the scheduler stand-in. Default: `<tableName>-schedules`. */
  readonly scheduleTableName?: string;
  /** Default: import the catalogue's entry of each schedule target (infra/lambdas.ts). */
  readonly loadScheduleHandler?: LoadScheduleHandler;
  /** Between the scheduler's passes. Default 250 ms. */
  readonly schedulerPollMs?: number;
  /** Invocations of a failing schedule target before it goes to schedule-failures.jsonl. Default 3. */
  readonly schedulerMaxAttempts?: number;
  /** Delay before a failing target's first retry, doubling after. Default 1000 ms. */
  readonly schedulerRetryBaseMs?: number;
  /** The scheduler's clock. Default: the real one. */
  readonly schedulerClock?: () => Date;
  /** False: schedules fire only through `scheduler.fireDue()` or POST /__local/scheduler/run-due. Default true. */
  readonly schedulerAutoFire?: boolean;
  /**
   * The recurring schedules the scheduler runs on their interval. Default: the
   * catalogue's (recurringSchedules, e.g. the alert job hourly) when the
   * schedule handlers are the catalogue's, none with `loadScheduleHandler`.
   */
  readonly schedulerRecurring?: readonly RecurringSchedule[];
  /** The local-only table of the SQS stand-in. Default: `<tableName>-queues`. */
  readonly queueTableName?: string;
  /** Tuning of the SQS stand-in's consumer (see queue-consumer.ts). */
  readonly queueConsumer?: Partial<Omit<LocalQueueConsumerOptions, 'dynamodb' | 'tableName' | 'region'>>;
  /** How long `stop()` lets a busy handler finish before leaving it behind. Default 2000 ms. */
  readonly stopGraceMs?: number;
  /**
   * Serve the web console at /app from this folder (console/dist, or a promise of it while it
   * builds: console-build.ts). Without it /app is not served (the API tests need no build).
   */
  readonly consoleDistDir?: string | Promise<string>;
  /** Aborting it during start-up (Ctrl-C) ends the start at once, with whatever had started stopped. */
  readonly signal?: AbortSignal;
  /**
   * The data folder's lock (data-lock.ts), if the caller took it already (`npm start` does, before
   * choosing ports); the runtime releases it on `stop()`. Without it a persistent runtime takes
   * it itself; an in-memory one keeps no data in the folder and takes none.
   */
  readonly dataFolderLock?: DataFolderLock;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  readonly inboxUrl: string;
  readonly sesEndpoint: string;
  readonly dynamoEndpoint: string;
  /** The S3-compatible server (imports and exports buckets): its endpoint, buckets and upload events. */
  readonly s3: Pick<RunningS3Local, 'endpoint' | 'buckets' | 'onObjectCreated'>;
  /** The inbound email SMTP listener (smtp-local.ts), and `idle()` once every message it took is handled. */
  readonly smtp: Pick<RunningSmtpLocal, 'port' | 'url' | 'idle'>;
  /** The domain of the tenants' logging addresses (`log-<token>@<domain>`). */
  readonly inboundEmailDomain: string;
  readonly tableName: string;
  readonly dataDir: string;
  readonly region: string;
  readonly tableSetup: TableSetup;
  readonly scheduleTableName: string;
  /** The scheduler stand-in: fire what is due at a given time, list pending schedules. */
  readonly scheduler: LocalSchedulerControl;
  /** The SQS stand-in's consumer: whether a queue has nothing left to process. */
  readonly queues: Pick<LocalQueueConsumer, 'drained'>;
  /** What the handlers see in process.env (set before any handler module is imported). */
  readonly handlerEnv: Readonly<Record<string, string>>;
  readonly startupMs: number;
  stop(): Promise<void>;
}

export const STREAM_FAILURES_FILE = 'stream-failures.jsonl';
export const STREAM_CHECKPOINTS_FILE = 'stream-checkpoints.json';
/** The scheduler stand-in's dead-letter queue: schedules whose target kept failing. */
export const SCHEDULE_FAILURES_FILE = 'schedule-failures.jsonl';
/** The SQS stand-in's dead-letter queue: messages whose consumer kept failing. */
export const QUEUE_FAILURES_FILE = 'queue-failures.jsonl';
/** The event bus stand-in's record of what would have been put on EventBridge. */
export const EVENTS_FILE = 'events.jsonl';

/** The variable listing the names of the handler environment a runtime set in its process. */
export const LOCAL_RUNTIME_ENV = 'CRM_LOCAL_RUNTIME_ENV';
export { INBOUND_FAILURES_FILE, LOCAL_INBOUND_DOMAIN };

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const started = Date.now();
  const log = options.log ?? consoleLogger;
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const tableName = options.tableName ?? 'crm';
  const scheduleTableName = options.scheduleTableName ?? `${tableName}-schedules`;
  const queueTableName = options.queueTableName ?? `${tableName}-queues`;
  const region = options.region ?? 'us-east-1';
  const apiPort = options.port ?? portFromEnv('PORT') ?? 3000;

  const stack: (() => Promise<void>)[] = [];
  /**
   * Components that run handlers (the stream consumer, the scheduler, the queue, SES
   * events) are stopped first and together, and get `stopGraceMs` to finish what they are
   * doing; then they are left behind, like a Lambda killed mid-run, and the next start
   * resumes with the guarantees that hold after any crash (stream batches, firings and
   * queue messages are at least once; a claimed send is never repeated). Ctrl-C never
   * waits for, say, a 10,000-recipient campaign start.
   */
  const handlerRunners: { readonly name: string; readonly stop: () => Promise<void> }[] = [];
  const graceMs = options.stopGraceMs ?? 2000;
  const stopWithinGrace = async ({ name, stop }: (typeof handlerRunners)[number]) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolveLate) => {
      timer = setTimeout(resolveLate, graceMs, 'late');
    });
    const stopped = stop().then(
      () => 'stopped' as const,
      (error: unknown) => log.error(`Local runtime: ${name} failed to stop`, error),
    );
    if ((await Promise.race([stopped, late])) === 'late') {
      log.info(
        `Local runtime: ${name} was still busy after ${graceMs} ms; left as a crash would leave it, for the next start`,
      );
    }
    clearTimeout(timer);
  };
  const stopAll = async () => {
    await Promise.all(handlerRunners.splice(0).map(stopWithinGrace));
    for (const stop of stack.splice(0).reverse()) {
      await stop().catch((error: unknown) => log.error('Local runtime: a component failed to stop', error));
    }
  };

  let markReady: () => void = () => undefined;
  let markFailed: (error: unknown) => void = () => undefined;
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    markReady = resolveReady;
    markFailed = rejectReady;
  });
  ready.catch(() => undefined);

  try {
    await mkdir(dataDir, { recursive: true });
    // Before anything else starts: a folder another live runtime holds stops the start here.
    const lock =
      options.dataFolderLock ?? (options.inMemory ? undefined : await lockDataFolder(dataDir, { log }));
    if (lock) {
      if (resolve(lock.dataDir) !== dataDir)
        throw new Error(`The lock given is for ${lock.dataDir}, not ${dataDir}`);
      stack.push(() => lock.release()); // Stopped last: released once Java has stopped.
    }
    // Created up front, so tokens minted by tests or the CLI meanwhile use the same key.
    const [signingSecret] = await Promise.all([
      loadOrCreateSigningSecret(dataDir),
      loadOrCreateDevTokenKeys(dataDir),
    ]);
    const dynamoPort = options.dynamoPort || (await findFreePort());
    const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;

    // Java is the long pole (seconds), so it starts as early as possible and everything
    // heavy (AWS SDK, the SES emulator, the route catalogue) loads while it boots. Only the
    // API port is claimed before it: a busy port then fails at once, without Java.
    const routes = (
      options.routes
        ? Promise.resolve(options.routes)
        : import('../lambdas.ts').then(({ lambdasOf }) =>
            routesFromCatalogue(
              Object.fromEntries(lambdasOf('http').map((spec) => [spec.name, spec.trigger.routes])),
            ),
          )
    ).then((catalogueRoutes) => [...catalogueRoutes, ...schedulerControlRoutes, ...eventsControlRoutes]);
    routes.catch(() => undefined);
    // Assigned before `ready`; requests reach handlers only after it.
    let schedulerLoop: LocalSchedulerLoop | undefined;
    const scheduler: LocalSchedulerControl = {
      fireDue: (fireOptions) => loopOrThrow().fireDue(fireOptions),
      pending: (pendingOptions) => loopOrThrow().pending(pendingOptions),
      now: () => loopOrThrow().now(),
    };
    const loopOrThrow = () => {
      if (!schedulerLoop) throw new Error('The local scheduler is not running');
      return schedulerLoop;
    };
    const controlHandler = schedulerControlHandler(() => scheduler);
    const eventsFile = join(dataDir, EVENTS_FILE);
    const eventsHandler = eventsControlHandler(eventsFile);
    const loadHttpHandler = options.loadHttpHandler ?? loadCatalogueHttpHandler;
    // The S3 stand-in starts after the HTTP server; the console's CSP names it once known.
    let storageEndpoint: string | undefined;
    const http: RunningHttpServer = await startHttpServer({
      routes,
      loadHandler: (name) =>
        name === SCHEDULER_CONTROL_FUNCTION
          ? Promise.resolve(controlHandler)
          : name === EVENTS_CONTROL_FUNCTION
            ? Promise.resolve(eventsHandler)
            : loadHttpHandler(name),
      verifyToken: async (token) => (await import('./tokens.ts')).verifyToken(dataDir, token),
      port: apiPort,
      ...(options.host ? { host: options.host } : {}),
      region,
      log,
      whenReady: ready,
      logRequests: options.logRequests ?? false,
      ...(options.consoleDistDir === undefined
        ? {}
        : {
            console: {
              distDir: options.consoleDistDir,
              apiUrl: () => http.url,
              storageOrigins: () => (storageEndpoint ? [storageEndpoint] : []),
              mintDemoToken: async (request) =>
                (await import('./tokens.ts')).mintToken(dataDir, { tenant: DEMO_TENANT, ...request }),
              tokenRequestProblem,
              log,
            },
          }),
    });
    stack.push(() => http.close());
    await lock?.update({ apiUrl: http.url });

    const starting = {
      dynamo: startDynamoDbLocal({
        port: dynamoPort,
        ...(options.inMemory ? {} : { dbPath: join(dataDir, 'dynamodb') }),
        log,
        portEnvVar: 'DYNAMODB_PORT',
        // A start after this runtime is killed waits for its java, which outlives it by a few seconds.
        ...(lock ? { onSpawn: (pid: number) => void lock.update({ javaPid: pid }) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
      // aws-ses-v2-local behind a proxy that publishes SES events to functions/events/sesEvents.ts.
      ses: import('./ses-events.ts').then(({ startSesWithEvents, SES_EVENT_FAILURES_FILE }) =>
        startSesWithEvents({
          port: options.sesPort ?? 0,
          region,
          log,
          failureFile: join(dataDir, SES_EVENT_FAILURES_FILE),
          // Mail and pending events outlive a restart, as in SES (not in-memory runs: their table does not).
          ...(options.inMemory ? {} : { stateDir: dataDir }),
          whenReady: ready,
          ...options.sesEvents,
        }),
      ),
      // Objects outlive a restart, as in S3 (not in-memory runs, whose import records do not).
      s3: import('./s3-local.ts').then(({ startS3Local }) =>
        startS3Local({
          port: options.s3Port ?? portFromEnv('S3_PORT') ?? 0,
          ...(options.inMemory ? {} : { directory: join(dataDir, 's3') }),
        }),
      ),
      sdk: Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('@aws-sdk/client-dynamodb-streams'),
        import('./local-table.ts'),
        import('./stream-poller.ts'),
        import('./scheduler.ts'),
        import('./queue-consumer.ts'),
      ]),
    };
    const [dynamoStart, sesStart, s3Start, sdkLoad, routesLoad] = await Promise.allSettled([
      starting.dynamo,
      starting.ses,
      starting.s3,
      starting.sdk,
      routes,
    ]);
    // Whatever did start is registered for stopping before a failure is reported.
    if (dynamoStart.status === 'fulfilled') stack.push(() => dynamoStart.value.stop());
    if (sesStart.status === 'fulfilled')
      handlerRunners.push({ name: 'SES event publishing', stop: () => sesStart.value.stop() });
    if (s3Start.status === 'fulfilled') stack.push(() => s3Start.value.stop());
    for (const outcome of [dynamoStart, sesStart, s3Start, sdkLoad, routesLoad]) {
      if (outcome.status === 'rejected') throw outcome.reason;
    }
    if (options.signal?.aborted) throw new StartupError('Start-up was interrupted');
    const dynamo = (dynamoStart as PromiseFulfilledResult<RunningDynamoDbLocal>).value;
    const ses = (sesStart as PromiseFulfilledResult<RunningSesWithEvents>).value;
    const s3 = (s3Start as PromiseFulfilledResult<RunningS3Local>).value;
    storageEndpoint = s3.endpoint;
    const [
      { DynamoDBClient },
      { DynamoDBStreamsClient },
      { ensureTable },
      { startStreamPoller },
      { ensureScheduleTable, loadScheduleTargetHandler, startLocalScheduler },
      { ensureQueueTable, loadQueueConsumerHandler, startLocalQueueConsumer },
    ] = (sdkLoad as PromiseFulfilledResult<Awaited<typeof starting.sdk>>).value;

    const handlerEnv = {
      [env.tableName]: tableName,
      [env.userDirectory]: 'local',
      [env.signingSecret]: signingSecret,
      API_BASE_URL: http.url,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamo.endpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      // shared/storage/s3-store.ts: the S3-compatible server, path-style, with its two buckets.
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      [env.buckets.imports]: s3.buckets.imports,
      [env.buckets.exports]: s3.buckets.exports,
      // functions/events/inboundEmail.ts: raw mail the SMTP listener stored, and the logging addresses' domain.
      [env.buckets.inbound]: s3.buckets.inbound,
      [env.inboundEmailDomain]: LOCAL_INBOUND_DOMAIN,
      // Linked from GET / and allowed to frame the unsubscribe page (shared/config.ts).
      [env.localInboxUrl]: ses.inboxUrl,
      // shared/mail/sent-ledger.ts: SES's record of the message sent under a claim, which AWS cannot be asked.
      [env.localSesLedgerUrl]: ses.ledgerUrl,
      // shared/schedule/select.ts: the local stand-in, keeping schedules in their own table.
      [env.schedule.scheduler]: 'local',
      [env.schedule.localTable]: scheduleTableName,
      // shared/queue/select.ts: the SQS stand-in, keeping messages in their own table.
      [env.queue.queue]: 'local',
      [env.queue.localTable]: queueTableName,
      // shared/events/select.ts: the EventBridge stand-in, recording what would be sent (GET /__local/events).
      [env.events.bus]: 'local',
      [env.events.localFile]: eventsFile,
      // functions/stream/pipeline/set-aside.ts: records the stream consumer can never apply go where the poller's do.
      [env.streamFailures.localFile]: join(dataDir, STREAM_FAILURES_FILE),
      // The local SES has no rate limit; SEND_RATE_PER_SECOND=14 behaves like a production account.
      [env.sendRatePerSecond]: process.env[env.sendRatePerSecond] ?? 'unlimited',
      // Webhooks deliver to listeners on this machine (http, loopback); AWS refuses such targets.
      [env.webhookLocalTargets]: 'allow',
      // Nothing local may reach for real credentials or the instance metadata service.
      AWS_EC2_METADATA_DISABLED: 'true',
      // Node 20 is supported by this project; the SDK's notice about its future drop is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
    };
    // Set before `ready`: no handler module is imported (and reads its env) until then.
    Object.assign(process.env, handlerEnv);
    delete process.env.AWS_SESSION_TOKEN;
    // Names what it set, so processes started from this one that must not act as its handlers
    // (the unit tests' workers under `npm test`: test/support/unit-env.ts) can take them away.
    process.env[LOCAL_RUNTIME_ENV] = Object.keys(handlerEnv).join(',');

    const clientConfig = {
      endpoint: dynamoEndpoint,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const dynamodb = new DynamoDBClient(clientConfig);
    const streams = new DynamoDBStreamsClient(clientConfig);
    stack.push(async () => {
      dynamodb.destroy();
      streams.destroy();
    });
    const [tableSetup] = await Promise.all([
      ensureTable(dynamodb, tableName, tableDefinition, log),
      ensureScheduleTable(dynamodb, scheduleTableName),
      ensureQueueTable(dynamodb, queueTableName),
    ]);
    await lock?.update({ dynamoEndpoint, tableName });

    const poller = startStreamPoller({
      dynamodb,
      streams,
      tableName,
      loadHandler: options.loadStreamHandler ?? loadCatalogueStreamHandler,
      region,
      log,
      failureFile: join(dataDir, STREAM_FAILURES_FILE),
      ...(options.inMemory ? {} : { checkpointFile: join(dataDir, STREAM_CHECKPOINTS_FILE) }),
      ...(options.streamPollMs === undefined ? {} : { pollMs: options.streamPollMs }),
      ...(options.streamMaxAttempts === undefined ? {} : { maxAttempts: options.streamMaxAttempts }),
    });
    handlerRunners.push({ name: 'the stream consumer', stop: () => poller.stop() });

    // Overdue schedules (kept in DynamoDB Local's data across restarts) fire on the first pass.
    const loop = startLocalScheduler({
      dynamodb,
      tableName: scheduleTableName,
      loadHandler: options.loadScheduleHandler ?? loadScheduleTargetHandler,
      region,
      log,
      failureFile: join(dataDir, SCHEDULE_FAILURES_FILE),
      ...(options.schedulerPollMs === undefined ? {} : { pollMs: options.schedulerPollMs }),
      ...(options.schedulerMaxAttempts === undefined ? {} : { maxAttempts: options.schedulerMaxAttempts }),
      ...(options.schedulerRetryBaseMs === undefined ? {} : { retryBaseMs: options.schedulerRetryBaseMs }),
      ...(options.schedulerClock ? { now: options.schedulerClock } : {}),
      ...(options.schedulerAutoFire === undefined ? {} : { autoFire: options.schedulerAutoFire }),
      recurring: options.schedulerRecurring ?? (options.loadScheduleHandler ? [] : recurringSchedules),
    });
    schedulerLoop = loop;
    handlerRunners.push({ name: 'the scheduler', stop: () => loop.stop() });

    const queueConsumer = startLocalQueueConsumer({
      loadHandler: loadQueueConsumerHandler,
      log,
      failureFile: join(dataDir, QUEUE_FAILURES_FILE),
      ...options.queueConsumer,
      dynamodb,
      tableName: queueTableName,
      region,
    });
    handlerRunners.push({ name: 'the queue consumer', stop: () => queueConsumer.stop() });
    forwardUploads(s3, localQueue({ tableName: queueTableName, client: dynamodb }), log);

    // SES receiving's stand-in: stores each message as the receipt rule's S3 action would, then invokes the handler.
    const { startSmtpLocal } = await import('./smtp-local.ts');
    const { getObjectStore } = await import('#shared/storage/select');
    const smtp = await startSmtpLocal({
      port: options.smtpPort ?? portFromEnv('SMTP_PORT') ?? 0,
      region,
      log,
      store: async (key, body) =>
        (await getObjectStore()).write('inbound', key, body, { contentType: 'message/rfc822' }),
      failureFile: join(dataDir, INBOUND_FAILURES_FILE),
      whenReady: ready,
    });
    handlerRunners.push({ name: 'the SMTP listener', stop: () => smtp.stop() });
    markReady();

    let stopping: Promise<void> | undefined;
    return {
      apiUrl: http.url,
      inboxUrl: ses.inboxUrl,
      sesEndpoint: ses.endpoint,
      dynamoEndpoint,
      s3: {
        endpoint: s3.endpoint,
        buckets: s3.buckets,
        onObjectCreated: (listener) => s3.onObjectCreated(listener),
      },
      smtp: { port: smtp.port, url: smtp.url, idle: () => smtp.idle() },
      inboundEmailDomain: LOCAL_INBOUND_DOMAIN,
      tableName,
      dataDir,
      region,
      tableSetup,
      scheduleTableName,
      scheduler,
      queues: { drained: (queue) => queueConsumer.drained(queue) },
      handlerEnv,
      startupMs: Date.now() - started,
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    markFailed(error);
    await stopAll();
    throw error;
  }
}

/**
 * As the imports bucket's ObjectCreated notification does in AWS (suffix
 * `.csv`), each upload to the local imports bucket becomes an S3-event-shaped
 * message on the local `importChunks` queue.
 */
function forwardUploads(s3: RunningS3Local, queue: Queue, log: Logger): void {
  s3.onObjectCreated((created: S3ObjectCreated) => {
    if (created.bucket !== s3.buckets.imports || !created.key.endsWith('.csv')) return;
    const event = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: new Date().toISOString(),
          s3: {
            bucket: { name: created.bucket },
            // S3 events carry the key URL-encoded, spaces as `+`.
            object: {
              key: encodeURIComponent(created.key).replace(/%2F/g, '/').replace(/%20/g, '+'),
              size: created.size,
            },
          },
        },
      ],
    };
    queue
      .sendMessages('importChunks', [event])
      .catch((error: unknown) =>
        log.error(`Local S3: the upload event of ${created.key} was not queued`, error),
      );
  });
}
