import type { Actor } from './access.ts';
import { searchable } from './text.ts';

/**
 * Saved list views (SPEC "Natural-language segments, saved views, shared
 * lists"): how a person or a team reopens a list the way they left it. A view
 * is a preference, not business data, so its rights are its own rather than
 * a record's: who sees it follows its `visibility`, and reps share only with
 * their team (issue 13, "rights as for records").
 */

/** The lists a view can be saved for, as their routes name them (`GET /contacts`, ...). */
export const viewEntities = ['contacts', 'companies', 'leads', 'deals', 'activities', 'cases'] as const;
export type ViewEntity = (typeof viewEntities)[number];

/** private: its owner; team: the owner's team (recorded at creation); tenant: everyone in the tenant. */
export const viewVisibilities = ['private', 'team', 'tenant'] as const;
export type ViewVisibility = (typeof viewVisibilities)[number];

/** What the rules read of a view: its owner, the owner's team when it was created, its visibility. */
export interface Shared {
  readonly ownerId: string;
  readonly teamId?: string;
  readonly visibility: ViewVisibility;
}

const onTeam = (actor: Actor, view: Shared) => actor.teamId !== undefined && view.teamId === actor.teamId;

/**
 * Whether `actor` sees `view`: its owner always; a private view nobody else;
 * a tenant view everyone; a team view the members of its team, and admins,
 * who may change every shared view and so must be able to find it.
 */
export function canSeeView(actor: Actor, view: Shared): boolean {
  if (view.ownerId === actor.userId) return true;
  switch (view.visibility) {
    case 'private':
      return false;
    case 'tenant':
      return true;
    case 'team':
      return actor.role === 'admin' || onTeam(actor, view);
  }
}

/**
 * Whether `actor` may change or delete `view`: its owner; an admin any shared
 * (team or tenant) view; a manager the shared views of their own team.
 */
export function canChangeView(actor: Actor, view: Shared): boolean {
  if (view.ownerId === actor.userId) return true;
  if (view.visibility === 'private') return false;
  switch (actor.role) {
    case 'admin':
      return true;
    case 'manager':
      return onTeam(actor, view);
    case 'rep':
      return false;
  }
}

/**
 * Why `actor` may not give a view (owned by `ownerId`, whose team is
 * `teamId`) this visibility, or undefined when they may: `forbidden` (403)
 * when their role cannot share that widely (tenant is for managers and
 * admins) or when they would make someone else's view private (only its owner
 * would see it then, the one who made it so included); `invalid` (400 at
 * `visibility`) when a team view has no team to be seen by.
 */
export function visibilityRefusal(
  actor: Actor,
  visibility: ViewVisibility,
  teamId: string | undefined,
  ownerId: string = actor.userId,
): { readonly forbidden: string } | { readonly invalid: string } | undefined {
  if (visibility === 'private' && ownerId !== actor.userId)
    return {
      forbidden:
        "Only the view's owner may make it private; share it with fewer people by giving it team visibility, or ask its owner",
    };
  if (visibility === 'tenant' && actor.role === 'rep')
    return { forbidden: 'A rep shares views only with their team' };
  if (visibility === 'team' && teamId === undefined)
    return { invalid: 'needs a team: the owner of this view belongs to none' };
  return undefined;
}

/** A view's place in a list: its name case- and accent-blind (text.ts searchable), then its id. */
export interface ViewPlace {
  readonly name: string;
  readonly id: string;
}

export const placeOf = (view: { readonly name: string; readonly id: string }): ViewPlace => ({
  name: searchable(view.name),
  id: view.id,
});

/** Orders places by name, then id: one stable order, whatever the read order of the partitions. */
export function comparePlaces(a: ViewPlace, b: ViewPlace): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
