import { readFile, writeFile } from 'node:fs/promises';

/**
 * The per-unit counts `npm run bench` measures and `npm run cost` prices: what one unit of work
 * (an API operation, a campaign recipient, an imported row, a stream record, a tracking event, a
 * reminder, a webhook delivery, ...) asks of each AWS service. The bench writes them to
 * `bench/unit-counts.json`, which the repository keeps: the cost model reads the committed file,
 * and the bench's regression check compares a new run's request counts with it.
 *
 * Every figure is a mean per unit over the measured units of one run (so it may be fractional:
 * 0.01 Query per recipient is one Query per 100 recipients), measured, never estimated; the
 * `method` of each section says how.
 */

export const UNIT_COUNTS_FILE = 'bench/unit-counts.json';
export const UNIT_COUNTS_SCHEMA = 1;

/** `quick`: `npm run bench -- --quick` (smaller sizes); `full`: `npm run bench`. */
export type BenchMode = 'quick' | 'full';

/** DynamoDB work of one unit. */
export interface DynamoUnitCounts {
  /** Requests by operation name (`GetItem`, `TransactWriteItems`, ...): logical SDK calls, retries once. */
  readonly requests: Readonly<Record<string, number>>;
  /**
   * Write request units by AWS's on-demand rules: per item written, ceil(size / 1 KB) for the table
   * plus the same for every GSI the item is (or was) in, an index key change counting a delete and
   * a put; transactional writes twice (DynamoDB Developer Guide, "Read/write capacity mode" and
   * "Global secondary indexes: provisioned throughput considerations").
   */
  readonly writeUnits: number;
  /**
   * Read request units by AWS's rules: ceil(size / 4 KB) per item read by GetItem/BatchGetItem, the
   * sum of the items' sizes rounded up to 4 KB per Query page, halved for eventually consistent
   * reads, doubled for transactional reads.
   */
  readonly readUnits: number;
  /** Items the unit wrote (a transaction's actions count one each). */
  readonly itemsWritten: number;
}

/** One Lambda function's part in a unit. */
export interface LambdaUnitCounts {
  /** The function's name in infra/lambdas.ts (e.g. `contacts`, `campaignSend`, `tableChanges`). */
  readonly function: string;
  /** Invocations of it per unit (a stream batch of 100 records is 0.01 per record). */
  readonly invocations: number;
  /** Median handler duration per invocation, ms, measured locally (DynamoDB Local over loopback). */
  readonly durationMs: number;
  /** Bytes the function logged per invocation (what CloudWatch Logs would ingest). */
  readonly logBytes: number;
}

/** What one unit of work costs in requests, by service. */
export interface UnitCounts {
  /** What the unit is, in a sentence (e.g. "one recipient of a campaign, from freeze to SES"). */
  readonly description: string;
  /** How it was measured: the scenario, its size, where the counts came from. */
  readonly method: string;
  /** How many units the figures are averaged over. */
  readonly measuredUnits: number;
  /** HTTP API requests per unit (1 for an API operation, 0 for background work). */
  readonly httpApiRequests: number;
  readonly dynamodb: DynamoUnitCounts;
  readonly lambda: readonly LambdaUnitCounts[];
  /** SQS requests (SendMessage(Batch), ReceiveMessage by the event source mapping, DeleteMessage(Batch)). */
  readonly sqsRequests: number;
  /** EventBridge Scheduler: CreateSchedule/DeleteSchedule calls and schedules fired. */
  readonly schedulerRequests: number;
  readonly schedulerInvocations: number;
  /** EventBridge custom events published (PutEvents entries, 64 KB chunks each). */
  readonly eventBridgeEvents: number;
  /** SES v2 API requests and emails sent (SendBulkEmail sends several emails per request). */
  readonly sesRequests: number;
  readonly sesEmails: number;
  /** S3 requests by class: PUT/COPY/POST/LIST and GET/other. */
  readonly s3PutRequests: number;
  readonly s3GetRequests: number;
  /** DynamoDB stream records the unit's writes produce (read by Lambda at no charge). */
  readonly streamRecords: number;
  /**
   * What the regression check lets a request count rise by before it fails: `after > before ×
   * (1 + relative) + absolute`. Absent: float noise only, for units measured in process where
   * every call makes the same requests. Units measured through the local runtime carry one: how
   * its stream consumer and queues cut work into batches depends on timing, and so do the
   * per-batch requests shared among the units.
   */
  readonly tolerance?: { readonly relative: number; readonly absolute: number };
}

/** Stored bytes of one record kind, base table plus its GSI copies (each item + 100 bytes per index). */
export interface StorageCounts {
  readonly description: string;
  /** Items of this record kind, its derived items (timeline, markers, aggregates) included, per record. */
  readonly itemsPerRecord: number;
  /** Bytes per record by AWS's item size rules, every GSI copy included. */
  readonly bytesPerRecord: number;
}

export interface UnitCountsRun {
  readonly mode: BenchMode;
  readonly date: string;
  readonly commit: string;
  /** Unit id → counts: `api.<operation>` (e.g. `api.createContact`), `campaign.recipient`, `import.row`, `stream.record`, `tracking.open`, `tracking.click`, `ses.event`, `reminder`, `webhook.delivery`, `sequence.step`, ... */
  readonly units: Readonly<Record<string, UnitCounts>>;
  /** Record kind → stored bytes (`contact`, `company`, `deal`, `activity`, ...). */
  readonly storage: Readonly<Record<string, StorageCounts>>;
}

/** The file: the latest run of each mode. */
export interface UnitCountsFile {
  readonly schema: typeof UNIT_COUNTS_SCHEMA;
  readonly runs: Readonly<Partial<Record<BenchMode, UnitCountsRun>>>;
}

/** Reads the committed counts; a missing file is an empty one. Throws on another schema. */
export async function readUnitCounts(path: string): Promise<UnitCountsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { schema: UNIT_COUNTS_SCHEMA, runs: {} };
    throw error;
  }
  const file = JSON.parse(text) as UnitCountsFile;
  if (file.schema !== UNIT_COUNTS_SCHEMA) {
    throw new Error(`${path}: schema ${String(file.schema)}, expected ${UNIT_COUNTS_SCHEMA}`);
  }
  return file;
}

/** Replaces one mode's run in the file at `path`, keeping the other mode's; stable key order. */
export async function writeUnitCountsRun(path: string, run: UnitCountsRun): Promise<void> {
  const current = await readUnitCounts(path);
  const next: UnitCountsFile = { schema: UNIT_COUNTS_SCHEMA, runs: { ...current.runs, [run.mode]: run } };
  await writeFile(path, `${JSON.stringify(next, null, 2)}\n`);
}
