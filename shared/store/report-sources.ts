import { config } from '../config.ts';
import type { Image } from '../domain/reports/aggregate.ts';
import {
  campaignRecipientsPk,
  DEAL_HISTORY_PREFIX,
  type EntityType,
  engagementPk,
  indexPartition,
  recordPk,
  sequenceDeliveriesPk,
} from './keys.ts';
import type { PageKey } from './page.ts';
import { type QueryInput, queryPage } from './query.ts';
import { recordPatterns } from './record-patterns.ts';

/**
 * Where a rebuild of the report aggregates reads the items of each entity
 * that feeds a report: only Queries of the existing access patterns (a
 * tenant's live and archived collections, and the partitions of their
 * children), page by page, each page resumable from a plain-JSON cursor.
 * Items come back whole, as the table holds them: the same shape as the
 * stream's images, which is what report contributors read.
 */

/** Record types whose items carry `entity` = the type in lower case (records.ts toItem). */
const recordTypes = [
  'CONTACT',
  'COMPANY',
  'TEAM',
  'USER',
  'LEAD',
  'DEAL',
  'PIPELINE',
  'PRODUCT',
  'QUOTE',
  'CASE',
  'ACTIVITY',
  'SEGMENT',
  'TEMPLATE',
  'CAMPAIGN',
  'SEQUENCE',
] as const satisfies readonly EntityType[];

/** A position in a tenant's records of one type: the live collection first, then the archived one. */
export interface CollectionCursor {
  readonly archived: boolean;
  readonly key?: PageKey;
}

/** A position among the children of a record type: the parents' position, the parents left, the child page. */
export interface ChildrenCursor {
  /** Where the next page of parents starts; null when every parent has been listed. */
  readonly parents: CollectionCursor | null;
  /** Ids of listed parents whose children are not all read yet, the current one first. */
  readonly pending: readonly string[];
  /** Where the current parent's next child page starts. */
  readonly child?: PageKey;
}

export type SourceCursor = CollectionCursor | ChildrenCursor;

export interface SourcePage {
  readonly items: Image[];
  /** Where the next page starts; undefined when the source is read. */
  readonly next: SourceCursor | undefined;
}

/** One way to read items of an entity. */
export interface ReportSource {
  /** The `entity` of the items it yields. */
  readonly entity: string;
  /** For logs and the bench: what it reads. */
  readonly describe: string;
  page(tenantId: string, cursor: SourceCursor | undefined, limit: number): Promise<SourcePage>;
}

const collectionQuery = (tenantId: string, type: EntityType, archived: boolean): QueryInput => ({
  TableName: config.tableName,
  ...indexPartition(
    recordPatterns.byCollection.index,
    recordPatterns.byCollection.partition(tenantId, { type }, undefined, archived),
  ),
});

async function collectionPage(
  tenantId: string,
  type: EntityType,
  cursor: CollectionCursor | undefined,
  limit: number,
): Promise<{ items: Image[]; next: CollectionCursor | undefined }> {
  const archived = cursor?.archived ?? false;
  const page = await queryPage({ ...collectionQuery(tenantId, type, archived), Limit: limit }, cursor?.key);
  const next: CollectionCursor | undefined = page.lastKey
    ? { archived, key: page.lastKey }
    : archived
      ? undefined
      : { archived: true };
  return { items: page.items, next };
}

/** Every live and archived record of one type, through its collection index (byCollection). */
export function recordSource(type: EntityType): ReportSource {
  return {
    entity: type.toLowerCase(),
    describe: `${type} records (byCollection, live and archived)`,
    page: (tenantId, cursor, limit) => collectionPage(tenantId, type, cursor as CollectionCursor, limit),
  };
}

/** Parents listed per page when reading their children: each parent costs at least one Query. */
const PARENTS_PER_PAGE = 25;

/**
 * Items of `entity` kept in partitions named by a parent record (a deal's
 * history in the deal's partition, a campaign's recipients): the parents are
 * listed by their collection, then each child partition is queried.
 */
export function childSource(
  entity: string,
  parent: EntityType,
  partitions: (tenantId: string, parentId: string) => readonly QueryInput[],
  describe: string,
): ReportSource {
  // A parent with several child partitions is listed once per partition (`<id>\u0000<n>`).
  const expand = (tenantId: string, ids: readonly string[]) =>
    ids.flatMap((id) => partitions(tenantId, id).map((_, n) => `${id}\u0000${n}`));
  return {
    entity,
    describe,
    async page(tenantId, cursor, limit) {
      let state = (cursor as ChildrenCursor | undefined) ?? { parents: { archived: false }, pending: [] };
      while (state.pending.length === 0) {
        if (state.parents === null) return { items: [], next: undefined };
        const parents = await collectionPage(tenantId, parent, state.parents, PARENTS_PER_PAGE);
        state = {
          parents: parents.next ?? null,
          pending: expand(
            tenantId,
            parents.items.map((item) => String(item.id)),
          ),
        };
      }
      const [current = '', ...rest] = state.pending;
      const [parentId = '', n = '0'] = current.split('\u0000');
      const query = partitions(tenantId, parentId)[Number(n)];
      if (!query) return { items: [], next: { parents: state.parents, pending: rest } };
      const page = await queryPage({ ...query, Limit: limit }, state.child);
      const next: ChildrenCursor = page.lastKey
        ? { parents: state.parents, pending: state.pending, child: page.lastKey }
        : { parents: state.parents, pending: rest };
      const done = next.parents === null && next.pending.length === 0;
      return { items: page.items, next: done ? undefined : next };
    },
  };
}

const partition = (pk: string, prefix?: string): QueryInput => ({
  TableName: config.tableName,
  KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
  ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}) },
});

/** Sources of items that are not records: facts kept beside the records they belong to. */
const itemSources: readonly ReportSource[] = [
  childSource(
    'deal-history',
    'DEAL',
    (tenantId, dealId) => [partition(recordPk(tenantId, 'DEAL', dealId), DEAL_HISTORY_PREFIX)],
    "each deal's stage history (in the deal's partition)",
  ),
  childSource(
    'delivery',
    'CAMPAIGN',
    (tenantId, campaignId) => [partition(campaignRecipientsPk(tenantId, campaignId))],
    "each campaign's recipients",
  ),
  childSource(
    'delivery',
    'SEQUENCE',
    (tenantId, sequenceId) => [partition(sequenceDeliveriesPk(tenantId, sequenceId))],
    "each sequence's deliveries",
  ),
  childSource(
    'engagement',
    'CAMPAIGN',
    (tenantId, campaignId) => [
      partition(engagementPk(tenantId, campaignId, 'opened')),
      partition(engagementPk(tenantId, campaignId, 'clicked')),
    ],
    "each campaign's openers and clickers",
  ),
];

/** Every source, by the entity of the items it yields. */
export const reportSources: readonly ReportSource[] = [...recordTypes.map(recordSource), ...itemSources];

/**
 * The sources that read every item of the given entities, in a stable order.
 * Throws naming an entity no source reads: a report fed by a new kind of item
 * needs a source here before a rebuild can recompute it.
 */
export function sourcesFor(entities: readonly string[]): ReportSource[] {
  const missing = entities.filter((entity) => !reportSources.some((source) => source.entity === entity));
  if (missing.length > 0)
    throw new Error(`No report source reads ${missing.join(', ')} items (shared/store/report-sources.ts)`);
  return reportSources.filter((source) => entities.includes(source.entity));
}
