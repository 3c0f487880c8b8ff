import { ulid } from 'ulid';
import { campaignRoutes } from '#shared/api/campaigns';
import { winnerRate } from '#shared/domain/ab-test';
import { abTestProblems } from '#shared/domain/ab-test-fields';
import {
  type CampaignAction,
  type CampaignCounts,
  type CampaignStatus,
  campaignStats,
  canDo,
} from '#shared/domain/campaign';
import { recipientFields, recipientStatus } from '#shared/domain/delivery';
import type { Caller } from '#shared/http/auth';
import { httpHandler } from '#shared/http/handler';
import { badRequest, conflict, invalidFields } from '#shared/http/problem';
import { publicBaseUrl } from '#shared/http/public-url';
import {
  actorOf,
  create,
  listPage,
  mergePatch,
  newRecordBase,
  ownership,
  readable,
  readableIds,
  readableReference,
  recordRoutes,
  update,
} from '#shared/http/records';
import { created, noContent, ok } from '#shared/http/results';
import { getScheduler } from '#shared/schedule/select';
import { campaignSpendingFields } from '#shared/schemas/campaigns';
import { requeueCampaign, startScheduleName, winnerScheduleName } from '#shared/store/campaign-run';
import {
  type Campaign,
  campaigns,
  readCampaignCounts,
  readGroupCounts,
  transitionCampaign,
} from '#shared/store/campaigns';
import { listCampaignRecipients } from '#shared/store/deliveries';
import { contacts } from '#shared/store/entities';
import { rightsOf } from '#shared/store/readers';
import { clientView } from '#shared/store/records';
import { segments } from '#shared/store/segments';
import { templates } from '#shared/store/templates';

/**
 * Campaigns follow the record rules (admins everything, managers their team's,
 * reps their own) and a status machine (shared/domain/campaign.ts): an action
 * in the wrong status answers 409. Sending itself happens in the pipeline:
 * the schedule fires functions/schedule/campaignStart.ts, which freezes the
 * recipients and queues them for functions/queue/campaignSend.ts.
 */
const standard = recordRoutes(campaigns);

function assertCan(action: CampaignAction, campaign: Campaign): void {
  if (!canDo(action, campaign.status)) {
    throw conflict(`A ${campaign.status} campaign cannot be ${actionPast[action]}`);
  }
}

const actionPast: Record<CampaignAction, string> = {
  edit: 'changed',
  schedule: 'scheduled or sent',
  pause: 'paused',
  resume: 'resumed',
  cancel: 'canceled',
  archive: 'archived; cancel it first',
};

function requireSpendingCurrency(campaign: Campaign): void {
  if ((campaign.budget !== undefined || campaign.cost !== undefined) && !campaign.currency)
    throw invalidFields([{ path: 'currency', message: 'is required with a budget or cost' }]);
}

/**
 * The A/B fields as a whole (abTestProblems), with `winnerBy` defaulting to
 * humanOpens; `variants: null` in a patch (which empties a list) removes the test.
 */
function checkedAbTest<T extends Partial<Campaign>>(campaign: T): T {
  const problems = abTestProblems(campaign);
  if (problems.length > 0) throw invalidFields(problems);
  if (!campaign.variants?.length) {
    const { variants: _none, ...rest } = campaign;
    return rest as T;
  }
  return campaign.winnerBy ? campaign : { ...campaign, winnerBy: 'humanOpens' };
}

/**
 * `variants: null` removes the test as a whole: the other A/B fields go with
 * it unless the same patch sets them (which then answers 400: only with variants).
 */
function withoutTest<T extends Partial<Campaign>>(merged: T, body: Readonly<Record<string, unknown>>): T {
  const kept = { ...merged };
  for (const name of abTestSettings) if (!(name in body)) delete kept[name];
  return kept;
}

const abTestSettings = ['testPercent', 'winnerBy', 'decideAfterHours'] as const;

/** One group's figures (a test variant or the rest) as the stats show them. */
function groupFigures(count: CampaignCounts) {
  return {
    recipients: count.recipients,
    sent: count.sent,
    delivered: count.delivered,
    humanOpens: count.opened,
    clicks: count.clicked,
    openRate: Math.round(winnerRate(count, 'humanOpens') * 10_000) / 10_000,
    clickRate: Math.round(winnerRate(count, 'clicks') * 10_000) / 10_000,
  };
}

/**
 * An A/B campaign's stats: its test group per variant (`variants`), the rest
 * apart (`rest`, sent the winner), so the test's result stays as it was
 * decided on, and the winner once decided.
 */
async function abTestStats(tenantId: string, campaign: Campaign) {
  const variants = campaign.variants;
  if (!variants) return {};
  const counts = await readGroupCounts(tenantId, campaign.id, variants.length);
  return {
    variants: variants.map((variant, index) => ({
      index,
      subject: variant.subject,
      ...groupFigures(counts.variants[index] as CampaignCounts),
    })),
    rest: groupFigures(counts.rest),
    ...(campaign.winner ? { winner: campaign.winner } : {}),
  };
}

/** The template and segment must be live records the caller can read. */
async function checkReferences(caller: Caller, refs: { templateId?: string; segmentId?: string }) {
  const [template, segment] = await Promise.all([
    refs.templateId ? readableReference(templates, caller, refs.templateId) : undefined,
    refs.segmentId ? readableReference(segments, caller, refs.segmentId) : undefined,
  ]);
  const errors = [
    ...(refs.templateId && !template
      ? [{ path: 'templateId', message: 'is not a live template of this tenant' }]
      : []),
    ...(refs.segmentId && !segment
      ? [{ path: 'segmentId', message: 'is not a live segment of this tenant' }]
      : []),
  ];
  if (errors.length > 0) throw invalidFields(errors);
}

/**
 * Moves a draft or scheduled campaign to `scheduled` at `at` under a new run
 * id, then creates (or moves) its one-time schedule. The record is written
 * first: if the schedule cannot be written, the record goes back to what it
 * was, so a campaign never waits for a schedule that does not exist. A firing
 * of an earlier schedule finds another run id and does nothing.
 */
async function scheduleAt(request: {
  caller: Caller;
  id: string;
  at: Date;
  ifMatch: number | undefined;
  event: Parameters<typeof publicBaseUrl>[0];
}) {
  const { caller, id, at } = request;
  const runId = ulid();
  let before: Campaign | undefined;
  const scheduled = await update(campaigns, caller, id, {
    ifMatch: request.ifMatch,
    change: async (current) => {
      assertCan('schedule', current);
      await checkReferences(caller, current).catch(() => {
        throw conflict('The template or segment of this campaign no longer exists; choose another one first');
      });
      before = current;
      return {
        ...current,
        status: 'scheduled' as const,
        scheduledAt: at.toISOString(),
        runId,
        linkBaseUrl: publicBaseUrl(request.event),
        ...(current.ownerId === caller.userId ? { ownerRights: rightsOf(actorOf(caller)) } : {}),
      };
    },
  });
  try {
    const scheduler = await getScheduler();
    await scheduler.schedule({
      name: startScheduleName(id),
      at,
      target: 'campaignStart',
      payload: { tenantId: caller.tenantId, campaignId: id, runId },
    });
  } catch (error) {
    const previous = before as Campaign;
    await transitionCampaign(caller.tenantId, id, {
      from: ['scheduled'],
      where: { runId },
      to: previous.status,
      set: {
        ...(previous.scheduledAt ? { scheduledAt: previous.scheduledAt } : {}),
        ...(previous.runId ? { runId: previous.runId } : {}),
      },
      remove: [...(previous.scheduledAt ? [] : ['scheduledAt']), ...(previous.runId ? [] : ['runId'])],
    });
    throw error;
  }
  return scheduled;
}

/** A status change through the API: rights, If-Match and the status machine as for any update. */
function changeStatus(
  caller: Caller,
  id: string,
  ifMatch: number | undefined,
  action: CampaignAction,
  to: CampaignStatus,
  stamp: Partial<Campaign>,
) {
  return update(campaigns, caller, id, {
    ifMatch,
    change: (current) => {
      assertCan(action, current);
      return { ...current, ...stamp, status: to };
    },
  });
}

const shownRecipientFields: ReadonlySet<string> = new Set(recipientFields);

/**
 * A delivery as the recipients list shows it: the documented fields only; its
 * keys, claim and bookkeeping times (createdAt, updatedAt) are the sender's own.
 */
function recipientView(delivery: Record<string, unknown>): Record<string, unknown> {
  const fields = shownRecipientFields;
  return Object.fromEntries(Object.entries(delivery).filter(([name]) => fields.has(name)));
}

export const handler = httpHandler(campaignRoutes, {
  async listCampaigns({ caller, query, page }) {
    const { q, status, archived } = query;
    const via = q
      ? { pattern: 'byName' as const, prefix: q }
      : status
        ? { pattern: 'byState' as const, state: status }
        : undefined;
    return listPage(campaigns, caller, page, {
      archived,
      via,
      filter: { equals: q && status ? { status } : {} },
    });
  },

  async createCampaign({ caller, body }) {
    const { ownerId, ...fields } = body;
    const [owner] = await Promise.all([ownership(caller, ownerId), checkReferences(caller, fields)]);
    const campaign: Campaign = {
      ...newRecordBase(owner),
      ...checkedAbTest(fields),
      status: 'draft',
      ...(owner.ownerId === caller.userId ? { ownerRights: rightsOf(actorOf(caller)) } : {}),
    };
    await create(campaigns, caller, campaign);
    return created(clientView(campaigns, campaign), `/campaigns/${campaign.id}`);
  },

  getCampaign: standard.get,

  async updateCampaign({ caller, params, body, ifMatch }) {
    const spendingOnly = Object.keys(body).every((field) =>
      (campaignSpendingFields as readonly string[]).includes(field),
    );
    const updated = await update(campaigns, caller, params.id, {
      ifMatch,
      change: async (current) => {
        // The cost is known after sending: budget, cost and currency change in every status.
        if (!spendingOnly) assertCan('edit', current);
        await checkReferences(caller, {
          ...(body.templateId && body.templateId !== current.templateId
            ? { templateId: body.templateId }
            : {}),
          ...(body.segmentId && body.segmentId !== current.segmentId ? { segmentId: body.segmentId } : {}),
        });
        const merged = await mergePatch(caller, current, body);
        requireSpendingCurrency(merged);
        return checkedAbTest(body.variants === null ? withoutTest(merged, body) : merged);
      },
    });
    return ok(clientView(campaigns, updated));
  },

  async archiveCampaign({ caller, params, ifMatch }) {
    await update(campaigns, caller, params.id, {
      ifMatch,
      allowArchived: true,
      change: (current) => {
        if (current.archived) return current;
        assertCan('archive', current);
        return { ...current, archived: true };
      },
    });
    return noContent();
  },

  restoreCampaign: standard.restore,

  async scheduleCampaign({ caller, params, body, ifMatch, event }) {
    const at = new Date(body.at);
    if (at.getTime() <= Date.now())
      throw badRequest('The start time must be in the future', [
        { path: 'at', message: 'must be in the future' },
      ]);
    return ok(clientView(campaigns, await scheduleAt({ caller, id: params.id, at, ifMatch, event })));
  },

  async sendCampaign({ caller, params, ifMatch, event }) {
    return ok(
      clientView(campaigns, await scheduleAt({ caller, id: params.id, at: new Date(), ifMatch, event })),
    );
  },

  async pauseCampaign({ caller, params, ifMatch }) {
    const now = new Date().toISOString();
    const paused = await changeStatus(caller, params.id, ifMatch, 'pause', 'paused', { pausedAt: now });
    return ok(clientView(campaigns, paused));
  },

  async resumeCampaign({ caller, params, ifMatch }) {
    const resumed = await changeStatus(caller, params.id, ifMatch, 'resume', 'sending', {});
    // Recipients left pending while paused go back on the queue. While the list is still
    // being frozen, the start itself queues them once it is complete.
    if (resumed.phase === 'queued') await requeueCampaign(caller.tenantId, resumed);
    return ok(clientView(campaigns, resumed));
  },

  async cancelCampaign({ caller, params, ifMatch }) {
    const id = params.id;
    const canceled = await changeStatus(caller, id, ifMatch, 'cancel', 'canceled', {
      canceledAt: new Date().toISOString(),
    });
    // An A/B campaign's decision never comes: nothing is left to send it to.
    if (canceled.variants) await (await getScheduler()).cancel(winnerScheduleName(id));
    if (!canceled.startedAt) {
      // Never started: the schedule goes, and a firing already under way finds it canceled.
      await (await getScheduler()).cancel(startScheduleName(id));
    } else if (canceled.phase === 'queued') {
      // Pending recipients are settled as canceled by the sender.
      await requeueCampaign(caller.tenantId, canceled);
    }
    return ok(clientView(campaigns, canceled));
  },

  async getCampaignStats({ caller, params }) {
    const campaign = await readable(campaigns, caller, params.id);
    const [counts, abTest] = await Promise.all([
      readCampaignCounts(caller.tenantId, campaign.id),
      abTestStats(caller.tenantId, campaign),
    ]);
    return ok({ ...campaignStats(counts), ...abTest });
  },

  async listCampaignRecipients({ caller, params, query, page }) {
    const campaign = await readable(campaigns, caller, params.id);
    const result = await listCampaignRecipients(caller.tenantId, campaign.id, {
      ...(query.status ? { status: query.status } : {}),
      limit: page.limit,
      startKey: page.startKey,
    });
    // A rep sees the recipients they may read, like everywhere else.
    const visible = await readableIds(
      contacts,
      caller,
      result.items.map((item) => item.contactId),
    );
    const items = result.items
      .filter((item) => visible.has(item.contactId))
      .map((delivery) => recipientView({ ...delivery, status: recipientStatus(delivery) }));
    return ok({ items, nextCursor: await page.next(result.lastKey) });
  },
});
