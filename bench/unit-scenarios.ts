import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntime } from '../infra/local/runtime.ts';
import { type ApiCall, apiCaller } from './api-call.ts';
import { loadContacts } from './campaigns.ts';
import type { DynamoMeter, MeterSnapshot } from './dynamo-meter.ts';
import { contactsCsv } from './imports.ts';
import type { ServiceMeter } from './service-meters.ts';
import type { StorageCounts, UnitCounts } from './unit-counts.ts';
import { unitCountsOf } from './unit-record.ts';

/**
 * The background units of bench/unit-counts.json, each through the real handlers under the local
 * runtime (in this process, so the bench's meters see every handler): a campaign recipient, an
 * imported row, a tracking open and click, an SES event, a reminder, a webhook delivery, a
 * sequence step; and the stored bytes of each record kind.
 *
 * Each scenario runs twice: a small imaged pass (AWS request units from item images, slower, not
 * counted otherwise) and the counted pass (requests, the other services, each function's
 * invocations, durations and log bytes). A pass ends once the runtime is quiet: every queue
 * drained and no handler invoked for QUIET_MS, so the stream consumer's, the queues' and the
 * scheduler's share of the unit is in it.
 */

export interface ScenarioSizes {
  /** Recipients of the counted campaign (the tracking and SES event units follow its emails). */
  readonly recipients: number;
  readonly importRows: number;
  readonly reminders: number;
  readonly webhookDeliveries: number;
  readonly sequenceSteps: number;
  /** Records of each kind created for the storage figures. */
  readonly storageRecords: number;
  /** Units of the imaged pass (at most this many per scenario). */
  readonly imaged: number;
}

export interface ScenarioResults {
  readonly units: Record<string, UnitCounts>;
  readonly storage: Record<string, StorageCounts>;
}

/**
 * How long nothing may run before a pass counts as done. On a busy two-core machine the stream
 * poller can go more than a second between batches while it still has records to hand over (a
 * 1.5 s window once ended an import with a fifth of its stream records unhandled).
 */
const QUIET_MS = 5000;
/**
 * The regression check's allowance for units measured here: the stream consumer's and the queues'
 * batches follow timing, so their per-batch requests per unit move between runs (in four quick
 * runs on a busy machine: up to 0.26 BatchGetItem per recipient, 0.5 TransactWriteItems per
 * reminder, whose stream batches held one reminder's writes or several). A request more per unit
 * still fails.
 */
const RUNTIME_TOLERANCE = { relative: 0.25, absolute: 0.5 } as const;

interface Tolerance {
  readonly relative: number;
  readonly absolute: number;
}
const TENANT = 'bench-units';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SesStoreEmail {
  readonly destination: { readonly to: string[] };
  readonly subject?: string;
  readonly body?: { readonly html?: string; readonly text?: string };
}

/**
 * SES events wait here until their address is let through: a campaign's sends are measured apart
 * from their events, and each pass's events apart from the other's (they are handled in order).
 */
class Gate {
  private allowed: string | undefined;
  private waiters: (() => void)[] = [];
  /** Lets through the events of messages to addresses starting with `prefix`; undefined holds all. */
  allow(prefix: string | undefined): void {
    this.allowed = prefix;
    for (const wake of this.waiters.splice(0)) wake();
  }
  async wait(event: { detail?: { mail?: { destination?: string[] } } }): Promise<void> {
    const destination = event.detail?.mail?.destination ?? [];
    while (!this.allowed || !destination.some((to) => to.startsWith(this.allowed as string)))
      await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

interface Bench {
  readonly runtime: LocalRuntime;
  readonly call: ApiCall;
  /** The bearer token `call` uses. */
  readonly token: string;
  readonly dynamo: DynamoMeter;
  readonly services: ServiceMeter;
  readonly activity: () => number;
  readonly sesGate: Gate;
  readonly log: (line: string) => void;
  readonly dataDir: string;
}

const queues = ['campaignSend', 'reportRebuild', 'exportJobs', 'importChunks', 'webhookDeliveries'] as const;

/** Waits until every queue is drained and no handler has started or ended for QUIET_MS. */
async function settle(bench: Bench, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = bench.activity();
  let quietSince = Date.now();
  for (;;) {
    await sleep(100);
    const now = bench.activity();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
      continue;
    }
    if (Date.now() - quietSince < QUIET_MS) continue;
    const drained = await Promise.all(queues.map((queue) => bench.runtime.queues.drained(queue)));
    if (drained.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error('the runtime did not settle');
  }
}

interface Scenario<S> {
  readonly unit: string;
  readonly description: string;
  readonly method: (units: number) => string;
  /** HTTP API requests per unit. */
  readonly httpApiRequests: (units: number) => number;
  /** Only these functions' work counts (see ServiceMeter.attribute); default all. */
  readonly functions?: readonly string[];
  /** The regression check's allowance, when wider than RUNTIME_TOLERANCE (and why). */
  readonly tolerance?: Tolerance;
  /** Unmetered set-up of a pass of `units`. */
  prepare(bench: Bench, units: number, pass: 'imaged' | 'counted'): Promise<S>;
  /** The metered work; resolves with the units done. */
  run(bench: Bench, state: S, units: number): Promise<number>;
}

async function measure<S>(bench: Bench, scenario: Scenario<S>, units: number, imagedUnits: number) {
  const pass = async (size: number, kind: 'imaged' | 'counted') => {
    const state = await scenario.prepare(bench, size, kind);
    await settle(bench);
    bench.dynamo.reset();
    bench.services.reset();
    bench.services.attribute(scenario.functions);
    bench.dynamo.measureCapacity(kind === 'imaged');
    bench.dynamo.start();
    bench.services.start();
    const done = await scenario.run(bench, state, size);
    await settle(bench);
    bench.services.stop();
    bench.dynamo.stop();
    bench.dynamo.measureCapacity(false);
    bench.services.attribute(undefined);
    return { done, dynamo: bench.dynamo.snapshot(), services: bench.services.reading() };
  };
  bench.log(`units: ${scenario.unit} (imaged pass of ${imagedUnits}, counted pass of ${units})`);
  const imaged = await pass(imagedUnits, 'imaged');
  const counted = await pass(units, 'counted');
  const counts: UnitCounts = {
    ...unitCountsOf({
      description: scenario.description,
      method: scenario.method(counted.done),
      units: counted.done,
      httpApiRequests: scenario.httpApiRequests(counted.done),
      dynamo: counted.dynamo,
      imaged: imaged.dynamo,
      imagedUnits: imaged.done,
      services: counted.services,
    }),
    tolerance: scenario.tolerance ?? RUNTIME_TOLERANCE,
  };
  const requests = Object.entries(counts.dynamodb.requests)
    .map(([operation, count]) => `${count}×${operation}`)
    .join(' + ');
  bench.log(
    `units: ${scenario.unit}: ${requests || 'no DynamoDB request'}, ${counts.dynamodb.writeUnits} WRU + ${counts.dynamodb.readUnits} RRU, SQS ${counts.sqsRequests}, SES ${counts.sesRequests}`,
  );
  return counts;
}

async function sesEmails(bench: Bench, prefix: string): Promise<SesStoreEmail[]> {
  const store = (await (await fetch(new URL('/store', bench.runtime.sesEndpoint))).json()) as {
    emails: SesStoreEmail[];
  };
  return store.emails.filter((email) => email.destination.to.some((to) => to.startsWith(prefix)));
}

/**
 * Waits until `count` emails to `prefix`* reached the local SES, or the runtime settled with fewer
 * (a send whose SES call timed out on a busy machine is never repeated: at most once), then
 * returns them.
 */
async function waitForEmails(bench: Bench, prefix: string, count: number, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  let still = Date.now();
  for (;;) {
    const emails = await sesEmails(bench, prefix);
    if (emails.length >= count) return emails;
    if (emails.length !== seen) {
      seen = emails.length;
      still = Date.now();
    } else if (Date.now() - still > 20_000) {
      await settle(bench);
      const settled = await sesEmails(bench, prefix);
      if (settled.length === seen) {
        bench.log(
          `units: ${settled.length} of ${count} emails to ${prefix}* reached SES (the rest were not sent)`,
        );
        return settled;
      }
    }
    if (Date.now() > deadline)
      throw new Error(`${emails.length} of ${count} emails to ${prefix}* after the deadline`);
    await sleep(200);
  }
}

let serial = 0;
const tagOf = (name: string) => `${name}${(serial++).toString(36)}${Date.now().toString(36)}`;

/** Campaign passes, kept for the tracking and SES event units that follow their emails. */
const campaignEmails = new Map<'imaged' | 'counted', { tag: string; emails: SesStoreEmail[] }>();

const campaignRecipient: Scenario<{ tag: string; campaignId: string }> = {
  unit: 'campaign.recipient',
  description: 'one recipient of a campaign, from POST /campaigns/{id}/send to the email accepted by SES',
  method: (units) =>
    `bench/unit-scenarios.ts: a campaign to a segment of ${units} subscribed contacts through the local runtime (send, start, queue, sender, stream), its SES events held back; per recipient`,
  httpApiRequests: (units) => 1 / units,
  async prepare(bench, units, pass) {
    const tag = tagOf(`c${pass[0]}`);
    await loadContacts(TENANT, tag, units, { lastName: 'Bench', workers: 4 });
    const template = await bench.call('POST', '/templates', {
      name: `Units ${tag}`,
      subject: 'News for {{contact.firstName}}',
      html: '<p>Hello {{contact.firstName}}</p><p><a href="https://example.com/news">Read more</a></p>',
    });
    const segment = await bench.call('POST', '/segments', {
      name: `Units ${tag}`,
      filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
    });
    const campaign = await bench.call('POST', '/campaigns', {
      name: `Units ${tag}`,
      templateId: template.id,
      segmentId: segment.id,
      fromEmail: 'bench@example.com',
    });
    return { tag, campaignId: String(campaign.id) };
  },
  async run(bench, state, units) {
    await bench.call('POST', `/campaigns/${state.campaignId}/send`);
    const emails = await waitForEmails(bench, `${state.tag}-`, units);
    campaignEmails.set(state.tag.startsWith('ci') ? 'imaged' : 'counted', { tag: state.tag, emails });
    return units;
  },
};

/** The SES events of one campaign pass, released through the gate. */
const sesEvent: Scenario<{ prefix: string }> = {
  unit: 'ses.event',
  description: 'one SES event (send, delivery) of a campaign email, through functions/events/sesEvents.ts',
  method: (units) =>
    `bench/unit-scenarios.ts: the ${units} SES events the local SES published for the counted campaign's emails, held until then and handled one at a time as EventBridge invokes the function; per event`,
  httpApiRequests: () => 0,
  functions: ['sesEvents'],
  async prepare(_bench, _units, pass) {
    const sent = campaignEmails.get(pass);
    if (!sent) throw new Error('the campaign scenario runs first');
    return { prefix: `${sent.tag}-` };
  },
  async run(bench, state) {
    bench.sesGate.allow(state.prefix);
    await settle(bench);
    bench.sesGate.allow(undefined);
    const reading = bench.services.reading();
    return reading.functions.sesEvents?.invocations ?? 0;
  },
};

/** Opens or clicks every email of the counted campaign (a few of the imaged one for the images). */
function tracking(kind: 'open' | 'click'): Scenario<{ urls: string[] }> {
  const pattern = kind === 'open' ? /\/t\/o\/[A-Za-z0-9_-]+\.gif/ : /\/t\/c\/[A-Za-z0-9_-]+/;
  return {
    unit: `tracking.${kind}`,
    description:
      kind === 'open'
        ? 'one open of a campaign email: the tracking pixel requested (GET /t/o/{token})'
        : 'one click of a campaign email link (GET /t/c/{token}), the redirect answered',
    method: (units) =>
      `bench/unit-scenarios.ts: the ${kind === 'open' ? 'pixel' : 'link'} of ${units} campaign emails requested once each through the local API, then the stream settled; per ${kind}`,
    httpApiRequests: () => 1,
    async prepare(bench, units, pass) {
      const sent = campaignEmails.get(pass);
      if (!sent) throw new Error('the campaign scenario runs first');
      const urls = sent.emails.slice(0, units).map((email) => {
        const found = (email.body?.html ?? email.body?.text ?? '').match(pattern);
        if (!found) throw new Error(`no ${kind} link in a campaign email`);
        return new URL(found[0], bench.runtime.apiUrl).href;
      });
      return { urls };
    },
    async run(_bench, state) {
      for (const url of state.urls) {
        const response = await fetch(url, { redirect: 'manual' });
        await response.arrayBuffer();
        if (response.status >= 400) throw new Error(`${url}: ${response.status}`);
      }
      return state.urls.length;
    },
  };
}

const importRow: Scenario<{ tag: string }> = {
  unit: 'import.row',
  description: 'one row of a CSV contact import, from POST /imports to the contact stored',
  method: (units) =>
    `bench/unit-scenarios.ts: a CSV of ${units} contact rows (one in a hundred invalid) created, uploaded to the presigned URL and imported through the local runtime (S3, queue, worker, stream); per row`,
  httpApiRequests: (units) => 1 / units,
  async prepare(_bench, _units, pass) {
    return { tag: tagOf(`i${pass[0]}`) };
  },
  async run(bench, state, units) {
    const { text } = contactsCsv(units, state.tag);
    const created = await bench.call('POST', '/imports', { entity: 'contacts', mode: 'create' });
    const upload = await fetch(String(created.uploadUrl), { method: 'PUT', body: Buffer.from(text) });
    if (!upload.ok) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
    return units;
  },
};

const reminder: Scenario<{ assigneeId: string }> = {
  unit: 'reminder',
  description:
    'one reminder: an activity created with remindAt (the schedule created), the schedule fired, the notification and the email',
  method: (units) =>
    `bench/unit-scenarios.ts: ${units} activities assigned to a user with an email address, reminding three seconds later, through the local runtime (API, scheduler, reminder, stream); per reminder`,
  httpApiRequests: () => 1,
  async prepare(bench) {
    const user = await bench.call('POST', '/users', {
      email: `${tagOf('assignee')}@bench.example`,
      name: 'Reminded',
      role: 'rep',
    });
    return { assigneeId: String(user.id) };
  },
  async run(bench, state, units) {
    const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
    for (let i = 0; i < units; i++) {
      await bench.call('POST', '/activities', {
        type: 'call',
        subject: `Reminder ${i}`,
        dueAt: inSeconds(3600),
        remindAt: inSeconds(3),
        assigneeId: state.assigneeId,
      });
    }
    await sleep(4000);
    return units;
  },
};

/** A loopback receiver of webhook deliveries. */
async function listener(): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const webhookDelivery: Scenario<{ hook: Awaited<ReturnType<typeof listener>>; tag: string }> = {
  unit: 'webhook.delivery',
  description:
    'one webhook delivery: the message queued by the event fan-out, the signed POST and its outcome recorded',
  method: (units) =>
    `bench/unit-scenarios.ts: ${units} contacts created with a contact.created webhook on a loopback listener; the webhookDeliveries function's work and the messages sent to its queue only (the contact creates and the stream are other units); per delivery`,
  httpApiRequests: () => 0,
  functions: ['webhookDeliveries'],
  // The consumer takes up to 5 deliveries a batch as they arrive, each batch a ReceiveMessage and a
  // DeleteMessageBatch: between one and five deliveries a batch, SQS requests per delivery move by
  // more than half from run to run (0.9 and 1.5 in two quick runs).
  tolerance: { relative: 1, absolute: 0.5 },
  async prepare(bench, _units, pass) {
    const hook = await listener();
    await bench.call('POST', '/webhooks', { url: hook.url, events: ['contact.created'] });
    return { hook, tag: tagOf(`w${pass[0]}`) };
  },
  async run(bench, state, units) {
    for (let i = 0; i < units; i++) {
      await bench.call('POST', '/contacts', { firstName: 'Hooked', email: `${state.tag}-${i}@example.com` });
    }
    const deadline = Date.now() + 300_000;
    while (state.hook.received() < units && Date.now() < deadline) await sleep(200);
    await settle(bench);
    // Later passes must not deliver to this listener.
    const hooks = (await bench.call('GET', '/webhooks')) as { items?: { id: string }[] };
    for (const hook of hooks.items ?? []) {
      const response = await fetch(new URL(`/webhooks/${hook.id}`, bench.runtime.apiUrl), {
        method: 'DELETE',
        headers: { authorization: `Bearer ${bench.token}` },
      });
      if (!response.ok) throw new Error(`DELETE /webhooks/${hook.id}: ${response.status}`);
    }
    await state.hook.close();
    return state.hook.received();
  },
};

const sequenceStep: Scenario<{ sequenceId: string; contactIds: string[]; tag: string }> = {
  unit: 'sequence.step',
  description: 'one sequence step: the enrolment, the step schedule fired and the email sent',
  method: (units) =>
    `bench/unit-scenarios.ts: ${units} contacts enrolled in one call into a one-step sequence (no delay) through the local runtime (API, scheduler, sequence step, stream); per step`,
  httpApiRequests: (units) => 1 / units,
  async prepare(bench, units, pass) {
    const tag = tagOf(`s${pass[0]}`);
    const template = await bench.call('POST', '/templates', {
      name: `Step ${tag}`,
      subject: 'Hello {{contact.firstName}}',
      html: '<p>Hello {{contact.firstName}}</p>',
    });
    const sequence = await bench.call('POST', '/sequences', {
      name: `Units ${tag}`,
      steps: [{ delayHours: 0, templateId: template.id }],
    });
    const contactIds: string[] = [];
    for (let i = 0; i < units; i++) {
      const contact = await bench.call('POST', '/contacts', {
        firstName: 'Stepped',
        email: `${tag}-${i}@example.com`,
      });
      contactIds.push(String(contact.id));
    }
    return { sequenceId: String(sequence.id), contactIds, tag };
  },
  async run(bench, state, units) {
    for (let start = 0; start < units; start += 100)
      await bench.call('POST', `/sequences/${state.sequenceId}/enroll`, {
        contactIds: state.contactIds.slice(start, start + 100),
      });
    await waitForEmails(bench, `${state.tag}-`, units, 300_000);
    return units;
  },
};

/** Bytes of the tenant's items by AWS's rules, GSI copies included (a Scan of the bench's own client). */
async function tenantStorage(tenantId: string): Promise<{ items: number; bytes: number }> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient, ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const { config } = await import('#shared/config');
  const { tenantPrefix } = await import('#shared/store/keys');
  const { storedBytesOf } = await import('./capacity.ts');
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  let items = 0;
  let bytes = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: config.tableName,
        FilterExpression: 'begins_with(pk, :tenant)',
        ExpressionAttributeValues: { ':tenant': tenantPrefix(tenantId) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      // Items with a TTL (stream markers, idempotency records) expire within days: not stored data.
      if (item.expiresAt !== undefined) continue;
      items++;
      bytes += storedBytesOf(item).bytes;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  client.destroy();
  return { items, bytes };
}

/** Stored bytes per record of each kind: what `records` more of it add to a tenant that has some already. */
async function measureStorage(bench: Bench, records: number, token: (tenant: string) => Promise<string>) {
  const tenant = `bench-storage-${Date.now().toString(36)}`;
  const call = apiCaller(bench.runtime.apiUrl, await token(tenant));
  const company = await call('POST', '/companies', { name: 'Storage Co', domain: `${tenant}.example.com` });
  const pipelines = (await call('GET', '/pipelines')) as { items: { id: string }[] };
  const kinds: Record<string, { description: string; create: (i: number) => Promise<unknown> }> = {
    contact: {
      description: 'a contact with name, email, phone, title, city, country, two tags and a company',
      create: (i) =>
        call('POST', '/contacts', {
          firstName: 'Maria',
          lastName: 'Núñez',
          email: `storage-${i}@${tenant}.example.com`,
          phone: '+34 600 000 000',
          title: 'Head of Operations',
          city: 'Valencia',
          country: 'ES',
          tags: ['customer', 'vip'],
          companyId: company.id,
        }),
    },
    company: {
      description: 'a company with name, domain, industry, size, country and a tag',
      create: (i) =>
        call('POST', '/companies', {
          name: `Storage Company ${i}`,
          domain: `co${i}.${tenant}.example.com`,
          industry: 'Software',
          size: 120,
          country: 'DE',
          tags: ['prospect'],
        }),
    },
    deal: {
      description: 'a deal in the default pipeline with an amount, and its first history entry',
      create: (i) => call('POST', '/deals', { name: `Storage deal ${i}`, amount: 12_000, currency: 'EUR' }),
    },
    activity: {
      description: 'a call activity with subject, body and due date',
      create: (i) =>
        call('POST', '/activities', {
          type: 'call',
          subject: `Follow-up call ${i}`,
          body: 'Talk about the renewal and the new seats.',
          dueAt: new Date(Date.now() + 86_400_000).toISOString(),
        }),
    },
    lead: {
      description: 'a lead with name, email and company name',
      create: (i) =>
        call('POST', '/leads', {
          firstName: 'Lead',
          lastName: `${i}`,
          email: `lead-${i}@${tenant}.example.com`,
          companyName: `Lead Co ${i}`,
        }),
    },
  };
  if (pipelines.items.length === 0) throw new Error('the storage tenant has no pipeline');
  const storage: Record<string, StorageCounts> = {};
  for (const [kind, spec] of Object.entries(kinds)) {
    // One first, so the tenant's first-record items (aggregates, counters) are not charged to the kind.
    await spec.create(-1);
    await settle(bench);
    const before = await tenantStorage(tenant);
    for (let i = 0; i < records; i++) await spec.create(i);
    await settle(bench);
    const after = await tenantStorage(tenant);
    storage[kind] = {
      description: `${spec.description}: the record, its derived items (timeline entries, aggregates' growth; not the items DynamoDB's TTL removes within days) and every GSI copy, each with 100 bytes of overhead; the mean of ${records}`,
      itemsPerRecord: Math.round(((after.items - before.items) / records) * 100) / 100,
      bytesPerRecord: Math.round((after.bytes - before.bytes) / records),
    };
    bench.log(`units: storage ${kind}: ${JSON.stringify(storage[kind])}`);
  }
  return storage;
}

/** Starts a local runtime on `ports`, runs every scenario, stops it. */
export async function runUnitScenarios(options: {
  sizes: ScenarioSizes;
  ports: { api: number; dynamo: number; ses: number; s3: number; smtp: number };
  log: (line: string) => void;
}): Promise<ScenarioResults> {
  const { sizes, log } = options;
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-bench-units-'));
  const { startLocalRuntime } = await import('../infra/local/runtime.ts');
  const { loadCatalogueHttpHandler, loadCatalogueStreamHandler } = await import(
    '../infra/local/handler-loader.ts'
  );
  const { loadScheduleTargetHandler } = await import('../infra/local/scheduler.ts');
  const { loadQueueConsumerHandler } = await import('../infra/local/queue-consumer.ts');
  const { loadSesEventsHandler } = await import('../infra/local/ses-events.ts');
  const { ServiceMeter } = await import('./service-meters.ts');
  const { mintToken } = await import('../infra/local/tokens.ts');
  const services = new ServiceMeter();
  let activity = 0;
  const watched =
    <A extends unknown[], R>(name: string, handler: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      activity++;
      try {
        return await services.handler(name, handler)(...args);
      } finally {
        activity++;
      }
    };
  const sesGate = new Gate();
  // Every handler's work is that of a function in production: at the INFO level it logs there.
  process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO';
  const runtime = await startLocalRuntime({
    dataDir,
    inMemory: true,
    port: options.ports.api,
    dynamoPort: options.ports.dynamo,
    sesPort: options.ports.ses,
    s3Port: options.ports.s3,
    smtpPort: options.ports.smtp,
    streamPollMs: 50,
    schedulerRecurring: [],
    log: { info: () => undefined, error: (message, error) => console.error(message, error ?? '') },
    loadHttpHandler: async (name) => watched(name, await loadCatalogueHttpHandler(name)),
    loadStreamHandler: async () => watched('tableChanges', await loadCatalogueStreamHandler()),
    loadScheduleHandler: async (target) => watched(target, await loadScheduleTargetHandler(target)),
    queueConsumer: { loadHandler: async (queue) => watched(queue, await loadQueueConsumerHandler(queue)) },
    sesEvents: {
      loadHandler: async () => {
        const handler = watched('sesEvents', await loadSesEventsHandler());
        return async (event, context) => {
          await sesGate.wait(event as Parameters<Gate['wait']>[0]);
          return handler(event, context);
        };
      },
    },
  });
  try {
    await services.install();
    const { meterSharedClient } = await import('./dynamo-meter.ts');
    const dynamo = await meterSharedClient(() => services.counts());
    const token = (tenant: string) => mintToken(dataDir, { tenant, role: 'admin', user: 'bench-admin' });
    const benchToken = await token(TENANT);
    const bench: Bench = {
      runtime,
      call: apiCaller(runtime.apiUrl, benchToken),
      token: benchToken,
      dynamo,
      services,
      activity: () => activity,
      sesGate,
      log,
      dataDir,
    };
    const imaged = (units: number) => Math.max(1, Math.min(units, sizes.imaged));
    const units: Record<string, UnitCounts> = {};
    // BENCH_UNITS_ONLY=webhook.delivery,storage runs only those (tracking and ses.event need campaign.recipient).
    const only = process.env.BENCH_UNITS_ONLY?.split(',');
    const add = async <S>(scenario: Scenario<S>, count: number, imagedCount = imaged(count)) => {
      if (only && !only.includes(scenario.unit)) return;
      units[scenario.unit] = await measure(bench, scenario, count, imagedCount);
    };
    await add(campaignRecipient, sizes.recipients);
    await add(sesEvent, sizes.recipients);
    await add(tracking('open'), sizes.recipients);
    await add(tracking('click'), sizes.recipients);
    await add(importRow, sizes.importRows);
    await add(reminder, sizes.reminders);
    await add(webhookDelivery, sizes.webhookDeliveries);
    await add(sequenceStep, sizes.sequenceSteps);
    const storage =
      only && !only.includes('storage') ? {} : await measureStorage(bench, sizes.storageRecords, token);
    return { units, storage };
  } finally {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** For a runner in another process: the results as JSON in BENCH_REPORT_FILE. */
export async function writeScenarioResults(file: string, results: ScenarioResults): Promise<void> {
  await writeFile(file, JSON.stringify(results));
}

export type { MeterSnapshot };
