import { dealRoutes } from '#shared/api/deals';
import { campaignFromLastClick } from '#shared/domain/campaign-attribution';
import { moveToStage } from '#shared/domain/deal';
import { entryStage } from '#shared/domain/pipeline';
import type { Caller } from '#shared/http/auth';
import { customFieldsPatchCheck, newCustomFields } from '#shared/http/custom-fields';
import { httpHandler } from '#shared/http/handler';
import { dealListQuery, listQueryPage } from '#shared/http/list-queries';
import { badRequest, HttpProblem, invalidFields, notFound } from '#shared/http/problem';
import {
  failWrite,
  mergePatch,
  newRecordBase,
  ownership,
  readable,
  recordRoutes,
  referenceCheck,
  update,
} from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { dealHistoryItem, dealWriteItems, listDealHistory } from '#shared/store/deals';
import { companies, contacts, type Deal, deals, type Pipeline, products } from '#shared/store/entities';
import { pipelineOrDefault } from '#shared/store/pipelines';
import { clientView, getRecord } from '#shared/store/records';
import { transact } from '#shared/store/transactions';

type Check = ReturnType<typeof referenceCheck>;

/** Existence checks for the records a deal newly points at, run in the deal's own transaction. */
function referenceChecks(caller: Caller, before: Deal | undefined, after: Deal): Check[] {
  const added = (now: string[], then: string[] = []) => now.filter((id) => !then.includes(id));
  return [
    ...(after.companyId && after.companyId !== before?.companyId
      ? [referenceCheck(caller, companies, after.companyId, 'companyId')]
      : []),
    ...added(after.contactIds, before?.contactIds).map((id) =>
      referenceCheck(caller, contacts, id, `contactIds.${after.contactIds.indexOf(id)}`),
    ),
    ...added(after.productIds, before?.productIds).map((id) =>
      referenceCheck(caller, products, id, `productIds.${after.productIds.indexOf(id)}`),
    ),
    ...(after.campaignId && after.campaignId !== before?.campaignId
      ? [referenceCheck(caller, campaignRef, after.campaignId, 'campaignId')]
      : []),
  ];
}

/** Campaigns as a deal refers to them (the campaign store itself is the marketing functions'). */
const campaignRef = { type: 'CAMPAIGN', label: 'campaign' } as const;

/**
 * The campaign a new deal given none is attributed to: the one its first
 * contact last clicked before now (shared/domain/campaign-attribution.ts).
 */
async function attributedCampaign(caller: Caller, deal: Deal): Promise<string | undefined> {
  const first = deal.contactIds[0];
  if (deal.campaignId || !first) return undefined;
  return campaignFromLastClick(await getRecord(contacts, caller.tenantId, first), deal.createdAt);
}

async function livePipeline(caller: Caller, pipelineId: string | undefined): Promise<Pipeline> {
  const pipeline = await pipelineOrDefault(caller.tenantId, pipelineId, caller.userId);
  if (!pipeline || pipeline.archived) {
    throw invalidFields([{ path: 'pipelineId', message: 'is not a live pipeline of this tenant' }]);
  }
  return pipeline;
}

function requireCurrency(deal: Deal): void {
  if (deal.amount !== undefined && !deal.currency) {
    throw invalidFields([{ path: 'currency', message: 'is required with an amount' }]);
  }
}

/**
 * A deal's country defaults to its company's (sales by country): taken when
 * the deal gets a company and no country was given with it. A company that
 * does not exist is refused by the write's reference check, not here.
 */
async function withCompanyCountry(caller: Caller, deal: Deal): Promise<Deal> {
  if (!deal.companyId) return deal;
  const company = await getRecord(companies, caller.tenantId, deal.companyId);
  return company?.country ? { ...deal, country: company.country } : deal;
}

/** Puts the deal into `stageId` (validated against the pipeline) or leaves a 400 saying why not. */
function staged(deal: Deal, pipeline: Pipeline, stageId: string, now: string): Deal {
  const moved = moveToStage(deal, pipeline, stageId, now);
  if (!moved.ok) throw invalidFields([{ path: moved.path, message: moved.message }]);
  return moved.deal;
}

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(deals);

export const handler = httpHandler(dealRoutes, {
  async listDeals({ caller, query, page }) {
    const { limit: _limit, cursor: _cursor, ...filters } = query;
    return listQueryPage(deals, caller, page, await dealListQuery(caller, filters));
  },

  async createDeal({ caller, body }) {
    const { ownerId, pipelineId, stageId, contactIds, productIds, lostReason, customFields, ...fields } =
      body;
    const custom = await newCustomFields(caller, 'deals', customFields);
    const pipeline = await livePipeline(caller, pipelineId);
    const entry = stageId ?? entryStage(pipeline)?.id;
    if (!entry) throw badRequest('The pipeline has no open stage');
    const base = newRecordBase(await ownership(caller, ownerId));
    const draft: Deal = {
      ...base,
      ...fields,
      ...(lostReason ? { lostReason } : {}),
      pipelineId: pipeline.id,
      stageId: entry,
      status: 'open',
      probability: 0,
      contactIds: contactIds ?? [],
      productIds: productIds ?? [],
      ...custom,
    };
    const placed = staged(
      fields.country ? draft : await withCompanyCountry(caller, draft),
      pipeline,
      entry,
      base.createdAt,
    );
    // Only what the caller named is checked: an attributed campaign may since have been archived.
    const checks = referenceChecks(caller, undefined, placed);
    const campaignId = await attributedCampaign(caller, placed);
    const deal = campaignId ? { ...placed, campaignId } : placed;
    const writes = dealWriteItems(caller.tenantId, undefined, { deal, pipeline }, caller.userId);
    const outcome = await transact([...writes, ...checks.map((check) => check.item)]);
    if (!outcome.ok) {
      const failed = outcome.failedConditions.find((index) => index >= writes.length);
      if (failed === undefined) failWrite(deals, { ok: false, reason: 'version' });
      failWrite(
        deals,
        { ok: false, reason: 'check', index: failed - writes.length },
        checks.map((check) => check.error),
      );
    }
    return created(clientView(deals, deal), `/deals/${deal.id}`);
  },

  getDeal: standard.get,

  async updateDeal({ caller, params, body, ifMatch }) {
    // The pipelines a change moves between, kept for the history entry written with it.
    let from: Pipeline | undefined;
    let to: Pipeline | undefined;
    const checkCustomFields = await customFieldsPatchCheck(caller, 'deals', body);
    const deal = await update(deals, caller, params.id, {
      ifMatch,
      change: async (current) => {
        from = await livePipeline(caller, current.pipelineId).catch((error: unknown) => {
          // A deal whose pipeline was archived may still move within it.
          if (error instanceof HttpProblem)
            return pipelineOrDefault(caller.tenantId, current.pipelineId, caller.userId);
          throw error;
        });
        const patched = checkCustomFields(current, await mergePatch(caller, current, body));
        const newCompany = body.companyId !== undefined && body.companyId !== current.companyId;
        const merged =
          newCompany && body.country === undefined ? await withCompanyCountry(caller, patched) : patched;
        requireCurrency(merged);
        const changesPipeline = body.pipelineId !== undefined && body.pipelineId !== current.pipelineId;
        if (changesPipeline && !body.stageId) {
          throw invalidFields([{ path: 'stageId', message: 'is required when the deal changes pipeline' }]);
        }
        to = changesPipeline ? await livePipeline(caller, body.pipelineId) : from;
        if (!from || !to) throw notFound('Pipeline');
        const moves = changesPipeline || (body.stageId !== undefined && body.stageId !== current.stageId);
        const closingReason = body.lostReason !== undefined && current.status === 'lost';
        if (!moves && !closingReason) return merged;
        // Moved from the stage it is in now: the patch already carries the new stage id.
        return staged({ ...merged, stageId: current.stageId }, to, merged.stageId, new Date().toISOString());
      },
      checks: (before, after) => referenceChecks(caller, before, after),
      writes: (before, after) => {
        if (!from || !to) return [];
        const history = dealHistoryItem(
          caller.tenantId,
          { deal: before, pipeline: from },
          { deal: after, pipeline: to },
          caller.userId,
        );
        return history ? [history] : [];
      },
    });
    return ok(clientView(deals, deal));
  },

  archiveDeal: standard.archive,

  restoreDeal: standard.restore,

  async getDealHistory({ caller, params, page }) {
    const deal = await readable(deals, caller, params.id);
    const result = await listDealHistory(caller.tenantId, deal.id, page);
    return ok({ items: result.items, nextCursor: await page.next(result.lastKey) });
  },
});
