import { config } from '../config.ts';
import type { ViewEntity, ViewVisibility } from '../domain/views.ts';
import { userViewCounterKey, viewCounterKey } from './keys.ts';
import type { PageKey } from './page.ts';
import type { PatternQuery } from './record-patterns.ts';
import { clientView, type EntitySpec, listRecords, type StoredRecord } from './records.ts';
import type { TransactItem } from './transactions.ts';

/**
 * A saved list view (shared/domain/views.ts): a list's filters, sort and
 * columns under a name. `teamId` is its owner's team when it was created,
 * which a team view is shared with; it does not follow the owner's later
 * moves, so a view does not change audience behind its readers' backs.
 */
export type View = StoredRecord & {
  name: string;
  /** The list it is a view of: clients call it `entity`, which is the table's own attribute (the item's type). */
  listEntity: ViewEntity;
  /** The list route's query parameters (`tag`, `customFields.<key>`, ...), as given. */
  filter?: Record<string, string>;
  sort?: { field: string; direction: 'asc' | 'desc' };
  columns?: string[];
  visibility: ViewVisibility;
};

/** The byState partition a shared view is listed in; a private view is found through its owner only. */
const audienceOf = (view: View): string | undefined =>
  view.visibility === 'team'
    ? view.teamId
      ? `TEAM#${view.teamId}`
      : undefined
    : view.visibility === 'tenant'
      ? 'TENANT'
      : undefined;

export const views: EntitySpec<View> = {
  type: 'VIEW',
  label: 'view',
  accessPatterns: { byState: { state: audienceOf } },
  maxItemBytes: 16 * 1024,
};

/** A view as clients see it: its list as `entity`. */
export type ShownView = Omit<View, 'listEntity'> & { entity: ViewEntity };

export function shownView(view: View): ShownView {
  const { listEntity, ...shown } = clientView(views, view);
  return { ...shown, entity: listEntity };
}

/**
 * Views a tenant may hold. A list of views is sorted by name, which no index
 * holds, so a list reads every view the caller may see: with this bound and
 * views' 16 KB items that is at most 8 MB (eight Query pages) for an admin,
 * who sees every shared view; a few hundred bytes each in practice, one page.
 */
export const MAX_VIEWS_PER_TENANT = 500;

/**
 * The transaction item that counts a new view, failing its condition once the
 * tenant holds MAX_VIEWS_PER_TENANT: pass it to createRecord as a check.
 */
export function countNewView(tenantId: string): TransactItem {
  return {
    Update: {
      TableName: config.tableName,
      Key: viewCounterKey(tenantId),
      UpdateExpression: 'ADD #n :one SET entity = :entity',
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
      ExpressionAttributeNames: { '#n': 'views' },
      ExpressionAttributeValues: { ':one': 1, ':max': MAX_VIEWS_PER_TENANT, ':entity': 'view-counter' },
    },
  };
}

/**
 * Views one user may own, so that one user cannot fill the tenant's bound and
 * lock everyone else out (their views count toward both).
 */
export const MAX_VIEWS_PER_OWNER = 100;

/**
 * The transaction item that counts a new view of `ownerId`, failing its
 * condition once they own MAX_VIEWS_PER_OWNER: pass it to createRecord as a check.
 */
export function countNewOwnedView(tenantId: string, ownerId: string): TransactItem {
  return {
    Update: {
      TableName: config.tableName,
      Key: userViewCounterKey(tenantId, ownerId),
      UpdateExpression: 'ADD #n :one SET entity = :entity',
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
      ExpressionAttributeNames: { '#n': 'views' },
      ExpressionAttributeValues: { ':one': 1, ':max': MAX_VIEWS_PER_OWNER, ':entity': 'view-counter' },
    },
  };
}

const uncount = (key: { pk: string; sk: string }): TransactItem => ({
  Update: {
    TableName: config.tableName,
    Key: key,
    UpdateExpression: 'ADD #n :minusOne',
    ExpressionAttributeNames: { '#n': 'views' },
    ExpressionAttributeValues: { ':minusOne': -1 },
  },
});

/** The transaction items that uncount a deleted view, from its tenant's and its owner's counts: pass them to deleteRecord. */
export const uncountView = (tenantId: string, ownerId: string): TransactItem[] => [
  uncount(viewCounterKey(tenantId)),
  uncount(userViewCounterKey(tenantId, ownerId)),
];

/** Records read per Query while collecting views. */
const PAGE = 200;

/** Every view one access pattern lists (the tenant's collection without `via`), page after page. */
async function viewsVia(tenantId: string, via: PatternQuery | undefined): Promise<View[]> {
  const all: View[] = [];
  let startKey: PageKey | undefined;
  do {
    const page = await listRecords(views, tenantId, {
      archived: false,
      limit: PAGE,
      startKey,
      ...(via ? { via } : {}),
    });
    all.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return all;
}

/**
 * The views that may concern a user, each once: `everyView` reads the
 * tenant's whole collection (for admins); otherwise their own views, their
 * team's team views (`teamId`) and the tenant views, three partitions. The
 * caller still applies the visibility rules (shared/domain/views.ts).
 */
export async function candidateViews(
  tenantId: string,
  reader: { readonly userId: string; readonly teamId?: string; readonly everyView: boolean },
): Promise<View[]> {
  if (reader.everyView) return viewsVia(tenantId, undefined);
  const reads = await Promise.all([
    viewsVia(tenantId, { pattern: 'byOwner', ownerId: reader.userId }),
    viewsVia(tenantId, { pattern: 'byState', state: 'TENANT' }),
    reader.teamId ? viewsVia(tenantId, { pattern: 'byState', state: `TEAM#${reader.teamId}` }) : [],
  ]);
  const byId = new Map(reads.flat().map((view) => [view.id, view]));
  return [...byId.values()];
}
