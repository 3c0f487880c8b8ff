import { contactRoutes } from '#shared/api/contacts';
import { canRead } from '#shared/domain/access';
import type { Caller } from '#shared/http/auth';
import { checkVersion } from '#shared/http/etag';
import { httpHandler } from '#shared/http/handler';
import { conflict, forbidden } from '#shared/http/problem';
import {
  archive,
  assertWritable,
  create,
  failWrite,
  listRequest,
  mergePatch,
  newRecordBase,
  ownership,
  readable,
  recordRoutes,
  update,
} from '#shared/http/records';
import { created, noContent, ok } from '#shared/http/results';
import { type Contact, companies, contacts } from '#shared/store/entities';
import { deleteRecord, getRecord, listRecords, recordExists } from '#shared/store/records';
import { suppress } from '#shared/store/suppression';
import { holderOf } from '#shared/store/unique';

const companyMustExist = (caller: Caller, companyId: string) => ({
  item: recordExists(caller.tenantId, companies.type, companyId),
  error: { path: 'companyId', message: 'is not a live company of this tenant' },
});

/** Exact-email search: the unique constraint item names the contact. */
async function findByEmail(caller: Caller, email: string, archived: boolean): Promise<Contact[]> {
  const id = await holderOf(caller.tenantId, 'CONTACT_EMAIL', email.trim().toLowerCase());
  const contact = id ? await getRecord(contacts, caller.tenantId, id) : undefined;
  return contact && contact.archived === archived && canRead(caller, contact) ? [contact] : [];
}

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(contacts);

export const handler = httpHandler(contactRoutes, {
  async listContacts({ caller, query, page }) {
    const { q, companyId, ownerId, tag, archived } = query;
    if (q?.includes('@')) {
      const items = page.startKey ? [] : await findByEmail(caller, q, archived === 'true');
      const matching = items.filter(
        (contact) =>
          (!companyId || contact.companyId === companyId) &&
          (!ownerId || contact.ownerId === ownerId) &&
          (!tag || contact.tags.includes(tag)),
      );
      return ok({ items: matching, nextCursor: null });
    }
    const via = q
      ? { kind: 'name' as const, prefix: q }
      : companyId
        ? { kind: 'parent' as const, parentId: companyId }
        : ownerId
          ? { kind: 'owner' as const, ownerId }
          : undefined;
    const equals: Record<string, string> = {};
    if (companyId && via?.kind !== 'parent') equals.companyId = companyId;
    if (ownerId && via?.kind !== 'owner') equals.ownerId = ownerId;
    const result = await listRecords(
      contacts,
      caller.tenantId,
      listRequest(caller, page, archived, via, { equals, contains: tag ? { tags: tag } : {} }),
    );
    return ok({ items: result.items, nextCursor: await page.next(result.lastKey) });
  },

  async createContact({ caller, body }) {
    const { ownerId, tags, customFields, marketingStatus, ...fields } = body;
    const contact: Contact = {
      ...newRecordBase(await ownership(caller, ownerId)),
      ...fields,
      tags: tags ?? [],
      customFields: customFields ?? {},
      marketingStatus: marketingStatus ?? 'subscribed',
    };
    const checks = contact.companyId ? [companyMustExist(caller, contact.companyId)] : [];
    await create(contacts, caller, contact, checks);
    return created(contact, `/contacts/${contact.id}`);
  },

  getContact: standard.get,

  async updateContact({ caller, params, body, ifMatch }) {
    const contact = await update(contacts, caller, params.id ?? '', {
      ifMatch,
      change: async (current) => {
        const suppressed = current.marketingStatus === 'bounced' || current.marketingStatus === 'complained';
        if (body.marketingStatus && suppressed && body.marketingStatus !== current.marketingStatus) {
          throw conflict(
            `This address is ${current.marketingStatus}; only new email events can change that`,
            [{ path: 'marketingStatus', message: `cannot change a ${current.marketingStatus} address` }],
          );
        }
        return mergePatch(caller, current, body);
      },
      checks: (before, after) =>
        after.companyId && after.companyId !== before.companyId
          ? [companyMustExist(caller, after.companyId)]
          : [],
    });
    return ok(contact);
  },

  async deleteContact({ caller, params, query, ifMatch }) {
    const id = params.id ?? '';
    if (query.erase !== 'true') {
      await archive(contacts, caller, id, ifMatch);
      return noContent();
    }
    const contact = await readable(contacts, caller, id);
    if (caller.role !== 'admin') throw forbidden('Only an admin may erase a person');
    assertWritable(caller, contact);
    checkVersion(ifMatch, contact.version);
    // The email survives only as a hash on the suppression list, so the person is never mailed again.
    const extra = contact.email ? [suppress(caller.tenantId, contact.email, 'erased')] : [];
    const outcome = await deleteRecord(contacts, caller.tenantId, contact, extra);
    if (!outcome.ok) failWrite(contacts, outcome);
    return noContent();
  },

  restoreContact: standard.restore,
});
