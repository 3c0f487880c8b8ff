import { searchKeys } from '../domain/text.ts';
import {
  collectionPk,
  type EntityType,
  ownerPk,
  parentPk,
  searchPk,
  searchSk,
  statePk,
  teamPk,
} from './keys.ts';
import type { IndexName } from './table.ts';

/**
 * The named access patterns of records (as ElectroDB names them): each one is
 * an index, the key a record is written under there, and the partition a list
 * reads. records.ts writes every record's index attributes from this table
 * and listRecords reads through it, so a writer and a reader cannot disagree.
 *
 * Every record is listed by byCollection, byOwner and byTeam; an entity
 * declares the others (EntitySpec.accessPatterns) with what its records are
 * listed by there.
 */
export interface DeclaredPatterns<T> {
  /**
   * Listed under a parent record (gsi3), e.g. contacts under their company:
   * `parent` names it in the key, `field` holds its id.
   */
  readonly byParent?: { readonly parent: string; readonly field: keyof T & string };
  /**
   * Listed by a state (gsi6), e.g. a deal's stage; none when it returns
   * undefined. `order` is the sort key within a state (the id, so newest
   * first, without it): an activity's due time, so the caller's open ones are
   * the agenda in order.
   */
  readonly byState?: {
    readonly state: (record: T) => string | undefined;
    readonly order?: (record: T) => string;
  };
  /**
   * Found by name prefix (gsi4) on `name`. With `everyWord`, search matches
   * the start of any word of the name, not only the first: one search-word
   * item (a copy of the record) per later word. For contacts, leads,
   * companies, deals and products, which are looked up by any word of their
   * names; not for records whose copies would weigh (templates, campaigns) or
   * that are found by list filters (activities, cases).
   */
  readonly byName?: { readonly name: (record: T) => string | undefined; readonly everyWord?: boolean };
}

/** What a list reads: one pattern and its partition's value. Without one, the collection. */
export type PatternQuery =
  | { readonly pattern: 'byOwner'; readonly ownerId: string }
  | { readonly pattern: 'byTeam'; readonly teamId: string }
  | { readonly pattern: 'byParent'; readonly parentId: string }
  | { readonly pattern: 'byState'; readonly state: string }
  | { readonly pattern: 'byName'; readonly prefix: string };

export type PatternName = 'byCollection' | PatternQuery['pattern'];

/** The fields of a record the patterns read. */
interface Listed {
  readonly id: string;
  readonly ownerId: string;
  readonly teamId?: string;
  readonly archived: boolean;
}

interface Entity<T> {
  readonly type: EntityType;
  readonly accessPatterns?: DeclaredPatterns<T>;
}

export interface IndexKey {
  readonly pk: string;
  readonly sk: string;
}

interface RecordPattern<Q> {
  readonly index: IndexName;
  /** The record's keys in the index; undefined when the pattern does not list it. */
  readonly key: <T extends Listed>(tenantId: string, entity: Entity<T>, record: T) => IndexKey | undefined;
  /** The partition a list reads; throws when the entity does not declare the pattern. */
  readonly partition: <T extends Listed>(
    tenantId: string,
    entity: Entity<T>,
    query: Q,
    archived: boolean,
  ) => string;
}

type Patterns = {
  readonly [P in PatternName]: RecordPattern<
    P extends 'byCollection' ? undefined : Extract<PatternQuery, { pattern: P }>
  >;
};

function declared<T, P extends keyof DeclaredPatterns<T>>(
  entity: Entity<T>,
  pattern: P,
): NonNullable<DeclaredPatterns<T>[P]> {
  const declaration = entity.accessPatterns?.[pattern];
  if (!declaration) throw new Error(`${entity.type} records have no ${pattern} access pattern`);
  return declaration as NonNullable<DeclaredPatterns<T>[P]>;
}

/** The search keys a record is found by: each word of its name, or only the first. */
export function searchWordsOf<T>(entity: Entity<T>, record: T): string[] {
  const byName = entity.accessPatterns?.byName;
  const name = byName?.name(record);
  const keys = name ? searchKeys(name) : [];
  return byName?.everyWord ? keys : keys.slice(0, 1);
}

export const recordPatterns: Patterns = {
  /** A tenant's live records of one type, newest first by ULID; archived ones apart. */
  byCollection: {
    index: 'gsi1',
    key: (tenantId, entity, record) => ({
      pk: collectionPk(tenantId, entity.type, record.archived),
      sk: record.id,
    }),
    partition: (tenantId, entity, _query, archived) => collectionPk(tenantId, entity.type, archived),
  },
  byOwner: {
    index: 'gsi2',
    key: (tenantId, entity, record) => ({
      pk: ownerPk(tenantId, entity.type, record.ownerId),
      sk: record.id,
    }),
    partition: (tenantId, entity, query) => ownerPk(tenantId, entity.type, query.ownerId),
  },
  /** A rep's list reads their team's records only. */
  byTeam: {
    index: 'gsi5',
    key: (tenantId, entity, record) =>
      record.teamId ? { pk: teamPk(tenantId, entity.type, record.teamId), sk: record.id } : undefined,
    partition: (tenantId, entity, query) => teamPk(tenantId, entity.type, query.teamId),
  },
  byParent: {
    index: 'gsi3',
    key: (tenantId, entity, record) => {
      const byParent = entity.accessPatterns?.byParent;
      const parentId = byParent && record[byParent.field];
      return typeof parentId === 'string'
        ? { pk: parentPk(tenantId, entity.type, byParent?.parent ?? '', parentId), sk: record.id }
        : undefined;
    },
    partition: (tenantId, entity, query) =>
      parentPk(tenantId, entity.type, declared(entity, 'byParent').parent, query.parentId),
  },
  byState: {
    index: 'gsi6',
    key: (tenantId, entity, record) => {
      const byState = entity.accessPatterns?.byState;
      const state = byState?.state(record);
      return state
        ? { pk: statePk(tenantId, entity.type, state), sk: byState?.order?.(record) ?? record.id }
        : undefined;
    },
    partition: (tenantId, entity, query) => {
      declared(entity, 'byState');
      return statePk(tenantId, entity.type, query.state);
    },
  },
  /** The record's first search key; its later words are copies (records.ts searchWordWrites). */
  byName: {
    index: 'gsi4',
    key: (tenantId, entity, record) => {
      const [word] = searchWordsOf(entity, record);
      return word === undefined
        ? undefined
        : { pk: searchPk(tenantId, entity.type), sk: searchSk(word, record.id) };
    },
    partition: (tenantId, entity) => {
      declared(entity, 'byName');
      return searchPk(tenantId, entity.type);
    },
  },
};

export const patternNames = Object.keys(recordPatterns) as PatternName[];
