import { moveToStage } from './deal.ts';
import { marketingStatusFromConsent } from './forms.ts';
import type { Company, Contact, Deal, Lead, Pipeline, StoredRecord } from './records.ts';

/**
 * What a lead becomes when it converts. Everything it creates belongs to the
 * lead's owner (and team) and shares one timestamp, the conversion's.
 */

export interface ConversionLinks {
  readonly contactId: string;
  readonly companyId?: string;
  readonly dealId?: string;
}

export type Owner = Pick<StoredRecord, 'ownerId' | 'teamId'>;

export const ownerOf = (lead: Lead): Owner => ({
  ownerId: lead.ownerId,
  ...(lead.teamId ? { teamId: lead.teamId } : {}),
});

/** The person: the lead's names and ways to reach them, at the company the conversion links. */
export function contactFromLead(
  lead: Lead,
  base: StoredRecord,
  companyId: string | undefined,
  withDeal: boolean,
): Contact {
  return {
    ...base,
    firstName: lead.firstName,
    ...(lead.lastName ? { lastName: lead.lastName } : {}),
    ...(lead.email ? { email: lead.email } : {}),
    ...(lead.phone ? { phone: lead.phone } : {}),
    ...(lead.country ? { country: lead.country } : {}),
    ...(companyId ? { companyId } : {}),
    // A deal makes the person an opportunity; otherwise they are still a lead in lifecycle terms.
    lifecycleStage: withDeal ? 'opportunity' : 'lead',
    tags: [],
    customFields: {},
    // A lead from a form is subscribed only once it confirmed its consent (forms.ts).
    marketingStatus: marketingStatusFromConsent(lead.marketingConsent),
  };
}

/** The account named by the lead's `companyName`, if it has one. */
export function companyFromLead(lead: Lead, base: StoredRecord): Company | undefined {
  if (!lead.companyName) return undefined;
  return {
    ...base,
    name: lead.companyName,
    ...(lead.country ? { country: lead.country } : {}),
    tags: [],
    customFields: {},
  };
}

export interface DealRequest {
  readonly name: string;
  readonly amount?: number;
  readonly currency?: string;
}

/**
 * The deal, placed in `stageId` of `pipeline` by the same rule as every stage
 * move. A lost stage needs a reason conversion does not take, so it is refused.
 * `links.campaignId` attributes it to a campaign (the lead's, or the contact's
 * last clicked: campaign-attribution.ts).
 */
export function dealFromLead(
  base: StoredRecord,
  request: DealRequest,
  pipeline: Pipeline,
  stageId: string,
  links: { contactId: string; companyId?: string; campaignId?: string },
): { ok: true; deal: Deal } | { ok: false; path: string; message: string } {
  const draft: Deal = {
    ...base,
    name: request.name,
    ...(request.amount !== undefined ? { amount: request.amount } : {}),
    ...(request.currency ? { currency: request.currency } : {}),
    ...(links.companyId ? { companyId: links.companyId } : {}),
    ...(links.campaignId ? { campaignId: links.campaignId } : {}),
    contactIds: [links.contactId],
    productIds: [],
    pipelineId: pipeline.id,
    stageId: '',
    status: 'open',
    probability: 0,
  };
  const moved = moveToStage(draft, pipeline, stageId, base.createdAt);
  if (moved.ok) return moved;
  return moved.path === 'lostReason'
    ? { ok: false, path: 'stageId', message: 'is a lost stage; a converted lead cannot open a lost deal' }
    : moved;
}

/** The lead after conversion: `converted`, with links to what it became. */
export function convertedLead(lead: Lead, links: ConversionLinks, now: string): Lead {
  return {
    ...lead,
    status: 'converted',
    convertedAt: now,
    contactId: links.contactId,
    ...(links.companyId ? { companyId: links.companyId } : {}),
    ...(links.dealId ? { dealId: links.dealId } : {}),
    version: lead.version + 1,
    updatedAt: now,
  };
}

/**
 * The converted deal's origin: the lead's `source` (win rate by source) and a
 * country for sales by country, the company's (as for every deal) or else the
 * lead's own.
 */
export function withLeadOrigin(deal: Deal, lead: Lead, companyCountry: string | undefined): Deal {
  const country = companyCountry ?? lead.country;
  return { ...deal, ...(lead.source ? { source: lead.source } : {}), ...(country ? { country } : {}) };
}
