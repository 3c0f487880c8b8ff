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
import { readOverview } from './aggregates.ts';
import { dynamo } from './client.ts';
import { contactEngagementScores } from './customers.ts';
import { type Company, type Contact, contacts as contactSpec } from './entities.ts';
import { collectionPk, engagementPk, indexDefinition, indexPartition, recordKey, statePk } from './keys.ts';
import { queryPages } from './query.ts';
import { recordPatterns } from './record-patterns.ts';
import { getRecords, toRecord } from './records.ts';

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
  /**
   * Concurrent range queries over the contact collection; by default sized
   * to the tenant's live contacts ({@link rangesFor}).
   */
  readonly parallelism?: number;
}

type Item = Record<string, unknown>;

const MIN_PARALLELISM = 8;
const MAX_PARALLELISM = 64;
/**
 * Contacts per range query: about two pages of whole contacts. A range read
 * page after page costs DynamoDB Local more for each later page (bench: 100,000
 * contacts in 4 ranges took three times the CPU of 16), and on AWS the ranges
 * read concurrently, so a large tenant gets more, smaller ranges.
 */
const CONTACTS_PER_RANGE = 1_500;

/** Range queries for a tenant of `contacts` live contacts: one per CONTACTS_PER_RANGE, from 8 to 64. */
export function rangesFor(contacts: number): number {
  return Math.min(MAX_PARALLELISM, Math.max(MIN_PARALLELISM, Math.ceil(contacts / CONTACTS_PER_RANGE)));
}
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

/** A ProjectionExpression and its names. */
export interface Projection {
  readonly ProjectionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
}

/**
 * A ProjectionExpression reading only `paths` (document paths such as
 * `country` or `customFields.score`), every name aliased so reserved words
 * (`name`, `size`, `domain`) need no care. Paths are deduplicated; one that
 * lies inside another listed path is dropped, as DynamoDB refuses overlapping
 * paths.
 */
export function projectionOf(paths: Iterable<string>): Projection {
  const distinct = [...new Set(paths)].sort();
  const kept = distinct.filter(
    (path) => !distinct.some((other) => other !== path && path.startsWith(`${other}.`)),
  );
  const aliases = new Map<string, string>();
  const alias = (name: string) => {
    const known = aliases.get(name);
    if (known) return known;
    const next = `#p${aliases.size}`;
    aliases.set(name, next);
    return next;
  };
  const ProjectionExpression = kept.map((path) => path.split('.').map(alias).join('.')).join(', ');
  return {
    ProjectionExpression,
    ExpressionAttributeNames: Object.fromEntries([...aliases].map(([name, key]) => [key, name])),
  };
}

/**
 * What a preview reads of each contact: its id, what read rights look at
 * (owner, team), its company when the filter looks at companies, and the
 * attributes the filter's conditions name.
 */
export function contactProjection(needs: FilterRequirements): Projection {
  return projectionOf([
    'id',
    'ownerId',
    'teamId',
    ...(needs.company ? ['companyId'] : []),
    ...needs.contactFields,
  ]);
}

/** What is read of each company: whether it is live, and the attributes the filter's `company.*` conditions name. */
export function companyProjection(needs: FilterRequirements): Projection {
  return projectionOf(['id', 'archived', ...needs.companyFields]);
}

/** A FilterExpression with its names and values. */
export interface ItemFilter {
  readonly FilterExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, string>;
}

/**
 * `canRead` as a FilterExpression, so DynamoDB returns a rep only their own
 * and their team's contacts (exact string equality, the rule's own); none for
 * admins and managers, who read the whole tenant. The rule is applied again
 * to what comes back.
 */
export function readRightsFilter(reader: Actor): ItemFilter | undefined {
  if (reader.role !== 'rep') return undefined;
  const own = { expression: '#readerOwner = :readerOwner', name: { '#readerOwner': 'ownerId' } };
  if (reader.teamId === undefined)
    return {
      FilterExpression: own.expression,
      ExpressionAttributeNames: own.name,
      ExpressionAttributeValues: { ':readerOwner': reader.userId },
    };
  return {
    FilterExpression: `${own.expression} OR #readerTeam = :readerTeam`,
    ExpressionAttributeNames: { ...own.name, '#readerTeam': 'teamId' },
    ExpressionAttributeValues: { ':readerOwner': reader.userId, ':readerTeam': reader.teamId },
  };
}

/** Contact pages of one id range, whole or only the projected attributes, filtered by `filter`. */
function rangePages(
  pk: string,
  range: { from: string; to: string },
  projection: Projection | undefined,
  filter: ItemFilter | undefined,
): AsyncGenerator<Item[]> {
  const names = { ...projection?.ExpressionAttributeNames, ...filter?.ExpressionAttributeNames };
  return queryPages({
    TableName: config.tableName,
    IndexName: collection.name,
    KeyConditionExpression: `${collection.partitionKey} = :pk AND ${collection.sortKey} BETWEEN :from AND :to`,
    ExpressionAttributeValues: {
      ':pk': pk,
      ':from': range.from,
      ':to': range.to,
      ...filter?.ExpressionAttributeValues,
    },
    ...(projection ? { ProjectionExpression: projection.ProjectionExpression } : {}),
    ...(filter ? { FilterExpression: filter.FilterExpression } : {}),
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
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

  constructor(
    private readonly tenantId: string,
    private readonly projection: Projection,
  ) {}

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
      const output = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ...this.projection } } }),
      );
      for (const item of output.Responses?.[table] ?? []) {
        const company = item as Company;
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
 * One resolution's shared reads (joined data, companies, collection edges)
 * and its test: whether a contact item, whole or projected, matches and may
 * be read by the reader.
 */
async function prepare(tenantId: string, filter: SegmentFilter, options: ResolveOptions) {
  const reader = options.reader;
  const now = options.now ?? new Date();
  const matches = compileFilter(filter, { now });
  const needs = requirements(filter);
  const pk = collectionPk(tenantId, 'CONTACT', false);
  const [joined, first, last, parallelism] = await Promise.all([
    preload(tenantId, needs, now),
    edgeId(pk, true),
    edgeId(pk, false),
    // The overview report's live contact count (kept by the stream): the tenant's size.
    options.parallelism ?? readOverview(tenantId).then((overview) => rangesFor(overview.contacts)),
  ]);
  const companies = new CompanyCache(tenantId, companyProjection(needs));

  /** The items of `items` that the reader may read and that match, their companies read first. */
  const select = async (items: Item[]): Promise<Item[]> => {
    const readable = items.filter((item) => canRead(reader, item as unknown as Contact));
    if (needs.company)
      await companies.load(
        readable.flatMap((item) => (typeof item.companyId === 'string' ? [item.companyId] : [])),
      );
    return readable.filter((item) => {
      const id = item.id as string;
      const view: ContactView = {
        contact: item,
        company: companies.get(item.companyId as string | undefined) as unknown as Item | undefined,
        openedCampaigns: joined.opened.get(id) ?? none,
        clickedCampaigns: joined.clicked.get(id) ?? none,
        dealStages: joined.stages.get(id) ?? none,
        engagementScore: joined.scores.get(id) ?? 0,
      };
      return matches(view);
    });
  };

  /** Matching items page by page, read whole or only as `projection`. */
  async function* pages(projection: Projection | undefined): AsyncGenerator<Item[]> {
    if (!first || !last) return;
    const rights = readRightsFilter(reader);
    const parts = Math.min(MAX_PARALLELISM, Math.max(1, parallelism));
    const ranges = idRanges(first, last, parts).map((range) => rangePages(pk, range, projection, rights));
    for await (const items of merge(ranges)) {
      const page = await select(items);
      if (page.length > 0) yield page;
    }
  }

  return { needs, select, pages };
}

/**
 * The live contacts of a tenant that match `filter` (already validated) and
 * that `options.reader` may read, in pages as they are read. Pages come from concurrent range queries, so their
 * order is not the contacts' order. Contacts are read whole: what a campaign,
 * an enrollment or an export needs.
 */
export async function* resolveSegment(
  tenantId: string,
  filter: SegmentFilter,
  options: ResolveOptions,
): AsyncGenerator<Contact[]> {
  const resolution = await prepare(tenantId, filter, options);
  for await (const items of resolution.pages(undefined)) yield items.map((item) => toRecord<Contact>(item));
}

/** A segment's preview: how many contacts match and the newest of them, whole. */
export interface SegmentPreview {
  readonly count: number;
  /** At most the sample size of matching contacts, newest (highest id) first. */
  readonly sample: Contact[];
}

/** The `size` highest ids of `ids`, highest first. */
const newestIds = (ids: string[], size: number): string[] =>
  ids.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)).slice(0, size);

/**
 * Counts the contacts matching `filter` that `options.reader` may read (those
 * {@link resolveSegment} yields) and samples the newest `options.sampleSize`
 * of them. The count reads only the attributes the filter and read rights
 * look at ({@link contactProjection}): DynamoDB still reads whole items (and
 * on AWS charges read units for them), but returns, and this code parses, a
 * fraction of each. The sample is then read whole by BatchGetItem and tested
 * again, so a contact archived or changed out of the segment in between is
 * left out of it.
 */
export async function previewSegment(
  tenantId: string,
  filter: SegmentFilter,
  options: ResolveOptions & { readonly sampleSize: number },
): Promise<SegmentPreview> {
  const resolution = await prepare(tenantId, filter, options);
  let count = 0;
  let newest: string[] = [];
  for await (const items of resolution.pages(contactProjection(resolution.needs))) {
    count += items.length;
    for (const item of items) newest.push(item.id as string);
    if (newest.length > 4 * options.sampleSize) newest = newestIds(newest, options.sampleSize);
  }
  newest = newestIds(newest, options.sampleSize);
  if (newest.length === 0) return { count, sample: [] };
  const found = await getRecords(contactSpec, tenantId, newest);
  const live = newest.flatMap((id) => {
    const contact = found.get(id);
    return contact && !contact.archived ? [contact as unknown as Item] : [];
  });
  const sample = (await resolution.select(live)).map((item) => item as unknown as Contact);
  return { count, sample };
}
