import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Consumer, TableChange } from '#functions/stream/pipeline/change';
import { decodeRecords } from '#functions/stream/pipeline/decode';
import type { Contact } from '#shared/domain/records';
import { timelinePk } from '#shared/store/keys';
import { streamRecord } from '../test/support/stream-records.ts';
import { benchLog, runWhenMain, sectionRun, useBenchEnvironment, withBenchTable } from './bench-env.ts';
import type { DynamoMeter, MeterSnapshot } from './dynamo-meter.ts';
import { median, percentile } from './stats.ts';
import {
  type DeliveriesBench,
  deliveryExpectation,
  renderDeliveries,
  runDeliveriesBench,
} from './webhook-deliveries.ts';

/**
 * Integrations in the bench: stream consumers that send the table's changes
 * elsewhere, measured the same way through {@link measureConsumer} (a
 * function taking a Consumer, so a webhook fan-out is measured beside the
 * event bus): records per second through the consumer, what it sent per
 * second, and the DynamoDB writes (items) and reads it adds per stream
 * record, on DynamoDB Local with the local event-bus stand-in (a JSONL file).
 *
 * Each consumer runs over stream batches of 100 records in three mixes:
 * every record an event (contacts created), a mix as the stream carries it
 * (a quarter contacts created, a quarter edits the API shows, a quarter
 * last-activity stamps, a quarter derived items such as timeline entries),
 * and the same batches again (a replay). Then the webhook deliveries
 * themselves, stream to receiver (bench/webhook-deliveries.ts). One section
 * of BENCHMARKS.md; `npm run bench` runs it with the rest, `npm run
 * bench:integrations` alone. Its sizes per mode (batches per mix; batches of
 * 100 events per delivery run, fewer since each delivery is a real POST) and
 * the BENCH_* variables that override them: bench/mode.ts.
 */

export const SECTION_START = '<!-- integrations-bench: bench/integrations.ts writes this section -->';
export const SECTION_END = '<!-- /integrations-bench -->';

const BATCH_SIZE = 100;

export interface ConsumerRun {
  readonly consumer: string;
  readonly mix: string;
  readonly batches: number;
  readonly records: number;
  /** What the consumer sent (events on the bus, deliveries queued), as `sent()` counts it. */
  readonly sent: number;
  readonly recordsPerSecond: { readonly median: number; readonly p95Low: number };
  readonly sentPerSecond: { readonly median: number };
  /** Items written per stream record, and reads (items returned) per stream record. */
  readonly writesPerRecord: number;
  readonly readCallsPerRecord: number;
  readonly failed: number;
}

export interface MeasureOptions {
  readonly mix: string;
  readonly batches: readonly (readonly TableChange[])[];
  readonly meter: DynamoMeter;
  /** How many things the consumer has sent so far (events recorded, deliveries queued). */
  readonly sent: () => Promise<number>;
}

const writesOf = (snapshot: MeterSnapshot) =>
  Object.values(snapshot).reduce((sum, stats) => sum + stats.itemsWritten, 0);
const readCallsOf = (snapshot: MeterSnapshot) =>
  ['GetItem', 'Query', 'BatchGetItem', 'TransactGetItems'].reduce(
    (sum, operation) => sum + (snapshot[operation]?.count ?? 0),
    0,
  );

/**
 * Runs `consumer` over the batches one by one, timing each, with the meter on:
 * records and sent per second (median over batches; p95Low the slow end),
 * DynamoDB items written and read calls per stream record.
 */
export async function measureConsumer(consumer: Consumer, options: MeasureOptions): Promise<ConsumerRun> {
  const { meter, batches } = options;
  const sentBefore = await options.sent();
  const recordRates: number[] = [];
  const sentRates: number[] = [];
  let failed = 0;
  meter.reset();
  for (const batch of batches) {
    const before = await options.sent();
    meter.start();
    const started = performance.now();
    const failures = await consumer.apply(batch);
    const seconds = (performance.now() - started) / 1000;
    meter.stop();
    failed += failures.size;
    recordRates.push(batch.length / seconds);
    sentRates.push(((await options.sent()) - before) / seconds);
  }
  const snapshot = meter.snapshot();
  const records = batches.reduce((sum, batch) => sum + batch.length, 0);
  return {
    consumer: consumer.name,
    mix: options.mix,
    batches: batches.length,
    records,
    sent: (await options.sent()) - sentBefore,
    recordsPerSecond: { median: median(recordRates), p95Low: percentile(recordRates, 5) },
    sentPerSecond: { median: median(sentRates) },
    writesPerRecord: writesOf(snapshot) / records,
    readCallsPerRecord: readCallsOf(snapshot) / records,
    failed,
  };
}

const AT = '2026-03-01T10:00:00.000Z';
const LATER = '2026-03-02T10:00:00.000Z';

/** A contact item as the store writes it (keys, index attributes, entity, tenant). */
async function contactItem(tenantId: string, n: number): Promise<Record<string, unknown>> {
  const { toItem } = await import('#shared/store/records');
  const { contacts } = await import('#shared/store/entities');
  const contact: Contact = {
    id: `c${String(n).padStart(6, '0')}`,
    createdAt: AT,
    updatedAt: AT,
    version: 1,
    ownerId: 'u1',
    teamId: 'team1',
    archived: false,
    firstName: `Person ${n}`,
    lastName: 'Bench',
    email: `person${n}@example.com`,
    tags: ['bench'],
    marketingStatus: 'subscribed',
    customFields: {},
  };
  return toItem(contacts, tenantId, contact) as Record<string, unknown>;
}

/** Decoded changes, as the pipeline hands them to consumers. */
const changesOf = (records: Parameters<typeof streamRecord>[0][]): TableChange[] =>
  decodeRecords(records.map(streamRecord)).changes;

/** `count` batches of contacts created: every record an event. */
async function createdBatches(tenantId: string, count: number, run: string): Promise<TableChange[][]> {
  const batches: TableChange[][] = [];
  for (let b = 0; b < count; b++) {
    const records = [];
    for (let i = 0; i < BATCH_SIZE; i++) {
      const n = b * BATCH_SIZE + i;
      records.push({ eventId: `${run}-created-${n}`, new: await contactItem(tenantId, n) });
    }
    batches.push(changesOf(records));
  }
  return batches;
}

/**
 * `count` batches as the stream carries the API's work: per four records a
 * contact created, an edit of a shown field, a last-activity stamp and a
 * timeline entry (a derived item no event is made of).
 */
async function mixedBatches(tenantId: string, count: number, run: string): Promise<TableChange[][]> {
  const batches: TableChange[][] = [];
  for (let b = 0; b < count; b++) {
    const records = [];
    for (let i = 0; i < BATCH_SIZE / 4; i++) {
      const n = b * BATCH_SIZE + i;
      const item = await contactItem(tenantId, n);
      const edited = { ...item, title: 'CTO', version: 2, updatedAt: LATER };
      records.push(
        { eventId: `${run}-mixed-created-${n}`, new: item },
        { eventId: `${run}-mixed-edited-${n}`, old: item, new: edited },
        { eventId: `${run}-mixed-stamped-${n}`, old: edited, new: { ...edited, lastActivityAt: LATER } },
        {
          eventId: `${run}-mixed-timeline-${n}`,
          new: {
            pk: timelinePk(tenantId, { type: 'contact', id: String(item.id) }),
            sk: `${LATER}#${n}`,
            entity: 'timeline',
            tenantId,
            kind: 'updated',
          },
        },
      );
    }
    batches.push(changesOf(records));
  }
  return batches;
}

export interface IntegrationsBench {
  readonly consumers: readonly ConsumerRun[];
  readonly deliveries: DeliveriesBench;
}

/**
 * The event bus consumer and the webhook fan-out over the three mixes (the
 * bus's local stand-in records to a temp file), then the webhook deliveries
 * over `deliveryBatches` batches of contacts created.
 */
export async function runIntegrationsBench(
  meter: DynamoMeter,
  batches: number,
  deliveryBatches: number,
): Promise<IntegrationsBench> {
  const dir = await mkdtemp(join(tmpdir(), 'crm-bench-events-'));
  const file = join(dir, 'events.jsonl');
  Object.assign(process.env, { EVENT_BUS: 'local', LOCAL_EVENTS_FILE: file });
  const recorded = async () => {
    try {
      return (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  try {
    const { eventBus } = await import('#functions/stream/consumers/event-bus');
    const tenantId = `bench-events-${Date.now().toString(36)}`;
    const created = await createdBatches(tenantId, batches, 'r1');
    const mixed = await mixedBatches(tenantId, batches, 'r1');
    const runs = [
      await measureConsumer(eventBus, {
        mix: 'every record an event',
        batches: created,
        meter,
        sent: recorded,
      }),
      await measureConsumer(eventBus, {
        mix: 'as the stream carries it',
        batches: mixed,
        meter,
        sent: recorded,
      }),
      await measureConsumer(eventBus, { mix: 'replayed batches', batches: mixed, meter, sent: recorded }),
    ];
    const fanOut = await webhookFanOutRuns(tenantId, created, mixed, meter);
    const deliveries = await runDeliveriesBench(meter, (tenant, run) =>
      createdBatches(tenant, deliveryBatches, run),
    );
    return { consumers: [...runs, ...fanOut], deliveries };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The webhook fan-out over the same batches, for a tenant with one enabled
 * webhook subscribed to contact.created and contact.updated: its one Query of
 * the tenant's webhooks per batch, and the delivery messages it queues
 * (counted by a recording queue, so SQS latency is not in the rates, as
 * PutEvents' is not in the bus's).
 */
async function webhookFanOutRuns(
  tenantId: string,
  created: readonly (readonly TableChange[])[],
  mixed: readonly (readonly TableChange[])[],
  meter: DynamoMeter,
): Promise<ConsumerRun[]> {
  const { createRecord } = await import('#shared/store/records');
  const { webhooks, tenantWebhooks } = await import('#shared/store/webhooks');
  const { webhookFanOutWith } = await import('#functions/stream/consumers/webhook-fan-out');
  const { domainEventsOf } = await import('#functions/stream/events/derive');
  await createRecord(webhooks, tenantId, {
    id: 'bench-webhook',
    createdAt: AT,
    updatedAt: AT,
    version: 1,
    ownerId: 'u1',
    archived: false,
    url: 'https://hooks.example.com/bench',
    events: ['contact.created', 'contact.updated'],
    enabled: true,
    secret: 'whsec_bench',
  });
  let queued = 0;
  const fanOut = webhookFanOutWith({
    eventsOf: domainEventsOf,
    webhooksOf: (tenant) => tenantWebhooks(tenant, true),
    queue: async () => ({
      sendMessages: async (_queue, bodies) => {
        queued += bodies.length;
      },
    }),
  });
  const sent = async () => queued;
  return [
    await measureConsumer(fanOut, { mix: 'every record an event', batches: created, meter, sent }),
    await measureConsumer(fanOut, { mix: 'as the stream carries it', batches: mixed, meter, sent }),
    // The fan-out queues a replay's deliveries again: the worker's claim drops them (shared/webhooks/delivery.ts).
    await measureConsumer(fanOut, { mix: 'replayed batches', batches: mixed, meter, sent }),
  ];
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);

export function renderIntegrationsSection(bench: IntegrationsBench, header: string): string {
  const rows = bench.consumers.map(
    (run) =>
      `| ${run.consumer} | ${run.mix} | ${run.records} | ${run.sent} | ${Math.round(run.recordsPerSecond.median)} (slowest 5%: ${Math.round(run.recordsPerSecond.p95Low)}) | ${Math.round(run.sentPerSecond.median)} | ${fixed(run.writesPerRecord)} | ${fixed(run.readCallsPerRecord, 3)} | ${run.failed} |`,
  );
  return [
    SECTION_START,
    '## Integrations',
    '',
    header,
    '',
    'Stream consumers that send changes out, fed decoded stream batches of 100 records (built from the',
    "store's own items) on DynamoDB Local; the event bus records to the local stand-in (a JSONL file), so",
    "rates are of the consumer itself: EventBridge's PutEvents latency is not in them. Rates are medians",
    'over the batches. *Writes per record* are the DynamoDB items the consumer writes per stream record (its',
    'markers), *read calls per record* its BatchGetItem and Query calls per stream record. The webhook fan-out',
    'runs for a tenant with one webhook subscribed to contact.created and contact.updated, queueing to a',
    'recording queue (SQS latency is not in its rates either); *Sent* counts the delivery messages it queued.',
    '',
    '| Consumer | Mix | Records | Sent | Records/s | Sent/s | Writes per record | Read calls per record | Failed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'One marker per record that yields events (several events of one record share it), none for the',
    'records that yield none: half a write per record in the mixed batches, half of whose records yield',
    'an event. A replayed batch reads the markers (one BatchGetItem per 100 records) and writes and',
    'sends nothing.',
    '',
    "The webhook fan-out writes nothing: one Query of the tenant's enabled webhooks per tenant and batch",
    '(0.01 read calls per record here), one delivery message per subscribed event. A replayed batch',
    'queues the same delivery ids again, and the delivery worker drops them at its claim (a conditional',
    'write): each delivery attempt itself writes five items (the claim, a slot taken and freed, the log',
    'entry, the settled claim), measured below.',
    '',
    ...renderDeliveries(bench.deliveries),
    SECTION_END,
  ].join('\n');
}

/** `npm run bench:integrations [-- --quick]`: this section alone, on its own DynamoDB Local, spliced into BENCHMARKS.md. */
async function main(): Promise<number> {
  const run = sectionRun('integrations');
  const { batches, deliveryBatches } = run.sizes.values;
  useBenchEnvironment({ logLevel: 'ERROR' });
  return withBenchTable({ own: 'crm-bench-integrations' }, async (table, meter) => {
    benchLog(
      `integrations: the event bus consumer and the webhook fan-out, ${batches} batches of ${BATCH_SIZE} per mix; webhook deliveries, ${deliveryBatches} batches of ${BATCH_SIZE}`,
    );
    const bench = await runIntegrationsBench(meter, batches, deliveryBatches);
    const header = `${run.modeLine()}\n\nWritten by bench/integrations.ts (\`npm run bench\`, or this section alone: \`npm run bench:integrations\`) on ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}, ${table.source}, ${batches} batches of ${BATCH_SIZE} records per mix (deliveries: ${deliveryBatches} batches of ${BATCH_SIZE} events per run); load average ${run.load()} (rates are as noisy as the machine was busy; write and read counts are not).`;
    await run.write(renderIntegrationsSection(bench, header), { start: SECTION_START, end: SECTION_END });
    console.log(JSON.stringify(bench, null, 2));
    benchLog('BENCHMARKS.md: the integrations section rewritten');
    let code = 0;
    if (bench.consumers.some((entry) => entry.failed > 0) || bench.deliveries.streamSide.failed > 0) {
      console.error('[bench] BENCH EXPECTATION FAILED: a consumer failed records');
      code = 1;
    }
    const expectation = deliveryExpectation(bench.deliveries);
    if (expectation) {
      console.error(`[bench] BENCH EXPECTATION FAILED: ${expectation}`);
      code = 1;
    }
    return code;
  });
}

runWhenMain(import.meta.url, main);
