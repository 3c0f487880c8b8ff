import { pathToFileURL } from 'node:url';
import type { BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { SegmentFilter } from '#shared/domain/segment-filter';
import { median } from './stats.ts';

/**
 * Segment resolution throughput: a tenant of `contacts` contacts (default
 * 100,000) at 500 companies, resolved with a filter that mixes a contact field,
 * a tag and a company field. Rows/s counts contacts read (the work), not
 * matches. The shared store modules are imported lazily: TABLE_NAME and
 * AWS_ENDPOINT_URL_DYNAMODB must be set before the call, as bench/run.ts does.
 */
export interface SegmentBenchOptions {
  readonly tableName: string;
  readonly contacts?: number;
  readonly companies?: number;
  /** Timed resolutions after one warm-up; the median is reported. */
  readonly runs?: number;
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
}

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

export async function runSegmentBench(options: SegmentBenchOptions): Promise<SegmentBenchReport> {
  const log = options.log ?? (() => undefined);
  const contactCount = options.contacts ?? 100_000;
  const companyCount = options.companies ?? 500;
  const runs = options.runs ?? 3;
  const parallelism = options.parallelism ?? 16;
  const { toItem } = await import('#shared/store/records');
  const { companies, contacts } = await import('#shared/store/entities');
  const { resolveSegment } = await import('#shared/store/segment-resolution');

  const tenantId = `bench-segments-${Date.now().toString(36)}`;
  const ulid = monotonicFactory();
  const next = random(42);
  const now = new Date().toISOString();
  const base = { createdAt: now, updatedAt: now, version: 1, ownerId: 'bench-user', archived: false };
  const companyRecords = Array.from({ length: companyCount }, (_, index) => ({
    ...base,
    id: ulid(),
    name: `Company ${index}`,
    industry: pick(industries, next),
    size: Math.floor(next() * 5000),
    tags: [],
    customFields: {},
  }));
  const contactRecords = Array.from({ length: contactCount }, (_, index) => ({
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

  log(`segments: loading ${contactCount} contacts and ${companyCount} companies`);
  const loadStarted = performance.now();
  await writeAll(
    options.tableName,
    [
      ...companyRecords.map((record) => toItem(companies, tenantId, record)),
      ...contactRecords.map((record) => toItem(contacts, tenantId, record)),
    ],
    options.writeConcurrency ?? 32,
  );
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const resolveOnce = async () => {
    const started = performance.now();
    let matched = 0;
    for await (const page of resolveSegment(tenantId, benchFilter, {
      parallelism,
      reader: { userId: 'bench', role: 'admin' },
    }))
      matched += page.length;
    return { seconds: (performance.now() - started) / 1000, matched };
  };
  const warmup = await resolveOnce();
  log(`segments: warm-up ${warmup.seconds.toFixed(2)} s, ${warmup.matched} matched`);
  const runSeconds: number[] = [];
  for (let run = 0; run < runs; run++) {
    const result = await resolveOnce();
    if (result.matched !== warmup.matched) throw new Error('segment resolution is not deterministic');
    runSeconds.push(result.seconds);
    log(`segments: run ${run + 1}/${runs} ${result.seconds.toFixed(2)} s`);
  }
  const medianSeconds = median(runSeconds);
  return {
    contacts: contactCount,
    companies: companyCount,
    filter: benchFilter,
    matched: warmup.matched,
    parallelism,
    loadSeconds: Number(loadSeconds.toFixed(2)),
    loadRowsPerSecond: Math.round((contactCount + companyCount) / loadSeconds),
    runSeconds: runSeconds.map((seconds) => Number(seconds.toFixed(3))),
    medianSeconds: Number(medianSeconds.toFixed(3)),
    medianRowsPerSecond: Math.round(contactCount / medianSeconds),
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
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
