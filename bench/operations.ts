import { performance } from 'node:perf_hooks';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { collectionPk, indexPartition, recordPk } from '#shared/store/keys';
import { streamEvent, streamRecord } from '../test/support/stream-records.ts';
import type { DynamoMeter, MeterSnapshot } from './dynamo-meter.ts';
import { type BenchCaller, type HttpRequest, httpEvent, lambdaContext, REGION } from './events.ts';
import type { MeterReading, ServiceMeter } from './service-meters.ts';
import { median, percentile } from './stats.ts';
import type { UnitCounts } from './unit-counts.ts';
import { addSnapshots, unitCountsOf } from './unit-record.ts';

/**
 * Invokes the real Lambda handlers in this process against DynamoDB Local and
 * records, per API operation, which DynamoDB requests it made, the capacity
 * DynamoDB reported and how long the invocation took.
 */

type HttpHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

export interface OperationSettings {
  readonly iterations: number;
  readonly warmup: number;
  /** Contacts in the tenant the list and search operations read. */
  readonly listTenantContacts: number;
  readonly streamBatches: number;
  readonly streamBatchSize: number;
  readonly tableName: string;
  readonly log: (line: string) => void;
  /** Meters of the other services and of the functions (bench/service-meters.ts), installed by the caller. */
  readonly services?: ServiceMeter;
  /** Warm-up calls (the last ones) whose AWS request units are computed from item images; default 5. */
  readonly capacityCalls?: number;
}

const noReading: MeterReading = {
  services: {
    sqsRequests: 0,
    schedulerRequests: 0,
    schedulerInvocations: 0,
    eventBridgeEvents: 0,
    sesRequests: 0,
    sesEmails: 0,
    s3PutRequests: 0,
    s3GetRequests: 0,
  },
  functions: {},
};

export interface Expectation {
  readonly text: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Requests of one kind per call, over all measured calls. */
export interface RequestFigure {
  readonly operation: string;
  readonly perCall: number;
  /** Per-call count when it was the same every call, else min and max. */
  readonly min: number;
  readonly max: number;
  readonly errorsPerCall: number;
}

export interface CapacityFigure {
  /** Calls for which DynamoDB Local returned ConsumedCapacity, of all metered requests. */
  readonly reported: number;
  readonly requests: number;
  /** Requests that ended in an error (a failed condition carries no ConsumedCapacity). */
  readonly failed: number;
  readonly totalPerCall: number;
  readonly readPerCall: number;
  readonly writePerCall: number;
}

export interface OperationReport {
  readonly name: string;
  /** The unit id in bench/unit-counts.json (`api.<operationId>`, a variant after a dot). */
  readonly unit: string;
  readonly unitCounts: UnitCounts;
  readonly route: string;
  readonly note?: string;
  readonly iterations: number;
  readonly requests: RequestFigure[];
  readonly itemsWrittenPerCall: number;
  readonly capacity: CapacityFigure;
  readonly latencyMs: { readonly median: number; readonly p95: number };
  readonly expectation?: Expectation;
  readonly statuses: Record<string, number>;
}

export interface StreamReport {
  readonly name: string;
  /** The unit id in bench/unit-counts.json; its figures are per record. */
  readonly unit: string;
  readonly unitCounts: UnitCounts;
  readonly note: string;
  readonly batches: number;
  readonly recordsPerBatch: number;
  readonly requests: RequestFigure[];
  readonly itemsWrittenPerBatch: number;
  readonly writesPerRecord: number;
  readonly capacity: CapacityFigure;
  readonly batchMs: { readonly median: number; readonly p95: number };
  readonly recordsPerSecond: number;
  readonly failures: number;
}

export interface OperationsReport {
  readonly operations: OperationReport[];
  readonly stream: StreamReport[];
  readonly scans: number;
  readonly operationsSeen: string[];
  readonly expectations: Expectation[];
}

interface Sample {
  readonly ms: number;
  readonly meter: MeterSnapshot;
}

function summarise(samples: readonly Sample[]): {
  requests: RequestFigure[];
  itemsWrittenPerCall: number;
  capacity: CapacityFigure;
} {
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.meter)))].sort();
  const calls = samples.length;
  const requests = names.map((operation) => {
    const counts = samples.map((sample) => sample.meter[operation]?.count ?? 0);
    const errors = samples.reduce((sum, sample) => sum + (sample.meter[operation]?.errors ?? 0), 0);
    return {
      operation,
      perCall: counts.reduce((a, b) => a + b, 0) / calls,
      min: Math.min(...counts),
      max: Math.max(...counts),
      errorsPerCall: errors / calls,
    };
  });
  let reported = 0;
  let metered = 0;
  let failed = 0;
  let total = 0;
  let read = 0;
  let write = 0;
  let items = 0;
  for (const sample of samples) {
    for (const stats of Object.values(sample.meter)) {
      reported += stats.withCapacity;
      metered += stats.count;
      failed += stats.errors;
      total += stats.capacityUnits;
      read += stats.readUnits;
      write += stats.writeUnits;
      items += stats.itemsWritten;
    }
  }
  return {
    requests,
    itemsWrittenPerCall: items / calls,
    capacity: {
      reported,
      requests: metered,
      failed,
      totalPerCall: total / calls,
      readPerCall: read / calls,
      writePerCall: write / calls,
    },
  };
}

/** Fails unless every measured call made exactly the given requests. */
function exactly(text: string, wanted: Record<string, number>) {
  return (requests: RequestFigure[]): Expectation => {
    const names = new Set([...Object.keys(wanted), ...requests.map((figure) => figure.operation)]);
    const problems: string[] = [];
    for (const name of names) {
      const figure = requests.find((entry) => entry.operation === name);
      const want = wanted[name] ?? 0;
      const min = figure?.min ?? 0;
      const max = figure?.max ?? 0;
      if (min !== want || max !== want) {
        problems.push(
          `${name}: expected ${want} per call, measured ${min === max ? min : `${min} to ${max}`}`,
        );
      }
    }
    const measured = Object.entries(wanted)
      .map(([name, count]) => `${count} ${name}`)
      .join(' + ');
    return {
      text,
      ok: problems.length === 0,
      detail:
        problems.length === 0 ? `${measured}, and nothing else, in every measured call` : problems.join('; '),
    };
  };
}

const writeOperations = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

/** Fails unless every measured call wrote through exactly the given write requests (reads are free to vary). */
function writesExactly(text: string, wanted: Record<string, number>) {
  return (requests: RequestFigure[]): Expectation =>
    exactly(
      text,
      wanted,
    )(requests.filter((figure) => writeOperations.includes(figure.operation) || figure.operation === 'Scan'));
}

const firstNames = [
  'Maria',
  'Marco',
  'Marta',
  'Ana',
  'Ángela',
  'Bruno',
  'Carla',
  'David',
  'Elena',
  'Felix',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Klara',
  'Luis',
  'Nora',
  'Oscar',
  'Paula',
  'Sofia',
];
const lastNames = ['Núñez', 'Schmidt', 'Rossi', 'Dubois', 'Silva', 'Novak', 'Jensen', 'Kowalski'];

export async function runOperations(
  meter: DynamoMeter,
  settings: OperationSettings,
): Promise<OperationsReport> {
  const { log, iterations, warmup, services } = settings;
  const capacityCalls = Math.min(warmup, settings.capacityCalls ?? 5);
  const contactsFn = (await import('#functions/http/contacts')).handler as unknown as HttpHandler;
  const companiesFn = (await import('#functions/http/companies')).handler as unknown as HttpHandler;
  const streamHandler = (await import('#functions/stream/tableChanges')).handler as unknown as StreamHandler;
  const streamFn: StreamHandler = services ? services.handler('tableChanges', streamHandler) : streamHandler;
  const dealsFn = (await import('#functions/http/deals')).handler as unknown as HttpHandler;
  const pipelinesFn = (await import('#functions/http/pipelines')).handler as unknown as HttpHandler;
  const leadsFn = (await import('#functions/http/leads')).handler as unknown as HttpHandler;
  const productsFn = (await import('#functions/http/products')).handler as unknown as HttpHandler;
  const quotesFn = (await import('#functions/http/quotes')).handler as unknown as HttpHandler;
  const usersFn = (await import('#functions/http/users')).handler as unknown as HttpHandler;
  const collaborationFn = (await import('#functions/http/collaboration')).handler as unknown as HttpHandler;
  const activitiesFn = (await import('#functions/http/activities')).handler as unknown as HttpHandler;
  const { dynamo } = await import('#shared/store/client');
  const { REPORT_SHARDS } = await import('#shared/store/report-aggregates');

  const run = Date.now().toString(36);
  const writer: BenchCaller = {
    tenantId: `benchw${run}`,
    userId: 'user-admin-w',
    role: 'admin',
    teamId: 'red',
    email: 'admin-w@bench.example',
  };
  const reader: BenchCaller = {
    tenantId: `benchr${run}`,
    userId: 'user-admin-r',
    role: 'admin',
    teamId: 'red',
    email: 'admin-r@bench.example',
  };
  const otherTeamRep: BenchCaller = {
    tenantId: reader.tenantId,
    userId: 'user-rep-blue',
    role: 'rep',
    teamId: 'blue',
    email: 'rep-blue@bench.example',
  };

  const invoke = async (
    fn: HttpHandler,
    name: string,
    routeKey: string,
    caller: BenchCaller,
    request: HttpRequest,
    expectStatus: number,
  ) => {
    const handler = services ? services.handler(name, fn) : fn;
    const response = await handler(httpEvent(routeKey, caller, request), lambdaContext(name));
    if (response.statusCode !== expectStatus) {
      throw new Error(
        `${routeKey} answered ${response.statusCode} (expected ${expectStatus}): ${String(response.body).slice(0, 300)}`,
      );
    }
    return response;
  };
  const bodyOf = <T>(response: APIGatewayProxyStructuredResultV2) => JSON.parse(String(response.body)) as T;

  let contactSerial = 0;
  const newContact = (prefix: string) => {
    const n = contactSerial++;
    return {
      firstName: firstNames[n % firstNames.length] as string,
      lastName: lastNames[Math.floor(n / firstNames.length) % lastNames.length] as string,
      email: `${prefix}-${run}-${n}@people.example`,
      phone: '+34 600 000 000',
      title: 'Head of Operations',
      country: 'ES',
      city: 'Valencia',
      tags: ['bench', 'vip'],
      lifecycleStage: 'lead',
    };
  };
  const createContact = async (caller: BenchCaller, prefix: string) =>
    bodyOf<{ id: string; version: number; email: string }>(
      await invoke(contactsFn, 'contacts', 'POST /contacts', caller, { body: newContact(prefix) }, 201),
    );

  // --- Setup (not metered) ---
  log(`seeding ${settings.listTenantContacts} contacts in the list tenant`);
  const seeded: { id: string; email: string }[] = [];
  for (let i = 0; i < settings.listTenantContacts; i++) seeded.push(await createContact(reader, 'list'));
  const archivable: string[] = [];
  for (let i = 0; i < warmup + iterations; i++) archivable.push((await createContact(writer, 'arch')).id);
  const patched = await createContact(writer, 'patch');

  // --- Operations ---
  const operations: OperationReport[] = [];
  const measure = async (
    spec: {
      name: string;
      /** `api.<operationId>` (a variant after a dot), or the background unit's id. */
      unit: string;
      route: string;
      note?: string;
      expect?: (requests: RequestFigure[]) => Expectation;
    },
    call: (index: number) => Promise<APIGatewayProxyStructuredResultV2>,
  ) => {
    const statuses: Record<string, number> = {};
    // The last warm-up calls are imaged for AWS request units; they are not timed.
    const imaged: MeterSnapshot[] = [];
    for (let i = 0; i < warmup; i++) {
      const image = i >= warmup - capacityCalls;
      meter.reset();
      if (image) {
        meter.measureCapacity(true);
        meter.start();
      }
      await call(i);
      meter.stop();
      meter.measureCapacity(false);
      if (image) imaged.push(meter.snapshot());
    }
    const samples: Sample[] = [];
    services?.reset();
    for (let i = warmup; i < warmup + iterations; i++) {
      meter.reset();
      meter.start();
      services?.start();
      const started = performance.now();
      const response = await call(i);
      const ms = performance.now() - started;
      services?.stop();
      meter.stop();
      const code = String(response.statusCode);
      statuses[code] = (statuses[code] ?? 0) + 1;
      samples.push({ ms, meter: meter.snapshot() });
    }
    const summary = summarise(samples);
    const times = samples.map((sample) => sample.ms);
    const api = spec.unit.startsWith('api.');
    const report: OperationReport = {
      name: spec.name,
      unit: spec.unit,
      unitCounts: unitCountsOf({
        description: spec.name,
        method: `bench/operations.ts: ${spec.route}, ${iterations} calls in process against DynamoDB Local (capacity from item images of ${imaged.length} untimed warm-up calls)`,
        units: iterations,
        httpApiRequests: api ? 1 : 0,
        dynamo: addSnapshots(samples.map((sample) => sample.meter)),
        imaged: addSnapshots(imaged),
        imagedUnits: imaged.length,
        services: services?.reading() ?? noReading,
      }),
      route: spec.route,
      ...(spec.note ? { note: spec.note } : {}),
      iterations,
      ...summary,
      latencyMs: { median: median(times), p95: percentile(times, 95) },
      ...(spec.expect ? { expectation: spec.expect(summary.requests) } : {}),
      statuses,
    };
    operations.push(report);
    log(
      `${spec.name}: ${summary.requests.map((r) => `${r.operation}×${r.perCall}`).join(' + ') || 'no requests'}, median ${report.latencyMs.median.toFixed(2)} ms`,
    );
  };

  await measure(
    {
      name: 'Create contact (unique email)',
      unit: 'api.createContact',
      route: 'POST /contacts',
      note: "reads the tenant's custom field definitions (required fields, defaults), then writes",
      expect: exactly(
        'a create with a unique email is one TransactWriteItems (after the custom field definitions read)',
        { GetItem: 1, TransactWriteItems: 1 },
      ),
    },
    () => invoke(contactsFn, 'contacts', 'POST /contacts', writer, { body: newContact('create') }, 201),
  );

  await measure(
    {
      name: 'Create contact with Idempotency-Key',
      unit: 'api.createContact.idempotencyKey',
      route: 'POST /contacts',
      note: 'informational: the key is claimed and completed around the create',
    },
    (i) =>
      invoke(
        contactsFn,
        'contacts',
        'POST /contacts',
        writer,
        { body: newContact('idem'), headers: { 'idempotency-key': `bench-${run}-${i}` } },
        201,
      ),
  );

  let companySerial = 0;
  await measure(
    {
      name: 'Create company (unique domain)',
      unit: 'api.createCompany',
      route: 'POST /companies',
      note: "reads the tenant's custom field definitions (required fields, defaults), then writes",
      expect: exactly(
        'a create with a unique domain is one TransactWriteItems (after the custom field definitions read)',
        { GetItem: 1, TransactWriteItems: 1 },
      ),
    },
    () => {
      const n = companySerial++;
      return invoke(
        companiesFn,
        'companies',
        'POST /companies',
        writer,
        {
          body: {
            name: `Bench Company ${n}`,
            domain: `co${n}-${run}.example.com`,
            industry: 'Software',
            size: 120,
            country: 'DE',
            tags: ['bench'],
          },
        },
        201,
      );
    },
  );

  await measure(
    {
      name: 'Get contact by id',
      unit: 'api.getContact',
      route: 'GET /contacts/{id}',
      // The engagement score is computed when read, from the engagement aggregate: one Query per shard.
      expect: exactly(
        'a read by id is one GetItem, and one Query per report shard for its engagement score',
        {
          GetItem: 1,
          Query: REPORT_SHARDS,
        },
      ),
    },
    (i) =>
      invoke(
        contactsFn,
        'contacts',
        'GET /contacts/{id}',
        reader,
        { params: { id: (seeded[i % seeded.length] as { id: string }).id } },
        200,
      ),
  );

  let pageItems = 0;
  await measure(
    {
      name: `List contacts, first page (limit 50 of ${settings.listTenantContacts})`,
      unit: 'api.listContacts',
      route: 'GET /contacts?limit=50',
      expect: exactly('a list page is one Query', { Query: 1 }),
    },
    async () => {
      const response = await invoke(
        contactsFn,
        'contacts',
        'GET /contacts',
        reader,
        { query: { limit: '50' } },
        200,
      );
      pageItems = bodyOf<{ items: unknown[] }>(response).items.length;
      return response;
    },
  );
  if (pageItems !== 50) throw new Error(`the list page returned ${pageItems} items, expected 50`);

  let cursor: string | null = null;
  {
    const first = await invoke(
      contactsFn,
      'contacts',
      'GET /contacts',
      reader,
      { query: { limit: '50' } },
      200,
    );
    cursor = bodyOf<{ nextCursor: string | null }>(first).nextCursor;
  }
  if (cursor) {
    const next = cursor;
    await measure(
      {
        name: 'List contacts, next page (with cursor)',
        unit: 'api.listContacts.nextPage',
        route: 'GET /contacts?limit=50&cursor=…',
        expect: exactly('a next list page (with cursor) is one Query', { Query: 1 }),
      },
      () =>
        invoke(
          contactsFn,
          'contacts',
          'GET /contacts',
          reader,
          { query: { limit: '50', cursor: next } },
          200,
        ),
    );
  }

  const prefix = 'mar';
  const prefixMatches =
    seeded.length === 0
      ? 0
      : (() => {
          let n = 0;
          for (let i = 0; i < settings.listTenantContacts; i++) {
            const first = firstNames[i % firstNames.length] as string;
            if (first.toLowerCase().startsWith(prefix)) n++;
          }
          return n;
        })();
  await measure(
    {
      name: `List contacts by name prefix (q=${prefix}, ${prefixMatches} matches)`,
      unit: 'api.listContacts.namePrefix',
      route: `GET /contacts?q=${prefix}&limit=50`,
    },
    () => invoke(contactsFn, 'contacts', 'GET /contacts', reader, { query: { q: prefix, limit: '50' } }, 200),
  );

  await measure(
    {
      name: 'Exact email search',
      unit: 'api.listContacts.email',
      route: 'GET /contacts?q=<email>',
    },
    (i) =>
      invoke(
        contactsFn,
        'contacts',
        'GET /contacts',
        reader,
        { query: { q: (seeded[i % seeded.length] as { email: string }).email } },
        200,
      ),
  );

  await measure(
    {
      name: 'List contacts as a rep of another team (sees none)',
      unit: 'api.listContacts.otherTeamRep',
      route: 'GET /contacts?limit=50 (rep)',
      note: "the team index (gsi5) reads only the rep's team partition, not the tenant's 500 contacts",
    },
    () => invoke(contactsFn, 'contacts', 'GET /contacts', otherTeamRep, { query: { limit: '50' } }, 200),
  );

  let version = patched.version;
  await measure(
    {
      name: 'Patch contact (If-Match)',
      unit: 'api.updateContact',
      route: 'PATCH /contacts/{id}',
    },
    async (i) => {
      const response = await invoke(
        contactsFn,
        'contacts',
        'PATCH /contacts/{id}',
        writer,
        {
          params: { id: patched.id },
          headers: { 'if-match': `"${version}"`, 'content-type': 'application/merge-patch+json' },
          body: { title: `Title ${i}`, city: i % 2 === 0 ? 'Madrid' : null },
        },
        200,
      );
      version = bodyOf<{ version: number }>(response).version;
      return response;
    },
  );

  await measure(
    {
      name: 'Archive contact (If-Match)',
      unit: 'api.deleteContact',
      route: 'DELETE /contacts/{id}',
    },
    (i) =>
      invoke(
        contactsFn,
        'contacts',
        'DELETE /contacts/{id}',
        writer,
        { params: { id: archivable[i] as string }, headers: { 'if-match': '"1"' } },
        204,
      ),
  );

  // --- Deals ---
  const pipelineList = await invoke(pipelinesFn, 'pipelines', 'GET /pipelines', writer, {}, 200);
  const salesPipeline = bodyOf<{ items: { id: string; stages: { id: string; kind: string }[] }[] }>(
    pipelineList,
  ).items[0];
  const openStages = (salesPipeline?.stages ?? [])
    .filter((stage) => stage.kind === 'open')
    .map((stage) => stage.id);
  await measure(
    {
      name: 'Create deal (default pipeline)',
      unit: 'api.createDeal',
      route: 'POST /deals',
      note: 'reads the default pipeline pointer, the pipeline and the custom field definitions, then writes the deal and its first history entry',
      expect: exactly('a deal create writes the deal and its first history entry in one TransactWriteItems', {
        GetItem: 3,
        TransactWriteItems: 1,
      }),
    },
    (i) =>
      invoke(
        dealsFn,
        'deals',
        'POST /deals',
        writer,
        { body: { name: `Deal ${i}`, amount: 1000 + i, currency: 'EUR' } },
        201,
      ),
  );
  const moving = bodyOf<{ id: string }>(
    await invoke(
      dealsFn,
      'deals',
      'POST /deals',
      writer,
      { body: { name: 'Mover', amount: 5, currency: 'EUR' } },
      201,
    ),
  );
  let dealVersion = 1;
  await measure(
    {
      name: 'Deal stage change (If-Match)',
      unit: 'api.updateDeal.stage',
      route: 'PATCH /deals/{id}',
      note: 'reads the deal and its pipeline; the deal and its history entry are one TransactWriteItems',
      expect: exactly('a deal stage change is one TransactWriteItems (deal + history)', {
        GetItem: 2,
        TransactWriteItems: 1,
      }),
    },
    async (i) => {
      const response = await invoke(
        dealsFn,
        'deals',
        'PATCH /deals/{id}',
        writer,
        {
          params: { id: moving.id },
          headers: { 'if-match': `"${dealVersion}"` },
          body: { stageId: openStages[(i + 1) % openStages.length] },
        },
        200,
      );
      dealVersion = bodyOf<{ version: number }>(response).version;
      return response;
    },
  );

  // --- Lead conversion and quote acceptance ---
  const leadIds: string[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const lead = await invoke(
      leadsFn,
      'leads',
      'POST /leads',
      writer,
      {
        body: {
          firstName: 'Lead',
          lastName: `${i}`,
          email: `lead-${run}-${i}@bench.example`,
          companyName: `Lead Co ${i}`,
        },
      },
      201,
    );
    leadIds.push(bodyOf<{ id: string }>(lead).id);
  }
  await measure(
    {
      name: 'Lead conversion (contact + company + deal)',
      unit: 'api.convertLead',
      route: 'POST /leads/{id}/convert',
      note: 'reads the lead, the email owner and the default pipeline; writes everything in one transaction',
      expect: writesExactly('a lead conversion is one TransactWriteItems', { TransactWriteItems: 1 }),
    },
    (i) =>
      invoke(
        leadsFn,
        'leads',
        'POST /leads/{id}/convert',
        writer,
        {
          params: { id: leadIds[i] as string },
          body: { deal: { name: `Converted ${i}`, amount: 1200, currency: 'EUR' } },
        },
        200,
      ),
  );

  const product = bodyOf<{ id: string }>(
    await invoke(
      productsFn,
      'products',
      'POST /products',
      writer,
      { body: { name: 'Unit', unitPrice: 19.995, currency: 'EUR' } },
      201,
    ),
  );
  const sentQuotes: string[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const deal = bodyOf<{ id: string }>(
      await invoke(
        dealsFn,
        'deals',
        'POST /deals',
        writer,
        { body: { name: `Quoted ${i}`, currency: 'EUR' } },
        201,
      ),
    );
    const quote = bodyOf<{ id: string }>(
      await invoke(
        quotesFn,
        'quotes',
        'POST /deals/{id}/quotes',
        writer,
        {
          params: { id: deal.id },
          body: {
            lines: [
              { productId: product.id, description: 'Unit', quantity: 3, unitPrice: 19.995, discountPct: 10 },
            ],
          },
        },
        201,
      ),
    );
    await invoke(quotesFn, 'quotes', 'POST /quotes/{id}/send', writer, { params: { id: quote.id } }, 200);
    sentQuotes.push(quote.id);
  }
  await measure(
    {
      name: 'Quote accept (deal to won, amount from the quote)',
      unit: 'api.acceptQuote',
      route: 'POST /quotes/{id}/accept',
      note: 'quote, accepted-quote marker, deal and its history entry in one transaction',
      expect: writesExactly('a quote accept is one TransactWriteItems', { TransactWriteItems: 1 }),
    },
    (i) =>
      invoke(
        quotesFn,
        'quotes',
        'POST /quotes/{id}/accept',
        writer,
        { params: { id: sentQuotes[i] as string } },
        200,
      ),
  );

  // --- Timeline and notifications ---
  const watched = await createContact(writer, 'watched');
  const watchedItem = (
    await dynamo.send(
      new QueryCommand({
        TableName: settings.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': recordPk(writer.tenantId, 'CONTACT', watched.id) },
      }),
    )
  ).Items?.[0] as Record<string, unknown>;
  // Three colleagues follow the contact; a fourth user changes it.
  for (let f = 0; f < 3; f++) {
    const user = bodyOf<{ id: string }>(
      await invoke(
        usersFn,
        'users',
        'POST /users',
        writer,
        { body: { email: `follower-${run}-${f}@bench.example`, name: `Follower ${f}`, role: 'manager' } },
        201,
      ),
    );
    const follower: BenchCaller = { ...writer, userId: user.id, role: 'manager' };
    await invoke(
      collaborationFn,
      'collaboration',
      'POST /contacts/{id}/follow',
      follower,
      { params: { id: watched.id } },
      200,
    );
  }
  const editor = 'bench-editor';
  const changeOf = (i: number) =>
    streamEvent([
      streamRecord({
        old: watchedItem,
        new: {
          ...watchedItem,
          title: `Title ${i}`,
          version: 2 + i,
          updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          updatedBy: editor,
        },
        eventId: `bench-${run}-change-${i}`,
        tableName: settings.tableName,
        region: REGION,
      }),
    ]);
  await measure(
    {
      name: 'Notification fan-out of one change (owner + 3 followers)',
      unit: 'stream.change.notified',
      route: 'stream: MODIFY contact',
      note: 'one timeline entry (BatchWriteItem) and one conditional PutItem per recipient; reads the followers and their rights; the change is also a contact.updated domain event: its marker (a second BatchWriteItem, after the event is published)',
      expect: writesExactly(
        'a change writes one timeline batch, one notification per recipient and one event marker',
        {
          BatchWriteItem: 2,
          PutItem: 4,
          TransactWriteItems: 0,
        },
      ),
    },
    async (i) => {
      const result = await streamFn(changeOf(i), lambdaContext('aggregates'));
      return { statusCode: result.batchItemFailures.length === 0 ? 200 : 500 };
    },
  );
  await measure(
    {
      name: 'Timeline page (limit 50)',
      unit: 'api.contactsTimeline',
      route: 'GET /contacts/{id}/timeline',
      note: 'the record read (visibility) and one Query of its timeline partition',
      expect: exactly('a timeline page is one Query (after the visibility read)', { GetItem: 1, Query: 1 }),
    },
    () =>
      invoke(
        collaborationFn,
        'collaboration',
        'GET /contacts/{id}/timeline',
        writer,
        { params: { id: watched.id }, query: { limit: '50' } },
        200,
      ),
  );

  // --- Activities: scheduler calls per change ---
  // Count calls on the one scheduler instance the handlers share in this process.
  const { getScheduler } = await import('#shared/schedule/select');
  const scheduler = await getScheduler();
  const schedulerCalls = { schedule: 0, cancel: 0 };
  const schedule = scheduler.schedule.bind(scheduler);
  const cancel = scheduler.cancel.bind(scheduler);
  scheduler.schedule = async (request) => {
    schedulerCalls.schedule++;
    return schedule(request);
  };
  scheduler.cancel = async (name) => {
    schedulerCalls.cancel++;
    return cancel(name);
  };
  const inHours = (hours: number, i: number) =>
    new Date(Date.now() + hours * 3_600_000 + i * 1000).toISOString();
  const schedulerExpectation = (
    text: string,
    wanted: { schedule: number; cancel: number },
    calls: number,
  ) => {
    const before = { ...schedulerCalls };
    return () => {
      const got = {
        schedule: schedulerCalls.schedule - before.schedule,
        cancel: schedulerCalls.cancel - before.cancel,
      };
      const want = { schedule: wanted.schedule * calls, cancel: wanted.cancel * calls };
      return {
        text,
        ok: got.schedule === want.schedule && got.cancel === want.cancel,
        detail: `${got.schedule / calls} schedule + ${got.cancel / calls} cancel per call (over ${calls} calls)`,
      };
    };
  };
  const remindable: string[] = [];
  await measure(
    {
      name: 'Create activity with a reminder',
      unit: 'api.createActivity.reminder',
      route: 'POST /activities',
      note: 'one scheduler call (the reminder schedule) before one PutItem',
      expect: schedulerExpectation(
        'an activity with remindAt makes one schedule call',
        { schedule: 1, cancel: 0 },
        warmup + iterations,
      ),
    },
    async (i) => {
      const response = await invoke(
        activitiesFn,
        'activities',
        'POST /activities',
        writer,
        { body: { type: 'call', subject: `Call ${i}`, dueAt: inHours(2, i), remindAt: inHours(1, i) } },
        201,
      );
      remindable.push(bodyOf<{ id: string }>(response).id);
      return response;
    },
  );
  await measure(
    {
      name: 'Move a reminder',
      unit: 'api.updateActivity.moveReminder',
      route: 'PATCH /activities/{id}',
      note: 'the schedule is moved (one upsert), the activity written once',
      expect: schedulerExpectation(
        'moving remindAt makes one schedule call',
        { schedule: 1, cancel: 0 },
        warmup + iterations,
      ),
    },
    (i) =>
      invoke(
        activitiesFn,
        'activities',
        'PATCH /activities/{id}',
        writer,
        { params: { id: remindable[i] as string }, body: { remindAt: inHours(3, i) } },
        200,
      ),
  );
  await measure(
    {
      name: 'Complete an activity',
      unit: 'api.updateActivity.complete',
      route: 'PATCH /activities/{id}',
      note: 'finishing it cancels the pending reminder (one delete)',
      expect: schedulerExpectation(
        'completing an activity makes one cancel call',
        { schedule: 0, cancel: 1 },
        warmup + iterations,
      ),
    },
    (i) =>
      invoke(
        activitiesFn,
        'activities',
        'PATCH /activities/{id}',
        writer,
        { params: { id: remindable[i] as string }, body: { status: 'done' } },
        200,
      ),
  );

  // --- Stream consumer ---
  const stream: StreamReport[] = [];
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: settings.tableName,
        ...indexPartition('gsi1', collectionPk(reader.tenantId, 'CONTACT', false)),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length < settings.streamBatchSize);
  if (items.length < settings.streamBatchSize)
    throw new Error('not enough contact items for the stream batch');

  const batchOf = (batch: number) =>
    streamEvent(
      items.slice(0, settings.streamBatchSize).map((item, index) =>
        streamRecord({
          new: item,
          eventId: `bench-${run}-${batch}-${index}`,
          tableName: settings.tableName,
          region: REGION,
        }),
      ),
    );
  const measureStream = async (
    name: string,
    unit: string,
    note: string,
    eventFor: (batch: number) => DynamoDBStreamEvent,
  ) => {
    const samples: Sample[] = [];
    let imaged: MeterSnapshot | undefined;
    let failures = 0;
    services?.reset();
    for (let batch = 0; batch < 2 + settings.streamBatches; batch++) {
      const event = eventFor(batch);
      const measured = batch >= 2;
      // The second warm-up batch is imaged for AWS request units; it is not timed.
      const image = batch === 1;
      meter.reset();
      meter.measureCapacity(image);
      if (measured || image) meter.start();
      if (measured) services?.start();
      const started = performance.now();
      const result = await streamFn(event, lambdaContext('aggregates'));
      const ms = performance.now() - started;
      services?.stop();
      meter.stop();
      meter.measureCapacity(false);
      failures += result.batchItemFailures.length;
      if (measured) samples.push({ ms, meter: meter.snapshot() });
      if (image) imaged = meter.snapshot();
    }
    const summary = summarise(samples);
    const times = samples.map((sample) => sample.ms);
    const batchMedian = median(times);
    const report: StreamReport = {
      name,
      unit,
      unitCounts: unitCountsOf({
        description: `${name}, per record`,
        method: `bench/operations.ts: ${samples.length} batches of ${settings.streamBatchSize} records through functions/stream/tableChanges.ts in process (capacity from item images of one untimed warm-up batch)`,
        units: samples.length * settings.streamBatchSize,
        httpApiRequests: 0,
        dynamo: addSnapshots(samples.map((sample) => sample.meter)),
        imaged: imaged ?? {},
        imagedUnits: imaged ? settings.streamBatchSize : 0,
        services: services?.reading() ?? noReading,
      }),
      note,
      batches: samples.length,
      recordsPerBatch: settings.streamBatchSize,
      requests: summary.requests,
      itemsWrittenPerBatch: summary.itemsWrittenPerCall,
      writesPerRecord: summary.itemsWrittenPerCall / settings.streamBatchSize,
      capacity: summary.capacity,
      batchMs: { median: batchMedian, p95: percentile(times, 95) },
      recordsPerSecond: settings.streamBatchSize / (batchMedian / 1000),
      failures,
    };
    stream.push(report);
    log(
      `${name}: ${summary.requests.map((r) => `${r.operation}×${r.perCall}`).join(' + ')}, ${report.writesPerRecord.toFixed(2)} writes/record, ${Math.round(report.recordsPerSecond)} records/s`,
    );
  };

  await measureStream(
    `Stream: batch of ${settings.streamBatchSize} INSERTs (one tenant)`,
    'stream.record',
    'new events: one marker per record plus one counter update per transaction',
    batchOf,
  );
  const replayed = batchOf(-1);
  await streamFn(replayed, lambdaContext('aggregates'));
  await measureStream(
    `Stream: the same batch of ${settings.streamBatchSize} delivered again`,
    'stream.record.redelivered',
    'a retried batch: every marker exists, nothing is counted twice',
    () => replayed,
  );
  for (const report of stream) {
    if (report.failures > 0) throw new Error(`${report.name}: ${report.failures} records reported as failed`);
  }

  // --- Plain-language segments, saved views, shared lists ---
  // Measured after the stream batches so their figures are those of the operations above alone.
  const segmentsFn = (await import('#functions/http/segments')).handler as unknown as HttpHandler;
  const viewsFn = (await import('#functions/http/views')).handler as unknown as HttpHandler;
  const exportsFn = (await import('#functions/http/exports')).handler as unknown as HttpHandler;

  // The vocabulary (cities, countries, tags) is a report aggregate the stream keeps; no stream runs
  // here, so the list tenant's contact items are fed to the consumer once, as INSERTs.
  const listItems: Record<string, unknown>[] = [];
  let listKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: settings.tableName,
        ...indexPartition('gsi1', collectionPk(reader.tenantId, 'CONTACT', false)),
        ...(listKey ? { ExclusiveStartKey: listKey } : {}),
      }),
    );
    listItems.push(...(page.Items ?? []));
    listKey = page.LastEvaluatedKey;
  } while (listKey);
  for (let start = 0; start < listItems.length; start += settings.streamBatchSize) {
    const result = await streamFn(
      streamEvent(
        listItems.slice(start, start + settings.streamBatchSize).map((item, index) =>
          streamRecord({
            new: item,
            eventId: `bench-${run}-vocabulary-${start + index}`,
            tableName: settings.tableName,
            region: REGION,
          }),
        ),
      ),
      lambdaContext('aggregates'),
    );
    if (result.batchItemFailures.length > 0) throw new Error('the vocabulary feed reported failed records');
  }

  // Vocabulary: one Query per report shard (cities, countries, tags, industries) + pipelines,
  // campaigns, users. Count: the collection's first and last id, the overview's live contacts (one
  // Query per report shard: it sizes the id ranges to the tenant), then one Query per id range.
  const vocabularyQueries = REPORT_SHARDS + 4;
  const resolutionQueries = 2 + REPORT_SHARDS + 8;
  const sentences = [
    { lang: 'es', text: 'leads de Valencia con la etiqueta vip' },
    { lang: 'en', text: 'contacts in Spain tagged vip created in the last 30 days' },
  ];
  for (const sentence of sentences) {
    await measure(
      {
        name: `Interpret a sentence (${sentence.lang}, ${settings.listTenantContacts} contacts)`,
        unit: `api.interpretSegment.${sentence.lang}`,
        route: 'POST /segments/interpret',
        note: `"${sentence.text}": the vocabulary (${REPORT_SHARDS} report shards, pipelines, campaigns, users, teams: ${vocabularyQueries} Queries), then the count as a preview resolves it (first and last id, the overview's ${REPORT_SHARDS} shards for the tenant's size, 8 id ranges: ${resolutionQueries} Queries)`,
        expect: exactly(
          `an interpretation is ${vocabularyQueries} vocabulary Queries and ${resolutionQueries} resolution Queries (${sentence.lang})`,
          { Query: vocabularyQueries + resolutionQueries },
        ),
      },
      async () => {
        const response = await invoke(
          segmentsFn,
          'segments',
          'POST /segments/interpret',
          reader,
          { body: sentence },
          200,
        );
        const answer = bodyOf<{ filter: unknown; unmatched: string[]; count: number | null }>(response);
        if (answer.filter === null || answer.unmatched.length > 0 || answer.count !== listItems.length)
          throw new Error(
            `"${sentence.text}" was not read whole over the bench vocabulary: ${String(response.body).slice(0, 300)}`,
          );
        return response;
      },
    );
  }

  // Views are created in tenants of their own, 100 a tenant: the owner's bound (the tenant's is 500).
  const viewMaker = (i: number): BenchCaller => ({
    ...writer,
    tenantId: `benchv${run}${Math.floor(i / 100)}`,
  });
  const viewBody = (name: string, visibility: string) => ({
    name,
    entity: 'contacts',
    filter: { tag: 'vip' },
    sort: { field: 'lastName', direction: 'asc' },
    columns: ['firstName', 'lastName', 'email', 'city'],
    visibility,
  });
  await measure(
    {
      name: 'Save a view',
      unit: 'api.createView',
      route: 'POST /views',
      note: "the view, the tenant's view counter (at most 500) and the owner's (at most 100) in one transaction",
      expect: exactly('a view create is one TransactWriteItems', { TransactWriteItems: 1 }),
    },
    (i) =>
      invoke(viewsFn, 'views', 'POST /views', viewMaker(i), { body: viewBody(`View ${i}`, 'private') }, 201),
  );
  // The list tenant holds 30 views: 10 tenant views, 10 team views of the rep's team, 10 private to the admin.
  const readerManager: BenchCaller = { ...reader, role: 'manager' };
  for (let i = 0; i < 10; i++) {
    await invoke(
      viewsFn,
      'views',
      'POST /views',
      readerManager,
      { body: viewBody(`Tenant ${i}`, 'tenant') },
      201,
    );
    await invoke(viewsFn, 'views', 'POST /views', otherTeamRep, { body: viewBody(`Team ${i}`, 'team') }, 201);
    await invoke(viewsFn, 'views', 'POST /views', reader, { body: viewBody(`Mine ${i}`, 'private') }, 201);
  }
  const listViewsAs = (caller: BenchCaller, expected: number) => async () => {
    const response = await invoke(
      viewsFn,
      'views',
      'GET /views',
      caller,
      { query: { entity: 'contacts' } },
      200,
    );
    const listed = bodyOf<{ items: unknown[] }>(response).items.length;
    if (listed !== expected) throw new Error(`GET /views listed ${listed} views, expected ${expected}`);
    return response;
  };
  await measure(
    {
      name: 'List views as an admin (30 in the tenant)',
      unit: 'api.listViews',
      route: 'GET /views?entity=contacts',
      note: "an admin sees every shared view and their own: one Query of the tenant's views",
      expect: exactly("an admin's view list is one Query", { Query: 1 }),
    },
    listViewsAs(reader, 30),
  );
  await measure(
    {
      name: 'List views as a rep (30 in the tenant)',
      unit: 'api.listViews.rep',
      route: 'GET /views?entity=contacts (rep)',
      note: "their own views, their team's and the tenant's: one Query of each partition",
      expect: exactly("a rep's view list is three Queries", { Query: 3 }),
    },
    listViewsAs(otherTeamRep, 20),
  );
  const changing = bodyOf<{ id: string; version: number }>(
    await invoke(viewsFn, 'views', 'POST /views', reader, { body: viewBody('Changing', 'private') }, 201),
  );
  let viewVersion = changing.version;
  await measure(
    {
      name: 'Change a view (name and sort, If-Match)',
      unit: 'api.updateView',
      route: 'PATCH /views/{id}',
      note: 'reads the view, writes it once under its version',
      expect: exactly('a view change is one GetItem and one conditional write', { GetItem: 1, PutItem: 1 }),
    },
    async (i) => {
      const response = await invoke(
        viewsFn,
        'views',
        'PATCH /views/{id}',
        reader,
        {
          params: { id: changing.id },
          headers: { 'if-match': `"${viewVersion}"`, 'content-type': 'application/merge-patch+json' },
          body: {
            name: `Changing ${i}`,
            sort: { field: i % 2 === 0 ? 'city' : 'lastName', direction: 'asc' },
          },
        },
        200,
      );
      viewVersion = bodyOf<{ version: number }>(response).version;
      return response;
    },
  );

  // A small segment of the list tenant: one first name of twenty.
  const sharedName = firstNames[0] as string;
  const sharedRows = Math.ceil(settings.listTenantContacts / firstNames.length);
  // A segment holds at most 50 live shares: the share calls go to copies of it, 40 each.
  const sharesPerSegment = 40;
  const sharedSegments: { id: string }[] = [];
  for (let copy = 0; copy * sharesPerSegment < warmup + iterations; copy++) {
    sharedSegments.push(
      bodyOf<{ id: string }>(
        await invoke(
          segmentsFn,
          'segments',
          'POST /segments',
          reader,
          {
            body: {
              name: `First name ${sharedName} ${copy}`,
              filter: { all: [{ field: 'firstName', op: 'eq', value: sharedName }] },
            },
          },
          201,
        ),
      ),
    );
  }
  let shareUrl = '';
  await measure(
    {
      name: 'Share a segment (signed link)',
      unit: 'api.shareSegment',
      route: 'POST /segments/{id}/share',
      note: 'reads the segment and its live shares (one Query: at most 50 a segment), writes the share',
      expect: exactly('a share is one GetItem, one Query and one PutItem', {
        GetItem: 1,
        Query: 1,
        PutItem: 1,
      }),
    },
    async (i) => {
      const segment = sharedSegments[Math.floor(i / sharesPerSegment)] as { id: string };
      const response = await invoke(
        segmentsFn,
        'segments',
        'POST /segments/{id}/share',
        reader,
        { params: { id: segment.id }, body: { expiresInDays: 7, format: 'csv', label: 'Bench partner' } },
        201,
      );
      shareUrl = bodyOf<{ url: string }>(response).url;
      return response;
    },
  );
  const token = decodeURIComponent(new URL(shareUrl).pathname.split('/').at(-1) ?? '');
  await measure(
    {
      name: `Download a shared list (inline CSV, ${sharedRows} of ${settings.listTenantContacts} contacts)`,
      unit: 'api.downloadSharedList',
      route: 'GET /l/{token}',
      note: "reads the share, its creator, the segment (twice: the route and the export source), the CSV columns (custom field definitions), the segment in id order (first and last id, one range: 3 Queries) and the owners' names (BatchGetItem); logs the download",
      expect: writesExactly(
        'a shared-list download is logged in one TransactWriteItems (download + share counter)',
        {
          TransactWriteItems: 1,
        },
      ),
    },
    async () => {
      const response = await invoke(
        exportsFn,
        'exports',
        'GET /l/{token}',
        reader,
        { params: { token } },
        200,
      );
      const rows = String(response.body).trim().split('\n').length - 1;
      if (rows !== sharedRows) throw new Error(`the shared list held ${rows} rows, expected ${sharedRows}`);
      return response;
    },
  );

  const scans = meter.seen.has('Scan') ? 1 : 0;
  const expectations: Expectation[] = [
    ...operations.flatMap((operation) => (operation.expectation ? [operation.expectation] : [])),
    {
      text: 'no Scan anywhere',
      ok: scans === 0,
      detail:
        scans === 0
          ? `none of the requests sent during the whole run (setup included) was a Scan; operations sent: ${[...meter.seen].sort().join(', ')}`
          : 'a Scan was sent during the bench',
    },
  ];
  return {
    operations,
    stream,
    scans,
    operationsSeen: [...meter.seen].sort(),
    expectations,
  };
}
