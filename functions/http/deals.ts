import { dealRoutes } from '#shared/api/deals';
import type { StageMove } from '#shared/domain/deal';
import { newDeal, revisedDeal, withAttributedCampaign } from '#shared/domain/deal-changes';
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
import { dealHistoryItem, dealWrites, listDealHistory } from '#shared/store/deals';
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

async function livePipeline(caller: Caller, pipelineId: string | undefined): Promise<Pipeline> {
  const pipeline = await pipelineOrDefault(caller.tenantId, pipelineId, caller.userId);
  if (!pipeline || pipeline.archived) {
    throw invalidFields([{ path: 'pipelineId', message: 'is not a live pipeline of this tenant' }]);
  }
  return pipeline;
}

/** The company a deal names, when it names one (its country becomes the deal's default). */
const companyOf = (caller: Caller, deal: { companyId?: string | null }) =>
  deal.companyId ? getRecord(companies, caller.tenantId, deal.companyId) : Promise.resolve(undefined);

/** A deal placed or moved, or a 400 at the field that refused it. */
function placed(move: StageMove<Deal>): Deal {
  if (!move.ok) throw invalidFields([{ path: move.path, message: move.message }]);
  return move.deal;
}

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(deals);

export const handler = httpHandler(dealRoutes, {
  async listDeals({ caller, query, page }) {
    const { limit: _limit, cursor: _cursor, ...filters } = query;
    return listQueryPage(deals, caller, page, await dealListQuery(caller, filters));
  },

  async createDeal({ caller, body }) {
    const custom = await newCustomFields(caller, 'deals', body.customFields);
    const pipeline = await livePipeline(caller, body.pipelineId);
    const entry = body.stageId ?? entryStage(pipeline)?.id;
    if (!entry) throw badRequest('The pipeline has no open stage');
    const base = newRecordBase(await ownership(caller, body.ownerId));
    const company = body.country ? undefined : await companyOf(caller, body);
    const draft = placed(newDeal(base, { ...body, ...custom }, pipeline, entry, company));
    // Only what the caller named is checked: an attributed campaign may since have been archived.
    const checks = referenceChecks(caller, undefined, draft);
    const first = draft.campaignId ? undefined : draft.contactIds[0];
    const deal = withAttributedCampaign(
      draft,
      first ? await getRecord(contacts, caller.tenantId, first) : undefined,
    );
    const { items: writes, uniques } = dealWrites(
      caller.tenantId,
      undefined,
      { deal, pipeline },
      caller.userId,
    );
    const outcome = await transact([...writes, ...checks.map((check) => check.item)]);
    if (!outcome.ok) {
      const taken = uniques.find((entry) => outcome.failedConditions.includes(entry.at));
      if (taken) failWrite(deals, { ok: false, reason: 'unique', field: taken.field });
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
        const company =
          newCompany && body.country === undefined ? await companyOf(caller, patched) : undefined;
        const changesPipeline = body.pipelineId !== undefined && body.pipelineId !== current.pipelineId;
        to = changesPipeline && body.stageId ? await livePipeline(caller, body.pipelineId) : from;
        if (!from || !to) throw notFound('Pipeline');
        return placed(revisedDeal(current, patched, body, to, new Date().toISOString(), company));
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
