import { monotonicFactory } from 'ulid';
import { type Actor, canAssignTo, canRead, canWrite } from '../domain/access.ts';
import { applyMergePatch } from '../domain/merge-patch.ts';
import { currentActor } from '../store/actor.ts';
import { users } from '../store/entities.ts';
import type { EntityType } from '../store/keys.ts';
import type { EntitySpec, ListFilter, ListRequest, StoredRecord, WriteOutcome } from '../store/records.ts';
import {
  assertRoomToGrow,
  clientView,
  createRecord,
  deleteRecord,
  getRecord,
  getRecords,
  listRecords,
  recordExists,
  replaceRecord,
} from '../store/records.ts';
import { isTransactionConflict, type TransactItem } from '../store/transactions.ts';
import type { Caller } from './auth.ts';
import { checkVersion } from './etag.ts';
import type { Page } from './handler.ts';
import { badRequest, conflict, forbidden, HttpProblem, notFound, preconditionFailed } from './problem.ts';
import { type HttpResult, noContent, ok } from './results.ts';

/**
 * The record semantics every resource shares: visibility (404), write rights
 * (403), optimistic locking (412), unique values (409), archive and restore.
 */
/** Monotonic within a container, so records created in one millisecond still list in order. */
const ulid = monotonicFactory();

/** The caller as the access rules see them (shared/domain/access.ts). */
export const actorOf = (caller: Caller): Actor => ({
  userId: caller.userId,
  role: caller.role,
  ...(caller.teamId ? { teamId: caller.teamId } : {}),
});

const labelOf = (spec: { readonly label: string }) =>
  spec.label.charAt(0).toUpperCase() + spec.label.slice(1);

/**
 * Who may read and who may change a record. Records follow the role rules of
 * shared/domain/access.ts; an item with rules of its own (a saved view,
 * shared/domain/views.ts) passes its own through `rights`.
 */
export interface Rights<T> {
  readonly canRead: (actor: Actor, record: T) => boolean;
  readonly canWrite: (actor: Actor, record: T) => boolean;
}

const recordRights: Rights<StoredRecord> = { canRead, canWrite };

export async function readable<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  id: string,
  rights: Rights<T> = recordRights,
): Promise<T> {
  const record = await getRecord(spec, caller.tenantId, id);
  if (!record || !rights.canRead(actorOf(caller), record)) throw notFound(labelOf(spec));
  return record;
}

/**
 * A record another one refers to (a contact's company, an activity's subject):
 * undefined unless it exists, is live and the caller may read it, so a
 * reference never reveals what the caller cannot see.
 */
export async function readableReference<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  id: string | undefined,
): Promise<T | undefined> {
  if (!id) return undefined;
  const record = await getRecord(spec, caller.tenantId, id);
  return record && !record.archived && canRead(actorOf(caller), record) ? record : undefined;
}

/**
 * The transaction item that a referenced record (`spec.type`, `id`) of the
 * caller's tenant exists and is live when the write commits, with the field
 * error a failed check answers (400 at `path`; by default "is not a live
 * <label> of this tenant"). Pair it with {@link readableReference} where the
 * caller must also be allowed to read the record.
 */
export function referenceCheck(
  caller: Caller,
  spec: { readonly type: EntityType; readonly label: string },
  id: string,
  path: string,
  message = `is not a live ${spec.label} of this tenant`,
): { item: TransactItem; error: CheckError } {
  return { item: recordExists(caller.tenantId, spec.type, id), error: { path, message } };
}

/**
 * Of `ids` (of `spec`'s records), those the caller may read, for views derived
 * from other items (a campaign's recipients, a timeline's entries). Admins and
 * managers read the tenant, so theirs are all of them, unread; a rep's are
 * checked in one BatchGetItem per 100, and a missing record counts as unreadable.
 */
export async function readableIds<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  ids: readonly string[],
): Promise<Set<string>> {
  if (caller.role !== 'rep') return new Set(ids);
  const actor = actorOf(caller);
  const found = await getRecords(spec, caller.tenantId, ids);
  return new Set([...found.values()].filter((record) => canRead(actor, record)).map((record) => record.id));
}

/** The owned record types other items point at (timeline subjects, notification records), by lower-case name. */
const referable = new Map<string, EntitySpec<StoredRecord>>(
  (['CONTACT', 'COMPANY', 'LEAD', 'DEAL', 'QUOTE', 'CASE', 'ACTIVITY', 'CAMPAIGN', 'SEQUENCE'] as const).map(
    (type) => [type.toLowerCase(), { type, label: type.toLowerCase() }],
  ),
);

/**
 * Of the records `refs` point at (`{type: 'contact', id}`), the ones that
 * exist and that the caller may not read, as `type:id`: what a derived view
 * (a timeline's entries, notifications) leaves out. Empty for admins and
 * managers; a rep's are read in one BatchGetItem per type and 100 ids.
 */
export async function hiddenRefs(
  caller: Caller,
  refs: readonly { readonly type: string; readonly id: string }[],
): Promise<Set<string>> {
  const hidden = new Set<string>();
  if (caller.role !== 'rep') return hidden;
  const byType = new Map<string, string[]>();
  for (const ref of refs) {
    if (!referable.has(ref.type)) continue;
    byType.set(ref.type, [...(byType.get(ref.type) ?? []), ref.id]);
  }
  const actor = actorOf(caller);
  await Promise.all(
    [...byType].map(async ([type, ids]) => {
      const spec = referable.get(type) as EntitySpec<StoredRecord>;
      const found = await getRecords(spec, caller.tenantId, ids);
      for (const record of found.values()) if (!canRead(actor, record)) hidden.add(`${type}:${record.id}`);
    }),
  );
  return hidden;
}

export function assertWritable<T extends StoredRecord>(
  caller: Caller,
  record: T,
  rights: Rights<T> = recordRights,
): void {
  if (!rights.canWrite(actorOf(caller), record))
    throw forbidden('You may read this record but not change it');
}

/** The owner and team of a record the caller creates or reassigns. */
export async function ownership(
  caller: Caller,
  ownerId: string | undefined,
): Promise<{ ownerId: string; teamId?: string }> {
  if (ownerId === undefined || ownerId === caller.userId) {
    return { ownerId: caller.userId, ...(caller.teamId ? { teamId: caller.teamId } : {}) };
  }
  if (caller.role === 'rep') throw forbidden('A rep can only own records themselves');
  const owner = await getRecord(users, caller.tenantId, ownerId);
  if (!owner?.active)
    throw badRequest('Unknown owner', [{ path: 'ownerId', message: 'is not an active user of this tenant' }]);
  const teamId = owner.teamId;
  if (!canAssignTo(actorOf(caller), { userId: owner.id, ...(teamId ? { teamId } : {}) })) {
    throw forbidden('A manager can only assign records to members of their team');
  }
  return { ownerId: owner.id, ...(teamId ? { teamId } : {}) };
}

/**
 * Lists and the custom-field map are always present on a record (`tags: []`,
 * `customFields: {}`), so `null`, which removes a field (RFC 7386), empties
 * them instead: the record keeps the shape every reader relies on.
 */
function keepCollections<T extends object>(current: T, patch: object, next: T): T {
  const emptied: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value !== null) continue;
    const was = (current as Record<string, unknown>)[key];
    if (Array.isArray(was)) emptied[key] = [];
    else if (key === 'customFields' && typeof was === 'object' && was !== null) emptied[key] = {};
  }
  return Object.keys(emptied).length === 0 ? next : { ...next, ...emptied };
}

/** Applies a JSON merge patch; a new `ownerId` also moves the record to the new owner's team. */
export async function mergePatch<T extends StoredRecord>(
  caller: Caller,
  current: T,
  body: { readonly ownerId?: string },
): Promise<T> {
  const { ownerId, ...patch } = body;
  const owner = ownerId && ownerId !== current.ownerId ? await ownership(caller, ownerId) : undefined;
  const next = keepCollections(current, patch, applyMergePatch(current, patch));
  if (!owner) return next;
  const { teamId: _previousTeam, ...rest } = next;
  return { ...rest, ...owner } as T;
}

export function newRecordBase(owner: { ownerId: string; teamId?: string }, now = new Date()): StoredRecord {
  const timestamp = now.toISOString();
  const actor = currentActor();
  return {
    id: ulid(),
    createdAt: timestamp,
    updatedAt: timestamp,
    createdBy: actor,
    updatedBy: actor,
    version: 1,
    archived: false,
    ...owner,
  };
}

/**
 * What a failed condition of a write means to the client: a field naming a
 * missing record (400), or, with `conflict`, a state that refuses the change (409).
 */
export interface CheckError {
  readonly path: string;
  readonly message: string;
  readonly conflict?: string;
}

/** Maps a failed write to the problem the client should see. */
export function failWrite(
  spec: { readonly label: string },
  outcome: Exclude<WriteOutcome, { ok: true }>,
  checkErrors: readonly CheckError[] = [],
): never {
  switch (outcome.reason) {
    case 'unique':
      throw conflict(`Another ${spec.label} already uses this ${outcome.field}`, [
        { path: outcome.field, message: `is already used by another ${spec.label}` },
      ]);
    case 'version':
      throw preconditionFailed();
    case 'check': {
      const error = checkErrors[outcome.index] ?? { path: '(root)', message: 'refers to a missing record' };
      if (error.conflict) throw conflict(error.conflict, [{ path: error.path, message: error.message }]);
      throw badRequest(`The ${error.path} does not exist`, [error]);
    }
  }
}

export async function create<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  record: T,
  checks: { item: TransactItem; error: CheckError }[] = [],
): Promise<T> {
  assertRoomToGrow(spec, caller.tenantId, record);
  const outcome = await createRecord(
    spec,
    caller.tenantId,
    record,
    checks.map((check) => check.item),
  );
  if (!outcome.ok)
    failWrite(
      spec,
      outcome,
      checks.map((check) => check.error),
    );
  return record;
}

interface UpdateOptions<T extends StoredRecord> {
  readonly ifMatch: number | undefined;
  /** Builds the new state from the current one; may throw a problem. */
  readonly change: (current: T) => T | Promise<T>;
  readonly checks?: (before: T, after: T) => { item: TransactItem; error: CheckError }[];
  /** Further items written in the same transaction (e.g. a deal's history entry). */
  readonly writes?: (before: T, after: T) => TransactItem[];
  /** Whether archived records may be changed (only restore may). */
  readonly allowArchived?: boolean;
  /** Who may read and change it, when not the record rules (see {@link Rights}). */
  readonly rights?: Rights<T>;
}

/**
 * Tries of a write without If-Match. Each round of racing writers lets one
 * through, so this many racers all finish; the waits between tries are
 * jittered so they do not collide again in step.
 */
const MAX_ATTEMPTS = 20;
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * 2 ** attempt)));

/**
 * Read, check rights, change, and write conditioned on the version read. With
 * If-Match a lost race answers 412; without it the change is re-applied to the
 * fresh state, as the client asked for no precondition (503 if the record
 * never stops changing).
 */
export async function update<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  id: string,
  options: UpdateOptions<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await readable(spec, caller, id, options.rights);
    assertWritable(caller, current, options.rights);
    checkVersion(options.ifMatch, current.version);
    if (current.archived && !options.allowArchived) {
      throw conflict(`This ${spec.label} is archived; restore it before changing it`);
    }
    const changed = await options.change(current);
    if (changed === current) return current;
    const next = {
      ...changed,
      id: current.id,
      createdAt: current.createdAt,
      version: current.version + 1,
      updatedAt: new Date().toISOString(),
      updatedBy: caller.userId,
    };
    assertRoomToGrow(spec, caller.tenantId, next, current);
    const checks = options.checks?.(current, next) ?? [];
    const writes = options.writes?.(current, next) ?? [];
    // Checks come first so a failed condition maps back to its error by index.
    let outcome: WriteOutcome;
    try {
      outcome = await replaceRecord(spec, caller.tenantId, current, next, [
        ...checks.map((check) => check.item),
        ...writes,
      ]);
    } catch (error) {
      // Racing transactions on one record cancel each other: read again, as after a lost race.
      if (!isTransactionConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
      continue;
    }
    if (outcome.ok) return next;
    const noPrecondition = outcome.reason === 'version' && options.ifMatch === undefined;
    if (!noPrecondition)
      failWrite(
        spec,
        outcome,
        checks.map((check) => check.error),
      );
    // The client asked for no precondition, so a lost race is never its 412.
    if (attempt >= MAX_ATTEMPTS) throw new HttpProblem(503, 'The record keeps changing; retry shortly');
    await backoff(attempt);
  }
}

export const archive = <T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  id: string,
  ifMatch: number | undefined,
) =>
  update(spec, caller, id, {
    ifMatch,
    allowArchived: true,
    change: (current) => (current.archived ? current : { ...current, archived: true }),
  });

/**
 * Deletes a record for good (for items that are preferences, not business
 * data, such as saved views; records are archived instead): read, check
 * rights, then a delete conditioned on the version read, with `extra` items
 * in the same transaction. With If-Match a lost race answers 412; without it
 * the delete is tried again on the fresh state (a record deleted meanwhile is
 * a 404).
 */
export async function remove<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  id: string,
  options: {
    readonly ifMatch: number | undefined;
    readonly rights?: Rights<T>;
    /** Items written in the delete's transaction, or a function of the record as read. */
    readonly extra?: TransactItem[] | ((current: T) => TransactItem[]);
  },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = await readable(spec, caller, id, options.rights);
    assertWritable(caller, current, options.rights);
    checkVersion(options.ifMatch, current.version);
    const extra = typeof options.extra === 'function' ? options.extra(current) : options.extra;
    const outcome = await deleteRecord(spec, caller.tenantId, current, extra);
    if (outcome.ok) return;
    if (outcome.reason !== 'version' || options.ifMatch !== undefined) failWrite(spec, outcome);
    if (attempt >= MAX_ATTEMPTS) throw new HttpProblem(503, 'The record keeps changing; retry shortly');
    await backoff(attempt);
  }
}

export const restore = <T extends StoredRecord>(spec: EntitySpec<T>, caller: Caller, id: string) =>
  update(spec, caller, id, {
    ifMatch: undefined,
    allowArchived: true,
    change: (current) => (current.archived ? { ...current, archived: false } : current),
  });

/**
 * The list request every resource shares: paging, archived or live, and rep
 * visibility. A rep's unfiltered list reads their team's partition (or their own
 * records) instead of filtering the whole tenant.
 */
function listRequest(
  caller: Caller,
  page: Page,
  archived: 'true' | 'false' | undefined,
  via: ListRequest['via'],
  filter: Omit<ListFilter, 'visibleTo'> = {},
): ListRequest {
  const rep = caller.role === 'rep';
  const repScope: ListRequest['via'] = caller.teamId
    ? { pattern: 'byTeam', teamId: caller.teamId }
    : { pattern: 'byOwner', ownerId: caller.userId };
  const scope = via ?? (rep ? repScope : undefined);
  return {
    archived: archived === 'true',
    limit: page.limit,
    startKey: page.startKey,
    ...(scope ? { via: scope } : {}),
    filter: {
      ...filter,
      ...(rep
        ? { visibleTo: { userId: caller.userId, ...(caller.teamId ? { teamId: caller.teamId } : {}) } }
        : {}),
    },
  };
}

/** What a list route asks of {@link listPage}; every field is optional. */
export interface ListOptions<T extends StoredRecord> {
  /** `'true'` lists archived records; anything else, live ones. */
  readonly archived?: 'true' | 'false' | undefined;
  /** The access pattern to read; without one a rep reads their team's (or their own) records. */
  readonly via?: ListRequest['via'];
  /** Conditions the index applies as a filter (exact values, list members). */
  readonly filter?: Omit<ListFilter, 'visibleTo'>;
  /**
   * `'caller'` (default): a rep sees only what they may read. `'tenant'`: no
   * visibility filter, for tenant configuration everyone reads (teams, users,
   * pipelines, products) and children of a record already read (a deal's quotes).
   */
  readonly visibility?: 'caller' | 'tenant';
  /** Conditions the index cannot take (ranges, substrings), applied to the page read, which may come out short. */
  readonly keep?: (record: T) => boolean;
  /** The body item of each kept record's client view (default: the client view itself). */
  readonly view?: (record: T) => unknown;
}

/** The store's request for one page of a list (see ListOptions). */
function requestOf<T extends StoredRecord>(caller: Caller, page: Page, options: ListOptions<T>): ListRequest {
  const { archived, via, filter, visibility = 'caller' } = options;
  if (visibility === 'caller') return listRequest(caller, page, archived, via, filter);
  return {
    archived: archived === 'true',
    limit: page.limit,
    startKey: page.startKey,
    ...(via ? { via } : {}),
    ...(filter ? { filter } : {}),
  };
}

/**
 * One list page of `spec` as the response body `{items, nextCursor}`: reads
 * `options.via` (or the caller's scope) one page at a time from `page`, keeps
 * what `options.keep` accepts and seals the next cursor (null on the last page).
 */
export async function listPage<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  page: Page,
  options: ListOptions<T> = {},
): Promise<HttpResult> {
  const { keep, view } = options;
  const result = await listRecords(spec, caller.tenantId, requestOf(caller, page, options));
  const records = keep ? result.items.filter(keep) : result.items;
  return ok({
    items: records.map((record) => {
      const shown = clientView(spec, record);
      return view ? view(shown) : shown;
    }),
    nextCursor: await page.next(result.lastKey),
  });
}

/**
 * Every record {@link listPage} would list, page after page: the same
 * access pattern, filters and rep visibility, `pageSize` records per read
 * (pages a filter thins may come out shorter), in the clients' view. Only
 * one page is held at a time.
 */
export async function* listAll<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  options: Omit<ListOptions<T>, 'view'>,
  pageSize: number,
): AsyncGenerator<T[]> {
  const { keep } = options;
  let startKey: ListRequest['startKey'];
  do {
    const page: Page = { limit: pageSize, startKey, next: async () => null };
    const result = await listRecords(spec, caller.tenantId, requestOf(caller, page, options));
    const records = keep ? result.items.filter(keep) : result.items;
    if (records.length > 0) yield records.map((record) => clientView(spec, record));
    startKey = result.lastKey;
  } while (startKey);
}

/** A name-prefix search (`q`) or, without one, an owner's records; an owner beside `q` filters. */
export function byNameOrOwner(
  q: string | undefined,
  ownerId: string | undefined,
): { via: ListRequest['via']; filter: Omit<ListFilter, 'visibleTo'> } {
  const via: ListRequest['via'] = q
    ? { pattern: 'byName', prefix: q }
    : ownerId
      ? { pattern: 'byOwner', ownerId }
      : undefined;
  const equals: Record<string, string> = q && ownerId ? { ownerId } : {};
  return { via, filter: { equals } };
}

interface RecordRequest {
  readonly caller: Caller;
  readonly params: { readonly id: string };
  readonly ifMatch: number | undefined;
}

/** The read, archive (DELETE) and restore routes every record type serves the same way. */
export function recordRoutes<T extends StoredRecord>(spec: EntitySpec<T>) {
  return {
    get: async ({ caller, params }: RecordRequest) =>
      ok(clientView(spec, await readable(spec, caller, params.id))),
    archive: async ({ caller, params, ifMatch }: RecordRequest) => {
      await archive(spec, caller, params.id, ifMatch);
      return noContent();
    },
    restore: async ({ caller, params }: RecordRequest) =>
      ok(clientView(spec, await restore(spec, caller, params.id))),
  };
}
