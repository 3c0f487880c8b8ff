import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { median } from './stats.ts';

/**
 * Meters of what the handlers ask of the services other than DynamoDB, installed by the bench in
 * its own process (the handlers run in it, in-process or under the local runtime), so production
 * code pays nothing for them. Each service is metered at the one place every call goes through:
 *
 * - SQS, Scheduler, EventBridge, S3: the port the handlers share (shared/queue/select.ts,
 *   shared/schedule/select.ts, shared/events/select.ts, shared/storage/select.ts); its methods are
 *   wrapped on the one instance of this process, counting what the AWS adapter would send.
 * - SES: `SESv2Client.prototype.send` (each mailer keeps a client of its own).
 * - Lambda: the handler, wrapped where the bench or the local runtime loads it (its options take
 *   loaders), timing each invocation and counting what it writes to stdout and stderr.
 */

/** Requests of the services other than DynamoDB, as AWS would count them. */
export interface ServiceCounts {
  /** SendMessageBatch (10 messages each), plus ReceiveMessage and DeleteMessageBatch per consumer batch. */
  sqsRequests: number;
  /** CreateSchedule/UpdateSchedule/DeleteSchedule calls. */
  schedulerRequests: number;
  /** Schedule targets invoked. */
  schedulerInvocations: number;
  /** PutEvents entries (64 KB chunks each). */
  eventBridgeEvents: number;
  sesRequests: number;
  sesEmails: number;
  s3PutRequests: number;
  s3GetRequests: number;
}

export interface FunctionCounts {
  invocations: number;
  durationsMs: number[];
  logBytes: number;
}

export interface MeterReading {
  readonly services: ServiceCounts;
  readonly functions: Readonly<Record<string, FunctionCounts>>;
}

const emptyServices = (): ServiceCounts => ({
  sqsRequests: 0,
  schedulerRequests: 0,
  schedulerInvocations: 0,
  eventBridgeEvents: 0,
  sesRequests: 0,
  sesEmails: 0,
  s3PutRequests: 0,
  s3GetRequests: 0,
});

/** SQS SendMessageBatch and PutEvents take at most 10 entries. */
const BATCH = 10;
/** EventBridge bills a PutEvents entry per 64 KB chunk. */
const EVENT_CHUNK_BYTES = 64 * 1024;

/** The invocation a log line belongs to: async context survives awaits, so concurrent handlers stay apart. */
const invocation = new AsyncLocalStorage<{ fn: string; bytes: number }>();

/** The queue consumers (infra/lambdas.ts, trigger `queue`): each batch is one ReceiveMessage and one DeleteMessageBatch. */
const queueConsumers = new Set([
  'campaignSend',
  'reportRebuild',
  'exportJobs',
  'importChunks',
  'webhookDeliveries',
]);
/** The schedule targets (shared/schedule/scheduler.ts `scheduleTargets`) are filled in by install(). */
let scheduleTargets = new Set<string>();

export class ServiceMeter {
  private services = emptyServices();
  private functions: Record<string, FunctionCounts> = {};
  private active = false;
  /** Functions whose work counts (undefined: all, and work outside any function too). */
  private only: ReadonlySet<string> | undefined;

  /**
   * Counts only the work of these functions (DynamoDB through `counts()`, the services, the
   * Lambda list), plus the messages sent to the queues of the same names (a queue's consumer is
   * named after it): a unit that is one function's part of a flow. Undefined: everything.
   */
  attribute(functions: readonly string[] | undefined): void {
    this.only = functions ? new Set(functions) : undefined;
  }

  /** Whether work done here and now counts: metering, and inside a counted function when attributing. */
  counts(): boolean {
    if (!this.active) return false;
    if (!this.only) return true;
    const fn = invocation.getStore()?.fn;
    return fn !== undefined && this.only.has(fn);
  }

  /** Counts from now on (until stop()); reset() clears. */
  start(): void {
    this.active = true;
  }

  stop(): void {
    this.active = false;
  }

  reset(): void {
    this.services = emptyServices();
    this.functions = {};
  }

  reading(): MeterReading {
    return {
      services: { ...this.services },
      functions: Object.fromEntries(
        Object.entries(this.functions).map(([name, counts]) => [
          name,
          { ...counts, durationsMs: [...counts.durationsMs] },
        ]),
      ),
    };
  }

  /** Adds to a service's count while metering (for requests made outside the ports, e.g. a presigned upload). */
  add(field: keyof ServiceCounts, amount = 1): void {
    if (this.counts()) this.services[field] += amount;
  }

  /**
   * Wraps a Lambda handler: each invocation is timed and its stdout/stderr bytes counted (and kept
   * off the terminal: they are what CloudWatch Logs would ingest, not the bench's output).
   */
  handler<A extends unknown[], R>(
    name: string,
    handler: (...args: A) => Promise<R>,
  ): (...args: A) => Promise<R> {
    captureLogs();
    return async (...args: A) => {
      const state = { fn: name, bytes: 0 };
      if (!this.active || (this.only && !this.only.has(name)))
        return invocation.run(state, () => handler(...args));
      const started = performance.now();
      try {
        return await invocation.run(state, () => handler(...args));
      } finally {
        const ms = performance.now() - started;
        this.functions[name] ??= { invocations: 0, durationsMs: [], logBytes: 0 };
        const counts = this.functions[name];
        counts.invocations++;
        counts.durationsMs.push(ms);
        counts.logBytes += state.bytes;
        if (queueConsumers.has(name)) this.services.sqsRequests += 2;
        if (scheduleTargets.has(name)) this.services.schedulerInvocations++;
      }
    };
  }

  /** Wraps the ports' instances and the SES client of this process; call once, before any handler runs. */
  async install(): Promise<void> {
    captureLogs();
    const { scheduleTargets: targets } = await import('#shared/schedule/scheduler');
    scheduleTargets = new Set(targets);
    const { getQueue } = await import('#shared/queue/select');
    const queue = await getQueue();
    const sendMessages = queue.sendMessages.bind(queue);
    queue.sendMessages = async (name, bodies, options) => {
      const requests = Math.ceil(bodies.length / BATCH);
      if (this.active && this.only?.has(name)) this.services.sqsRequests += requests;
      else this.add('sqsRequests', requests);
      return sendMessages(name, bodies, options);
    };
    const { getScheduler } = await import('#shared/schedule/select');
    const scheduler = await getScheduler();
    const schedule = scheduler.schedule.bind(scheduler);
    const cancel = scheduler.cancel.bind(scheduler);
    scheduler.schedule = async (request) => {
      this.add('schedulerRequests');
      return schedule(request);
    };
    scheduler.cancel = async (name) => {
      this.add('schedulerRequests');
      return cancel(name);
    };
    const { getEventBus } = await import('#shared/events/select');
    const bus = await getEventBus();
    const publish = bus.publish.bind(bus);
    bus.publish = async (events) => {
      for (const event of events)
        this.add(
          'eventBridgeEvents',
          Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(event)) / EVENT_CHUNK_BYTES)),
        );
      return publish(events);
    };
    const { getObjectStore } = await import('#shared/storage/select');
    const store = await getObjectStore();
    const wrap = <K extends 'presignPut' | 'presignGet' | 'head' | 'read' | 'write'>(
      method: K,
      field: 's3PutRequests' | 's3GetRequests',
    ) => {
      const original = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
      (store as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
        this.add(field);
        return original(...args);
      };
    };
    // A presigned URL is one request by whoever uses it: the upload (PUT) or the download (GET).
    wrap('presignPut', 's3PutRequests');
    wrap('write', 's3PutRequests');
    wrap('presignGet', 's3GetRequests');
    wrap('head', 's3GetRequests');
    wrap('read', 's3GetRequests');
    const { SESv2Client } = await import('@aws-sdk/client-sesv2');
    const send = SESv2Client.prototype.send as (...args: unknown[]) => Promise<unknown>;
    const meter = this;
    SESv2Client.prototype.send = function (this: unknown, ...args: unknown[]) {
      const command = args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      const name = command.constructor.name;
      if (name === 'SendEmailCommand' || name === 'SendBulkEmailCommand') {
        meter.add('sesRequests');
        meter.add(
          'sesEmails',
          name === 'SendBulkEmailCommand'
            ? ((command.input.BulkEmailEntries as unknown[] | undefined)?.length ?? 0)
            : 1,
        );
      } else {
        meter.add('sesRequests');
      }
      return send.apply(this, args);
    } as typeof SESv2Client.prototype.send;
  }
}

let captured = false;

/** Routes stdout/stderr writes made inside a metered invocation to its byte count instead of the terminal. */
function captureLogs(): void {
  if (captured) return;
  captured = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const state = invocation.getStore();
      if (!state) return write(chunk, ...rest);
      state.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
      const callback = rest.find((entry) => typeof entry === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}

/** Median duration, ms, of a function's invocations. */
export function medianDuration(counts: FunctionCounts): number {
  return counts.durationsMs.length === 0 ? 0 : median(counts.durationsMs);
}
