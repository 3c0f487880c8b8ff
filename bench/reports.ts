import { writeFile } from 'node:fs/promises';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { streamEvent, streamRecord } from '../test/support/stream-records.ts';
import { benchLog, runWhenMain, sectionRun, useBenchEnvironment, withBenchTable } from './bench-env.ts';
import type { DynamoMeter, MeterSnapshot } from './dynamo-meter.ts';
import { lambdaContext } from './events.ts';
import {
  type ReportRoutesReport,
  type ReportRoutesSettings,
  renderReportRoutes,
  runReportRoutes,
} from './report-routes.ts';
import type { TenantSize } from './report-tenant.ts';
import { median, percentile } from './stats.ts';

/**
 * Report aggregates in the bench: the whole stream consumer on a 100-record
 * mixed batch of one tenant (contacts, deals, stage moves with their history
 * entries, activities, campaign deliveries; timelines and every other
 * consumer on), with what the aggregates' per-event markers cost; and the
 * rebuild of a tenant's aggregates from its records (POST
 * /admin/reports/rebuild's synchronous path, and the background job's); and
 * every report route's requests per call at two tenant sizes
 * (report-routes.ts).
 *
 * One section of BENCHMARKS.md. `npm run bench` runs it with the rest;
 * `npm run bench:reports` runs only this section on its own DynamoDB Local
 * and rewrites only this section of BENCHMARKS.md. Its sizes in each mode
 * (`--quick`) and the BENCH_* variables that override them: bench/mode.ts.
 */

type Item = Record<string, unknown>;
type StreamHandler = (event: DynamoDBStreamEvent, context: unknown) => Promise<DynamoDBBatchResponse>;

export interface ReportsBenchSettings {
  readonly tableName: string;
  readonly batches: number;
  readonly rebuildRecords: number;
  readonly routeSizes: ReportRoutesSettings['sizes'];
  readonly routeCalls: number;
  readonly log: (line: string) => void;
}

export interface WriteFigures {
  /** DynamoDB write requests (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems) per batch. */
  readonly writeRequests: number;
  /** Items those requests wrote, per batch. */
  readonly itemsWritten: number;
  readonly readRequests: number;
}

export interface MixedBatchReport {
  readonly records: number;
  readonly composition: Record<string, number>;
  readonly batches: number;
  readonly whole: WriteFigures;
  /** The aggregates consumer alone on the same kind of batch. */
  readonly aggregates: WriteFigures & {
    readonly markers: number;
    readonly counterUpdates: number;
    readonly transactions: number;
  };
  readonly batchMs: { readonly median: number; readonly p95: number };
  readonly recordsPerSecond: number;
  readonly failures: number;
}

export interface RebuildRun {
  readonly name: string;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly queries: number;
  readonly aggregatesChecked: number;
  readonly drifted: number;
}

export interface ReportsBenchReport {
  readonly mixed: MixedBatchReport;
  /** Records loaded into the rebuild's tenant. */
  readonly rebuildLoaded: number;
  /** The entities the rebuild reads (those some report is fed by). */
  readonly rebuildEntities: string[];
  readonly rebuild: RebuildRun[];
  readonly routes: ReportRoutesReport;
}

const writeOperations = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];
const readOperations = ['GetItem', 'Query', 'BatchGetItem', 'TransactGetItems'];

function figures(snapshot: MeterSnapshot): WriteFigures {
  const sum = (names: readonly string[], pick: (stats: MeterSnapshot[string]) => number) =>
    names.reduce((total, name) => total + (snapshot[name] ? pick(snapshot[name]) : 0), 0);
  return {
    writeRequests: sum(writeOperations, (stats) => stats.count),
    itemsWritten: sum(writeOperations, (stats) => stats.itemsWritten),
    readRequests: sum(readOperations, (stats) => stats.count),
  };
}

const average = (list: readonly WriteFigures[]): WriteFigures => ({
  writeRequests: list.reduce((sum, one) => sum + one.writeRequests, 0) / Math.max(1, list.length),
  itemsWritten: list.reduce((sum, one) => sum + one.itemsWritten, 0) / Math.max(1, list.length),
  readRequests: list.reduce((sum, one) => sum + one.readRequests, 0) / Math.max(1, list.length),
});

async function writeItems(tableName: string, items: readonly Item[]): Promise<void> {
  const { dynamo } = await import('#shared/store/client');
  for (let start = 0; start < items.length; start += 25) {
    let pending: Item[] = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const output = await dynamo.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (output.UnprocessedItems?.[tableName] ?? []) as Item[];
    }
  }
}

/** Builders of real table items (the stores' own toItem and key builders) for one tenant. */
async function itemFactory(tenantId: string) {
  const { toItem } = await import('#shared/store/records');
  const entities = await import('#shared/store/entities');
  const keys = await import('#shared/store/keys');
  const next = monotonicFactory();
  const at = (day: number) => new Date(Date.UTC(2025, 0, 1) + day * 86_400_000).toISOString();
  const base = (n: number) => ({
    id: next(),
    createdAt: at(n % 600),
    updatedAt: at(n % 600),
    version: 1,
    ownerId: `user-${n % 5}`,
    teamId: `team-${n % 2}`,
    archived: false,
  });
  const currency = (n: number) => (n % 3 === 0 ? 'USD' : 'EUR');
  return {
    contact: (n: number) =>
      toItem(entities.contacts, tenantId, {
        ...base(n),
        firstName: `Person ${n}`,
        email: `p${n}-${tenantId}@example.com`,
        tags: [],
        marketingStatus: 'subscribed',
        customFields: {},
        country: ['ES', 'DE', 'FR'][n % 3],
      }),
    company: (n: number) =>
      toItem(entities.companies, tenantId, { ...base(n), name: `Company ${n}`, tags: [], customFields: {} }),
    lead: (n: number) =>
      toItem(entities.leads, tenantId, { ...base(n), firstName: `Lead ${n}`, status: 'new', source: 'web' }),
    deal: (n: number, status: 'open' | 'won' | 'lost' = 'open') =>
      toItem(entities.deals, tenantId, {
        ...base(n),
        name: `Deal ${n}`,
        pipelineId: 'pipeline-1',
        stageId: `stage-${status}`,
        status,
        probability: status === 'open' ? 50 : status === 'won' ? 100 : 0,
        amount: 100 + (n % 97) * 13.37,
        currency: currency(n),
        contactIds: [],
        productIds: [`product-${n % 4}`],
        ...(status === 'open' ? {} : { closedAt: at((n % 600) + 30) }),
        ...(status === 'lost' ? { lostReason: 'price' } : {}),
      }),
    /** A deal moved to won: its new item and the history entry written with it. */
    won: (deal: Item, n: number): [Item, Item] => {
      const moved = {
        ...deal,
        stageId: 'stage-won',
        status: 'won',
        probability: 100,
        closedAt: at((n % 600) + 45),
        version: Number(deal.version) + 1,
      };
      const entry = keys.dealHistoryKey(tenantId, String(deal.id), next());
      return [
        moved,
        {
          ...entry,
          entity: 'deal-history',
          tenantId,
          id: entry.sk,
          dealId: deal.id,
          from: { id: deal.stageId, name: 'open' },
          to: { id: 'stage-won', name: 'won' },
          status: 'won',
          amount: deal.amount,
          currency: deal.currency,
          by: deal.ownerId,
          at: moved.closedAt,
        },
      ];
    },
    activity: (n: number) =>
      toItem(entities.activities, tenantId, {
        ...base(n),
        type: 'call',
        subject: `Call ${n}`,
        assigneeId: `user-${n % 5}`,
        status: 'open',
        reminderState: 'none',
        dueAt: at((n % 600) + 3),
      }),
    delivery: (campaignId: string, n: number, status: 'pending' | 'sent'): Item => ({
      pk: keys.campaignRecipientsPk(tenantId, campaignId),
      sk: `contact-${n}`,
      entity: 'delivery',
      kind: 'campaign',
      tenantId,
      campaignId,
      contactId: `contact-${n}`,
      email: `r${n}@example.com`,
      status,
      createdAt: at(10),
      updatedAt: at(10),
      ...(status === 'sent' ? { sentAt: at(10), messageId: `m-${n}` } : {}),
    }),
  };
}

interface Change {
  readonly old?: Item;
  readonly new?: Item;
}

/**
 * A 100-record batch of one tenant: 25 new contacts, 15 new deals, 15 deals
 * moved to won with their 15 history entries, 15 new activities, 8 new
 * campaign recipients and 7 sent ones delivered. The items are written to the
 * table first, as the writes that produce these records would.
 */
export async function mixedBatch(tableName: string, tenantId: string, round: number) {
  const make = await itemFactory(tenantId);
  const changes: Change[] = [];
  const composition: Record<string, number> = {};
  const count = (name: string, n = 1) => {
    composition[name] = (composition[name] ?? 0) + n;
  };
  const written: Item[] = [];
  for (let n = 0; n < 25; n++) {
    const item = make.contact(round * 1000 + n);
    changes.push({ new: item });
    written.push(item);
  }
  count('contact INSERT', 25);
  for (let n = 0; n < 15; n++) {
    const item = make.deal(round * 1000 + n);
    changes.push({ new: item });
    written.push(item);
  }
  count('deal INSERT', 15);
  const open = Array.from({ length: 15 }, (_, n) => make.deal(round * 1000 + 100 + n));
  await writeItems(tableName, open);
  open.forEach((deal, n) => {
    const [moved, history] = make.won(deal, n);
    changes.push({ old: deal, new: moved }, { new: history });
    written.push(moved, history);
  });
  count('deal MODIFY (stage move to won)', 15);
  count('deal-history INSERT', 15);
  for (let n = 0; n < 15; n++) {
    const item = make.activity(round * 1000 + n);
    changes.push({ new: item });
    written.push(item);
  }
  count('activity INSERT', 15);
  const campaignId = `campaign-${round}`;
  for (let n = 0; n < 8; n++) {
    const item = make.delivery(campaignId, n, 'pending');
    changes.push({ new: item });
    written.push(item);
  }
  count('delivery INSERT', 8);
  const sent = Array.from({ length: 7 }, (_, n) => make.delivery(campaignId, 100 + n, 'sent'));
  await writeItems(tableName, sent);
  for (const item of sent) {
    const delivered = { ...item, status: 'delivered', deliveredAt: item.sentAt };
    changes.push({ old: item, new: delivered });
    written.push(delivered);
  }
  count('delivery MODIFY (delivered)', 7);
  await writeItems(tableName, written);
  return { changes, composition };
}

export const eventOf = (changes: readonly Change[], prefix: string, tableName: string): DynamoDBStreamEvent =>
  streamEvent(changes.map((change, n) => streamRecord({ ...change, eventId: `${prefix}-${n}`, tableName })));

async function runMixed(meter: DynamoMeter, settings: ReportsBenchSettings): Promise<MixedBatchReport> {
  const handler = (await import('#functions/stream/tableChanges')).handler as unknown as StreamHandler;
  const { decodeRecords } = await import('#functions/stream/pipeline/decode');
  const { applyAggregates } = await import('#functions/stream/consumers/aggregates');
  const { aggregateDeltas } = await import('#shared/domain/reports/aggregate');
  const { reportAggregates } = await import('#shared/domain/reports/index');
  const tenantId = `bench-reports-${Date.now().toString(36)}`;
  const whole: WriteFigures[] = [];
  const alone: WriteFigures[] = [];
  const times: number[] = [];
  let failures = 0;
  let composition: Record<string, number> = {};
  let records = 0;
  let markers = 0;
  let transactions = 0;
  for (let round = 0; round < 2 + settings.batches; round++) {
    const batch = await mixedBatch(settings.tableName, tenantId, round);
    composition = batch.composition;
    records = batch.changes.length;
    const measured = round >= 2;
    meter.reset();
    if (measured) meter.start();
    const started = performance.now();
    const result = await handler(
      eventOf(batch.changes, `mixed-${round}`, settings.tableName),
      lambdaContext('aggregates'),
    );
    const ms = performance.now() - started;
    meter.stop();
    failures += result.batchItemFailures.length;
    if (!measured) continue;
    times.push(ms);
    whole.push(figures(meter.snapshot()));
    // The same changes under new event ids, through the aggregates consumer alone.
    const { changes } = decodeRecords(eventOf(batch.changes, `alone-${round}`, settings.tableName).Records);
    markers += changes.filter(
      (change) => aggregateDeltas(change.old, change.new, reportAggregates).length > 0,
    ).length;
    meter.reset();
    meter.start();
    await applyAggregates(changes);
    meter.stop();
    const snapshot = meter.snapshot();
    transactions += snapshot.TransactWriteItems?.count ?? 0;
    alone.push(figures(snapshot));
  }
  const batches = times.length;
  const aggregates = average(alone);
  const markersPerBatch = markers / batches;
  const batchMedian = median(times);
  return {
    records,
    composition,
    batches,
    whole: average(whole),
    aggregates: {
      ...aggregates,
      markers: markersPerBatch,
      counterUpdates: aggregates.itemsWritten - markersPerBatch,
      transactions: transactions / batches,
    },
    batchMs: { median: batchMedian, p95: percentile(times, 95) },
    recordsPerSecond: records / (batchMedian / 1000),
    failures,
  };
}

/** A tenant of `records` records (contacts, companies, leads, deals open, won and lost, activities). */
async function loadTenant(tableName: string, tenantId: string, records: number): Promise<void> {
  const make = await itemFactory(tenantId);
  const items: Item[] = [];
  for (let n = 0; n < records; n++) {
    const kind = n % 10;
    items.push(
      kind < 4
        ? make.contact(n)
        : kind === 4
          ? make.company(n)
          : kind === 5
            ? make.lead(n)
            : kind === 6
              ? make.deal(n, 'open')
              : kind === 7
                ? make.deal(n, 'won')
                : kind === 8
                  ? make.deal(n, 'lost')
                  : make.activity(n),
    );
  }
  await writeItems(tableName, items);
}

async function runRebuilds(meter: DynamoMeter, settings: ReportsBenchSettings): Promise<RebuildRun[]> {
  const { rebuildReports } = await import('#shared/store/report-rebuild');
  const jobs = await import('#shared/store/report-rebuild-jobs');
  const tenantId = `bench-rebuild-${Date.now().toString(36)}`;
  settings.log(`reports: loading a tenant of ${settings.rebuildRecords} records for the rebuild`);
  await loadTenant(settings.tableName, tenantId, settings.rebuildRecords);
  const runs: RebuildRun[] = [];

  meter.reset();
  meter.start();
  let started = performance.now();
  const first = await rebuildReports(tenantId);
  let seconds = (performance.now() - started) / 1000;
  meter.stop();
  runs.push({
    name: 'synchronous (POST /admin/reports/rebuild), aggregates empty: everything drifts',
    records: first.progress.items,
    seconds,
    recordsPerSecond: first.progress.items / seconds,
    queries: meter.snapshot().Query?.count ?? 0,
    aggregatesChecked: first.aggregatesChecked,
    drifted: first.drifted.length,
  });

  meter.reset();
  meter.start();
  started = performance.now();
  const second = await rebuildReports(tenantId);
  seconds = (performance.now() - started) / 1000;
  meter.stop();
  runs.push({
    name: 'synchronous again: nothing drifts',
    records: second.progress.items,
    seconds,
    recordsPerSecond: second.progress.items / seconds,
    queries: meter.snapshot().Query?.count ?? 0,
    aggregatesChecked: second.aggregatesChecked,
    drifted: second.drifted.length,
  });

  const { id } = await jobs.createRebuildJob(tenantId, 'bench');
  meter.reset();
  meter.start();
  started = performance.now();
  let outcome: string;
  do outcome = await jobs.runRebuildJob({ tenantId, jobId: id });
  while (outcome === 'continue');
  seconds = (performance.now() - started) / 1000;
  meter.stop();
  const view = await jobs.getRebuildJob(tenantId, id);
  runs.push({
    name: 'background job (reportRebuild queue worker), pages of 50 with scratch sums',
    records: second.progress.items,
    seconds,
    recordsPerSecond: second.progress.items / seconds,
    queries: meter.snapshot().Query?.count ?? 0,
    aggregatesChecked: view?.aggregatesChecked ?? 0,
    drifted: view?.drifted?.length ?? 0,
  });
  return runs;
}

export async function runReportsBench(
  meter: DynamoMeter,
  settings: ReportsBenchSettings,
): Promise<ReportsBenchReport> {
  settings.log(`reports: ${settings.batches} mixed stream batches of 100 records`);
  const mixed = await runMixed(meter, settings);
  settings.log(
    `reports: mixed batch ${(mixed.whole.itemsWritten / mixed.records).toFixed(2)} items written and ${(mixed.whole.writeRequests / mixed.records).toFixed(2)} write requests per record, ${Math.round(mixed.recordsPerSecond)} records/s`,
  );
  const rebuild = await runRebuilds(meter, settings);
  for (const run of rebuild)
    settings.log(`reports: rebuild ${run.name}: ${Math.round(run.recordsPerSecond)} records/s`);
  const routes = await runReportRoutes(meter, {
    tableName: settings.tableName,
    sizes: settings.routeSizes,
    calls: settings.routeCalls,
    log: settings.log,
  });
  for (const entry of routes.expectations)
    settings.log(`reports: ${entry.route}: ${entry.detail}${entry.ok ? '' : ' (NOT the same)'}`);
  const { reportedEntities } = await import('#shared/domain/reports/index');
  return {
    mixed,
    rebuildLoaded: settings.rebuildRecords,
    rebuildEntities: reportedEntities(),
    rebuild,
    routes,
  };
}

const fixed = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

export const SECTION_START = '<!-- reports-bench: bench/reports.ts writes this section -->';
export const SECTION_END = '<!-- /reports-bench -->';

/** The BENCHMARKS.md section, between its markers. */
export function renderReportsSection(report: ReportsBenchReport, header: string): string {
  const { mixed } = report;
  const per = (value: number) => fixed(value / mixed.records);
  const lines = [
    SECTION_START,
    '## Report aggregates: stream and rebuild',
    '',
    header,
    '',
    `### Stream: a ${mixed.records}-record mixed batch of one tenant`,
    '',
    '`functions/stream/tableChanges.ts` (every consumer: report aggregates, timelines, notifications, campaign',
    'stats, ...) on stream events built from real items of the table, written there first. The batch:',
    `${Object.entries(mixed.composition)
      .map(([name, n]) => `${n} ${name}`)
      .join(', ')}. Averages over ${mixed.batches} batches (after 2 warm-up batches).`,
    '',
    '| What | Write requests per batch | Items written per batch | Items written per record | Write requests per record | Read requests per batch |',
    '| --- | --- | --- | --- | --- | --- |',
    `| whole consumer | ${fixed(mixed.whole.writeRequests)} | ${fixed(mixed.whole.itemsWritten)} | ${per(mixed.whole.itemsWritten)} | ${per(mixed.whole.writeRequests)} | ${fixed(mixed.whole.readRequests)} |`,
    `| report aggregates alone | ${fixed(mixed.aggregates.writeRequests)} (${fixed(mixed.aggregates.transactions)} transactions) | ${fixed(mixed.aggregates.itemsWritten)} | ${per(mixed.aggregates.itemsWritten)} | ${per(mixed.aggregates.writeRequests)} | ${fixed(mixed.aggregates.readRequests)} |`,
    `| of which per-event markers | | ${fixed(mixed.aggregates.markers)} | ${per(mixed.aggregates.markers)} | | |`,
    `| of which aggregate counter updates (coalesced per item per transaction) | | ${fixed(mixed.aggregates.counterUpdates)} | ${per(mixed.aggregates.counterUpdates)} | | |`,
    '',
    `Batch median ${mixed.batchMs.median.toFixed(1)} ms, p95 ${mixed.batchMs.p95.toFixed(1)} ms (local): ${Math.round(mixed.recordsPerSecond)} records per second through the whole consumer; ${mixed.failures} records reported failed.`,
    `Target: at most 1.0 item written per record with timelines on. Measured: ${per(mixed.whole.itemsWritten)} for the whole consumer (${mixed.whole.itemsWritten / mixed.records <= 1 ? 'within' : 'above'} the target).`,
    `The report aggregates account for ${per(mixed.aggregates.itemsWritten)} of it: ${per(mixed.aggregates.counterUpdates)} counter updates (coalesced: one update per aggregate item per`,
    `transaction) and ${per(mixed.aggregates.markers)} per-event markers (one for each record that moves a counter), which are what makes a replayed`,
    "or duplicated batch count once. The rest are the other consumers' own items (timeline entries, campaign stats, ...).",
    '',
    '### Rebuild',
    '',
    `A tenant of ${report.rebuildLoaded} records (contacts, companies, leads, deals open, won and lost, activities), loaded without the stream;`,
    `the rebuild reads the items of the entities some report reads (${report.rebuildEntities.join(', ')}) through their`,
    'collections, sums their contributions and compares them with the stored aggregates (`shared/store/report-rebuild.ts`,',
    '`report-rebuild-jobs.ts`). The first run finds every aggregate missing and corrects it; the next ones find nothing.',
    '',
    '| Run | Records | Seconds | Records per second (local) | Queries | Aggregates checked | Drifted |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...report.rebuild.map(
      (run) =>
        `| ${run.name} | ${run.records} | ${run.seconds.toFixed(2)} | ${Math.round(run.recordsPerSecond)} | ${run.queries} | ${run.aggregatesChecked} | ${run.drifted} |`,
    ),
    '',
    ...renderReportRoutes(report.routes),
    SECTION_END,
  ];
  return lines.join('\n');
}

/** The tenants of the routes' part: the small one, and the large one (`largeContacts` contacts, the rest in proportion). */
function routeSizes(largeContacts: number): ReportRoutesSettings['sizes'] {
  const scale = largeContacts / 100_000;
  const of = (n: number) => Math.max(1, Math.round(n * scale));
  const small: TenantSize = {
    contacts: 1_000,
    companies: 50,
    deals: 200,
    leads: 200,
    cases: 100,
    activities: 300,
    deliveries: 200,
  };
  const large: TenantSize = {
    contacts: of(100_000),
    companies: of(5_000),
    deals: of(20_000),
    leads: of(10_000),
    cases: of(5_000),
    activities: of(20_000),
    deliveries: of(10_000),
  };
  return [
    { label: 'small', size: small },
    { label: 'large', size: large },
  ];
}

/** `npm run bench:reports [-- --quick]`: this section alone, on its own DynamoDB Local, spliced into BENCHMARKS.md. */
async function main(): Promise<number> {
  const run = sectionRun('reports');
  const sizes = run.sizes.values;
  useBenchEnvironment({ logLevel: 'ERROR' });
  return withBenchTable({ own: 'crm-bench-reports' }, async (table, meter) => {
    const report = await runReportsBench(meter, {
      tableName: table.tableName,
      batches: sizes.batches,
      rebuildRecords: sizes.rebuildRecords,
      routeSizes: routeSizes(sizes.largeTenantContacts),
      routeCalls: sizes.routeCalls,
      log: benchLog,
    });
    const header = `${run.modeLine()}\n\nWritten by bench/reports.ts (\`npm run bench\`, or this section alone: \`npm run bench:reports\`) on ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}, ${table.source}; load average ${run.load()} (times are as noisy as the machine was busy; request and item counts are not).`;
    await run.write(renderReportsSection(report, header), { start: SECTION_START, end: SECTION_END });
    console.log(JSON.stringify(report, null, 2));
    if (process.env.BENCH_REPORT_FILE) await writeFile(process.env.BENCH_REPORT_FILE, JSON.stringify(report));
    benchLog('BENCHMARKS.md: the report aggregates section rewritten');
    const failed = report.routes.expectations.filter((entry) => !entry.ok);
    for (const entry of failed)
      console.error(
        `[bench] BENCH EXPECTATION FAILED: ${entry.route}: Queries per call differ, ${entry.detail}`,
      );
    return failed.length > 0 ? 1 : 0;
  });
}

runWhenMain(import.meta.url, main);
