import { monotonicFactory } from 'ulid';
import { config } from '../config.ts';
import { advances } from '../domain/deal-flow.ts';
import { findStage } from '../domain/pipeline.ts';
import { secondsBetween } from '../domain/reports/image.ts';
import { type Deal, deals, type Pipeline } from './entities.ts';
import { DEAL_HISTORY_PREFIX, dealHistoryKey, recordPk } from './keys.ts';
import type { PageKey } from './page.ts';
import { queryPage } from './query.ts';
import { createItems, replaceItems } from './records.ts';
import type { TransactItem } from './transactions.ts';

const ulid = monotonicFactory();

export interface StageRef {
  readonly stageId: string;
  readonly name: string;
}

/** One stage change as `GET /deals/{id}/history` shows it. */
export interface DealHistoryEntry {
  readonly id: string;
  readonly dealId: string;
  readonly from: StageRef | null;
  readonly to: StageRef;
  readonly status: Deal['status'];
  readonly amount?: number;
  readonly currency?: string;
  readonly by: string;
  readonly at: string;
}

const stageRef = (pipeline: Pipeline, stageId: string): StageRef => ({
  stageId,
  name: findStage(pipeline, stageId)?.name ?? stageId,
});

/**
 * The writes of a deal created (`before` undefined) or changed: the record,
 * conditioned on its version (absence when new), the reservation of its
 * externalId (DEAL_EXTERNAL_ID) when it gets or changes one and the release
 * of the one it gives up, a history entry when it enters a stage, and its
 * search words. `uniques[].at` is the index of each reservation, so a failed
 * condition there means another deal holds the externalId. Conversion, quote
 * acceptance and the deal import add these items to their own transactions,
 * so every stage change is recorded exactly when it happens.
 */
export function dealWrites(
  tenantId: string,
  before: { deal: Deal; pipeline: Pipeline } | undefined,
  after: { deal: Deal; pipeline: Pipeline },
  actorId: string,
): { items: TransactItem[]; uniques: { at: number; field: string }[] } {
  const history = dealHistoryItem(tenantId, before, after, actorId);
  if (!before) {
    const { items, uniques, words } = createItems(deals, tenantId, after.deal);
    return { items: [...items, ...(history ? [history] : []), ...words], uniques };
  }
  const { items, uniques } = replaceItems(deals, tenantId, before.deal, after.deal, history ? [history] : []);
  return { items, uniques };
}

/** The items of dealWrites, for transactions that do not map a failure back to the externalId. */
export function dealWriteItems(
  tenantId: string,
  before: { deal: Deal; pipeline: Pipeline } | undefined,
  after: { deal: Deal; pipeline: Pipeline },
  actorId: string,
): TransactItem[] {
  return dealWrites(tenantId, before, after, actorId).items;
}

/**
 * What a history entry keeps beyond what the API lists, for the pipeline
 * report's flow (shared/domain/reports/pipeline.ts), fixed when the move
 * happens: the pipelines moved from and to, whether the move advanced the
 * deal (shared/domain/deal-flow.ts), and the whole seconds spent in the stage
 * left (from its `stageEnteredAt`; absent when that is unknown).
 */
function flowOf(
  before: { deal: Deal; pipeline: Pipeline } | undefined,
  after: { deal: Deal; pipeline: Pipeline },
  at: string,
): Record<string, unknown> {
  if (!before) return { pipelineId: after.pipeline.id };
  const seconds = secondsBetween(before.deal.stageEnteredAt, at);
  return {
    pipelineId: after.pipeline.id,
    fromPipelineId: before.pipeline.id,
    advanced: advances(
      { pipeline: before.pipeline, stageId: before.deal.stageId },
      { pipeline: after.pipeline, stageId: after.deal.stageId },
    ),
    ...(seconds !== undefined ? { secondsInStage: seconds } : {}),
  };
}

/**
 * The history entry of a deal entering a stage, or nothing when the stage did
 * not change. Its `at` is when the deal entered the stage (`stageEnteredAt`),
 * so the seconds spent in a stage are the time between two entries.
 */
export function dealHistoryItem(
  tenantId: string,
  before: { deal: Deal; pipeline: Pipeline } | undefined,
  after: { deal: Deal; pipeline: Pipeline },
  actorId: string,
): TransactItem | undefined {
  if (before && before.deal.stageId === after.deal.stageId) return undefined;
  const entry: DealHistoryEntry = {
    id: ulid(),
    dealId: after.deal.id,
    from: before ? stageRef(before.pipeline, before.deal.stageId) : null,
    to: stageRef(after.pipeline, after.deal.stageId),
    status: after.deal.status,
    ...(after.deal.amount !== undefined ? { amount: after.deal.amount } : {}),
    ...(after.deal.currency ? { currency: after.deal.currency } : {}),
    by: actorId,
    at: after.deal.stageEnteredAt ?? after.deal.updatedAt,
  };
  return {
    Put: {
      TableName: config.tableName,
      Item: {
        ...dealHistoryKey(tenantId, after.deal.id, entry.id),
        entity: 'deal-history',
        tenantId,
        // For the timeline entry to name the deal; not part of the history the API lists.
        dealName: after.deal.name,
        ...flowOf(before, after, entry.at),
        ...entry,
      },
    },
  };
}

/** A deal's stage history, oldest first, one Query per page. */
export async function listDealHistory(
  tenantId: string,
  dealId: string,
  page: { limit: number; startKey: PageKey | undefined },
): Promise<{ items: DealHistoryEntry[]; lastKey: PageKey | undefined }> {
  const output = await queryPage(
    {
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
      ExpressionAttributeValues: {
        ':pk': recordPk(tenantId, 'DEAL', dealId),
        ':history': DEAL_HISTORY_PREFIX,
      },
      Limit: page.limit,
    },
    page.startKey,
  );
  const items = output.items.map(({ id, dealId: deal, from, to, status, amount, currency, by, at }) => ({
    id,
    dealId: deal,
    from,
    to,
    status,
    ...(amount !== undefined ? { amount } : {}),
    ...(currency ? { currency } : {}),
    by,
    at,
  })) as DealHistoryEntry[];
  return { items, lastKey: output.lastKey };
}
