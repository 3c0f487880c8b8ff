import type * as z from 'zod/mini';
import { canRead } from '../domain/access.ts';
import { canonicalEmail } from '../domain/email.ts';
import type { companySchemas } from '../schemas/companies.ts';
import type { contactSchemas } from '../schemas/contacts.ts';
import type { dealSchemas } from '../schemas/deals.ts';
import type { leadSchemas } from '../schemas/leads.ts';
import { type Company, type Contact, contacts, type Deal, type Lead } from '../store/entities.ts';
import { clientView, type EntitySpec, getRecord, type StoredRecord } from '../store/records.ts';
import { holderOf } from '../store/unique.ts';
import type { Caller } from './auth.ts';
import { customFieldListFilter } from './custom-fields.ts';
import type { Page } from './handler.ts';
import { actorOf, byNameOrOwner, type ListOptions, listAll, listPage } from './records.ts';
import { type HttpResult, ok } from './results.ts';

/**
 * What the filters of the four record lists mean, in one place: the list
 * routes (`GET /contacts`, ...) read one page of it, the exports
 * (`GET /contacts/export`, ...) every page, so an export holds exactly the
 * list's records.
 */
type Filters<S extends { listQuery: z.ZodMiniType }> = Omit<z.output<S['listQuery']>, 'limit' | 'cursor'>;

export type ContactFilters = Filters<ReturnType<typeof contactSchemas>>;
export type CompanyFilters = Filters<ReturnType<typeof companySchemas>>;
export type LeadFilters = Filters<ReturnType<typeof leadSchemas>>;
export type DealFilters = Filters<ReturnType<typeof dealSchemas>>;

/**
 * A list's reading: an access pattern with filters (ListOptions, read page by
 * page), or with `lookup` an exact lookup whose answer is the whole list (at
 * most one record).
 */
export interface ListQuery<T extends StoredRecord> extends ListOptions<T> {
  readonly lookup?: () => Promise<T[]>;
}

/** Exact-email search (either form of an IDN domain): the unique constraint item names the contact. */
async function contactByEmail(caller: Caller, email: string, archived: boolean): Promise<Contact[]> {
  const id = await holderOf(caller.tenantId, 'CONTACT_EMAIL', canonicalEmail(email));
  const contact = id ? await getRecord(contacts, caller.tenantId, id) : undefined;
  return contact && contact.archived === archived && canRead(actorOf(caller), contact) ? [contact] : [];
}

/**
 * `GET /contacts`: `q` a name prefix or, with an `@`, an exact email;
 * `companyId`, `ownerId`, `tag`, `customFields.<key>` (checked against the
 * definitions: 400 for an unknown key or a bad value).
 */
export async function contactListQuery(caller: Caller, filters: ContactFilters): Promise<ListQuery<Contact>> {
  const { q, companyId, ownerId, tag, archived } = filters;
  const custom = await customFieldListFilter(caller, 'contacts', filters);
  if (q?.includes('@'))
    return {
      lookup: async () =>
        (await contactByEmail(caller, q, archived === 'true')).filter(
          (contact) =>
            (!companyId || contact.companyId === companyId) &&
            (!ownerId || contact.ownerId === ownerId) &&
            (!tag || contact.tags.includes(tag)) &&
            custom.matches(contact),
        ),
    };
  const via = q
    ? { pattern: 'byName' as const, prefix: q }
    : companyId
      ? { pattern: 'byParent' as const, parentId: companyId }
      : ownerId
        ? { pattern: 'byOwner' as const, ownerId }
        : undefined;
  const equals: Record<string, string> = {};
  if (companyId && via?.pattern !== 'byParent') equals.companyId = companyId;
  if (ownerId && via?.pattern !== 'byOwner') equals.ownerId = ownerId;
  return { archived, via, filter: { equals, contains: tag ? { tags: tag } : {}, nested: custom.nested } };
}

/** `GET /companies`: `q` a name prefix, `ownerId`, `tag`, `country`, `customFields.<key>`. */
export async function companyListQuery(caller: Caller, filters: CompanyFilters): Promise<ListQuery<Company>> {
  const { q, ownerId, tag, country, archived } = filters;
  const { via, filter } = byNameOrOwner(q, ownerId);
  const custom = await customFieldListFilter(caller, 'companies', filters);
  return {
    archived,
    via,
    filter: {
      equals: { ...filter.equals, ...(country ? { country } : {}) },
      contains: tag ? { tags: tag } : {},
      nested: custom.nested,
    },
  };
}

/** `GET /leads`: `q` a name prefix, `ownerId`, `status`, `source`, `customFields.<key>`. */
export async function leadListQuery(caller: Caller, filters: LeadFilters): Promise<ListQuery<Lead>> {
  const { q, ownerId, status, source, archived } = filters;
  const { via, filter } = byNameOrOwner(q, ownerId);
  const equals = { ...filter.equals, ...(status ? { status } : {}), ...(source ? { source } : {}) };
  const { nested } = await customFieldListFilter(caller, 'leads', filters);
  return { archived, via, filter: { equals, nested } };
}

/**
 * `GET /deals`: `q` a name prefix, `pipelineId`, `stageId`, `ownerId`,
 * `companyId`, `status`, `customFields.<key>`.
 */
export async function dealListQuery(caller: Caller, filters: DealFilters): Promise<ListQuery<Deal>> {
  const { q, pipelineId, stageId, ownerId, companyId, status, archived } = filters;
  const via = stageId
    ? { pattern: 'byState' as const, state: stageId }
    : companyId
      ? { pattern: 'byParent' as const, parentId: companyId }
      : ownerId
        ? { pattern: 'byOwner' as const, ownerId }
        : q
          ? { pattern: 'byName' as const, prefix: q }
          : undefined;
  const equals: Record<string, string> = {};
  if (pipelineId) equals.pipelineId = pipelineId;
  if (status) equals.status = status;
  if (companyId && via?.pattern !== 'byParent') equals.companyId = companyId;
  if (ownerId && via?.pattern !== 'byOwner') equals.ownerId = ownerId;
  const prefix = q && via?.pattern !== 'byName' ? q.toLowerCase() : undefined;
  const { nested } = await customFieldListFilter(caller, 'deals', filters);
  return {
    archived,
    via,
    filter: { equals, nested },
    ...(prefix ? { keep: (deal: Deal) => deal.name.toLowerCase().startsWith(prefix) } : {}),
  };
}

/** One page of a list as the response body `{items, nextCursor}` (a lookup answers on the first page only). */
export async function listQueryPage<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  page: Page,
  query: ListQuery<T>,
): Promise<HttpResult> {
  if (!query.lookup) return listPage(spec, caller, page, query);
  const items = page.startKey ? [] : await query.lookup();
  return ok({ items: items.map((record) => clientView(spec, record)), nextCursor: null });
}

/**
 * Every record of a list in pages of up to `pageSize` as clients see them,
 * in the list's order, reading one page at a time (never the whole list).
 */
export async function* listQueryRecords<T extends StoredRecord>(
  spec: EntitySpec<T>,
  caller: Caller,
  query: ListQuery<T>,
  pageSize: number,
): AsyncGenerator<T[]> {
  if (query.lookup) {
    const items = await query.lookup();
    if (items.length > 0) yield items.map((record) => clientView(spec, record));
    return;
  }
  yield* listAll(spec, caller, query, pageSize);
}
