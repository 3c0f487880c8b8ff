import { viewRoutes } from '#shared/api/views';
import { applyMergePatch } from '#shared/domain/merge-patch';
import {
  canChangeView,
  canSeeView,
  comparePlaces,
  placeOf,
  type ViewPlace,
  type ViewVisibility,
  visibilityRefusal,
} from '#shared/domain/views';
import type { Caller } from '#shared/http/auth';
import { httpHandler } from '#shared/http/handler';
import { badRequest, forbidden } from '#shared/http/problem';
import { actorOf, create, newRecordBase, type Rights, readable, remove, update } from '#shared/http/records';
import { created, noContent, ok } from '#shared/http/results';
import { checkViewAgainstEntity, staleParts } from '#shared/http/view-checks';
import type { ViewPatch } from '#shared/schemas/views';
import {
  candidateViews,
  countNewOwnedView,
  countNewView,
  MAX_VIEWS_PER_OWNER,
  MAX_VIEWS_PER_TENANT,
  shownView,
  uncountView,
  type View,
  views,
} from '#shared/store/views';

/** Views follow their own rules (shared/domain/views.ts), not the record rules. */
const viewRights: Rights<View> = { canRead: canSeeView, canWrite: canChangeView };

/**
 * 403 when the caller's role may not share that widely or the view is someone
 * else's to make private; 400 at `visibility` when a team view has no team.
 */
function assertVisibility(
  caller: Caller,
  visibility: ViewVisibility,
  teamId: string | undefined,
  ownerId: string,
): void {
  const refusal = visibilityRefusal(actorOf(caller), visibility, teamId, ownerId);
  if (!refusal) return;
  if ('forbidden' in refusal) throw forbidden(refusal.forbidden);
  throw badRequest('A team view needs a team', [{ path: 'visibility', message: refusal.invalid }]);
}

/** The fields a merge patch replaces whole instead of merging: a filter, a sort, a set of columns are one choice each. */
const REPLACED = ['filter', 'sort', 'columns'] as const;

function patched(current: View, body: ViewPatch): View {
  const { entity, ...rest } = body;
  const patch: Record<string, unknown> = { ...rest, ...(entity ? { listEntity: entity } : {}) };
  const given = REPLACED.filter((key) => patch[key] !== undefined);
  const cleared = applyMergePatch(current, {
    ...patch,
    ...Object.fromEntries(given.map((key) => [key, null])),
  });
  return applyMergePatch(cleared, Object.fromEntries(given.map((key) => [key, patch[key]])));
}

/** What the entity checks read of a view. */
const checkedOf = (view: View) => ({
  entity: view.listEntity,
  filter: view.filter,
  sort: view.sort,
  columns: view.columns,
});

/** A view as its routes answer it, with the parts that no longer apply reported as `stale`. */
async function answered(caller: Caller, view: View) {
  const stale = await staleParts(caller, checkedOf(view));
  return { ...shownView(view), ...(stale.length > 0 ? { stale } : {}) };
}

/**
 * What a change must check: every part when the entity changes, else only the
 * parts it replaces, so a part gone stale since (a removed custom field) does
 * not block changing another.
 */
function changedParts(view: View, body: ViewPatch) {
  const all = body.entity !== undefined;
  return {
    entity: view.listEntity,
    filter: all || body.filter ? view.filter : undefined,
    sort: all || body.sort ? view.sort : undefined,
    columns: all || body.columns ? view.columns : undefined,
  };
}

const isPlace = (key: unknown): key is ViewPlace =>
  typeof key === 'object' &&
  key !== null &&
  typeof (key as ViewPlace).name === 'string' &&
  typeof (key as ViewPlace).id === 'string';

export const handler = httpHandler(viewRoutes, {
  async listViews({ caller, query, page }) {
    const actor = actorOf(caller);
    const candidates = await candidateViews(caller.tenantId, {
      userId: caller.userId,
      ...(caller.teamId ? { teamId: caller.teamId } : {}),
      everyView: caller.role === 'admin',
    });
    const after = isPlace(page.startKey) ? page.startKey : undefined;
    const listed = candidates
      .filter((view) => canSeeView(actor, view) && (!query.entity || view.listEntity === query.entity))
      .map((view) => ({ view, place: placeOf(view) }))
      .filter(({ place }) => !after || comparePlaces(place, after) > 0)
      .sort((a, b) => comparePlaces(a.place, b.place));
    const shown = listed.slice(0, page.limit);
    const last = shown.at(-1);
    return ok({
      items: await Promise.all(shown.map(({ view }) => answered(caller, view))),
      nextCursor: listed.length > shown.length && last ? await page.next({ ...last.place }) : null,
    });
  },

  async createView({ caller, body }) {
    const { visibility = 'private', entity, ...fields } = body;
    assertVisibility(caller, visibility, caller.teamId, caller.userId);
    const owner = { ownerId: caller.userId, ...(caller.teamId ? { teamId: caller.teamId } : {}) };
    const view: View = { ...newRecordBase(owner), ...fields, listEntity: entity, visibility };
    await checkViewAgainstEntity(caller, checkedOf(view));
    await create(views, caller, view, [
      {
        item: countNewView(caller.tenantId),
        error: {
          path: '(root)',
          message: `a tenant holds at most ${MAX_VIEWS_PER_TENANT} views`,
          conflict: `This tenant already holds ${MAX_VIEWS_PER_TENANT} saved views; an admin can delete views nobody uses (GET /views lists every shared view), or each user their own private ones`,
        },
      },
      {
        item: countNewOwnedView(caller.tenantId, caller.userId),
        error: {
          path: '(root)',
          message: `a user owns at most ${MAX_VIEWS_PER_OWNER} views`,
          conflict: `You already own ${MAX_VIEWS_PER_OWNER} saved views; delete one of yours first`,
        },
      },
    ]);
    return created(shownView(view), `/views/${view.id}`);
  },

  async getView({ caller, params }) {
    return ok(await answered(caller, await readable(views, caller, params.id, viewRights)));
  },

  async updateView({ caller, params, body, ifMatch }) {
    const next = await update(views, caller, params.id, {
      ifMatch,
      rights: viewRights,
      change: async (current) => {
        const view = patched(current, body);
        if (body.visibility) assertVisibility(caller, view.visibility, view.teamId, view.ownerId);
        if (body.entity || body.filter || body.sort || body.columns)
          await checkViewAgainstEntity(caller, changedParts(view, body));
        return view;
      },
    });
    return ok(await answered(caller, next));
  },

  async deleteView({ caller, params, ifMatch }) {
    await remove(views, caller, params.id, {
      ifMatch,
      rights: viewRights,
      extra: (current) => uncountView(caller.tenantId, current.ownerId),
    });
    return noContent();
  },
});
