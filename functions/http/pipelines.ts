import { monotonicFactory } from 'ulid';
import { pipelineRoutes } from '#shared/api/pipelines';
import { moveToStage } from '#shared/domain/deal';
import { findStage, type Stage, stageProblems } from '#shared/domain/pipeline';
import type { Caller } from '#shared/http/auth';
import { httpHandler } from '#shared/http/handler';
import { badRequest, conflict, invalidFields, notFound } from '#shared/http/problem';
import { create, failWrite, listPage, newRecordBase, update } from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { requireAdmin } from '#shared/http/roles';
import type { PipelinePatch } from '#shared/schemas/pipelines';
import { dealHistoryItem } from '#shared/store/deals';
import { type Deal, deals, type Pipeline, pipelines } from '#shared/store/entities';
import { defaultPipeline, isDefaultPipeline } from '#shared/store/pipelines';
import { getRecord, listRecords, replaceRecord } from '#shared/store/records';

const ulid = monotonicFactory();
/** Deals re-staged in one request when stages change; more must be moved first. */
const MAX_DEALS_TO_MOVE = 500;

const withDefaultFlag = async (tenantId: string, pipeline: Pipeline) => ({
  ...pipeline,
  isDefault: await isDefaultPipeline(tenantId, pipeline.id),
});

type StageInput = { id?: string; name: string; probability: number; kind: Stage['kind'] };

function checkStages(stages: readonly StageInput[]): void {
  const problems = stageProblems(stages);
  if (problems.length > 0) throw invalidFields(problems);
}

/** All deals, live and archived, sitting in a stage (bounded). */
async function dealsInStage(caller: Caller, stageId: string, limit: number): Promise<Deal[]> {
  const found: Deal[] = [];
  for (const archived of [false, true]) {
    let startKey: Record<string, string | number> | undefined;
    do {
      const page = await listRecords(deals, caller.tenantId, {
        archived,
        limit: Math.min(200, limit + 1 - found.length),
        startKey,
        via: { pattern: 'byState', state: stageId },
      });
      found.push(...page.items);
      startKey = page.lastKey;
    } while (startKey && found.length <= limit);
  }
  return found;
}

/**
 * Applies a stage change to the deals it affects before the pipeline changes:
 * deals of removed stages move where `moveDeals` says (with a history entry);
 * deals of stages whose probability changed take the new probability.
 */
async function restageDeals(
  caller: Caller,
  before: Pipeline,
  after: Pipeline,
  moveDeals: Record<string, string>,
) {
  const affected = before.stages.flatMap((stage) => {
    const kept = findStage(after, stage.id);
    if (!kept) return [{ stage, target: moveDeals[stage.id] }];
    return kept.probability !== stage.probability || kept.kind !== stage.kind
      ? [{ stage, target: stage.id }]
      : [];
  });
  const now = new Date().toISOString();
  for (const { stage, target } of affected) {
    const inStage = await dealsInStage(caller, stage.id, MAX_DEALS_TO_MOVE);
    if (inStage.length === 0) continue;
    if (!target) {
      throw conflict(`Stage "${stage.name}" still holds deals; say where they go in moveDeals`, [
        {
          path: `moveDeals.${stage.id}`,
          message: `is required: ${inStage.length} deal(s) are in this stage`,
        },
      ]);
    }
    if (inStage.length > MAX_DEALS_TO_MOVE) {
      throw conflict(`Stage "${stage.name}" holds more than ${MAX_DEALS_TO_MOVE} deals; move some first`);
    }
    for (const deal of inStage) {
      const reason = deal.lostReason ?? `Stage "${stage.name}" was removed`;
      const moved = moveToStage(deal, after, target, now, reason);
      if (!moved.ok)
        throw badRequest(moved.message, [{ path: `moveDeals.${stage.id}`, message: moved.message }]);
      const next: Deal = { ...moved.deal, version: deal.version + 1, updatedAt: now };
      const history = dealHistoryItem(
        caller.tenantId,
        { deal, pipeline: before },
        { deal: next, pipeline: after },
        caller.userId,
      );
      const outcome = await replaceRecord(deals, caller.tenantId, deal, next, history ? [history] : []);
      if (!outcome.ok) throw conflict('A deal changed while its stage was being moved; retry');
    }
  }
}

/** The new stage list: known ids keep their stage, new stages get ids. */
function nextStages(current: Pipeline, patch: PipelinePatch): Stage[] {
  if (!patch.stages) return current.stages;
  const errors = patch.stages.flatMap((stage, index) =>
    stage.id && !findStage(current, stage.id)
      ? [{ path: `stages.${index}.id`, message: 'is not a stage of this pipeline' }]
      : [],
  );
  if (errors.length > 0) throw invalidFields(errors);
  return patch.stages.map((stage) => ({ ...stage, id: stage.id ?? ulid() }));
}

/** Everyone in the tenant reads pipelines; only admins shape them. */
export const handler = httpHandler(pipelineRoutes, {
  async listPipelines({ caller, query, page }) {
    // Creates the default on first use, and tells which listed one it is without a read per item.
    const { id: defaultId } = await defaultPipeline(caller.tenantId, caller.userId);
    return listPage(pipelines, caller, page, {
      archived: query.archived,
      visibility: 'tenant',
      view: (pipeline) => ({ ...pipeline, isDefault: pipeline.id === defaultId }),
    });
  },

  async createPipeline({ caller, body }) {
    requireAdmin(caller);
    const given = body.stages.flatMap((stage, index) =>
      stage.id
        ? [{ path: `stages.${index}.id`, message: 'is assigned by the server for a new pipeline' }]
        : [],
    );
    if (given.length > 0) throw invalidFields(given);
    checkStages(body.stages);
    const pipeline: Pipeline = {
      ...newRecordBase({ ownerId: caller.userId }),
      name: body.name,
      stages: body.stages.map((stage) => ({ ...stage, id: ulid() })),
    };
    await create(pipelines, caller, pipeline);
    return created({ ...pipeline, isDefault: false }, `/pipelines/${pipeline.id}`);
  },

  async getPipeline({ caller, params }) {
    const pipeline = await getRecord(pipelines, caller.tenantId, params.id);
    if (!pipeline) throw notFound('Pipeline');
    return ok(await withDefaultFlag(caller.tenantId, pipeline));
  },

  async updatePipeline({ caller, params, body, ifMatch }) {
    requireAdmin(caller);
    const current = await getRecord(pipelines, caller.tenantId, params.id);
    if (!current) throw notFound('Pipeline');
    const stages = nextStages(current, body);
    checkStages(stages);
    const target: Pipeline = { ...current, name: body.name ?? current.name, stages };
    for (const [removed, to] of Object.entries(body.moveDeals ?? {})) {
      if (!findStage(current, removed) || findStage(target, removed)) {
        throw invalidFields([
          { path: `moveDeals.${removed}`, message: 'is not a stage this change removes' },
        ]);
      }
      if (!findStage(target, to)) {
        throw invalidFields([
          { path: `moveDeals.${removed}`, message: 'must name a stage of the changed pipeline' },
        ]);
      }
    }
    if (ifMatch !== undefined && ifMatch !== current.version)
      failWrite(pipelines, { ok: false, reason: 'version' });
    await restageDeals(caller, current, target, body.moveDeals ?? {});
    const saved = await update(pipelines, caller, current.id, {
      ifMatch: current.version,
      change: (latest) => ({ ...latest, name: target.name, stages }),
    });
    return ok(await withDefaultFlag(caller.tenantId, saved));
  },
});
