import { contactRoutes } from '#shared/api/contacts';
import { marketingStatusRefusal } from '#shared/domain/contacts';
import { statusOfSuppressed } from '#shared/domain/suppression';
import type { Caller } from '#shared/http/auth';
import { customFieldsPatchCheck, newCustomFields } from '#shared/http/custom-fields';
import { checkVersion } from '#shared/http/etag';
import { httpHandler } from '#shared/http/handler';
import { contactListQuery, listQueryPage } from '#shared/http/list-queries';
import { conflict, forbidden } from '#shared/http/problem';
import {
  archive,
  assertWritable,
  type CheckError,
  failWrite,
  mergePatch,
  newRecordBase,
  ownership,
  readable,
  recordRoutes,
  referenceCheck,
  update,
} from '#shared/http/records';
import { created, noContent, ok } from '#shared/http/results';
import { type ConsentCheck, consentRenewed, newContactConsent } from '#shared/store/contact-consent';
import { contactEngagementScore } from '#shared/store/customers';
import { type Contact, companies, contacts } from '#shared/store/entities';
import { createRecord, deleteRecord } from '#shared/store/records';
import { suppress, suppressionReason } from '#shared/store/suppression';
import type { TransactItem } from '#shared/store/transactions';

type Check = ConsentCheck | { item: TransactItem; error: CheckError; unsuppressed?: true };

const MAX_CREATE_ATTEMPTS = 3;

/**
 * Creates a contact in one transaction. Its marketing status is what sending
 * will do: an explicit `subscribed` lifts an unsubscribe (see consentRenewed);
 * without one, an address on the suppression list starts as that entry says
 * (statusOfSuppressed) instead of reading `subscribed` while never mailed.
 */
async function insertContact(caller: Caller, contact: Contact, explicitStatus: boolean): Promise<Contact> {
  for (let attempt = 1; ; attempt++) {
    const consent: Check[] = newContactConsent(caller.tenantId, contact, explicitStatus);
    const checks: Check[] = [
      ...(contact.companyId ? [referenceCheck(caller, companies, contact.companyId, 'companyId')] : []),
      ...consent,
    ];
    const outcome = await createRecord(
      contacts,
      caller.tenantId,
      contact,
      checks.map((check) => check.item),
    );
    if (outcome.ok) return contact;
    const suppressed = outcome.reason === 'check' && checks[outcome.index]?.unsuppressed && contact.email;
    if (!suppressed || attempt >= MAX_CREATE_ATTEMPTS)
      failWrite(
        contacts,
        outcome,
        checks.map((check) => check.error),
      );
    const reason = await suppressionReason(caller.tenantId, suppressed);
    if (reason) {
      contact = { ...contact, marketingStatus: statusOfSuppressed(reason) };
      explicitStatus = true;
    }
  }
}

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(contacts);

export const handler = httpHandler(contactRoutes, {
  async listContacts({ caller, query, page }) {
    const { limit: _limit, cursor: _cursor, ...filters } = query;
    // Lists leave the engagement score out: scoring a page would read every engagement of the last
    // 90 days (or a Query per contact). A contact read by id and segment filters carry it.
    return listQueryPage(contacts, caller, page, await contactListQuery(caller, filters));
  },

  async createContact({ caller, body }) {
    const { ownerId, tags, customFields, marketingStatus, ...fields } = body;
    const custom = await newCustomFields(caller, 'contacts', customFields);
    const contact = await insertContact(
      caller,
      {
        ...newRecordBase(await ownership(caller, ownerId)),
        ...fields,
        tags: tags ?? [],
        ...custom,
        marketingStatus: marketingStatus ?? 'subscribed',
      },
      marketingStatus !== undefined,
    );
    return created(contact, `/contacts/${contact.id}`);
  },

  async getContact(request) {
    const found = await standard.get(request);
    const contact = found.body as Contact;
    const engagementScore = await contactEngagementScore(request.caller.tenantId, contact.id);
    return { ...found, body: { ...contact, engagementScore } };
  },

  async updateContact({ caller, params, body, ifMatch }) {
    const checkCustomFields = await customFieldsPatchCheck(caller, 'contacts', body);
    const contact = await update(contacts, caller, params.id, {
      ifMatch,
      change: async (current) => {
        const refusal = marketingStatusRefusal(current.marketingStatus, body.marketingStatus);
        if (refusal) {
          throw conflict(`${refusal.charAt(0).toUpperCase()}${refusal.slice(1)}`, [
            { path: 'marketingStatus', message: `cannot change a ${current.marketingStatus} address` },
          ]);
        }
        return checkCustomFields(current, await mergePatch(caller, current, body));
      },
      checks: (before, after) => [
        ...(after.companyId && after.companyId !== before.companyId
          ? [referenceCheck(caller, companies, after.companyId, 'companyId')]
          : []),
        ...(body.marketingStatus === 'subscribed' && after.email
          ? [consentRenewed(caller.tenantId, after.email)]
          : []),
      ],
    });
    return ok(contact);
  },

  async deleteContact({ caller, params, query, ifMatch }) {
    const id = params.id;
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
