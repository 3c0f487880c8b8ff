import { leadRoutes } from '#shared/api/leads';
import { canRead } from '#shared/domain/access';
import { campaignFromLastClick } from '#shared/domain/campaign-attribution';
import { ruleProblems, ruleUsers } from '#shared/domain/lead-assignment';
import {
  companyFromLead,
  contactFromLead,
  convertedLead,
  dealFromLead,
  ownerOf,
  withLeadOrigin,
} from '#shared/domain/lead-conversion';
import { entryStage } from '#shared/domain/pipeline';
import { statusOfSuppressed } from '#shared/domain/suppression';
import type { Caller } from '#shared/http/auth';
import { customFieldsFromLead, customFieldsPatchCheck, newCustomFields } from '#shared/http/custom-fields';
import { httpHandler } from '#shared/http/handler';
import { leadListQuery, listQueryPage } from '#shared/http/list-queries';
import { conflict, type FieldError, invalidFields } from '#shared/http/problem';
import {
  assertWritable,
  create,
  mergePatch,
  newRecordBase,
  ownership,
  readable,
  readableReference,
  recordRoutes,
  referenceCheck,
  update,
} from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { requireAdmin } from '#shared/http/roles';
import type { LeadConvert } from '#shared/schemas/leads';
import {
  type Contact,
  companies,
  contacts,
  deals,
  type Lead,
  leads,
  type Pipeline,
} from '#shared/store/entities';
import {
  getAssignmentRule,
  inactiveUsers,
  putAssignmentRule,
  ruleAssignee,
} from '#shared/store/lead-assignment';
import { type ConversionWrite, writeConversion } from '#shared/store/lead-conversion';
import { pipelineOrDefault } from '#shared/store/pipelines';
import { clientView, getRecord } from '#shared/store/records';
import { suppressionReason } from '#shared/store/suppression';
import { holderOf } from '#shared/store/unique';

/**
 * A new contact whose address is on the suppression list starts with the
 * marketing status that list implies, not a `subscribed` that sending ignores.
 */
async function asSendingWillTreat(tenantId: string, contact: Contact): Promise<Contact> {
  const reason = contact.email ? await suppressionReason(tenantId, contact.email) : undefined;
  return reason ? { ...contact, marketingStatus: statusOfSuppressed(reason) } : contact;
}

/** The existing contact a lead's email belongs to, if any; one the caller may not see blocks the conversion. */
async function contactByEmail(caller: Caller, email: string | undefined) {
  const id = email ? await holderOf(caller.tenantId, 'CONTACT_EMAIL', email) : undefined;
  if (!id) return undefined;
  const contact = await getRecord(contacts, caller.tenantId, id);
  if (!contact || !canRead(caller, contact))
    throw conflict('The lead’s email belongs to a contact you may not see; ask its owner or a manager');
  if (contact.archived)
    throw conflict('The lead’s email belongs to an archived contact; restore it before converting');
  return contact;
}

/**
 * Reads what the conversion links and builds what it creates. Every bad
 * reference is listed in one 400; nothing is written here.
 */
async function planConversion(caller: Caller, lead: Lead, body: LeadConvert): Promise<ConversionWrite> {
  const errors: FieldError[] = [];
  const now = new Date();
  const base = () => newRecordBase(ownerOf(lead), now);

  // The lead's custom values the new records define too (read once, before the retries of a write).
  const [contactCustom, companyCustom, dealCustom] = await Promise.all([
    customFieldsFromLead(caller, 'contacts', lead.customFields),
    body.companyId || !lead.companyName
      ? undefined
      : customFieldsFromLead(caller, 'companies', lead.customFields),
    body.deal ? customFieldsFromLead(caller, 'deals', lead.customFields) : undefined,
  ]);
  const linkedCompany = await readableReference(companies, caller, body.companyId);
  if (body.companyId && !linkedCompany)
    errors.push({ path: 'companyId', message: 'is not a live company of this tenant' });
  const fromLead = body.companyId ? undefined : companyFromLead(lead, base());
  const newCompany = fromLead && companyCustom ? { ...fromLead, ...companyCustom } : fromLead;
  const company = linkedCompany ?? newCompany;

  let pipeline: Pipeline | undefined;
  if (body.deal) {
    pipeline = await pipelineOrDefault(caller.tenantId, body.deal.pipelineId, caller.userId);
    if (!pipeline || pipeline.archived)
      errors.push({ path: 'deal.pipelineId', message: 'is not a live pipeline of this tenant' });
  }
  if (errors.length > 0) throw invalidFields(errors);

  const existing = await contactByEmail(caller, lead.email);
  const contact =
    existing ??
    (await asSendingWillTreat(caller.tenantId, {
      ...contactFromLead(lead, base(), company?.id, body.deal !== undefined),
      ...contactCustom,
    }));

  let deal: ConversionWrite['deal'];
  if (body.deal && pipeline) {
    const { name, amount, currency, stageId } = body.deal;
    const dealBase = base();
    const campaignId = lead.campaignId ?? campaignFromLastClick(existing, dealBase.createdAt);
    const placed = dealFromLead(
      dealBase,
      { name, ...(amount !== undefined ? { amount } : {}), ...(currency ? { currency } : {}) },
      pipeline,
      stageId ?? entryStage(pipeline)?.id ?? '',
      {
        contactId: contact.id,
        ...(company ? { companyId: company.id } : {}),
        ...(campaignId ? { campaignId } : {}),
      },
    );
    if (!placed.ok) throw invalidFields([{ path: `deal.${placed.path}`, message: placed.message }]);
    deal = { deal: { ...withLeadOrigin(placed.deal, lead, company?.country), ...dealCustom }, pipeline };
  }

  const links = {
    contactId: contact.id,
    ...(company ? { companyId: company.id } : {}),
    ...(deal ? { dealId: deal.deal.id } : {}),
  };
  return {
    before: lead,
    after: convertedLead(lead, links, now.toISOString()),
    contact: existing ? { link: existing } : { create: contact },
    ...(linkedCompany
      ? { company: { link: linkedCompany } }
      : newCompany
        ? { company: { create: newCompany } }
        : {}),
    ...(deal ? { deal } : {}),
  };
}

const MAX_ATTEMPTS = 3;

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(leads);

/** A lead's campaign must be a live campaign of the tenant when it is set or changed (400 otherwise). */
const campaignChecks = (caller: Caller, before: Lead | undefined, after: Lead) =>
  after.campaignId && after.campaignId !== before?.campaignId
    ? [referenceCheck(caller, { type: 'CAMPAIGN', label: 'campaign' }, after.campaignId, 'campaignId')]
    : [];

export const handler = httpHandler(leadRoutes, {
  async listLeads({ caller, query, page }) {
    const { limit: _limit, cursor: _cursor, ...filters } = query;
    return listQueryPage(leads, caller, page, await leadListQuery(caller, filters));
  },

  async createLead({ caller, body }) {
    const { ownerId, customFields, ...fields } = body;
    const custom = await newCustomFields(caller, 'leads', customFields);
    // An explicit owner follows the usual rules; otherwise the tenant's rule may
    // hand the lead to anyone it names, even when a rep creates it.
    const owner =
      ownerId !== undefined
        ? await ownership(caller, ownerId)
        : ((await ruleAssignee(caller.tenantId, fields.country)) ?? (await ownership(caller, undefined)));
    const lead: Lead = {
      ...newRecordBase(owner),
      ...fields,
      ...custom,
      status: 'new',
    };
    await create(leads, caller, lead, campaignChecks(caller, undefined, lead));
    return created(clientView(leads, lead), `/leads/${lead.id}`);
  },

  getLead: standard.get,

  async updateLead({ caller, params, body, ifMatch }) {
    const checkCustomFields = await customFieldsPatchCheck(caller, 'leads', body);
    const lead = await update(leads, caller, params.id, {
      ifMatch,
      change: async (current) => {
        // Its data lives on in the contact, company and deal it became.
        if (current.status === 'converted') throw conflict('A converted lead cannot be changed');
        return checkCustomFields(current, await mergePatch(caller, current, body));
      },
      checks: (before, after) => campaignChecks(caller, before, after),
    });
    return ok(clientView(leads, lead));
  },

  archiveLead: standard.archive,

  restoreLead: standard.restore,

  async convertLead({ caller, params, body }) {
    for (let attempt = 1; ; attempt++) {
      const lead = await readable(leads, caller, params.id);
      assertWritable(caller, lead);
      if (lead.status === 'converted') throw conflict('This lead is already converted');
      if (lead.archived) throw conflict('This lead is archived; restore it before converting it');
      const write = await planConversion(caller, lead, body);
      if (await writeConversion(caller.tenantId, write, caller.userId)) {
        const part = <T>(p: { create: T } | { link: T } | undefined) =>
          p === undefined ? null : 'create' in p ? p.create : p.link;
        return ok({
          lead: clientView(leads, write.after),
          contact: part(write.contact),
          company: part(write.company),
          ...(write.deal ? { deal: clientView(deals, write.deal.deal) } : {}),
        });
      }
      // Nothing was written. A fresh read tells a lost race (409 above) from a
      // change that re-planning absorbs (an edit, an email just taken, a record gone).
      if (attempt >= MAX_ATTEMPTS) throw conflict('The lead kept changing during conversion; retry');
    }
  },

  async getLeadAssignment({ caller }) {
    return ok(await getAssignmentRule(caller.tenantId));
  },

  async putLeadAssignment({ caller, body }) {
    requireAdmin(caller);
    const rule = { strategy: body.strategy, userIds: body.userIds ?? [], countries: body.countries ?? {} };
    const named = ruleUsers(rule);
    const inactive = await inactiveUsers(
      caller.tenantId,
      named.map((entry) => entry.userId),
    );
    const errors = [
      ...ruleProblems(rule),
      ...named
        .filter((entry) => inactive.has(entry.userId))
        .map((entry) => ({ path: entry.path, message: 'is not an active user of this tenant' })),
    ];
    if (errors.length > 0) throw invalidFields(errors);
    return ok(await putAssignmentRule(caller.tenantId, rule, caller.userId));
  },
});
