import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntime } from '../infra/local/runtime.ts';
import { type ApiCall, apiCaller } from './api-call.ts';
import { benchLog, runWhenMain, sectionRun } from './bench-env.ts';
import type { DynamoMeter, MeterSnapshot } from './dynamo-meter.ts';

/**
 * CSV import and export through the whole local runtime: a generated contacts
 * file (1 % bad rows) goes up through the presigned URL of POST /imports, S3's
 * upload event reaches the `importChunks` queue and its worker; the run ends when
 * GET /imports/{id} says `done`. Reported: rows per second (upload to done),
 * DynamoDB requests and items written per row by the worker alone (the stream
 * consumer's work on the new contacts is apart), and the process's peak memory
 * above its level before the upload, at two file sizes (memory must stay flat in
 * file size: the worker streams, never loads the file). Then the export of the
 * large run's contacts (GET /contacts/export?format=csv&async=true&tag=..., an export job)
 * until its file is downloadable: rows per second.
 *
 * One section of BENCHMARKS.md: `npm run bench:imports` runs it alone and
 * rewrites only that section (the large size per mode, and BENCH_IMPORT_ROWS that
 * overrides it: bench/mode.ts; the small size is a tenth of it).
 */

export interface ImportRunReport {
  readonly rows: number;
  readonly badRows: number;
  readonly fileBytes: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly status: string;
  readonly totals: Readonly<Record<'created' | 'updated' | 'skipped' | 'failed' | 'processedRows', number>>;
  readonly workerRequests: number;
  readonly workerWriteRequests: number;
  readonly workerItemsWritten: number;
  readonly workerReadRequests: number;
  readonly byOperation: Readonly<Record<string, number>>;
  /** Peak resident set and V8 heap above their level just before the upload, in MiB. */
  readonly peakRssMiB: number;
  readonly peakHeapMiB: number;
}

export interface ExportRunReport {
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly workerRequests: number;
}

/** What DynamoDB Local itself sustains on this machine, measured in the same run on a scratch table. */
export interface EmulatorCeiling {
  /** Items per second written by 4 concurrent TransactWriteItems of 99 conditional Puts. */
  readonly transactItemsPerSecond: number;
  /** Items per second written by 8 concurrent BatchWriteItem of 25 Puts. */
  readonly batchItemsPerSecond: number;
}

export interface ImportsBenchReport {
  readonly ceiling: EmulatorCeiling;
  readonly imports: ImportRunReport[];
  readonly export?: ExportRunReport;
}

const writeOperations = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** Which worker a DynamoDB call is made for (the metered queue consumers run inside this scope). */
const worker = new AsyncLocalStorage<string>();

/**
 * A contacts CSV of `rows` data rows, every 100th one bad (an address that is
 * not one), all tagged `tag` so the export can select exactly them.
 */
export function contactsCsv(rows: number, tag: string): { text: string; bad: number } {
  const lines = ['First name,Last name,Email,Phone,City,Country,Tags'];
  let bad = 0;
  for (let index = 0; index < rows; index++) {
    const broken = index % 100 === 99;
    if (broken) bad++;
    const email = broken ? `person ${index} at example` : `${tag}-${index}@Example.COM`;
    lines.push(
      `Person ${index},"Surname, ${index % 977}",${email},+34 600 ${String(index).padStart(6, '0')},Madrid,ES,${tag}`,
    );
  }
  return { text: `${lines.join('\r\n')}\r\n`, bad };
}

function sum(snapshot: MeterSnapshot, pick: (operation: string) => boolean, field: 'count' | 'itemsWritten') {
  return Object.entries(snapshot)
    .filter(([operation]) => pick(operation))
    .reduce((total, [, stats]) => total + stats[field], 0);
}

class MemoryPeak {
  private readonly base = process.memoryUsage();
  private peakRss = this.base.rss;
  private peakHeap = this.base.heapUsed;
  private readonly timer = setInterval(() => this.sample(), 25);

  private sample(): void {
    const now = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, now.rss);
    this.peakHeap = Math.max(this.peakHeap, now.heapUsed);
  }

  stop(): { rssMiB: number; heapMiB: number } {
    clearInterval(this.timer);
    this.sample();
    const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    return { rssMiB: mib(this.peakRss - this.base.rss), heapMiB: mib(this.peakHeap - this.base.heapUsed) };
  }
}

type Call = ApiCall;

async function waitFor(
  call: Call,
  path: string,
  finished: (body: Record<string, unknown>) => boolean,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await call('GET', path);
    if (finished(body)) return body;
    if (Date.now() > deadline)
      throw new Error(`${path} not finished after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runImport(
  call: Call,
  meter: DynamoMeter,
  rows: number,
  tag: string,
  log: (line: string) => void,
): Promise<ImportRunReport> {
  const { text, bad } = contactsCsv(rows, tag);
  const body = Buffer.from(text);
  const created = await call('POST', '/imports', { entity: 'contacts', mode: 'create' });
  meter.reset();
  const memory = new MemoryPeak();
  const began = Date.now();
  const upload = await fetch(String(created.uploadUrl), { method: 'PUT', body });
  if (!upload.ok) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  const done = await waitFor(
    call,
    `/imports/${String(created.id)}`,
    (view) => view.status === 'done' || view.status === 'failed',
    Math.max(600_000, rows * 60),
  );
  const seconds = (Date.now() - began) / 1000;
  const peak = memory.stop();
  const snapshot = meter.snapshot();
  const requests = sum(snapshot, () => true, 'count');
  const report: ImportRunReport = {
    rows,
    badRows: bad,
    fileBytes: body.byteLength,
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: Math.round(rows / seconds),
    status: String(done.status),
    totals: {
      created: Number(done.created),
      updated: Number(done.updated),
      skipped: Number(done.skipped),
      failed: Number(done.failed),
      processedRows: Number(done.processedRows),
    },
    workerRequests: requests,
    workerWriteRequests: sum(snapshot, (operation) => writeOperations.has(operation), 'count'),
    workerItemsWritten: sum(snapshot, () => true, 'itemsWritten'),
    workerReadRequests: sum(snapshot, (operation) => !writeOperations.has(operation), 'count'),
    byOperation: Object.fromEntries(
      Object.entries(snapshot).map(([operation, stats]) => [operation, stats.count]),
    ),
    peakRssMiB: peak.rssMiB,
    peakHeapMiB: peak.heapMiB,
  };
  log(`imports: ${JSON.stringify(report)}`);
  return report;
}

async function runExport(
  call: Call,
  meter: DynamoMeter,
  tag: string,
  rows: number,
): Promise<ExportRunReport> {
  meter.reset();
  const began = Date.now();
  const started = await call('GET', `/contacts/export?format=csv&async=true&tag=${encodeURIComponent(tag)}`);
  const job = await waitFor(
    call,
    `/exports/${String(started.id)}`,
    (view) => view.status === 'done' || view.status === 'failed',
    Math.max(600_000, rows * 60),
  );
  const seconds = (Date.now() - began) / 1000;
  if (job.status !== 'done') throw new Error(`export ended ${JSON.stringify(job)}`);
  const download = await fetch(String(job.downloadUrl));
  const bytes = (await download.arrayBuffer()).byteLength;
  return {
    rows: Number(job.rows),
    bytes,
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: Math.round(Number(job.rows) / seconds),
    workerRequests: sum(meter.snapshot(), () => true, 'count'),
  };
}

/**
 * The emulator's write ceiling: DynamoDB Local serialises writes, so no import can
 * write items faster than this. A scratch table without a stream or indexes, dropped after.
 */
async function measureCeiling(endpoint: string, region: string): Promise<EmulatorCeiling> {
  const { CreateTableCommand, DeleteTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { BatchWriteCommand, DynamoDBDocumentClient, TransactWriteCommand } = await import(
    '@aws-sdk/lib-dynamodb'
  );
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  const TableName = `bench-ceiling-${Date.now().toString(36)}`;
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  let serial = 0;
  const item = () => {
    serial++;
    return {
      pk: `T#ceiling#CONTACT#${serial}`,
      sk: 'A',
      firstName: `Person ${serial}`,
      email: `p${serial}@example.com`,
    };
  };
  const rate = async (total: number, parallel: number, perCall: number, send: () => Promise<unknown>) => {
    let started = 0;
    const began = Date.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (started < total) {
          started += perCall;
          await send();
        }
      }),
    );
    return Math.round(started / ((Date.now() - began) / 1000));
  };
  try {
    const transactItemsPerSecond = await rate(4_000, 4, 99, () =>
      documents.send(
        new TransactWriteCommand({
          TransactItems: Array.from({ length: 99 }, () => ({
            Put: { TableName, Item: item(), ConditionExpression: 'attribute_not_exists(pk)' },
          })),
        }),
      ),
    );
    const batchItemsPerSecond = await rate(10_000, 8, 25, () =>
      documents.send(
        new BatchWriteCommand({
          RequestItems: { [TableName]: Array.from({ length: 25 }, () => ({ PutRequest: { Item: item() } })) },
        }),
      ),
    );
    return { transactItemsPerSecond, batchItemsPerSecond };
  } finally {
    await client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
    client.destroy();
  }
}

/** Starts its own runtime, imports at a tenth of `rows` and at `rows`, exports the large run, stops. */
export async function runImportsBench(
  options: { rows?: number; log?: (line: string) => void } = {},
): Promise<ImportsBenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const rows = options.rows ?? 100_000;
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-bench-imports-'));
  const { startLocalRuntime } = await import('../infra/local/runtime.ts');
  const { loadQueueConsumerHandler } = await import('../infra/local/queue-consumer.ts');
  const { mintToken } = await import('../infra/local/tokens.ts');
  const measured = new Set(['importChunks', 'exportJobs']);
  const runtime: LocalRuntime = await startLocalRuntime({
    dataDir,
    inMemory: true,
    port: 0,
    dynamoPort: 0,
    sesPort: 0,
    s3Port: 0,
    streamPollMs: 50,
    log: { info: () => undefined, error: (message, error) => console.error(message, error ?? '') },
    queueConsumer: {
      loadHandler: async (queue) => {
        const handler = await loadQueueConsumerHandler(queue);
        return measured.has(queue)
          ? (event, context) => worker.run(queue, () => handler(event, context))
          : handler;
      },
    },
  });
  try {
    const { meterSharedClient } = await import('./dynamo-meter.ts');
    const meter = await meterSharedClient(() => worker.getStore() !== undefined);
    meter.start();
    const token = await mintToken(dataDir, { tenant: 'bench-imports', role: 'admin', user: 'bench-admin' });
    const call = apiCaller(runtime.apiUrl, token);
    const ceiling = await measureCeiling(runtime.dynamoEndpoint, runtime.region);
    log(`emulator ceiling: ${JSON.stringify(ceiling)}`);
    const stamp = Date.now().toString(36);
    const small = Math.max(100, Math.round(rows / 10));
    const imports = [
      await runImport(call, meter, small, `small-${stamp}`, log),
      await runImport(call, meter, rows, `large-${stamp}`, log),
    ];
    const exported = await runExport(call, meter, `large-${stamp}`, rows);
    log(`exports: ${JSON.stringify(exported)}`);
    return { ceiling, imports, export: exported };
  } finally {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export const SECTION_START = '<!-- imports-bench: bench/imports.ts writes this section -->';
export const SECTION_END = '<!-- /imports-bench -->';

const fixed = (value: number, digits = 2) => value.toFixed(digits);

/** The BENCHMARKS.md section, between its markers. */
export function renderImportsSection(report: ImportsBenchReport, header: string): string {
  const lines = [
    SECTION_START,
    '## CSV import and export',
    '',
    header,
    '',
    'A contacts CSV (7 columns, CRLF, a quoted cell with a comma in every row, 1 % of rows with an invalid',
    'email) uploaded through the presigned URL of `POST /imports`; the S3 upload event reaches the',
    '`importChunks` queue and its worker (`functions/queue/importChunks.ts`), which streams the object through',
    'the CSV reader and writes the rows in transactions with their row-range markers. Seconds run from the',
    "upload to `status: done`. Requests and items are the worker's alone (the stream consumer's work on the",
    "new contacts comes on top, as for contacts created through the API). Memory is this process's peak",
    'above its level just before the upload (the whole local runtime runs in it; DynamoDB Local is its own',
    'Java process): it must not grow with the file.',
    '',
    '| Rows | Bad rows | File | Seconds | Rows per second (local) | Created | Failed | Processed | Worker requests per row | Write requests per row | Items written per row | Peak RSS above start | Peak heap above start |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.imports.map(
      (run) =>
        `| ${run.rows} | ${run.badRows} | ${fixed(run.fileBytes / 1024 / 1024, 1)} MiB | ${fixed(run.seconds, 1)} | ${run.rowsPerSecond} | ${run.totals.created} | ${run.totals.failed} | ${run.totals.processedRows} | ${fixed(run.workerRequests / run.rows)} | ${fixed(run.workerWriteRequests / run.rows)} | ${fixed(run.workerItemsWritten / run.rows)} | ${run.peakRssMiB} MiB | ${run.peakHeapMiB} MiB |`,
    ),
    '',
    ...report.imports.map(
      (run) =>
        `Worker requests of the ${run.rows}-row run by operation: ${Object.entries(run.byOperation)
          .map(([operation, count]) => `${operation} ${count}`)
          .join(', ')}.`,
    ),
    '',
    'Target: at least 1,000 rows per second locally, and memory flat in file size.',
    '',
    `The emulator's own ceiling, measured in the same run on a scratch table: ${report.ceiling.transactItemsPerSecond} items per second through`,
    `TransactWriteItems (4 at once, 99 conditional Puts each) and ${report.ceiling.batchItemsPerSecond} through BatchWriteItem (8 at once, 25 Puts each).`,
    ...report.imports.map(
      (run) =>
        `The ${run.rows}-row import wrote ${Math.round(run.workerItemsWritten / run.seconds)} items per second, ${Math.round((100 * run.workerItemsWritten) / run.seconds / report.ceiling.transactItemsPerSecond)} % of the transactional ceiling, while the stream consumer worked on the same emulator.`,
    ),
    ...(report.export
      ? [
          '',
          `Export of those ${report.export.rows} contacts as CSV (\`GET /contacts/export?format=csv&async=true&tag=...\`, an export job writing`,
          `to the exports bucket in parts): ${fixed(report.export.seconds, 1)} s from the request to the job \`done\`, ${report.export.rowsPerSecond} rows per second,`,
          `${fixed(report.export.bytes / 1024 / 1024, 1)} MiB, ${fixed(report.export.workerRequests / Math.max(1, report.export.rows), 3)} DynamoDB requests per row.`,
        ]
      : []),
    SECTION_END,
  ];
  return lines.join('\n');
}

/** `npm run bench:imports [-- --quick]`: this section alone, spliced into BENCHMARKS.md. */
async function main(): Promise<number> {
  const run = sectionRun('imports');
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const report = await runImportsBench({ rows: run.sizes.values.rows, log: benchLog });
  const header = `${run.modeLine()}\n\nWritten by bench/imports.ts (\`npm run bench\`, or this section alone: \`npm run bench:imports\`) on ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}; load average ${run.load()}.`;
  await run.write(renderImportsSection(report, header), { start: SECTION_START, end: SECTION_END });
  console.log(JSON.stringify(report, null, 2));
  const failed = report.imports.filter(
    (entry) =>
      entry.status !== 'done' ||
      entry.totals.failed !== entry.badRows ||
      entry.totals.processedRows !== entry.rows ||
      entry.totals.created !== entry.rows - entry.badRows,
  );
  for (const entry of failed)
    console.error(
      `[bench] BENCH EXPECTATION FAILED: import of ${entry.rows} rows: ${JSON.stringify(entry.totals)}`,
    );
  return failed.length > 0 ? 1 : 0;
}

runWhenMain(import.meta.url, main);
