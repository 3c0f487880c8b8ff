import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import {
  type CollaborativeResource,
  collaborationRoutes,
  collaborativeResources,
} from '#shared/api/collaboration';
import type { RouteDef } from '#shared/api/route';
import { config } from '#shared/config';
import { mentionedIds, nameOf } from '#shared/domain/wording';
import type { Caller } from '#shared/http/auth';
import { httpHandler, type Page, type RequestOf } from '#shared/http/handler';
import { badRequest, notFound } from '#shared/http/problem';
import { hiddenRefs, readable } from '#shared/http/records';
import { created, noContent, ok } from '#shared/http/results';
import { dynamo } from '#shared/store/client';
import { follow, readTimeline, unfollow } from '#shared/store/collaboration';
import { conditionHeld } from '#shared/store/conditional';
import { cases, companies, contacts, deals, leads } from '#shared/store/entities';
import { commentKey, NOTIFICATION_PREFIX } from '#shared/store/keys';
import { notificationsPk } from '#shared/store/notifications';
import type { PageKey } from '#shared/store/page';
import { queryPage } from '#shared/store/query';
import type { EntitySpec, StoredRecord } from '#shared/store/records';
import { equals, exists, updateExpression } from '#shared/store/update-expression';
import { userNames } from '#shared/store/user-names';

const ulid = monotonicFactory();

const specs: Record<CollaborativeResource, EntitySpec<StoredRecord>> = {
  contacts: contacts as unknown as EntitySpec<StoredRecord>,
  companies: companies as unknown as EntitySpec<StoredRecord>,
  leads: leads as unknown as EntitySpec<StoredRecord>,
  deals: deals as unknown as EntitySpec<StoredRecord>,
  cases: cases as unknown as EntitySpec<StoredRecord>,
};

const resourceOf = (path: string) => path.split('/')[1] as CollaborativeResource;

/** The record behind `/{resource}/{id}/...`, if the caller may read it (404 otherwise). */
async function target(caller: Caller, event: { routeKey: string }, id: string) {
  const resource = resourceOf(event.routeKey.split(' ')[1] ?? '');
  const spec = specs[resource];
  if (!spec) throw notFound();
  const record = await readable(spec, caller, id);
  return { resource, spec, record, ref: { type: collaborativeResources[resource], id: record.id } };
}

type Request = RequestOf<RouteDef> & { caller: Caller };
/** A request to `/{resource}/{id}/...` (timeline, comments, follow). */
type RecordRequest = RequestOf<RouteDef & { readonly path: `/${CollaborativeResource}/{id}/${string}` }> & {
  caller: Caller;
};

const subjectOf = (entry: Record<string, unknown>) => {
  const subject = entry.subject as { type?: unknown; id?: unknown } | undefined;
  return { type: String(subject?.type ?? ''), id: String(subject?.id ?? '') };
};

async function timeline(request: RecordRequest) {
  const { caller, event, params, page } = request;
  const { ref } = await target(caller, event, params.id);
  const result = await readTimeline(caller.tenantId, ref, page);
  // A company's timeline also tells of its contacts, deals and cases: only those the caller may read.
  const hidden = await hiddenRefs(caller, result.items.map(subjectOf));
  const items = result.items.filter((entry) => {
    const subject = subjectOf(entry);
    return !hidden.has(`${subject.type}:${subject.id}`);
  });
  return ok({ items, nextCursor: await page.next(result.lastKey) });
}

/** A comment lives in its record's partition; the stream turns it into a timeline entry and notifications. */
async function comment(request: RecordRequest) {
  const { caller, event, params } = request;
  const { spec, record, ref } = await target(caller, event, params.id);
  const body = (request.body as { body: string }).body;
  const mentions = mentionedIds(body);
  const names = await userNames(caller.tenantId, [caller.userId, ...mentions]);
  // A user made by hand in the user pool has no USER item: their token's email names them.
  const authorName = names.get(caller.userId) ?? caller.email;
  const saved = {
    id: ulid(),
    recordType: ref.type,
    recordId: ref.id,
    body,
    authorId: caller.userId,
    mentions,
    createdAt: new Date().toISOString(),
  };
  const recordName = nameOf(record as unknown as Record<string, unknown>);
  await dynamo.send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...commentKey(caller.tenantId, spec.type, record.id, saved.id),
        entity: 'comment',
        tenantId: caller.tenantId,
        // Who may hear about it is decided against the record's owner and team.
        recordOwnerId: record.ownerId,
        ...(record.teamId ? { recordTeamId: record.teamId } : {}),
        // Names as they are now, so that the timeline and notifications speak in words.
        ...(recordName ? { recordName } : {}),
        ...(authorName ? { authorName } : {}),
        mentioned: mentions.flatMap((id) => {
          const name = names.get(id);
          return name ? [{ id, name }] : [];
        }),
        ...saved,
      },
    }),
  );
  return created(saved, `${event.rawPath}/${saved.id}`);
}

async function startFollowing(request: RecordRequest) {
  const { caller, event, params } = request;
  const { ref } = await target(caller, event, params.id);
  await follow(caller.tenantId, ref, caller.userId);
  return ok({ following: true });
}

async function stopFollowing(request: RecordRequest) {
  const { caller, event, params } = request;
  const { ref } = await target(caller, event, params.id);
  await unfollow(caller.tenantId, ref, caller.userId);
  return noContent();
}

const notificationView = (item: Record<string, unknown>) => ({
  id: item.id,
  kind: item.kind,
  title: item.title,
  ...(item.record ? { record: item.record } : {}),
  ...(item.related ? { related: item.related } : {}),
  ...(item.actorId ? { actorId: item.actorId } : {}),
  ...(item.actor ? { actor: item.actor } : {}),
  ...(item.commentId ? { commentId: item.commentId } : {}),
  ...(item.excerpt ? { excerpt: item.excerpt } : {}),
  ...(item.alert ? { alert: item.alert } : {}),
  occurredAt: item.occurredAt,
  read: item.read === true,
});

/** The caller's notifications, newest first; unread ones only on request (a bounded fill loop). */
async function readNotifications(
  caller: Caller,
  page: Pick<Page, 'limit' | 'startKey'>,
  unreadOnly: boolean,
) {
  const items: Record<string, unknown>[] = [];
  let startKey: PageKey | undefined = page.startKey;
  for (let queries = 0; queries < 8 && items.length < page.limit; queries++) {
    const output = await queryPage(
      {
        TableName: config.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': notificationsPk(caller.tenantId, caller.userId),
          ...(unreadOnly ? { ':false': false } : {}),
        },
        ...(unreadOnly
          ? { FilterExpression: '#read = :false', ExpressionAttributeNames: { '#read': 'read' } }
          : {}),
        ScanIndexForward: false,
        Limit: page.limit - items.length,
      },
      startKey,
    );
    items.push(...output.items);
    startKey = output.lastKey;
    if (!startKey) break;
  }
  return { items, lastKey: startKey };
}

async function markRead(caller: Caller, sortKey: string): Promise<boolean> {
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: { pk: notificationsPk(caller.tenantId, caller.userId), sk: sortKey },
        ...updateExpression({
          set: { read: true, readAt: new Date().toISOString() },
          when: [exists('pk'), equals('read', false)],
        }),
      }),
    ),
  );
}

const sortKeyOf = (id: string) => {
  const sortKey = Buffer.from(id, 'base64url').toString('utf8');
  if (!sortKey.startsWith(NOTIFICATION_PREFIX))
    throw badRequest('Unknown notification id', [{ path: 'ids', message: 'must be notification ids' }]);
  return sortKey;
};

const implementations: Record<string, (request: Request) => Promise<ReturnType<typeof ok>>> = {
  async listNotifications({ caller, query, page }) {
    const unread = (query as { unread?: string }).unread === 'true';
    const result = await readNotifications(caller, page, unread);
    // A record that moved out of the caller's sight since is not shown through its notifications.
    const refs = result.items.flatMap((item) =>
      item.record ? [item.record as { type: string; id: string }] : [],
    );
    const hidden = await hiddenRefs(caller, refs);
    const items = result.items.filter((item) => {
      const record = item.record as { type: string; id: string } | undefined;
      return !record || !hidden.has(`${record.type}:${record.id}`);
    });
    return ok({ items: items.map(notificationView), nextCursor: await page.next(result.lastKey) });
  },
  async markNotificationsRead({ caller, body }) {
    const { ids, all } = body as { ids?: string[]; all?: true };
    const sortKeys = ids
      ? ids.map(sortKeyOf)
      : all
        ? (await readNotifications(caller, { limit: 1000, startKey: undefined }, true)).items.map((item) =>
            String(item.sk),
          )
        : [];
    let updated = 0;
    for (const sortKey of sortKeys) if (await markRead(caller, sortKey)) updated++;
    return ok({ updated });
  },
};
const recordImplementations: Record<string, (request: RecordRequest) => Promise<ReturnType<typeof ok>>> = {};
for (const resource of Object.keys(collaborativeResources)) {
  recordImplementations[`${resource}Timeline`] = timeline;
  recordImplementations[`${resource}Comment`] = comment;
  recordImplementations[`${resource}Follow`] = startFollowing;
  recordImplementations[`${resource}Unfollow`] = stopFollowing;
}

export const handler = httpHandler(collaborationRoutes, {
  ...implementations,
  ...recordImplementations,
} as never);
