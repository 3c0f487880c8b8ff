import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ImageReader, unitsOfRead, unitsOfWrite, type WriteImages, writeTargets } from './capacity-images.ts';

/**
 * Counts the DynamoDB requests the shared client sends and the capacity DynamoDB
 * reports for them. A middleware in the `initialize` step (one run per logical
 * call, before SDK retries) asks every command that accepts it for
 * `ReturnConsumedCapacity: 'TOTAL'` and adds up what comes back.
 *
 * With `measureCapacity(true)` it also computes the request units AWS would charge
 * (bench/capacity.ts) from the item images, read around each call on a separate,
 * unmetered client: those calls are slower, so they are never the timed ones.
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
  /** Calls whose AWS units were computed from item images (measureCapacity on). */
  imaged: number;
  /** Write and read request units by AWS's rules (bench/capacity.ts), over the imaged calls. */
  awsWriteUnits: number;
  awsReadUnits: number;
}

export type MeterSnapshot = Record<string, CommandStats>;

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** A command's figures before any call. */
export const emptyStats = (): CommandStats => ({
  count: 0,
  errors: 0,
  itemsWritten: 0,
  itemsRead: 0,
  withCapacity: 0,
  capacityUnits: 0,
  readUnits: 0,
  writeUnits: 0,
  imaged: 0,
  awsWriteUnits: 0,
  awsReadUnits: 0,
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
  private images: ImageReader | undefined;
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
        const images = this.images;
        const targets = images ? writeTargets(operation, input) : [];
        const before: WriteImages | undefined =
          images && targets.length > 0 ? await images.read(targets) : undefined;
        try {
          const result = await next(metered);
          stats.itemsWritten += itemsWrittenBy(operation, input);
          stats.itemsRead += itemsReadBy(result.output as Record<string, unknown>);
          this.record(operation, stats, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
          if (images) {
            const output = result.output as Record<string, unknown>;
            stats.imaged++;
            if (before)
              stats.awsWriteUnits += unitsOfWrite(operation, before, await images.read(targets), true);
            else stats.awsReadUnits += await unitsOfRead(operation, input, output, images);
          }
          return result;
        } catch (error) {
          stats.errors++;
          if (images && before) {
            // A failed condition or a cancelled transaction still costs the existing items' units.
            stats.imaged++;
            stats.awsWriteUnits += unitsOfWrite(operation, before, before, false);
          }
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

  /**
   * On: every metered call also gets its AWS request units computed from item images (two
   * extra reads per written item, a re-read of what a read evaluated). For untimed calls only.
   */
  measureCapacity(on: boolean): void {
    this.images = on ? (this.images ?? new ImageReader()) : undefined;
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
