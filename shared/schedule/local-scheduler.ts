import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { config } from '../config.ts';
import { assertValidScheduleRequest } from './request.ts';
import type { SchedulePayload, ScheduleRequest, Scheduler, ScheduleTarget } from './scheduler.ts';

/**
 * The stand-in for EventBridge Scheduler under `npm start`. Like EventBridge, it keeps the
 * schedules outside the CRM table: in a local-only DynamoDB Local table (LOCAL_SCHEDULE_TABLE,
 * created by infra/local/runtime.ts), one partition, one item per schedule name. The firing
 * loop (infra/local/scheduler.ts) reads due ones through a local index on `at`.
 */
export const localScheduleTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Every schedule lives in this one partition; there are few, and it is local only. */
  partition: 'SCHEDULES',
  /** Local secondary index: the partition ordered by `at`, so "due" is one range query. */
  dueIndex: { name: 'byAt', sortKey: 'at' },
} as const;

/** One stored schedule. */
export interface LocalSchedule {
  readonly name: string;
  readonly target: ScheduleTarget;
  readonly payload: SchedulePayload;
  /** The requested time, ISO 8601; the target's `scheduledAt`. */
  readonly scheduledAt: string;
  /** When the loop takes it next: `scheduledAt`, or later while a failing target is retried. ISO 8601. */
  readonly at: string;
  /** Changes on every schedule() call, so the loop never deletes a schedule moved meanwhile. */
  readonly version: string;
  /** Failed invocations so far. */
  readonly attempts: number;
  readonly lastError?: string;
}

export interface LocalSchedulerOptions {
  /** Default: LOCAL_SCHEDULE_TABLE. */
  readonly tableName?: string;
  /** Default: one client per container, endpoint from AWS_ENDPOINT_URL_DYNAMODB. */
  readonly client?: DynamoDBClient;
}

let defaultClient: DynamoDBClient | undefined;

export function localScheduler(options: LocalSchedulerOptions = {}): Scheduler {
  const client = () => {
    if (options.client) return options.client;
    defaultClient ??= new DynamoDBClient({});
    return defaultClient;
  };
  const tableName = () => options.tableName ?? config.localScheduleTable;
  return {
    async schedule(request) {
      assertValidScheduleRequest(request);
      // Moving a schedule is overwriting it: new time, new version, attempts back to zero.
      await client().send(
        new PutItemCommand({ TableName: tableName(), Item: toScheduleItem(newLocalSchedule(request)) }),
      );
    },
    async cancel(name) {
      await client().send(new DeleteItemCommand({ TableName: tableName(), Key: scheduleKey(name) }));
    },
  };
}

export function newLocalSchedule(request: ScheduleRequest): LocalSchedule {
  const at = request.at.toISOString();
  return {
    name: request.name,
    target: request.target,
    payload: request.payload,
    scheduledAt: at,
    at,
    version: randomUUID(),
    attempts: 0,
  };
}

export function scheduleKey(name: string): Record<string, AttributeValue> {
  return {
    [localScheduleTable.partitionKey]: { S: localScheduleTable.partition },
    [localScheduleTable.sortKey]: { S: name },
  };
}

export function toScheduleItem(schedule: LocalSchedule): Record<string, AttributeValue> {
  const payload: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(schedule.payload)) {
    payload[key] =
      typeof value === 'string'
        ? { S: value }
        : typeof value === 'number'
          ? { N: String(value) }
          : { BOOL: value };
  }
  return {
    ...scheduleKey(schedule.name),
    target: { S: schedule.target },
    payload: { M: payload },
    tenantId: { S: schedule.payload.tenantId },
    scheduledAt: { S: schedule.scheduledAt },
    [localScheduleTable.dueIndex.sortKey]: { S: schedule.at },
    version: { S: schedule.version },
    attempts: { N: String(schedule.attempts) },
    ...(schedule.lastError === undefined ? {} : { lastError: { S: schedule.lastError } }),
  };
}

export function fromScheduleItem(item: Record<string, AttributeValue>): LocalSchedule {
  const payload: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(item.payload?.M ?? {})) {
    if (value.S !== undefined) payload[key] = value.S;
    else if (value.N !== undefined) payload[key] = Number(value.N);
    else if (value.BOOL !== undefined) payload[key] = value.BOOL;
  }
  return {
    name: item[localScheduleTable.sortKey]?.S ?? '',
    target: item.target?.S as ScheduleTarget,
    payload: payload as SchedulePayload,
    scheduledAt: item.scheduledAt?.S ?? '',
    at: item[localScheduleTable.dueIndex.sortKey]?.S ?? '',
    version: item.version?.S ?? '',
    attempts: Number(item.attempts?.N ?? '0'),
    ...(item.lastError?.S === undefined ? {} : { lastError: item.lastError.S }),
  };
}
