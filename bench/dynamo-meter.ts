import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Counts the DynamoDB requests the shared client sends and the capacity DynamoDB
 * reports for them. A middleware in the `initialize` step (one run per logical
 * call, before SDK retries) asks every command that accepts it for
 * `ReturnConsumedCapacity: 'TOTAL'` and adds up what comes back.
 */

/** Operations whose input takes ReturnConsumedCapacity. */
const acceptsConsumedCapacity = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);

const readOperations = new Set([
  'GetItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'TransactGetItems',
  'ExecuteStatement',
]);

export interface CommandStats {
  /** Logical calls (SDK retries of one call count once). */
  count: number;
  /** Calls that ended in an error (e.g. a failed condition). */
  errors: number;
  /** Items successful writes touched: 1 per Put/Update/Delete, one per write action of a transaction or batch. */
  itemsWritten: number;
  /** Items successful reads returned: a Query's or Scan's Count, 1 per GetItem that found one, a batch's responses. */
  itemsRead: number;
  /** Calls whose response carried ConsumedCapacity. */
  withCapacity: number;
  /** Sum of CapacityUnits as reported. */
  capacityUnits: number;
  /** Units attributed to reads / writes (split from the reported fields, else by operation kind). */
  readUnits: number;
  writeUnits: number;
}

export type MeterSnapshot = Record<string, CommandStats>;

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const emptyStats = (): CommandStats => ({
  count: 0,
  errors: 0,
  itemsWritten: 0,
  itemsRead: 0,
  withCapacity: 0,
  capacityUnits: 0,
  readUnits: 0,
  writeUnits: 0,
});

function itemsWrittenBy(operation: string, input: Record<string, unknown>): number {
  switch (operation) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return 1;
    case 'TransactWriteItems': {
      const actions = (input.TransactItems ?? []) as Record<string, unknown>[];
      // A ConditionCheck reads; it writes nothing.
      return actions.filter((action) => !action.ConditionCheck).length;
    }
    case 'BatchWriteItem':
      return Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>).reduce(
        (sum, requests) => sum + requests.length,
        0,
      );
    default:
      return 0;
  }
}

function itemsReadBy(output: Record<string, unknown>): number {
  if (typeof output.Count === 'number') return output.Count;
  if (output.Item) return 1;
  if (output.Responses && typeof output.Responses === 'object') {
    // BatchGetItem: items per table; TransactGetItems: one entry per get, with Item when found.
    const responses = output.Responses as Record<string, unknown[]> | { Item?: unknown }[];
    return Array.isArray(responses)
      ? responses.filter((entry) => entry.Item).length
      : Object.values(responses).reduce((sum, items) => sum + items.length, 0);
  }
  return 0;
}

export class DynamoMeter {
  private stats: MeterSnapshot = {};
  private active = false;
  /** Every operation sent through the client, metered or not, for the "no Scan anywhere" check. */
  readonly seen = new Set<string>();

  /** `counts`: whether the call being made belongs to what is measured (default: every call while started). */
  constructor(
    client: Pick<DynamoDBDocumentClient, 'middlewareStack'>,
    private readonly counts: () => boolean = () => true,
  ) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        this.seen.add(operation);
        if (!this.active || !this.counts()) return next(args);
        const input = args.input as Record<string, unknown>;
        const stats = this.statsOf(operation);
        stats.count++;
        const metered =
          acceptsConsumedCapacity.has(operation) && input.ReturnConsumedCapacity === undefined
            ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } }
            : args;
        try {
          const result = await next(metered);
          stats.itemsWritten += itemsWrittenBy(operation, input);
          stats.itemsRead += itemsReadBy(result.output as Record<string, unknown>);
          this.record(operation, stats, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
          return result;
        } catch (error) {
          stats.errors++;
          throw error;
        }
      },
      { step: 'initialize', name: 'benchDynamoMeter', priority: 'high', override: true },
    );
  }

  private statsOf(operation: string): CommandStats {
    this.stats[operation] ??= emptyStats();
    return this.stats[operation];
  }

  private record(operation: string, stats: CommandStats, consumed: unknown): void {
    const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Capacity[];
    if (list.length === 0) return;
    stats.withCapacity++;
    for (const entry of list) {
      const units = entry.CapacityUnits ?? 0;
      stats.capacityUnits += units;
      if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
        stats.readUnits += entry.ReadCapacityUnits ?? 0;
        stats.writeUnits += entry.WriteCapacityUnits ?? 0;
      } else if (readOperations.has(operation)) {
        stats.readUnits += units;
      } else {
        stats.writeUnits += units;
      }
    }
  }

  start(): void {
    this.active = true;
  }

  stop(): void {
    this.active = false;
  }

  reset(): void {
    this.stats = {};
  }

  /** A copy of the counts since the last reset. */
  snapshot(): MeterSnapshot {
    return Object.fromEntries(Object.entries(this.stats).map(([name, stats]) => [name, { ...stats }]));
  }
}

/** Attaches a meter to the one DynamoDB client the handlers share. */
export async function meterSharedClient(counts?: () => boolean): Promise<DynamoMeter> {
  const { dynamo } = await import('#shared/store/client');
  return new DynamoMeter(dynamo, counts);
}
