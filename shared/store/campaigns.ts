import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { SubjectVariant, Winner, WinnerBy } from '../domain/ab-test.ts';
import { restCounts, variantCounts } from '../domain/ab-test.ts';
import type { Rights } from '../domain/access.ts';
import {
  type CampaignCounter,
  type CampaignCounts,
  type CampaignPhase,
  type CampaignStatus,
  campaignCounters,
  campaignRecordFields,
  emptyCounts,
} from '../domain/campaign.ts';
import type { SegmentFilter } from '../domain/segment-filter.ts';
import { emailHash } from '../domain/suppression.ts';
import type { StoredSpecs } from '../domain/template.ts';
import { applyMarkedDeltas, MAX_EVENTS_PER_TRANSACTION } from './aggregates.ts';
import { dynamo } from './client.ts';
import { unlessConditionFails } from './conditional.ts';
import {
  campaignStatsKey,
  campaignStatsMarkerKey,
  indexDefinition,
  recordKey,
  statePk,
  suppressionKey,
} from './keys.ts';
import { recordPatterns } from './record-patterns.ts';
import { type EntitySpec, type StoredRecord, toRecord } from './records.ts';
import { absent, equals, exists, incremented, oneOf, updateExpression } from './update-expression.ts';

/** What a campaign sends: the template and segment as they were when sending began. */
export interface CampaignSnapshot {
  readonly template: {
    readonly name: string;
    readonly subject: string;
    readonly html: string;
    readonly text?: string;
  };
  readonly segment: { readonly name: string; readonly filter: SegmentFilter };
}

/**
 * What the senders render a campaign with (shared/domain/template.ts): the
 * snapshot's template as compiled when that version was saved, and each A/B
 * variant's subject compiled when the campaign was frozen. Never shown to
 * clients (it is not in campaignRecordFields). `template` is absent when the
 * template version predates compiling on save, until `npm run templates:compile`.
 */
export interface CampaignCompiled {
  readonly template?: StoredSpecs;
  readonly variantSubjects?: readonly string[];
}

export type Campaign = StoredRecord & {
  name: string;
  templateId: string;
  segmentId: string;
  fromEmail: string;
  fromName?: string;
  replyTo?: string;
  /** Decimals with at most two fraction digits, in `currency` (campaign ROI). */
  budget?: number;
  cost?: number;
  currency?: string;
  /** An A/B subject test (shared/domain/ab-test.ts): 2–4 subjects, the test group's share, how and when to choose. */
  variants?: SubjectVariant[];
  testPercent?: number;
  winnerBy?: WinnerBy;
  decideAfterHours?: number;
  /** Written once, when the test window ends (campaign-run.ts, decideWinner). */
  winner?: Winner;
  status: CampaignStatus;
  /** When it is to start (scheduled) or started (sending and later). */
  scheduledAt?: string;
  /** Identifies the current schedule; a firing of an earlier one finds another runId and does nothing. */
  runId?: string;
  /** Where links in its emails point (captured from the request that scheduled it). */
  linkBaseUrl?: string;
  startedAt?: string;
  phase?: CampaignPhase;
  recipientCount?: number;
  pausedAt?: string;
  canceledAt?: string;
  /** Why the pipeline canceled it (its template or segment was erased before it started). */
  cancelReason?: string;
  completedAt?: string;
  snapshot?: CampaignSnapshot;
  compiled?: CampaignCompiled;
  /**
   * The owner's rights as their token carried them when they created or
   * scheduled it; used only if the owner has no USER item (readers.ts).
   */
  ownerRights?: Rights;
};

export const campaigns: EntitySpec<Campaign> = {
  type: 'CAMPAIGN',
  label: 'campaign',
  accessPatterns: {
    byState: { state: (campaign) => campaign.status },
    byName: { name: (campaign) => campaign.name },
  },
  // The run id, the freeze lease (freezeOwner, freezeUntil) and ownerRights are the pipeline's own.
  clientFields: () => campaignRecordFields,
};

type Item = Record<string, unknown>;

export interface Transition {
  /** The statuses the campaign must be in. */
  readonly from: readonly CampaignStatus[];
  readonly to?: CampaignStatus;
  readonly set?: Item;
  readonly remove?: readonly string[];
  /** Further conditions on attributes, e.g. `{ runId: '...' }` or `{ phase: 'queued' }`. */
  readonly where?: Item;
  /** Attributes that must not exist yet, e.g. `winner`: written once. */
  readonly absent?: readonly string[];
}

/**
 * A status change made by the pipeline (start, completion), conditioned on the
 * current status instead of a version read earlier, and bumping the version so
 * that a concurrent edit through the API fails its own condition. Undefined
 * when the campaign was not in a `from` status (or `where` did not hold).
 */
export async function transitionCampaign(
  tenantId: string,
  id: string,
  transition: Transition,
  now = new Date(),
): Promise<Campaign | undefined> {
  const set: Item = { ...transition.set, updatedAt: now.toISOString() };
  if (transition.to) {
    set.status = transition.to;
    // Moves the campaign to its new status's list (byState; the sort key, its id, stays).
    set[indexDefinition(recordPatterns.byState.index).partitionKey] = statePk(
      tenantId,
      'CAMPAIGN',
      transition.to,
    );
  }
  set.version = incremented(1);
  const output = await unlessConditionFails(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: recordKey(tenantId, 'CAMPAIGN', id),
        ...updateExpression({
          set,
          ...(transition.remove ? { remove: transition.remove } : {}),
          when: [
            exists('pk'),
            oneOf('status', transition.from),
            ...Object.entries(transition.where ?? {}).map(([name, value]) => equals(name, value)),
            ...(transition.absent ?? []).map((name) => absent(name)),
          ],
        }),
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return output?.Attributes ? toRecord<Campaign>(output.Attributes) : undefined;
}

export async function getCampaign(tenantId: string, id: string): Promise<Campaign | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: recordKey(tenantId, 'CAMPAIGN', id),
      ConsistentRead: true,
    }),
  );
  return Item ? toRecord<Campaign>(Item) : undefined;
}

export async function readCampaignCounts(
  tenantId: string,
  id: string,
  consistent = false,
): Promise<CampaignCounts> {
  const { Item = {} } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: campaignStatsKey(tenantId, id),
      ConsistentRead: consistent,
    }),
  );
  const counts = emptyCounts();
  for (const counter of campaignCounters) {
    const value = Item[counter];
    if (typeof value === 'number') counts[counter] = value;
  }
  return counts;
}

/** Each test variant's counters, kept on the campaign's counters item (ab-test.ts, variantCounterName). */
export async function readVariantCounts(
  tenantId: string,
  id: string,
  variantCount: number,
  consistent = false,
): Promise<CampaignCounts[]> {
  return (await readGroupCounts(tenantId, id, variantCount, consistent)).variants;
}

/** Each test variant's counters and the rest's (ab-test.ts), in one read. */
export async function readGroupCounts(
  tenantId: string,
  id: string,
  variantCount: number,
  consistent = false,
): Promise<{ variants: CampaignCounts[]; rest: CampaignCounts }> {
  const { Item = {} } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: campaignStatsKey(tenantId, id),
      ConsistentRead: consistent,
    }),
  );
  return {
    variants: Array.from({ length: variantCount }, (_, index) => variantCounts(Item, index)),
    rest: restCounts(Item),
  };
}

export interface CampaignEvent {
  readonly eventId: string;
  /** The campaign's counters, and its variants' (`v<i>_<counter>`) for an A/B campaign. */
  readonly deltas: Partial<Record<CampaignCounter, number>> & Readonly<Record<string, number>>;
}

/**
 * Adds one campaign's events to its counters in one transaction with a marker
 * per stream event (written only if absent). Events whose marker exists were
 * applied before (a retried or replayed batch) and are dropped, so each
 * counts exactly once. At most MAX_EVENTS_PER_TRANSACTION events per call.
 */
export async function applyCampaignEvents(
  tenantId: string,
  campaignId: string,
  events: readonly CampaignEvent[],
  now = Date.now(),
): Promise<void> {
  if (events.length > MAX_EVENTS_PER_TRANSACTION) throw new Error('Too many events for one transaction');
  await applyMarkedDeltas({
    tenantId,
    events,
    markerKey: campaignStatsMarkerKey,
    countersKey: campaignStatsKey(tenantId, campaignId),
    entity: 'campaign-stats',
    now,
  });
}

/** Which of these addresses are on the tenant's suppression list (one BatchGetItem per 100). */
export async function suppressedEmails(tenantId: string, emails: readonly string[]): Promise<Set<string>> {
  const byHash = new Map<string, string>();
  for (const email of emails) byHash.set(emailHash(tenantId, email), email);
  const hashes = [...byHash.keys()];
  const found = new Set<string>();
  for (let start = 0; start < hashes.length; start += 100) {
    let keys: Item[] = hashes.slice(start, start + 100).map((hash) => suppressionKey(tenantId, hash));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept leaving suppression reads unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const output = await dynamo.send(
        new BatchGetCommand({
          RequestItems: {
            [config.tableName]: { Keys: keys, ProjectionExpression: 'pk', ConsistentRead: true },
          },
        }),
      );
      for (const item of output.Responses?.[config.tableName] ?? []) {
        const hash = String(item.pk).split('#SUPPRESSION#')[1];
        const email = hash ? byHash.get(hash) : undefined;
        if (email) found.add(email);
      }
      keys = (output.UnprocessedKeys?.[config.tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
}
