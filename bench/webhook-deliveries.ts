import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TableChange } from '#functions/stream/pipeline/change';
import { decodeRecords } from '#functions/stream/pipeline/decode';
import type { Queue, SendOptions } from '#shared/queue/queue';
import type { DeliveryMessage, DeliveryResult } from '#shared/webhooks/delivery';
import { streamRecord } from '../test/support/stream-records.ts';
import type { DynamoMeter, MeterSnapshot } from './dynamo-meter.ts';
import { median, percentile } from './stats.ts';

/**
 * Webhook deliveries in the integrations bench: the delivery worker
 * (shared/webhooks/delivery.ts runDelivery) fed the fan-out's own messages,
 * POSTing to a local node:http receiver that answers at once (200, or 500 for
 * the retry path), on DynamoDB Local with the shared client metered. Measured:
 * deliveries per second through the worker (median over batches), DynamoDB
 * items written and read calls per delivery, and end to end (stream batch →
 * fan-out → worker → receiver) events delivered per second. Then the stream
 * side: the stream records those writes become, fed to the table-stream
 * consumers (functions/stream/tableChanges.ts), which must pass them by.
 *
 * The worker runs each batch's messages `WORKER_CONCURRENCY` at a time, as
 * the local queue consumer does (below the webhook's in-flight cap, so no
 * delivery is put back). Retries and put-backs the worker queues go to a
 * recording queue: the retry path's second attempts are then run from it at
 * once (their backoff delay skipped).
 */

const WORKER_CONCURRENCY = 4;
/** The over-the-cap run: twice the default cap of 5 in flight per webhook. */
const CROWDED_CONCURRENCY = 10;

export interface DeliveryRun {
  readonly scenario: string;
  /** Queue messages the worker ran. */
  readonly messages: number;
  /** What the messages came to, by DeliveryResult. */
  readonly results: Readonly<Record<string, number>>;
  /** POSTs the receiver answered. */
  readonly received: number;
  /** Messages per second through the worker, median over batches (p95Low the slow end). */
  readonly perSecond: { readonly median: number; readonly p95Low: number };
  /** Items written / read calls / conditional writes refused, per message. */
  readonly writesPerMessage: number;
  readonly readCallsPerMessage: number;
  readonly refusedWritesPerMessage: number;
  /** Items written per message, by operation (PutItem, UpdateItem, DeleteItem, ...). */
  readonly writesByOperation: Readonly<Record<string, number>>;
}

export interface EndToEndRun {
  readonly records: number;
  readonly delivered: number;
  /** Events delivered per second, stream batch in to receiver's answer, median over batches. */
  readonly eventsPerSecond: { readonly median: number; readonly p95Low: number };
}

export interface StreamSideRun {
  /** Stream records one delivered first attempt writes at once (items it changes), and later by TTL. */
  readonly recordsPerDelivery: number;
  readonly ttlRecordsPerDelivery: number;
  /** Whether every delivery item and log entry carries expiresAt, and no slot item is left. */
  readonly everyItemExpires: boolean;
  readonly slotsLeft: number;
  /** Those records through every table-stream consumer. */
  readonly records: number;
  readonly recordsPerSecond: { readonly median: number };
  readonly dynamoCalls: number;
  readonly failed: number;
}

export interface DeliveriesBench {
  readonly runs: readonly DeliveryRun[];
  readonly endToEnd: EndToEndRun;
  readonly streamSide: StreamSideRun;
}

/** A local receiver answering every POST with `status` at once; counts them. */
async function receiver(
  status: number,
): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A queue that keeps what is sent, as SQS would hand it back (JSON round trip). */
function recordingQueue(): Queue & { taken: () => string[] } {
  let bodies: string[] = [];
  return {
    async sendMessages(_queue: string, sent: readonly unknown[], _options?: SendOptions) {
      bodies.push(...sent.map((body) => JSON.stringify(body)));
    },
    taken() {
      const out = bodies;
      bodies = [];
      return out;
    },
  };
}

const writesOf = (snapshot: MeterSnapshot) =>
  Object.values(snapshot).reduce((sum, stats) => sum + stats.itemsWritten, 0);
const readCallsOf = (snapshot: MeterSnapshot) =>
  ['GetItem', 'Query', 'BatchGetItem', 'TransactGetItems'].reduce(
    (sum, operation) => sum + (snapshot[operation]?.count ?? 0),
    0,
  );
const refusedOf = (snapshot: MeterSnapshot) =>
  ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems'].reduce(
    (sum, operation) => sum + (snapshot[operation]?.errors ?? 0),
    0,
  );
const callsOf = (snapshot: MeterSnapshot) =>
  Object.values(snapshot).reduce((sum, stats) => sum + stats.count, 0);

/** Runs `messages` through `run`, `concurrency` at a time; the results in order. */
async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await run(items[index] as T);
      }
    }),
  );
  return results;
}

type Deliver = (message: DeliveryMessage) => Promise<DeliveryResult>;

/** The worker over message batches, metered and timed per batch. */
async function measureDeliveries(
  scenario: string,
  batches: readonly (readonly DeliveryMessage[])[],
  deliver: Deliver,
  meter: DynamoMeter,
  received: () => number,
  concurrency = WORKER_CONCURRENCY,
): Promise<DeliveryRun> {
  const rates: number[] = [];
  const results: Record<string, number> = {};
  const receivedBefore = received();
  meter.reset();
  for (const batch of batches) {
    meter.start();
    const started = performance.now();
    const outcomes = await pool(batch, concurrency, deliver);
    const seconds = (performance.now() - started) / 1000;
    meter.stop();
    rates.push(batch.length / seconds);
    for (const outcome of outcomes) results[outcome] = (results[outcome] ?? 0) + 1;
  }
  const snapshot = meter.snapshot();
  const messages = batches.reduce((sum, batch) => sum + batch.length, 0);
  return {
    scenario,
    messages,
    results,
    received: received() - receivedBefore,
    perSecond: { median: median(rates), p95Low: percentile(rates, 5) },
    writesPerMessage: writesOf(snapshot) / messages,
    readCallsPerMessage: readCallsOf(snapshot) / messages,
    refusedWritesPerMessage: refusedOf(snapshot) / messages,
    writesByOperation: Object.fromEntries(
      Object.entries(snapshot)
        .filter(([, stats]) => stats.itemsWritten > 0)
        .map(([operation, stats]) => [operation, stats.itemsWritten / messages]),
    ),
  };
}

const AT = '2026-03-01T10:00:00.000Z';

/**
 * Everything above, for `created(tenantId, run)`: stream batches of contacts
 * created (every record one contact.created event) for a tenant.
 */
export async function runDeliveriesBench(
  meter: DynamoMeter,
  created: (tenantId: string, run: string) => Promise<TableChange[][]>,
): Promise<DeliveriesBench> {
  const { createRecord } = await import('#shared/store/records');
  const { webhooks, tenantWebhooks } = await import('#shared/store/webhooks');
  const { webhookFanOutWith } = await import('#functions/stream/consumers/webhook-fan-out');
  const { domainEventsOf } = await import('#functions/stream/events/derive');
  const { parseDeliveryMessage, runDelivery } = await import('#shared/webhooks/delivery');

  const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  const { dynamo } = await import('#shared/store/client');
  /** The batches, their contacts stored first: the worker drops an event whose contact is gone (erased). */
  const stored = async (tenantId: string, run: string) => {
    const batches = await created(tenantId, run);
    for (const batch of batches)
      for (let i = 0; i < batch.length; i += 25)
        await dynamo.send(
          new BatchWriteCommand({
            RequestItems: {
              [process.env.TABLE_NAME as string]: batch
                .slice(i, i + 25)
                .flatMap((change) => (change.new ? [{ PutRequest: { Item: change.new } }] : [])),
            },
          }),
        );
    return batches;
  };
  const ok = await receiver(200);
  const failing = await receiver(500);
  try {
    const stamp = Date.now().toString(36);
    const setUp = async (tenantId: string, url: string) => {
      await createRecord(webhooks, tenantId, {
        id: 'bench-delivery-webhook',
        createdAt: AT,
        updatedAt: AT,
        version: 1,
        ownerId: 'u1',
        archived: false,
        url,
        events: ['contact.created'],
        enabled: true,
        secret: 'whsec_bench',
      });
      const fanOutQueue = recordingQueue();
      const fanOut = webhookFanOutWith({
        eventsOf: domainEventsOf,
        webhooksOf: (tenant) => tenantWebhooks(tenant, true),
        queue: async () => fanOutQueue,
      });
      const workerQueue = recordingQueue();
      const deliver: Deliver = (message) =>
        runDelivery(message, {
          queue: workerQueue,
          // The receiver is on this machine: no DNS, and local addresses allowed as `npm start` allows them.
          resolver: async () => [{ address: '127.0.0.1', family: 4 }],
          localTargets: true,
        });
      const messagesOf = (bodies: readonly string[]) =>
        bodies.map((body) => {
          const message = parseDeliveryMessage(body);
          if (!message) throw new Error(`an unreadable delivery message: ${body.slice(0, 200)}`);
          return message;
        });
      return { fanOut, fanOutQueue, workerQueue, deliver, messagesOf };
    };

    // One batch through fan-out and worker unmeasured first, so no row carries the code's warm-up.
    const warmTenant = `bench-deliveries-warm-${stamp}`;
    const warmSide = await setUp(warmTenant, ok.url);
    for (const batch of (await stored(warmTenant, 'd0')).slice(0, 1)) {
      await warmSide.fanOut.apply(batch);
      await pool(warmSide.messagesOf(warmSide.fanOutQueue.taken()), WORKER_CONCURRENCY, warmSide.deliver);
    }

    // The worker alone, metered: new deliveries of a second tenant's events (the end-to-end tenant's are done).
    const meteredTenant = `bench-deliveries-metered-${stamp}`;
    const meteredSide = await setUp(meteredTenant, ok.url);
    const meteredMessages: DeliveryMessage[][] = [];
    for (const batch of await stored(meteredTenant, 'd2')) {
      await meteredSide.fanOut.apply(batch);
      meteredMessages.push(meteredSide.messagesOf(meteredSide.fanOutQueue.taken()));
    }
    const runs: DeliveryRun[] = [
      await measureDeliveries(
        'receiver answers 200',
        meteredMessages,
        meteredSide.deliver,
        meter,
        ok.received,
      ),
      // The same messages again: a replayed stream batch's deliveries, or SQS redelivering them.
      await measureDeliveries(
        'the same messages again (replay, redelivery)',
        meteredMessages,
        meteredSide.deliver,
        meter,
        ok.received,
      ),
    ];

    // Over the cap: twice the webhook's in-flight slots at once, so some attempts find none free and are put back.
    const crowdedTenant = `bench-deliveries-crowded-${stamp}`;
    const crowdedSide = await setUp(crowdedTenant, ok.url);
    const crowdedMessages: DeliveryMessage[][] = [];
    for (const batch of await stored(crowdedTenant, 'd4')) {
      await crowdedSide.fanOut.apply(batch);
      crowdedMessages.push(crowdedSide.messagesOf(crowdedSide.fanOutQueue.taken()));
    }
    runs.push(
      await measureDeliveries(
        `receiver answers 200, ${CROWDED_CONCURRENCY} at a time (cap 5)`,
        crowdedMessages,
        crowdedSide.deliver,
        meter,
        ok.received,
        CROWDED_CONCURRENCY,
      ),
    );

    // 500: first attempts (each queues its retry), then those retries at once.
    const failingTenant = `bench-deliveries-500-${stamp}`;
    const failingSide = await setUp(failingTenant, failing.url);
    const failingMessages: DeliveryMessage[][] = [];
    for (const batch of await stored(failingTenant, 'd3')) {
      await failingSide.fanOut.apply(batch);
      failingMessages.push(failingSide.messagesOf(failingSide.fanOutQueue.taken()));
    }
    runs.push(
      await measureDeliveries(
        'receiver answers 500: first attempts',
        failingMessages,
        failingSide.deliver,
        meter,
        failing.received,
      ),
    );
    const retries = failingSide.messagesOf(failingSide.workerQueue.taken());
    const retryBatches = failingMessages.map((batch) => retries.splice(0, batch.length));
    runs.push(
      await measureDeliveries(
        'receiver answers 500: their retries (attempt 2)',
        retryBatches,
        failingSide.deliver,
        meter,
        failing.received,
      ),
    );

    // End to end per batch: the fan-out, then the worker over what it queued.
    const okTenant = `bench-deliveries-ok-${stamp}`;
    const okSide = await setUp(okTenant, ok.url);
    const okBatches = await stored(okTenant, 'd5');
    const okMessages: DeliveryMessage[][] = [];
    const endToEndRates: number[] = [];
    let delivered = 0;
    for (const batch of okBatches) {
      const before = ok.received();
      const started = performance.now();
      await okSide.fanOut.apply(batch);
      const messages = okSide.messagesOf(okSide.fanOutQueue.taken());
      await pool(messages, WORKER_CONCURRENCY, okSide.deliver);
      const seconds = (performance.now() - started) / 1000;
      endToEndRates.push((ok.received() - before) / seconds);
      delivered += ok.received() - before;
      okMessages.push(messages);
    }
    const records = okBatches.reduce((sum, batch) => sum + batch.length, 0);
    const endToEnd: EndToEndRun = {
      records,
      delivered,
      eventsPerSecond: { median: median(endToEndRates), p95Low: percentile(endToEndRates, 5) },
    };

    const streamSide = await measureStreamSide(meteredTenant, meteredMessages.flat(), runs[0], meter);
    return { runs, endToEnd, streamSide };
  } finally {
    await ok.close();
    await failing.close();
  }
}

/**
 * The stream records the delivered first attempts wrote, rebuilt from the
 * items they left (the delivery item read back, its log entry, the slot as
 * the store writes it), in the order the worker writes them, plus the two
 * removals TTL makes later; fed in batches of 100 to every table-stream
 * consumer with the meter on.
 */
async function measureStreamSide(
  tenantId: string,
  messages: readonly DeliveryMessage[],
  delivered: DeliveryRun | undefined,
  meter: DynamoMeter,
): Promise<StreamSideRun> {
  const { GetCommand, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const { dynamo } = await import('#shared/store/client');
  const { webhookDeliveryKey, webhookLogPk, webhookSlotKey } = await import('#shared/store/keys');
  const { consumers } = await import('#functions/stream/tableChanges');
  const { runConsumers } = await import('#functions/stream/pipeline/run');
  const tableName = process.env.TABLE_NAME;
  const webhookId = messages[0]?.webhookId ?? 'bench-delivery-webhook';

  const logEntries: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': webhookLogPk(tenantId, webhookId) },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    logEntries.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const logOf = new Map(logEntries.map((entry) => [String(entry.deliveryId), entry]));
  const slots = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': webhookSlotKey(tenantId, webhookId, 0).pk },
    }),
  );

  const nowSeconds = Date.now() / 1000;
  let everyItemExpires = logEntries.every((entry) => Number(entry.expiresAt) > nowSeconds);
  const inputs: Parameters<typeof streamRecord>[0][] = [];
  const later: Parameters<typeof streamRecord>[0][] = [];
  for (const message of messages) {
    const { Item: settled } = await dynamo.send(
      new GetCommand({
        TableName: tableName,
        Key: webhookDeliveryKey(tenantId, webhookId, message.deliveryId),
      }),
    );
    const log = logOf.get(message.deliveryId);
    if (!settled || !log) throw new Error(`delivery ${message.deliveryId} left no item or no log entry`);
    if (!(Number(settled.expiresAt) > nowSeconds)) everyItemExpires = false;
    const claimed = { ...settled, state: 'in_flight', leaseUntil: Date.now() + 60_000 };
    const slot = {
      ...webhookSlotKey(tenantId, webhookId, 0),
      entity: 'webhook-slot',
      tenantId,
      holder: `${message.deliveryId}#1`,
      leaseUntil: Date.now() + 60_000,
      expiresAt: Math.floor(nowSeconds) + 3660,
    };
    inputs.push({ new: claimed }, { new: slot }, { old: slot }, { new: log }, { old: claimed, new: settled });
    later.push({ old: log }, { old: settled });
  }
  const all = [...inputs, ...later];
  const batches: TableChange[][] = [];
  for (let i = 0; i < all.length; i += 100)
    batches.push(decodeRecords(all.slice(i, i + 100).map(streamRecord)).changes);

  const rates: number[] = [];
  let failed = 0;
  meter.reset();
  for (const batch of batches) {
    meter.start();
    const started = performance.now();
    const failures = await runConsumers(consumers, batch, new Map());
    const seconds = (performance.now() - started) / 1000;
    meter.stop();
    failed += failures.size;
    rates.push(batch.length / seconds);
  }
  return {
    recordsPerDelivery: delivered ? delivered.writesPerMessage : 0,
    ttlRecordsPerDelivery: later.length / messages.length,
    everyItemExpires,
    slotsLeft: slots.Count ?? 0,
    records: all.length,
    recordsPerSecond: { median: median(rates) },
    dynamoCalls: callsOf(meter.snapshot()),
    failed,
  };
}

/** What the runs must show whatever the machine: undefined, or what went wrong. */
export function deliveryExpectation(bench: DeliveriesBench): string | undefined {
  const [delivered, replayed, crowded, failedFirst, failedRetries] = bench.runs;
  const only = (run: DeliveryRun | undefined, result: string) =>
    run !== undefined && run.results[result] === run.messages;
  if (!only(delivered, 'delivered') || delivered?.received !== delivered?.messages)
    return 'not every delivery reached the receiver once';
  if (!only(replayed, 'skipped') || replayed?.received !== 0 || replayed.writesPerMessage !== 0)
    return 'a replayed delivery was sent or wrote again';
  if ((crowded?.results.delivered ?? 0) + (crowded?.results.busy ?? 0) !== crowded?.messages)
    return 'a crowded delivery was neither delivered nor put back';
  if (!only(failedFirst, 'retrying') || !only(failedRetries, 'retrying'))
    return 'a failed attempt was not queued for its retry';
  if (bench.endToEnd.delivered !== bench.endToEnd.records) return 'end to end, not every event was delivered';
  const side = bench.streamSide;
  if (side.dynamoCalls !== 0) return "the stream consumers called DynamoDB for the deliveries' own records";
  if (!side.everyItemExpires || side.slotsLeft !== 0)
    return 'a delivery item or log entry has no TTL, or a slot was left held';
  return undefined;
}

const whole = (value: number) => String(Math.round(value));
const two = (value: number) => value.toFixed(2);

/** The deliveries' part of the Integrations section (markdown lines). */
export function renderDeliveries(bench: DeliveriesBench): string[] {
  const { endToEnd, streamSide } = bench;
  const replayed = bench.runs[1];
  const rows = bench.runs.map((run) => {
    const results = Object.entries(run.results)
      .map(([result, count]) => `${count} ${result}`)
      .join(', ');
    const byOperation = Object.entries(run.writesByOperation)
      .map(([operation, writes]) => `${operation} ${two(writes)}`)
      .join(', ');
    return `| ${run.scenario} | ${run.messages} | ${results} | ${run.received} | ${whole(run.perSecond.median)} (slowest 5%: ${whole(run.perSecond.p95Low)}) | ${two(run.writesPerMessage)}${byOperation ? ` (${byOperation})` : ''} | ${two(run.readCallsPerMessage)} | ${two(run.refusedWritesPerMessage)} |`;
  });
  return [
    '### Webhook deliveries',
    '',
    "The delivery worker (shared/webhooks/delivery.ts) fed the fan-out's own messages for a webhook",
    'subscribed to contact.created, POSTing to a local node:http receiver that answers at once: 200, or',
    `500 for the retry path. The worker runs each batch's 100 messages ${WORKER_CONCURRENCY} at a time, as the local queue`,
    `consumer does (below the webhook's cap of 5 in flight, so none is put back), and ${CROWDED_CONCURRENCY} at a time in the`,
    'crowded row (over the cap: an attempt finding no free slot is put back, *busy*); the retries and',
    'put-backs it queues go to a recording queue, and the retry row runs the second attempts at once (their',
    'backoff skipped). One unmeasured batch runs first, so no row carries the warm-up. *Writes* are DynamoDB items written per message, *refused* conditional writes that',
    'failed (they cost a write unit each and write nothing). *Read calls* are the GetItems of the webhook',
    'and of the contact the event is about (a delivery whose contact was erased since is dropped).',
    '',
    '| Run | Messages | Came to | POSTs received | Messages/s | Writes per message | Read calls per message | Refused writes per message |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `End to end (stream batch → fan-out → worker → receiver), ${endToEnd.records} stream records of contacts created:`,
    `${endToEnd.delivered} events delivered, ${whole(endToEnd.eventsPerSecond.median)} events per second (median over batches; slowest 5%:`,
    `${whole(endToEnd.eventsPerSecond.p95Low)}). The event bus consumer's rate for the same records is in the first table.`,
    'The rows run in the order shown, the end-to-end run last. Rates tended to rise through the run (DynamoDB',
    "Local is a JVM that warms up; the machine was busy), so the end-to-end rate is above the first row's: compare",
    'the counts across rows, the rates only roughly.',
    '',
    `Stream side: every item a delivery writes is a stream record the pipeline then reads: ${two(streamSide.recordsPerDelivery)}`,
    `records per delivered first attempt at once, and ${two(streamSide.ttlRecordsPerDelivery)} more when TTL removes its delivery item and log`,
    `entry (${streamSide.everyItemExpires ? 'every delivery item and log entry carries `expiresAt`' : 'SOME ITEMS CARRY NO `expiresAt`'}; ${streamSide.slotsLeft} slot items left: a slot is deleted`,
    `when freed). Those ${streamSide.records} records through every table-stream consumer: ${whole(streamSide.recordsPerSecond.median)} records per second`,
    `(median over batches of 100), ${streamSide.dynamoCalls} DynamoDB calls, ${streamSide.failed} failed: each consumer passes them by on the`,
    'entity or key of the image, without a read.',
    '',
    'Why each delivery attempt keeps its five writes (claim, slot taken, slot freed, log entry, settled',
    'claim): the claim, a conditional write before the POST, is what makes a replayed or redelivered message',
    `a no-op (the replay row: ${two(replayed?.readCallsPerMessage ?? 0)} read calls and ${two(replayed?.refusedWritesPerMessage ?? 0)} refused write each, nothing sent); the slot, a conditional`,
    'write with a lease, is the cap of 5 in flight per endpoint across workers, and the worker runs up to 20',
    "at once in AWS (the queue mapping's maxConcurrency), so the cap can be reached and cannot be skipped;",
    'freeing the slot lets the next delivery in at once rather than after the 60 s lease (without it an',
    "endpoint would get 5 deliveries a minute); the log entry is one per attempt in the webhook's log",
    'partition, read newest first, while the claim is one item per delivery, so the two cannot be one item;',
    'the settle ends the lease, without which a duplicate message arriving after the lease would claim and',
    'POST again. Merging writes into transactions writes as many items (and bills two write units per',
    'item): settling and logging in one TransactWriteItems would also drop the log entry of a POST that',
    'happened whenever the settle is refused. A read of the slots before trying them, so a busy webhook',
    'costs one refused write instead of one per slot, was measured here and reverted (commit 1980b27): over',
    'the cap it skipped slots freed between the read and the write and put back 97 of 500 deliveries',
    'instead of 40, each put-back two writes and a queue message, so writes per delivered event rose',
    '(5.17 to 5.48) while refused writes fell (1.28 to 1.02). What the delivery records cost downstream is',
    "the stream's reads: the consumers ignore them without a table call, as measured above; an event filter",
    "on the stream's event source mapping (entity not a webhook-delivery, -slot or -log item) would keep",
    'them from the stream Lambda altogether.',
  ];
}
