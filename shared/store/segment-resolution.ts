import { BatchGetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { type Actor, canRead } from '../domain/access.ts';
import {
  type ContactView,
  compileFilter,
  type FilterRequirements,
  requirements,
  type SegmentFilter,
} from '../domain/segment-filter.ts';
import { dynamo } from './client.ts';
import { contactEngagementScores } from './customers.ts';
import type { Company, Contact } from './entities.ts';
import { collectionPk, engagementPk, indexDefinition, indexPartition, recordKey, statePk } from './keys.ts';
import { queryPages } from './query.ts';
import { recordPatterns } from './record-patterns.ts';
import { toRecord } from './records.ts';

/**
 * Resolves a segment to its live contacts without scanning the table: the
 * tenant's contact collection (gsi1, sorted by ULID) is cut into id ranges read
 * by concurrent queries, and what conditions look beyond the contact
 * (companies, engagement, deal stages) is read once per run and joined here.
 */
export interface ResolveOptions {
  /**
   * Whose read rights the result obeys (SPEC "Identity and access"): a
   * preview's caller, a campaign's owner at its start, an enrollment's
   * author. Only contacts they may read are returned, so no derived view
   * (preview, campaign, enrollment, export) reaches beyond them.
   */
  readonly reader: Actor;
  /** The clock `withinDays` counts back from. */
  readonly now?: Date;
  /** Concurrent range queries over the contact collection. */
  readonly parallelism?: number;
}

type Item = Record<string, unknown>;

const DEFAULT_PARALLELISM = 8;
const MAX_PARALLELISM = 32;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_LENGTH = 26;

async function queryAll(input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(input)) items.push(...page);
  return items;
}

const ulidToBigInt = (id: string): bigint => {
  let value = 0n;
  for (const char of id.padEnd(ULID_LENGTH, '0').slice(0, ULID_LENGTH))
    value = value * 32n + BigInt(Math.max(0, CROCKFORD.indexOf(char)));
  return value;
};

const bigIntToUlid = (value: bigint): string => {
  let rest = value;
  let text = '';
  for (let i = 0; i < ULID_LENGTH; i++) {
    text = (CROCKFORD[Number(rest % 32n)] ?? '0') + text;
    rest /= 32n;
  }
  return text;
};

/** The contact collection's index (byCollection): its sort key is the contact id. */
const collection = indexDefinition(recordPatterns.byCollection.index);

/** The first or last contact id of the collection (one item read), or undefined when it is empty. */
async function edgeId(pk: string, forward: boolean): Promise<string | undefined> {
  const output = await dynamo.send(
    new QueryCommand({
      TableName: config.tableName,
      ...indexPartition(collection.name, pk),
      ProjectionExpression: collection.sortKey,
      ScanIndexForward: forward,
      Limit: 1,
    }),
  );
  const sk = output.Items?.[0]?.[collection.sortKey];
  return typeof sk === 'string' ? sk : undefined;
}

/**
 * Id ranges `[from, to]` covering the collection: the span between its first
 * and last ULID (creation time, then randomness) cut into equal parts, so a
 * collection created at any pace splits into ranges of comparable size.
 */
export function idRanges(first: string, last: string, parts: number): { from: string; to: string }[] {
  const low = ulidToBigInt(first);
  const high = ulidToBigInt(last);
  const span = high - low;
  const count = span < BigInt(parts) ? 1 : parts;
  const ranges: { from: string; to: string }[] = [];
  for (let i = 0; i < count; i++) {
    const from = i === 0 ? first : bigIntToUlid(low + (span * BigInt(i)) / BigInt(count));
    // Adjacent ranges must not share an id: each ends one below where the next starts.
    const to = i === count - 1 ? last : bigIntToUlid(low + (span * BigInt(i + 1)) / BigInt(count) - 1n);
    ranges.push({ from, to });
  }
  return ranges;
}

/** Contact pages of one id range. */
function rangePages(pk: string, range: { from: string; to: string }): AsyncGenerator<Item[]> {
  return queryPages({
    TableName: config.tableName,
    IndexName: collection.name,
    KeyConditionExpression: `${collection.partitionKey} = :pk AND ${collection.sortKey} BETWEEN :from AND :to`,
    ExpressionAttributeValues: { ':pk': pk, ':from': range.from, ':to': range.to },
  });
}

/** Pages from several generators as each arrives, all of them reading concurrently. */
async function* merge<T>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const pull = (index: number) => {
    const source = sources[index];
    if (source)
      pending.set(
        index,
        source.next().then((result) => ({ index, result })),
      );
  };
  for (const index of sources.keys()) pull(index);
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      pending.delete(index);
      if (result.done) continue;
      pull(index);
      yield result.value;
    }
  } finally {
    // A consumer that stops early (a preview sample) ends the remaining queries.
    await Promise.allSettled(sources.map((source) => source.return(undefined)));
  }
}

/** Contact ids per campaign engaged with: `engagement.opened|clicked` conditions. */
async function engagedContacts(
  tenantId: string,
  campaignIds: ReadonlySet<string>,
  kind: 'opened' | 'clicked',
): Promise<Map<string, Set<string>>> {
  const byContact = new Map<string, Set<string>>();
  await Promise.all(
    [...campaignIds].map(async (campaignId) => {
      const items = await queryAll({
        TableName: config.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': engagementPk(tenantId, campaignId, kind) },
        ProjectionExpression: 'sk',
      });
      for (const item of items) {
        const contactId = String(item.sk);
        const set = byContact.get(contactId) ?? new Set<string>();
        set.add(campaignId);
        byContact.set(contactId, set);
      }
    }),
  );
  return byContact;
}

/** Stage ids of live deals per contact, for the stages a filter names (gsi6: deals by stage). */
async function dealStagesByContact(
  tenantId: string,
  stageIds: ReadonlySet<string>,
): Promise<Map<string, Set<string>>> {
  const byContact = new Map<string, Set<string>>();
  await Promise.all(
    [...stageIds].map(async (stageId) => {
      const byStage = indexPartition(recordPatterns.byState.index, statePk(tenantId, 'DEAL', stageId));
      const items = await queryAll({
        TableName: config.tableName,
        ...byStage,
        FilterExpression: 'archived = :false',
        ExpressionAttributeValues: { ...byStage.ExpressionAttributeValues, ':false': false },
        ProjectionExpression: 'contactIds',
      });
      for (const item of items) {
        for (const contactId of (item.contactIds as string[] | undefined) ?? []) {
          const set = byContact.get(contactId) ?? new Set<string>();
          set.add(stageId);
          byContact.set(contactId, set);
        }
      }
    }),
  );
  return byContact;
}

const BATCH_GET_LIMIT = 100;

/** Companies by id, read in batches of 100 and kept for the whole run; archived ones count as none. */
class CompanyCache {
  private readonly known = new Map<string, Company | null>();

  constructor(private readonly tenantId: string) {}

  get(id: string | undefined): Company | undefined {
    return id ? (this.known.get(id) ?? undefined) : undefined;
  }

  async load(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.known.has(id));
    const chunks: string[][] = [];
    for (let start = 0; start < missing.length; start += BATCH_GET_LIMIT)
      chunks.push(missing.slice(start, start + BATCH_GET_LIMIT));
    await Promise.all(chunks.map((chunk) => this.fetch(chunk)));
  }

  private async fetch(ids: string[]): Promise<void> {
    const table = config.tableName;
    let keys: Record<string, unknown>[] = ids.map((id) => recordKey(this.tenantId, 'COMPANY', id));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const output = await dynamo.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys } } }));
      for (const item of output.Responses?.[table] ?? []) {
        const company = toRecord<Company>(item);
        this.known.set(company.id, company.archived ? null : company);
      }
      keys = (output.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
      if (attempt > 8 && keys.length > 0) throw new Error('companies could not be read (throttled)');
    }
    for (const id of ids) if (!this.known.has(id)) this.known.set(id, null);
  }
}

const none: ReadonlySet<string> = new Set();

async function preload(tenantId: string, needs: FilterRequirements, now: Date) {
  const [opened, clicked, stages, scores] = await Promise.all([
    needs.opened.size > 0
      ? engagedContacts(tenantId, needs.opened, 'opened')
      : new Map<string, Set<string>>(),
    needs.clicked.size > 0
      ? engagedContacts(tenantId, needs.clicked, 'clicked')
      : new Map<string, Set<string>>(),
    needs.dealStages.size > 0
      ? dealStagesByContact(tenantId, needs.dealStages)
      : new Map<string, Set<string>>(),
    // One Query per shard over the last 90 days' engagement, scored in memory (same rule as the contact's own).
    needs.engagementScore ? contactEngagementScores(tenantId, now) : new Map<string, number>(),
  ]);
  return { opened, clicked, stages, scores };
}

/**
 * The live contacts of a tenant that match `filter` (already validated) and
 * that `options.reader` may read, in pages as they are read. Pages come from concurrent range queries, so their
 * order is not the contacts' order.
 */
export async function* resolveSegment(
  tenantId: string,
  filter: SegmentFilter,
  options: ResolveOptions,
): AsyncGenerator<Contact[]> {
  const reader = options.reader;
  const now = options.now ?? new Date();
  const matches = compileFilter(filter, { now });
  const needs = requirements(filter);
  const pk = collectionPk(tenantId, 'CONTACT', false);
  const [joined, first, last] = await Promise.all([
    preload(tenantId, needs, now),
    edgeId(pk, true),
    edgeId(pk, false),
  ]);
  if (!first || !last) return;
  const parallelism = Math.min(MAX_PARALLELISM, Math.max(1, options.parallelism ?? DEFAULT_PARALLELISM));
  const companies = new CompanyCache(tenantId);

  for await (const items of merge(idRanges(first, last, parallelism).map((range) => rangePages(pk, range)))) {
    const contacts = items
      .map((item) => toRecord<Contact>(item))
      .filter((contact) => canRead(reader, contact));
    if (needs.company)
      await companies.load(contacts.flatMap((contact) => (contact.companyId ? [contact.companyId] : [])));
    const page = contacts.filter((contact) => {
      const view: ContactView = {
        contact: contact as unknown as Record<string, unknown>,
        company: companies.get(contact.companyId) as unknown as Record<string, unknown> | undefined,
        openedCampaigns: joined.opened.get(contact.id) ?? none,
        clickedCampaigns: joined.clicked.get(contact.id) ?? none,
        dealStages: joined.stages.get(contact.id) ?? none,
        engagementScore: joined.scores.get(contact.id) ?? 0,
      };
      return matches(view);
    });
    if (page.length > 0) yield page;
  }
}
