import { describe, expect, it } from 'vitest';
import type { Actor } from '#shared/domain/access';
import {
  canChangeView,
  canSeeView,
  comparePlaces,
  placeOf,
  type ViewVisibility,
  visibilityRefusal,
} from '#shared/domain/views';

/** The rules of saved views (shared/domain/views.ts), case by case. */
const owner: Actor = { userId: 'owner', role: 'rep', teamId: 'red' };
const teammate: Actor = { userId: 'mate', role: 'rep', teamId: 'red' };
const otherRep: Actor = { userId: 'blue-rep', role: 'rep', teamId: 'blue' };
const redManager: Actor = { userId: 'red-manager', role: 'manager', teamId: 'red' };
const blueManager: Actor = { userId: 'blue-manager', role: 'manager', teamId: 'blue' };
const admin: Actor = { userId: 'admin', role: 'admin' };
const teamless: Actor = { userId: 'loner', role: 'rep' };

const view = (visibility: ViewVisibility) => ({ ownerId: 'owner', teamId: 'red', visibility });
const everyone = [owner, teammate, otherRep, redManager, blueManager, admin, teamless];
const who = (actors: Actor[]) => actors.map((actor) => actor.userId);
const seers = (visibility: ViewVisibility) =>
  who(everyone.filter((actor) => canSeeView(actor, view(visibility))));
const changers = (visibility: ViewVisibility) =>
  who(everyone.filter((actor) => canChangeView(actor, view(visibility))));

describe('saved view visibility', () => {
  it('private: the owner alone, whatever the role of the others', () => {
    expect(seers('private')).toEqual(['owner']);
    expect(changers('private')).toEqual(['owner']);
  });

  it("team: the owner's team and admins see it; the owner, the team's manager and admins change it", () => {
    expect(seers('team')).toEqual(['owner', 'mate', 'red-manager', 'admin']);
    expect(changers('team')).toEqual(['owner', 'red-manager', 'admin']);
  });

  it("tenant: everyone sees it; the owner, the owner's team's manager and admins change it", () => {
    expect(seers('tenant')).toEqual(who(everyone));
    expect(changers('tenant')).toEqual(['owner', 'red-manager', 'admin']);
  });

  it('a team view without a team is seen by its owner and admins only', () => {
    const orphan = { ownerId: 'loner', visibility: 'team' as const };
    expect(who(everyone.filter((actor) => canSeeView(actor, orphan)))).toEqual(['admin', 'loner']);
  });
});

describe('who may share how widely', () => {
  it('keeps tenant views for managers and admins and team views for views with a team', () => {
    expect(visibilityRefusal(owner, 'tenant', 'red')).toEqual({ forbidden: expect.any(String) });
    expect(visibilityRefusal(owner, 'team', 'red')).toBeUndefined();
    expect(visibilityRefusal(owner, 'private', 'red')).toBeUndefined();
    expect(visibilityRefusal(teamless, 'team', undefined)).toEqual({ invalid: expect.any(String) });
    expect(visibilityRefusal(redManager, 'tenant', 'red')).toBeUndefined();
    expect(visibilityRefusal(admin, 'tenant', undefined)).toBeUndefined();
    expect(visibilityRefusal(admin, 'team', undefined)).toEqual({ invalid: expect.any(String) });
  });

  it('lets only the owner make a view private', () => {
    for (const actor of [admin, redManager, teammate])
      expect(visibilityRefusal(actor, 'private', 'red', 'owner')).toEqual({
        forbidden: expect.stringMatching(/^Only the view's owner may make it private/),
      });
    expect(visibilityRefusal(owner, 'private', 'red', 'owner')).toBeUndefined();
    expect(visibilityRefusal(admin, 'tenant', 'red', 'owner')).toBeUndefined();
  });
});

describe('the order of a list of views', () => {
  it('sorts by name case- and accent-blind, then by id', () => {
    const named = [
      { name: 'delta', id: '5' },
      { name: 'Álamo', id: '4' },
      { name: 'alpha', id: '3' },
      { name: 'Alpha', id: '2' },
      { name: 'Bravo', id: '1' },
    ];
    const sorted = named.map(placeOf).sort(comparePlaces);
    expect(sorted.map((place) => place.id)).toEqual(['4', '2', '3', '1', '5']);
  });
});
