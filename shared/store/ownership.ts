import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { unlessConditionFails } from './conditional.ts';
import { type EntityType, indexDefinition, indexPartition, ownerPk, parentPk, teamPk } from './keys.ts';
import { queryPages } from './query.ts';
import { recordPatterns } from './record-patterns.ts';
import { updateSearchWords } from './records.ts';
import {
  absent,
  anyOf,
  differs,
  equals,
  exists,
  incremented,
  updateExpression,
} from './update-expression.ts';

/**
 * A record's `teamId` is its owner's team (SPEC "Identity and access"), kept
 * on the record and in its team index (gsi5) so that a rep's list reads one
 * partition. When an owner changes team, or a deal changes owner, the copies
 * follow here: each record is one conditional UpdateItem that bumps
 * `version` (a write read before the move fails its condition instead of
 * putting the old team back), so repeating a move (a replayed stream record)
 * changes nothing.
 */

/** Every record type that carries an owner's team. */
export const ownedTypes: readonly EntityType[] = [
  'CONTACT',
  'COMPANY',
  'LEAD',
  'DEAL',
  'QUOTE',
  'CASE',
  'ACTIVITY',
  'SEGMENT',
  'TEMPLATE',
  'CAMPAIGN',
  'SEQUENCE',
  'PIPELINE',
  'PRODUCT',
];

/** The owner and team indexes of records (their byOwner and byTeam access patterns). */
const byOwner = indexDefinition(recordPatterns.byOwner.index);
const byTeam = indexDefinition(recordPatterns.byTeam.index);

/** Items written concurrently while moving. */
const CONCURRENCY = 16;

interface Owner {
  readonly ownerId: string;
  readonly teamId?: string | undefined;
}

/**
 * Sets a record's owner and team (and their index keys) unless it already has
 * them; false when it has them, is gone, or `onlyIfOwner` no longer owns it.
 */
async function setOwner(
  tenantId: string,
  type: EntityType,
  key: { pk: string; sk: string },
  id: string,
  owner: Owner,
  onlyIfOwner?: string,
): Promise<boolean> {
  const set: Record<string, unknown> = {
    ownerId: owner.ownerId,
    [byOwner.partitionKey]: ownerPk(tenantId, type, owner.ownerId),
    [byOwner.sortKey]: id,
    version: incremented(1),
  };
  if (owner.teamId) {
    set.teamId = owner.teamId;
    set[byTeam.partitionKey] = teamPk(tenantId, type, owner.teamId);
    set[byTeam.sortKey] = id;
  }
  // Unchanged owner and team: no write, no version bump.
  const changes = owner.teamId
    ? anyOf(differs('ownerId', owner.ownerId), absent('teamId'), differs('teamId', owner.teamId))
    : anyOf(differs('ownerId', owner.ownerId), exists('teamId'));
  const output = await unlessConditionFails(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: key,
        ...updateExpression({
          set,
          remove: owner.teamId ? [] : ['teamId', byTeam.partitionKey, byTeam.sortKey],
          when: [
            exists('pk'),
            changes,
            ...(onlyIfOwner !== undefined ? [equals('ownerId', onlyIfOwner)] : []),
          ],
        }),
        ReturnValues: 'UPDATED_NEW',
      }),
    ),
  );
  if (!output) return false;
  const version: unknown = output.Attributes?.version;
  // The record's search-word copies (records.ts) answer name searches: they take the
  // same owner, team and version, but none of the other indexes' keys.
  await updateSearchWords({
    TableName: config.tableName,
    Key: key,
    ...updateExpression({
      set: { ownerId: owner.ownerId, version, ...(owner.teamId ? { teamId: owner.teamId } : {}) },
      remove: owner.teamId ? [] : ['teamId'],
    }),
  });
  return true;
}

async function inChunks<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += CONCURRENCY)
    await Promise.all(items.slice(start, start + CONCURRENCY).map(work));
}

type Item = Record<string, unknown>;

/**
 * Moves every record `ownerId` owns (live and archived, of every owned type,
 * read from the owner index gsi2 page by page) to `teamId`, or off any team
 * when it is undefined. Returns how many records moved.
 */
export async function moveOwnedRecords(
  tenantId: string,
  ownerId: string,
  teamId: string | undefined,
): Promise<number> {
  let moved = 0;
  for (const type of ownedTypes) {
    const pages = queryPages({
      TableName: config.tableName,
      ...indexPartition(recordPatterns.byOwner.index, ownerPk(tenantId, type, ownerId)),
    });
    for await (const page of pages) {
      const stale = page.filter((item: Item) => item.teamId !== teamId);
      await inChunks(stale, async (item) => {
        const key = { pk: String(item.pk), sk: String(item.sk) };
        if (await setOwner(tenantId, type, key, String(item.id), { ownerId, teamId }, ownerId)) moved++;
      });
    }
  }
  return moved;
}

/**
 * Moves one record to its owner's team `teamId` (off any team when undefined),
 * unless it already is there or `ownerId` no longer owns it.
 */
export const moveRecordToTeam = (
  tenantId: string,
  type: EntityType,
  key: { pk: string; sk: string },
  id: string,
  ownerId: string,
  teamId: string | undefined,
): Promise<boolean> => setOwner(tenantId, type, key, id, { ownerId, teamId }, ownerId);

/** A deal's quotes take its owner and team (quotes are read with their deal's rights). */
export async function quotesFollowDeal(tenantId: string, dealId: string, owner: Owner): Promise<void> {
  const pages = queryPages({
    TableName: config.tableName,
    ...indexPartition(recordPatterns.byParent.index, parentPk(tenantId, 'QUOTE', 'DEAL', dealId)),
  });
  for await (const page of pages) {
    const stale = page.filter((item: Item) => item.ownerId !== owner.ownerId || item.teamId !== owner.teamId);
    await inChunks(stale, (item) =>
      setOwner(tenantId, 'QUOTE', { pk: String(item.pk), sk: String(item.sk) }, String(item.id), owner),
    );
  }
}
