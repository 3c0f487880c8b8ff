import { api, etagOf, ok, type paths } from '../../api/client.ts';
import { problemFrom } from '../../api/problem.ts';
import type { Entity, RecordData } from './entities.ts';

/**
 * The calls a record page makes, the same for all five entities. The generated client types each
 * path apart; here one entity's path stands for all (their shapes differ only in fields, which
 * the page reads by name through RecordData).
 */
type RecordPath = '/contacts/{id}';
const recordPath = (entity: Entity) => `/${entity}/{id}` as RecordPath;
type PatchBody = paths['/contacts/{id}']['patch']['requestBody']['content']['application/json'];

export type TimelinePage =
  paths['/contacts/{id}/timeline']['get']['responses'][200]['content']['application/json'];
export type TimelineEntry = TimelinePage['items'][number];
export type CustomFieldDefinition =
  paths['/settings/fields/{entity}']['get']['responses'][200]['content']['application/json']['fields'][number];

export interface Loaded {
  readonly record: RecordData;
  /** The version to send in If-Match with the next change. */
  readonly etag: string;
}

const etagFor = (response: Response, record: RecordData) => etagOf(response) ?? `"${record.version}"`;

export async function loadRecord(entity: Entity, id: string): Promise<Loaded> {
  const { data, error, response } = await api().GET(recordPath(entity), { params: { path: { id } } });
  if (!response.ok) throw await problemFrom(response, error);
  const record = data as unknown as RecordData;
  return { record, etag: etagFor(response, record) };
}

/** A JSON merge patch of some fields, refused with 412 when the record changed since `etag`. */
export async function patchRecord(
  entity: Entity,
  id: string,
  etag: string,
  body: Record<string, unknown>,
): Promise<Loaded> {
  const { data, error, response } = await api().PATCH(recordPath(entity), {
    params: { path: { id }, header: { 'If-Match': etag } },
    body: body as PatchBody,
  });
  if (!response.ok) throw await problemFrom(response, error);
  const record = data as unknown as RecordData;
  return { record, etag: etagFor(response, record) };
}

export async function restoreRecord(entity: Entity, id: string): Promise<void> {
  await ok(api().POST(`/${entity}/{id}/restore` as '/contacts/{id}/restore', { params: { path: { id } } }));
}

export function loadTimeline(entity: Entity, id: string, cursor?: string): Promise<TimelinePage> {
  return ok(
    api().GET(`/${entity}/{id}/timeline` as '/contacts/{id}/timeline', {
      params: { path: { id }, query: { limit: '20', ...(cursor ? { cursor } : {}) } },
    }),
  );
}

export function postComment(entity: Entity, id: string, body: string) {
  return ok(
    api().POST(`/${entity}/{id}/comments` as '/contacts/{id}/comments', {
      params: { path: { id } },
      body: { body },
    }),
  );
}

export async function setFollowing(entity: Entity, id: string, follow: boolean): Promise<boolean> {
  const path = `/${entity}/{id}/follow` as '/contacts/{id}/follow';
  if (!follow) {
    await ok(api().DELETE(path, { params: { path: { id } } }));
    return false;
  }
  return (await ok(api().POST(path, { params: { path: { id } } }))).following;
}

/** The entities an admin may define custom fields for (`/settings/fields/{entity}`); cases have none. */
const WITH_CUSTOM_FIELDS: ReadonlySet<Entity> = new Set(['contacts', 'companies', 'leads', 'deals']);

export async function loadCustomFields(entity: Entity): Promise<readonly CustomFieldDefinition[]> {
  // Asking for a case's definitions would only fetch a 404 into the browser's console.
  if (!WITH_CUSTOM_FIELDS.has(entity)) return [];
  return (await ok(api().GET('/settings/fields/{entity}', { params: { path: { entity } } }))).fields;
}
