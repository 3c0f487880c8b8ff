import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import {
  fromScheduleItem,
  type LocalSchedule,
  localScheduleTable,
  scheduleKey,
} from '#shared/schedule/local-scheduler';
import type { ScheduleTargetEvent } from '#shared/schedule/request';
import {
  type RecurringSchedule,
  type ScheduleTarget,
  scheduleTargetTimeoutMs,
} from '#shared/schedule/scheduler';
import {
  appendFailure,
  backoffMs,
  ensureIndexedTable,
  PollLoop,
  ProblemLog,
  withTimeout,
} from './background.ts';
import { moduleHandlerLoader } from './handler-loader.ts';
import { createLambdaContext } from './lambda-context.ts';
import type { Logger } from './logger.ts';

/**
 * The firing half of the local EventBridge Scheduler stand-in (the other half,
 * shared/schedule/local-scheduler.ts, is what handlers call to create and cancel
 * schedules). Every `pollMs` it takes the schedules whose `at` has come (by an injectable
 * clock), invokes the target's handler module with the payload plus `scheduledAt`, and
 * deletes the schedule afterwards unless it was moved meanwhile (ActionAfterCompletion
 * DELETE). A failing target is retried with backoff, then written to a JSONL file (the
 * DLQ) and deleted. Schedules live in DynamoDB Local, so they survive a restart of a
 * persisted runtime and overdue ones fire on the first pass. Delivery is at least once:
 * a crash between the invocation and the delete fires the schedule again.
 */
export type ScheduleHandler = (event: ScheduleTargetEvent, context: Context) => Promise<unknown>;
export type LoadScheduleHandler = (target: ScheduleTarget) => Promise<ScheduleHandler>;

/** The handlers that serve AWS (the catalogue's entry per target), imported once like a warm container. */
export const loadScheduleTargetHandler: LoadScheduleHandler = moduleHandlerLoader<ScheduleHandler>(
  async (target) => (await import('../lambdas.ts')).scheduleTargetEntry(target as ScheduleTarget),
);

export interface LocalSchedulerLoopOptions {
  readonly dynamodb: DynamoDBClient;
  /** The local schedule table (see ensureScheduleTable). */
  readonly tableName: string;
  readonly loadHandler: LoadScheduleHandler;
  readonly region: string;
  readonly log: Logger;
  /** The dead-letter stand-in: one JSON object a line per schedule given up on. */
  readonly failureFile: string;
  /** Between passes of the background loop. Default 250 ms, so a schedule fires within a second of `at`. */
  readonly pollMs?: number;
  /** Invocations of a failing target (the first included) before it goes to the failure file. Default 3. */
  readonly maxAttempts?: number;
  /** Delay before the first retry, doubled for each further one, at most a minute. Default 1000 ms. */
  readonly retryBaseMs?: number;
  /** Lambda timeout of every target. Default: each target's own (scheduleTargetTimeoutMs), as in AWS. */
  readonly handlerTimeoutMs?: number;
  /** The clock the background loop asks what is due. Default: the real one. */
  readonly now?: () => Date;
  /** False: no background loop, schedules fire only through fireDue() (tests). Default true. */
  readonly autoFire?: boolean;
  /**
   * Recurring schedules the background loop runs (by its clock): each first on
   * the first pass, then every `everyMinutes`, with `{recurring, scheduledAt}`
   * as the event. A failed run is logged and waits for the next interval, as a
   * `rate()` schedule's would after its retries. Default none.
   */
  readonly recurring?: readonly RecurringSchedule[];
}

export type FiringOutcome =
  /** The target succeeded; the schedule is deleted (or kept, if it was moved meanwhile). */
  | 'fired'
  /** The target failed (or could not be loaded); the schedule waits for its next attempt. */
  | 'retrying'
  /** The target failed its last attempt; the schedule is in the failure file and deleted. */
  | 'failed';

export interface Firing {
  readonly name: string;
  readonly target: ScheduleTarget;
  readonly tenantId: string;
  readonly scheduledAt: string;
  readonly outcome: FiringOutcome;
  /** Failed invocations so far. */
  readonly attempts: number;
  readonly error?: string;
}

export interface FireDueOptions {
  /** What counts as now. Default: the loop's clock. */
  readonly now?: Date;
  /** Only this tenant's schedules (payload.tenantId). */
  readonly tenantId?: string;
  /** Only the schedule with this name. */
  readonly name?: string;
}

export interface LocalSchedulerControl {
  /**
   * Fires what is due at `now` and resolves when every one of them was handled. Passes never
   * overlap (with each other or the background loop), so nothing fires twice concurrently.
   */
  fireDue(options?: FireDueOptions): Promise<Firing[]>;
  /** Schedules not fired yet, by time. */
  pending(options?: { tenantId?: string }): Promise<LocalSchedule[]>;
  /** The loop's clock. */
  now(): Date;
}

export interface LocalSchedulerLoop extends LocalSchedulerControl {
  stop(): Promise<void>;
}

/** The local-only table: pk/sk plus a local secondary index on `at`. Leaves an existing one alone. */
export const ensureScheduleTable = (
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'unchanged'> =>
  ensureIndexedTable(client, tableName, {
    partitionKey: localScheduleTable.partitionKey,
    sortKey: localScheduleTable.sortKey,
    index: localScheduleTable.dueIndex,
  });

export function startLocalScheduler(options: LocalSchedulerLoopOptions): LocalSchedulerLoop {
  const loop = new SchedulerLoop(options);
  const running = options.autoFire === false ? Promise.resolve() : loop.run();
  return {
    fireDue: (fireOptions) => loop.fireDue(fireOptions),
    pending: (pendingOptions) => loop.pending(pendingOptions),
    now: () => loop.clock(),
    stop: async () => {
      loop.stop();
      await running;
      await loop.idle();
    },
  };
}

class SchedulerLoop {
  private readonly loop = new PollLoop();
  /** Passes run one after another. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly problems: ProblemLog;
  private readonly now: () => Date;
  private readonly maxAttempts: number;
  /** When each recurring schedule runs next (epoch ms); absent: on the next pass. */
  private readonly nextRecurring = new Map<string, number>();

  constructor(private readonly options: LocalSchedulerLoopOptions) {
    this.problems = new ProblemLog(options.log);
    this.now = options.now ?? (() => new Date());
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  }

  stop() {
    this.loop.stop();
  }

  clock(): Date {
    return this.now();
  }

  idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  /** Never throws: a failed pass is logged (once per distinct problem) and retried with backoff. */
  run(): Promise<void> {
    return this.loop.run(
      this.options.pollMs ?? 250,
      async () => {
        await this.fireDue();
        await this.runRecurring();
        return false;
      },
      (error) =>
        this.problems.report(
          `Local scheduler: ${error instanceof Error ? error.message : String(error)} (retrying)`,
        ),
    );
  }

  /** Runs the recurring schedules whose time has come, one after another, in the pass chain. */
  private runRecurring(): Promise<void> {
    const pass = this.chain.then(async () => {
      for (const recurring of this.options.recurring ?? []) {
        const now = this.now().getTime();
        if (this.loop.isStopped || (this.nextRecurring.get(recurring.name) ?? now) > now) continue;
        this.nextRecurring.set(recurring.name, now + recurring.everyMinutes * 60_000);
        const scheduledAt = new Date(now).toISOString();
        let failure: { reason: string; error: unknown } | undefined;
        try {
          const handler = await this.options.loadHandler(recurring.target);
          // No tenant, unlike a one-time schedule's event: a recurring target finds its own tenants.
          const event = { recurring: recurring.name, scheduledAt } as unknown as ScheduleTargetEvent;
          failure = await this.invoke(handler, recurring.target, event);
        } catch (error) {
          failure = { reason: error instanceof Error ? error.message : String(error), error };
        }
        if (failure)
          this.options.log.error(
            `Local scheduler: recurring ${recurring.name} (${recurring.target}) failed; next run in ${recurring.everyMinutes} minutes`,
            failure.error,
          );
      }
    });
    this.chain = pass.catch(() => undefined);
    return pass;
  }

  fireDue(options: FireDueOptions = {}): Promise<Firing[]> {
    const pass = this.chain.then(() => this.pass(options));
    this.chain = pass.catch(() => undefined);
    return pass;
  }

  async pending(options: { tenantId?: string } = {}): Promise<LocalSchedule[]> {
    const schedules = await this.query();
    return schedules.filter(
      (schedule) => !options.tenantId || schedule.payload.tenantId === options.tenantId,
    );
  }

  private async pass(options: FireDueOptions): Promise<Firing[]> {
    const now = options.now ?? this.now();
    const due = (await this.query(now)).filter(
      (schedule) =>
        (!options.tenantId || schedule.payload.tenantId === options.tenantId) &&
        (!options.name || schedule.name === options.name),
    );
    const firings: Firing[] = [];
    for (const listed of due) {
      if (this.loop.isStopped) break;
      // An earlier target of this pass (or a request meanwhile) may have moved or canceled it.
      const schedule = await this.current(listed.name);
      if (!schedule || schedule.version !== listed.version || schedule.at > now.toISOString()) continue;
      firings.push(await this.fire(schedule, now));
    }
    return firings;
  }

  /** Schedules with `at` up to `until` (all without it), oldest first, through the `at` index. */
  private async query(until?: Date): Promise<LocalSchedule[]> {
    const { partitionKey, partition, dueIndex } = localScheduleTable;
    const schedules: LocalSchedule[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.options.dynamodb.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: dueIndex.name,
          KeyConditionExpression: until ? '#pk = :pk AND #at <= :until' : '#pk = :pk',
          ExpressionAttributeNames: { '#pk': partitionKey, ...(until ? { '#at': dueIndex.sortKey } : {}) },
          ExpressionAttributeValues: {
            ':pk': { S: partition },
            ...(until ? { ':until': { S: until.toISOString() } } : {}),
          },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      schedules.push(...(page.Items ?? []).map(fromScheduleItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return schedules;
  }

  private async current(name: string): Promise<LocalSchedule | undefined> {
    const { Item } = await this.options.dynamodb.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: scheduleKey(name), ConsistentRead: true }),
    );
    return Item ? fromScheduleItem(Item) : undefined;
  }

  private async fire(schedule: LocalSchedule, now: Date): Promise<Firing> {
    const base = {
      name: schedule.name,
      target: schedule.target,
      tenantId: schedule.payload.tenantId,
      scheduledAt: schedule.scheduledAt,
    };
    let handler: ScheduleHandler;
    try {
      handler = await this.options.loadHandler(schedule.target);
    } catch (error) {
      // Not the schedule's fault: no attempt is counted until the module loads.
      const message = `the ${schedule.target} handler could not be loaded: ${(error as Error).message}`;
      this.problems.report(`Local scheduler: ${message}`);
      return { ...base, outcome: 'retrying', attempts: schedule.attempts, error: message };
    }

    const event: ScheduleTargetEvent = { ...schedule.payload, scheduledAt: schedule.scheduledAt };
    const failure = await this.invoke(handler, schedule.target, event);
    if (failure === undefined) {
      // Kept when moved (or re-created) meanwhile: the new version fires at its own time.
      await this.deleteIfUnchanged(schedule);
      this.problems.clear();
      return { ...base, outcome: 'fired', attempts: schedule.attempts };
    }

    const attempts = schedule.attempts + 1;
    this.options.log.error(
      `Local scheduler: ${schedule.target} failed on schedule ${schedule.name} (attempt ${attempts} of ${this.maxAttempts})`,
      failure.error,
    );
    if (attempts < this.maxAttempts) {
      const delay = backoffMs(this.options.retryBaseMs ?? 1000, attempts - 1, 60_000);
      await this.retryLater(schedule, new Date(now.getTime() + delay), attempts, failure.reason);
      return { ...base, outcome: 'retrying', attempts, error: failure.reason };
    }

    await appendFailure(this.options.failureFile, {
      time: new Date().toISOString(),
      name: schedule.name,
      target: schedule.target,
      scheduledAt: schedule.scheduledAt,
      attempts,
      reason: failure.reason,
      event,
    });
    this.options.log.error(
      `Local scheduler: schedule ${schedule.name} failed ${attempts} times and was given up; see ${this.options.failureFile}`,
    );
    await this.deleteIfUnchanged(schedule);
    return { ...base, outcome: 'failed', attempts, error: failure.reason };
  }

  private async invoke(
    handler: ScheduleHandler,
    target: ScheduleTarget,
    event: ScheduleTargetEvent,
  ): Promise<{ reason: string; error: unknown } | undefined> {
    const timeoutMs = this.options.handlerTimeoutMs ?? scheduleTargetTimeoutMs[target];
    const context = createLambdaContext({ functionName: target, region: this.options.region, timeoutMs });
    try {
      await withTimeout(handler(event, context), timeoutMs);
      return undefined;
    } catch (error) {
      return { reason: error instanceof Error ? error.message : String(error), error };
    }
  }

  private async deleteIfUnchanged(schedule: LocalSchedule): Promise<void> {
    try {
      await this.options.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.options.tableName,
          Key: scheduleKey(schedule.name),
          ConditionExpression: 'attribute_not_exists(#pk) OR #version = :version',
          ExpressionAttributeNames: { '#pk': localScheduleTable.partitionKey, '#version': 'version' },
          ExpressionAttributeValues: { ':version': { S: schedule.version } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async retryLater(schedule: LocalSchedule, at: Date, attempts: number, reason: string) {
    try {
      await this.options.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: scheduleKey(schedule.name),
          UpdateExpression: 'SET #at = :at, attempts = :attempts, lastError = :reason',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#at': localScheduleTable.dueIndex.sortKey, '#version': 'version' },
          ExpressionAttributeValues: {
            ':at': { S: at.toISOString() },
            ':attempts': { N: String(attempts) },
            ':reason': { S: reason.slice(0, 1000) },
            ':version': { S: schedule.version },
          },
        }),
      );
    } catch (error) {
      // Moved or canceled while the target ran: the new state stands.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
