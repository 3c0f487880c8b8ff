import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { monotonicFactory } from 'ulid';
import { benchLog, runWhenMain, sectionRun } from './bench-env.ts';
import type { DynamoMeter, MeterSnapshot } from './dynamo-meter.ts';
import { type BenchMode, type SectionSizes, sectionSizes } from './mode.ts';
import { median, round } from './stats.ts';

/**
 * The campaign sender alone, in process: `processCampaignMessage` — what one
 * campaignSend invocation runs for one queue message of 50 recipients —
 * against DynamoDB Local with the shared client metered, and the local SES
 * stand-in (infra/local/ses-events.ts, the proxy `npm start` runs, with its
 * claim ledger) answering at once: its events go to a handler that does
 * nothing, so no event handling competes with the sender for DynamoDB Local.
 *
 * - One sender: messages one after another; recipients per second (median
 *   over messages) and where the time goes: waiting on DynamoDB, waiting on
 *   SES, and the rest (our code: reading, rendering, building requests).
 * - Senders at once (1, 2, 4, 8): recipients per second in total and per
 *   sender. Where adding senders stops adding throughput, DynamoDB Local
 *   (one Java process sharing this machine's cores) is the limit, not the
 *   sender: its wait share rises while our code's time per recipient stays.
 * - Requests per recipient: DynamoDB by operation and SES calls, without a
 *   send rate and with one (the budget's UpdateItem per bulk call).
 *
 * `npm run bench` writes its section of BENCHMARKS.md (a child process: the
 * shared clients point at this bench's own DynamoDB Local and SES); so does
 * `npx tsx bench/campaign-sender.ts [--quick]` alone. Sizes: bench/mode.ts
 * (`campaignSender`; BENCH_SENDER_RECIPIENTS sets the recipients per run).
 */

export const SECTION_START = '<!-- campaign-sender-bench: bench/campaign-sender.ts writes this section -->';
export const SECTION_END = '<!-- /campaign-sender-bench -->';

const MESSAGE_SIZE = 50;
const CONCURRENCY = [1, 2, 4, 8] as const;

export interface SenderRun {
  readonly senders: number;
  readonly recipients: number;
  readonly emails: number;
  readonly duplicates: number;
  readonly seconds: number;
  /** All senders together. */
  readonly recipientsPerSecond: number;
  readonly perSender: number;
  /** Median over messages of one message's recipients / its time. */
  readonly medianMessagePerSecond: number;
  /** Shares of one sender's wall time (sums of each sender's own waits over its time). */
  readonly dynamoShare: number;
  readonly sesShare: number;
  readonly codeShare: number;
  /** Our code's milliseconds per recipient (wall time not spent waiting). */
  readonly codeMsPerRecipient: number;
}

export interface RequestCounts {
  readonly rate: 'unlimited' | number;
  readonly recipients: number;
  readonly dynamoByOperation: Readonly<Record<string, number>>;
  readonly dynamoPerRecipient: number;
  readonly sesCallsPerRecipient: number;
  readonly itemsWrittenPerRecipient: number;
  readonly writeUnitsPerRecipient: number;
}

export interface SenderBench {
  readonly mode: BenchMode;
  readonly load: readonly number[];
  readonly runs: readonly SenderRun[];
  readonly requests: readonly RequestCounts[];
}

const ulid = monotonicFactory();

interface Clocked {
  dynamoMs: number;
  sesMs: number;
  sesCalls: number;
  /** DynamoDB requests of this sender in flight, and since when one has been (overlaps count once). */
  inFlight: number;
  since: number;
}

/** Each sender's own waits, by the async context it runs in. */
const waits = new Map<string, Clocked>();
let current: () => string | undefined = () => undefined;

async function seedCampaign(tenantId: string, recipients: number): Promise<string[][]> {
  const { toItem } = await import('#shared/store/records');
  const { contacts } = await import('#shared/store/entities');
  const { campaigns } = await import('#shared/store/campaigns');
  const { putNewDeliveries } = await import('#shared/store/deliveries');
  const { config } = await import('#shared/config');
  const { compileTemplateSpecs, packSpecs } = await import('#shared/domain/template-save');
  const { writeAll } = await import('./segments.ts');
  const template = {
    subject: 'News for {{contact.firstName}}',
    html: '<p>Hello {{contact.firstName}}</p><p><a href="https://example.com/news">Read more</a></p>',
  };
  const now = new Date().toISOString();
  const campaignId = ulid();
  const ids = Array.from({ length: recipients }, () => ulid());
  const items = ids.map((id, index) =>
    toItem(contacts, tenantId, {
      id,
      createdAt: now,
      updatedAt: now,
      version: 1,
      ownerId: 'bench-admin',
      archived: false,
      firstName: `Person ${index}`,
      email: `${campaignId.toLowerCase()}-${index}@example.com`,
      tags: ['bench'],
      customFields: {},
      marketingStatus: 'subscribed',
    }),
  );
  items.push(
    toItem(campaigns, tenantId, {
      id: campaignId,
      createdAt: now,
      updatedAt: now,
      version: 1,
      ownerId: 'bench-admin',
      ownerRights: { role: 'admin' },
      archived: false,
      name: `Bench ${campaignId}`,
      templateId: 'bench-template',
      segmentId: 'bench-segment',
      fromEmail: 'bench@example.com',
      linkBaseUrl: 'https://api.example.com',
      status: 'sending',
      snapshot: { template: { name: 'Bench', ...template }, segment: { name: 'Bench', filter: {} } },
      // As the start freezes it: the template compiled when it was saved.
      compiled: { template: packSpecs(compileTemplateSpecs(template)) },
    } as never),
  );
  await writeAll(config.tableName, items, 8);
  await putNewDeliveries(
    tenantId,
    ids.map((contactId, index) => ({
      ref: { kind: 'campaign', campaignId, contactId },
      email: `${campaignId.toLowerCase()}-${index}@example.com`,
      status: 'pending',
    })),
  );
  const messages: string[][] = [];
  for (let start = 0; start < ids.length; start += MESSAGE_SIZE)
    messages.push(ids.slice(start, start + MESSAGE_SIZE));
  return [[campaignId], ...messages];
}

interface SesStore {
  readonly emails: { readonly destination: { readonly to: string[] } }[];
}

async function emailsTo(
  sesEndpoint: string,
  prefix: string,
): Promise<{ emails: number; duplicates: number }> {
  const store = (await (await fetch(new URL('/store', sesEndpoint))).json()) as SesStore;
  const counts = new Map<string, number>();
  for (const email of store.emails)
    for (const to of email.destination.to)
      if (to.startsWith(prefix)) counts.set(to, (counts.get(to) ?? 0) + 1);
  return {
    emails: [...counts.values()].reduce((sum, count) => sum + count, 0),
    duplicates: [...counts.values()].filter((count) => count > 1).length,
  };
}

async function sendCampaign(
  tenantId: string,
  recipients: number,
  senders: number,
  sesEndpoint: string,
): Promise<SenderRun> {
  const [[campaignId = ''] = [], ...messages] = await seedCampaign(tenantId, recipients);
  const { processCampaignMessage } = await import('#shared/mail/campaign-send');
  const { sesBulkMailer } = await import('#shared/mail/ses-mailer');
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const storage = new AsyncLocalStorage<string>();
  current = () => storage.getStore();
  const ses = sesBulkMailer({ boundedCalls: true });
  const bulkMailer = {
    sendBulk: async (email: Parameters<typeof ses.sendBulk>[0]) => {
      const began = performance.now();
      try {
        return await ses.sendBulk(email);
      } finally {
        const clocked = waits.get(storage.getStore() ?? '');
        if (clocked) {
          clocked.sesMs += performance.now() - began;
          clocked.sesCalls++;
        }
      }
    },
  };
  const perMessage: number[] = [];
  const queue = [...messages];
  const began = performance.now();
  const senderTimes = await Promise.all(
    Array.from({ length: senders }, (_, index) =>
      storage.run(`sender-${index}`, async () => {
        const clocked: Clocked = { dynamoMs: 0, sesMs: 0, sesCalls: 0, inFlight: 0, since: 0 };
        waits.set(`sender-${index}`, clocked);
        const start = performance.now();
        let sent = 0;
        for (let message = queue.shift(); message; message = queue.shift()) {
          const at = performance.now();
          const outcome = await processCampaignMessage(
            { tenantId, campaignId, contactIds: message },
            { delivery: { bulkMailer } },
          );
          if (outcome !== 'done') queue.push(message); // redelivered, as SQS would
          perMessage.push(message.length / ((performance.now() - at) / 1000));
          sent += message.length;
        }
        return { ms: performance.now() - start, sent, clocked };
      }),
    ),
  );
  const seconds = (performance.now() - began) / 1000;
  current = () => undefined;
  const { emails, duplicates } = await emailsTo(sesEndpoint, campaignId.toLowerCase());
  const totalMs = senderTimes.reduce((sum, time) => sum + time.ms, 0);
  const dynamoMs = senderTimes.reduce((sum, time) => sum + time.clocked.dynamoMs, 0);
  const sesMs = senderTimes.reduce((sum, time) => sum + time.clocked.sesMs, 0);
  const codeMs = totalMs - dynamoMs - sesMs;
  return {
    senders,
    recipients,
    emails,
    duplicates,
    seconds: round(seconds, 1),
    recipientsPerSecond: Math.round(recipients / seconds),
    perSender: Math.round(recipients / seconds / senders),
    medianMessagePerSecond: Math.round(median(perMessage)),
    dynamoShare: round(dynamoMs / totalMs),
    sesShare: round(sesMs / totalMs),
    codeShare: round(codeMs / totalMs),
    codeMsPerRecipient: round(codeMs / recipients, 3),
  };
}

const perRecipient = (snapshot: MeterSnapshot, recipients: number) => {
  const byOperation = Object.fromEntries(
    Object.entries(snapshot).map(([operation, stats]) => [operation, round(stats.count / recipients, 3)]),
  );
  const sum = (pick: (stats: MeterSnapshot[string]) => number) =>
    Object.values(snapshot).reduce((total, stats) => total + pick(stats), 0);
  return {
    dynamoByOperation: byOperation,
    dynamoPerRecipient: round(sum((stats) => stats.count) / recipients, 3),
    itemsWrittenPerRecipient: round(sum((stats) => stats.itemsWritten) / recipients, 3),
    writeUnitsPerRecipient: round(sum((stats) => stats.writeUnits) / recipients, 3),
  };
};

async function countRequests(
  meter: DynamoMeter,
  tenantId: string,
  recipients: number,
  rate: 'unlimited' | number,
  sesEndpoint: string,
): Promise<RequestCounts> {
  process.env.SEND_RATE_PER_SECOND = String(rate);
  const [[campaignId = ''] = [], ...messages] = await seedCampaign(tenantId, recipients);
  const { processCampaignMessage } = await import('#shared/mail/campaign-send');
  const { sesBulkMailer } = await import('#shared/mail/ses-mailer');
  const ses = sesBulkMailer({ boundedCalls: true });
  let sesCalls = 0;
  const bulkMailer = {
    sendBulk: (email: Parameters<typeof ses.sendBulk>[0]) => {
      sesCalls++;
      return ses.sendBulk(email);
    },
  };
  meter.reset();
  meter.start();
  for (const message of messages) {
    // A message left with something to retry comes back, as SQS would redeliver it.
    for (let attempt = 1; ; attempt++) {
      const outcome = await processCampaignMessage(
        { tenantId, campaignId, contactIds: message },
        { delivery: { bulkMailer } },
      );
      if (outcome === 'done') break;
      if (attempt >= 30) throw new Error('a message kept coming back');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  meter.stop();
  const { emails } = await emailsTo(sesEndpoint, campaignId.toLowerCase());
  if (emails !== recipients) throw new Error(`${emails} emails for ${recipients} recipients`);
  return {
    rate,
    recipients,
    ...perRecipient(meter.snapshot(), recipients),
    sesCallsPerRecipient: round(sesCalls / recipients, 3),
  };
}

/** The bench at `sizes` (default: this process's mode, bench/mode.ts); starts and stops its own DynamoDB Local and SES. */
export async function runCampaignSenderBench(
  options: { sizes?: SectionSizes<'campaignSender'>; log?: (line: string) => void } = {},
): Promise<SenderBench> {
  const log = options.log ?? benchLog;
  const sizes = options.sizes ?? sectionSizes('campaignSender');
  const { mode } = sizes;
  const { recipients, countRecipients, rateCountRecipients } = sizes.values;
  const load = [loadavg()[0] ?? 0];
  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    SIGNING_SECRET: 'bench-signing-secret',
    SEND_RATE_PER_SECOND: 'unlimited',
  });
  const { startOwnDynamo } = await import('./local-dynamo.ts');
  const { startSesWithEvents } = await import('../infra/local/ses-events.ts');
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-bench-sender-'));
  const table = await startOwnDynamo('crm-bench-sender');
  const ses = await startSesWithEvents({
    port: 0,
    region: 'us-east-1',
    log: { info: () => undefined, error: (message: string) => log(`ses: ${message}`) },
    failureFile: join(dataDir, 'ses-event-failures.jsonl'),
    // Instant: the events SES would publish go to a handler that does nothing.
    loadHandler: async () => async () => undefined,
    delayMs: 0,
  });
  try {
    Object.assign(process.env, {
      TABLE_NAME: table.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      LOCAL_SES_LEDGER_URL: ses.ledgerUrl,
    });
    const { meterSharedClient } = await import('./dynamo-meter.ts');
    const meter = await meterSharedClient();
    const { dynamo } = await import('#shared/store/client');
    // Time each DynamoDB request against the sender that made it (outermost, SDK retries included).
    dynamo.middlewareStack.add(
      (next) => async (args) => {
        const clocked = waits.get(current() ?? '');
        if (clocked && clocked.inFlight++ === 0) clocked.since = performance.now();
        try {
          return await next(args);
        } finally {
          if (clocked && --clocked.inFlight === 0) clocked.dynamoMs += performance.now() - clocked.since;
        }
      },
      { step: 'initialize', name: 'benchSenderClock', priority: 'high' },
    );
    const tenantId = 'bench-sender';
    // Warm up: module init, the first connections, the JIT.
    await sendCampaign(tenantId, MESSAGE_SIZE * 4, 1, ses.endpoint);
    const requests: RequestCounts[] = [];
    for (const [count, rate] of [
      [countRecipients, 'unlimited'],
      [countRecipients, 1_000],
      [rateCountRecipients, 14],
    ] as const) {
      const counted = await countRequests(meter, tenantId, count, rate, ses.endpoint);
      log(`campaign sender: requests at ${counted.rate}: ${JSON.stringify(counted)}`);
      requests.push(counted);
    }
    process.env.SEND_RATE_PER_SECOND = 'unlimited';
    const runs: SenderRun[] = [];
    for (const senders of CONCURRENCY) {
      const run = await sendCampaign(tenantId, recipients, senders, ses.endpoint);
      log(`campaign sender: ${JSON.stringify(run)}`);
      runs.push(run);
      load.push(loadavg()[0] ?? 0);
    }
    return { mode, load, runs, requests };
  } finally {
    await ses.stop();
    await table.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const share = (value: number) => `${Math.round(value * 100)}%`;

/** The BENCHMARKS.md section (between SECTION_START and SECTION_END). */
export function renderCampaignSenderSection(bench: SenderBench, header: string): string {
  const operations = [
    ...new Set(bench.requests.flatMap((counted) => Object.keys(counted.dynamoByOperation))),
  ].sort();
  return [
    SECTION_START,
    '## Campaign sender',
    '',
    header,
    `Load average ${bench.load.map((value) => value.toFixed(1)).join(' → ')} (at the start and after each run of senders).`,
    '',
    'One campaignSend invocation per queue message of 50 recipients (`processCampaignMessage`), in process,',
    'on DynamoDB Local, with the local SES stand-in answering at once (its events go nowhere). Each message is',
    'one claim transaction, one SES SendBulkEmail and one record transaction (shared/mail/deliver-batch.ts);',
    "below 50/s, one of each per second of the rate. Waiting shares are of each sender's wall time (overlapping",
    'requests of one sender counted once); "our code" is the rest: reading results, rendering, building requests.',
    '',
    '| Senders at once | Recipients | Emails | Duplicates | Recipients/s in all | Recipients/s per sender | Median per message (r/s) | Waiting on DynamoDB | Waiting on SES | Our code | Our code ms per recipient |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...bench.runs.map(
      (run) =>
        `| ${run.senders} | ${run.recipients} | ${run.emails} | ${run.duplicates} | ${run.recipientsPerSecond} | ${run.perSender} | ${run.medianMessagePerSecond} | ${share(run.dynamoShare)} | ${share(run.sesShare)} | ${share(run.codeShare)} | ${run.codeMsPerRecipient} |`,
    ),
    '',
    'Requests per recipient (DynamoDB by operation, as the shared client sent them; SES calls):',
    '',
    `| Send rate | Recipients | ${operations.join(' | ')} | DynamoDB in all | SES calls | Items written | Write units (as DynamoDB Local reports) |`,
    `| --- | --- | ${operations.map(() => '---').join(' | ')} | --- | --- | --- | --- |`,
    ...bench.requests.map(
      (counted) =>
        `| ${counted.rate === 'unlimited' ? 'no limit' : `${counted.rate}/s`} | ${counted.recipients} | ${operations
          .map((operation) => counted.dynamoByOperation[operation] ?? 0)
          .join(
            ' | ',
          )} | ${counted.dynamoPerRecipient} | ${counted.sesCallsPerRecipient} | ${counted.itemsWrittenPerRecipient} | ${counted.writeUnitsPerRecipient} |`,
    ),
    SECTION_END,
  ].join('\n');
}

/** Every recipient of every run emailed exactly once: what the sender guarantees, checked on the local SES's store. */
export function senderExpectations(bench: SenderBench): string[] {
  return bench.runs.flatMap((run) =>
    run.duplicates > 0 || run.emails !== run.recipients
      ? [
          `${run.senders} sender(s): ${run.emails} emails for ${run.recipients} recipients, ${run.duplicates} duplicates`,
        ]
      : [],
  );
}

async function main(): Promise<number> {
  const run = sectionRun('campaignSender');
  const bench = await runCampaignSenderBench({ sizes: run.sizes });
  const header = `${run.modeLine()}\n\nWritten by bench/campaign-sender.ts (\`npm run bench\`, or this section alone: \`npx tsx bench/campaign-sender.ts [--quick]\`) on ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}; load average ${run.load()} (rates are as noisy as the machine was busy; request counts are not).`;
  await run.write(renderCampaignSenderSection(bench, header), { start: SECTION_START, end: SECTION_END });
  if (process.env.BENCH_REPORT_FILE) await writeFile(process.env.BENCH_REPORT_FILE, JSON.stringify(bench));
  benchLog('BENCHMARKS.md: the campaign sender section rewritten');
  const failed = senderExpectations(bench);
  for (const failure of failed) console.error(`[bench] BENCH EXPECTATION FAILED: ${failure}`);
  return failed.length > 0 ? 1 : 0;
}

runWhenMain(import.meta.url, main);
