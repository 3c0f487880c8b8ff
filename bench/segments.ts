import { pathToFileURL } from 'node:url';
import type { BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { SegmentFilter } from '#shared/domain/segment-filter';
import type { Expectation } from './operations.ts';
import { median } from './stats.ts';

/**
 * Segment preview and resolution throughput: a tenant of `contacts` contacts
 * (default 100,000) at 500 companies, with a filter that mixes a contact field,
 * a tag and a company field. The preview (`previewSegment`, what GET
 * /segments/{id}/preview runs: count and a sample of 10, reading only the
 * attributes the filter needs) must answer within PREVIEW_TARGET_SECONDS;
 * resolution for sending (`resolveSegment`, whole contacts) is measured beside
 * it. Rows/s counts contacts read (the work), not matches. The shared store
 * modules are imported lazily: TABLE_NAME and AWS_ENDPOINT_URL_DYNAMODB must be
 * set before the call, as bench/run.ts does.
 */
export interface SegmentBenchOptions {
  readonly tableName: string;
  readonly contacts?: number;
  readonly companies?: number;
  /** Timed resolutions after one warm-up; the median is reported. */
  readonly runs?: number;
  /** Range queries; by default what resolution sizes for the tenant (`rangesFor`). */
  readonly parallelism?: number;
  /** Concurrent BatchWriteItem requests while loading. */
  readonly writeConcurrency?: number;
  readonly log?: (line: string) => void;
}

export interface SegmentBenchReport {
  readonly contacts: number;
  readonly companies: number;
  readonly filter: SegmentFilter;
  readonly matched: number;
  readonly parallelism: number;
  readonly loadSeconds: number;
  readonly loadRowsPerSecond: number;
  readonly runSeconds: number[];
  readonly medianSeconds: number;
  readonly medianRowsPerSecond: number;
  /** The preview: its count (the matches a reader who may read all sees), timed runs and median. */
  readonly preview: {
    readonly count: number;
    readonly sampleSize: number;
    readonly runSeconds: number[];
    readonly medianSeconds: number;
    readonly medianRowsPerSecond: number;
    readonly targetSeconds: number;
  };
  readonly expectations: Expectation[];
}

/** Issue 16: a segment of a 100,000-contact tenant previews within 5 s locally. */
export const PREVIEW_TARGET_SECONDS = 5;
const PREVIEW_SAMPLE = 10;

export const benchFilter: SegmentFilter = {
  all: [
    { field: 'country', op: 'eq', value: 'ES' },
    { field: 'tags', op: 'contains', value: 'vip' },
    { field: 'company.industry', op: 'in', value: ['Retail', 'Software'] },
  ],
};

const countries = ['ES', 'FR', 'DE', 'IT', 'PT', 'GB', 'US', 'MX'];
const industries = ['Retail', 'Software', 'Energy', 'Health', 'Finance'];
const tagSets = [['vip'], ['newsletter'], ['vip', 'newsletter'], [], ['partner'], []];

/** A small deterministic generator, so every run loads the same data. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const pick = <T>(list: readonly T[], next: () => number): T => list[Math.floor(next() * list.length)] as T;

/** Writes items 25 to a BatchWriteItem, `concurrency` at once, retrying what DynamoDB leaves unprocessed. */
export async function writeAll(
  tableName: string,
  items: Record<string, unknown>[],
  concurrency: number,
): Promise<void> {
  const { dynamo } = await import('#shared/store/client');
  const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= items.length) return;
      let requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string] = items
        .slice(start, start + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const output = await dynamo.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = output.UnprocessedItems?.[tableName] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** A loaded bench tenant: its id and how long the load took. */
export interface LoadedSegmentTenant {
  readonly tenantId: string;
  readonly contacts: number;
  readonly companies: number;
  readonly loadSeconds: number;
}

/**
 * Loads one tenant of `contacts` contacts at `companies` companies (the same
 * data every time: a seeded generator) with BatchWriteItem.
 */
export async function loadSegmentTenant(options: {
  readonly tableName: string;
  readonly contacts: number;
  readonly companies: number;
  readonly writeConcurrency?: number;
}): Promise<LoadedSegmentTenant> {
  const { toItem } = await import('#shared/store/records');
  const { companies, contacts } = await import('#shared/store/entities');
  const tenantId = `bench-segments-${Date.now().toString(36)}`;
  const ulid = monotonicFactory();
  const next = random(42);
  const now = new Date().toISOString();
  const base = { createdAt: now, updatedAt: now, version: 1, ownerId: 'bench-user', archived: false };
  const companyRecords = Array.from({ length: options.companies }, (_, index) => ({
    ...base,
    id: ulid(),
    name: `Company ${index}`,
    industry: pick(industries, next),
    size: Math.floor(next() * 5000),
    tags: [],
    customFields: {},
  }));
  const contactRecords = Array.from({ length: options.contacts }, (_, index) => ({
    ...base,
    id: ulid(),
    firstName: `First${index}`,
    lastName: `Last${index}`,
    email: `person${index}@example.test`,
    country: pick(countries, next),
    companyId: pick(companyRecords, next).id,
    tags: [...pick(tagSets, next)],
    customFields: { score: Math.floor(next() * 100) },
    marketingStatus: 'subscribed' as const,
  }));
  const loadStarted = performance.now();
  await writeAll(
    options.tableName,
    [
      ...companyRecords.map((record) => toItem(companies, tenantId, record)),
      ...contactRecords.map((record) => toItem(contacts, tenantId, record)),
    ],
    options.writeConcurrency ?? 32,
  );
  // The stream keeps the overview's live contact count; this load bypasses the stream, so it
  // writes the count the stream would have reached (resolution sizes its ranges from it).
  const { dynamo } = await import('#shared/store/client');
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { reportAggregateKey } = await import('#shared/store/keys');
  const { overviewCounters } = await import('#shared/domain/overview');
  await dynamo.send(
    new PutCommand({
      TableName: options.tableName,
      Item: {
        ...reportAggregateKey(tenantId, 'overview', 0, 'overview'),
        [overviewCounters.contact]: options.contacts,
        [overviewCounters.company]: options.companies,
      },
    }),
  );
  return {
    tenantId,
    contacts: options.contacts,
    companies: options.companies,
    loadSeconds: (performance.now() - loadStarted) / 1000,
  };
}

export async function runSegmentBench(options: SegmentBenchOptions): Promise<SegmentBenchReport> {
  const log = options.log ?? (() => undefined);
  const contactCount = options.contacts ?? 100_000;
  const companyCount = options.companies ?? 500;
  const runs = options.runs ?? 3;
  const { rangesFor } = await import('#shared/store/segment-resolution');
  const parallelism = options.parallelism ?? rangesFor(contactCount);
  const { previewSegment, resolveSegment } = await import('#shared/store/segment-resolution');
  const reader = { userId: 'bench', role: 'admin' as const };

  log(`segments: loading ${contactCount} contacts and ${companyCount} companies`);
  const { tenantId, loadSeconds } = await loadSegmentTenant({
    tableName: options.tableName,
    contacts: contactCount,
    companies: companyCount,
    ...(options.writeConcurrency ? { writeConcurrency: options.writeConcurrency } : {}),
  });

  // Unless told, resolution sizes its ranges from the tenant's overview count, as for any tenant.
  const sizing = options.parallelism ? { parallelism: options.parallelism } : {};

  /** Times one read; the count it gives must be the same every run. */
  const timer = (name: string, once: () => Promise<number>) => {
    let expected: number | undefined;
    const seconds: number[] = [];
    return {
      name,
      seconds,
      get count() {
        return expected ?? 0;
      },
      async run(label: string): Promise<void> {
        const started = performance.now();
        const count = await once();
        const elapsed = (performance.now() - started) / 1000;
        if (expected !== undefined && count !== expected)
          throw new Error(`segment ${name} is not deterministic`);
        expected = count;
        if (label !== 'warm-up') seconds.push(elapsed);
        log(`segments: ${name} ${label} ${elapsed.toFixed(2)} s, ${count} matched`);
      },
    };
  };
  const preview = timer('preview', async () => {
    const result = await previewSegment(tenantId, benchFilter, {
      ...sizing,
      reader,
      sampleSize: PREVIEW_SAMPLE,
    });
    if (result.sample.length !== Math.min(PREVIEW_SAMPLE, result.count))
      throw new Error(`the preview sampled ${result.sample.length} of ${result.count}`);
    return result.count;
  });
  const resolution = timer('resolution', async () => {
    let matched = 0;
    for await (const page of resolveSegment(tenantId, benchFilter, { ...sizing, reader }))
      matched += page.length;
    return matched;
  });
  // One warm-up each, then the two alternate, so a change in the machine's load weighs on both alike.
  for (const label of ['warm-up', ...Array.from({ length: runs }, (_, run) => `run ${run + 1}/${runs}`)]) {
    await preview.run(label);
    await resolution.run(label);
  }
  const previewMedian = median(preview.seconds);
  const resolutionMedian = median(resolution.seconds);
  const rounded = (seconds: number[]) => seconds.map((value) => Number(value.toFixed(3)));
  const expectations: Expectation[] = [
    {
      text: `segment preview of ${contactCount.toLocaleString('en')} contacts within ${PREVIEW_TARGET_SECONDS} s (median)`,
      ok: previewMedian < PREVIEW_TARGET_SECONDS,
      detail: `${previewMedian.toFixed(2)} s, ${Math.round(contactCount / previewMedian)} rows/s`,
    },
    {
      text: 'segment preview counts what resolution yields',
      ok: preview.count === resolution.count,
      detail: `${preview.count} previewed, ${resolution.count} resolved`,
    },
  ];
  return {
    contacts: contactCount,
    companies: companyCount,
    filter: benchFilter,
    matched: resolution.count,
    parallelism,
    loadSeconds: Number(loadSeconds.toFixed(2)),
    loadRowsPerSecond: Math.round((contactCount + companyCount) / loadSeconds),
    runSeconds: rounded(resolution.seconds),
    medianSeconds: Number(resolutionMedian.toFixed(3)),
    medianRowsPerSecond: Math.round(contactCount / resolutionMedian),
    preview: {
      count: preview.count,
      sampleSize: PREVIEW_SAMPLE,
      runSeconds: rounded(preview.seconds),
      medianSeconds: Number(previewMedian.toFixed(3)),
      medianRowsPerSecond: Math.round(contactCount / previewMedian),
      targetSeconds: PREVIEW_TARGET_SECONDS,
    },
    expectations,
  };
}

/** `npx tsx bench/segments.ts [contacts] [--quick]`: the same measurement on a table of its own. */
async function main(): Promise<void> {
  const { useBenchEnvironment, withBenchTable, benchLog } = await import('./bench-env.ts');
  const { sectionSizes } = await import('./mode.ts');
  useBenchEnvironment();
  await withBenchTable({ own: 'crm-bench-segments' }, async (table) => {
    const contacts = Number(process.argv[2]) || sectionSizes('segments').values.contacts;
    const report = await runSegmentBench({ tableName: table.tableName, contacts, log: benchLog });
    console.log(JSON.stringify(report, null, 2));
    for (const entry of report.expectations)
      console.log(`[bench] ${entry.ok ? 'holds' : 'FAILS'}: ${entry.text} (${entry.detail})`);
    if (report.expectations.some((entry) => !entry.ok)) process.exitCode = 1;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
