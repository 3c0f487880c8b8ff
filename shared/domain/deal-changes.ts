import { campaignFromLastClick } from './campaign-attribution.ts';
import { moveToStage, type StageMove } from './deal.ts';
import type { PipelineShape } from './pipeline.ts';
import type { Deal, StoredRecord } from './records.ts';

/**
 * How a deal is created and changed, for every writer of deals (POST and
 * PATCH /deals, the deal import): the stage rules of deal.ts moveToStage
 * applied to whole records, with the defaults the API documents.
 */

/**
 * A new deal as POST /deals and the deal import make it (SPEC "Deals"): the
 * record base and fields given, in `stageId` of `pipeline` (the caller picks
 * the entry stage, pipeline.ts entryStage, when none is given), with the
 * status, probability and close rules of moveToStage; contacts and products
 * default to none; the country defaults to its company's (`company`, the
 * record of `companyId`, when read). Fails at `stageId` or `lostReason`.
 */
export function newDeal(
  base: StoredRecord,
  input: Readonly<Record<string, unknown>> & { readonly name: string },
  pipeline: PipelineShape,
  stageId: string,
  company?: { readonly country?: string },
): StageMove<Deal> {
  const { ownerId: _owner, pipelineId: _pipeline, stageId: _stage, lostReason, ...fields } = input;
  const draft = {
    ...base,
    ...fields,
    ...(typeof lostReason === 'string' && lostReason ? { lostReason } : {}),
    pipelineId: pipeline.id,
    stageId,
    status: 'open',
    probability: 0,
    contactIds: (input.contactIds as string[] | undefined) ?? [],
    productIds: (input.productIds as string[] | undefined) ?? [],
  } as Deal;
  const placed = !fields.country && company?.country ? { ...draft, country: company.country } : draft;
  return moveToStage(placed, pipeline, stageId, base.createdAt);
}

/**
 * The campaign a new deal given none is attributed to: the one its first
 * contact (`firstContact`, the record of contactIds[0]) last clicked before
 * the deal was created (campaign-attribution.ts campaignFromLastClick).
 */
export function withAttributedCampaign(
  deal: Deal,
  firstContact: { readonly lastClickedCampaignId?: string; readonly lastClickedAt?: string } | undefined,
): Deal {
  if (deal.campaignId || !deal.contactIds[0]) return deal;
  const campaignId = campaignFromLastClick(firstContact, deal.createdAt);
  return campaignId ? { ...deal, campaignId } : deal;
}

/**
 * A deal after a merge patch (`merged`: `current` with `patch` applied), as
 * PATCH /deals/{id} and an import's upsert write it: an amount needs its
 * currency; a new company without a country in the patch gives its country
 * (`company`); changing pipeline needs a stage; a stage change (or a new
 * reason on a lost deal) goes through moveToStage in `to` (the pipeline the
 * deal ends in) at `now`, so status, probability, closedAt and the lost
 * reason follow the stage. Answers `merged` itself when nothing moves.
 */
export function revisedDeal(
  current: Deal,
  merged: Deal,
  patch: Readonly<Record<string, unknown>>,
  to: PipelineShape,
  now: string,
  company?: { readonly country?: string },
): StageMove<Deal> {
  const newCompany = patch.companyId !== undefined && patch.companyId !== current.companyId;
  const deal =
    newCompany && patch.country === undefined && company?.country
      ? { ...merged, country: company.country }
      : merged;
  if (deal.amount !== undefined && !deal.currency)
    return { ok: false, path: 'currency', message: 'is required with an amount' };
  const changesPipeline = patch.pipelineId !== undefined && patch.pipelineId !== current.pipelineId;
  if (changesPipeline && !patch.stageId)
    return { ok: false, path: 'stageId', message: 'is required when the deal changes pipeline' };
  const moves = changesPipeline || (patch.stageId !== undefined && patch.stageId !== current.stageId);
  const closingReason = patch.lostReason !== undefined && current.status === 'lost';
  if (!moves && !closingReason) return { ok: true, deal };
  // Moved from the stage it is in now: the patch already carries the new stage id.
  return moveToStage({ ...deal, stageId: current.stageId }, to, deal.stageId, now);
}
