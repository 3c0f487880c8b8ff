import { describe, expect, it } from 'vitest';
import { canAssignTo, canRead, canWrite } from '#shared/domain/access';
import { applyMergePatch } from '#shared/domain/merge-patch';
import { overviewChange } from '#shared/domain/overview';
import { searchable } from '#shared/domain/text';

describe('access rules', () => {
  const record = { ownerId: 'u1', teamId: 'red' };
  it('lets admins do everything and managers read everything', () => {
    expect(canWrite({ userId: 'x', role: 'admin' }, record)).toBe(true);
    expect(canRead({ userId: 'x', role: 'manager', teamId: 'blue' }, record)).toBe(true);
  });
  it('lets managers write only their team records', () => {
    expect(canWrite({ userId: 'm', role: 'manager', teamId: 'red' }, record)).toBe(true);
    expect(canWrite({ userId: 'm', role: 'manager', teamId: 'blue' }, record)).toBe(false);
    expect(canWrite({ userId: 'm', role: 'manager' }, { ownerId: 'm' })).toBe(true);
  });
  it('lets reps read their team and own records, and write only their own', () => {
    expect(canRead({ userId: 'r', role: 'rep', teamId: 'red' }, record)).toBe(true);
    expect(canRead({ userId: 'r', role: 'rep', teamId: 'blue' }, record)).toBe(false);
    expect(canRead({ userId: 'r', role: 'rep' }, { ownerId: 'u1' })).toBe(false);
    expect(canWrite({ userId: 'r', role: 'rep', teamId: 'red' }, record)).toBe(false);
    expect(canWrite({ userId: 'u1', role: 'rep' }, record)).toBe(true);
  });
  it('limits who can be made owner', () => {
    expect(canAssignTo({ userId: 'r', role: 'rep', teamId: 'red' }, { userId: 'u1', teamId: 'red' })).toBe(
      false,
    );
    expect(
      canAssignTo({ userId: 'm', role: 'manager', teamId: 'red' }, { userId: 'u1', teamId: 'red' }),
    ).toBe(true);
    expect(
      canAssignTo({ userId: 'm', role: 'manager', teamId: 'red' }, { userId: 'u2', teamId: 'blue' }),
    ).toBe(false);
    expect(canAssignTo({ userId: 'a', role: 'admin' }, { userId: 'u2' })).toBe(true);
  });
});

describe('JSON merge patch', () => {
  it('removes on null, merges objects and replaces arrays', () => {
    const target = { a: 1, b: 'x', tags: ['p', 'q'], customFields: { k1: 1, k2: 2 } };
    expect(applyMergePatch(target, { b: null, tags: ['r'], customFields: { k1: null, k3: 3 } })).toEqual({
      a: 1,
      tags: ['r'],
      customFields: { k2: 2, k3: 3 },
    });
    expect(target.b).toBe('x');
  });
});

describe('searchable names', () => {
  it('ignores case, accents and repeated spaces', () => {
    expect(searchable('  Ángela   NÚÑEZ ')).toBe('angela nunez');
    expect(searchable('Zoë Çelik')).toBe('zoe celik');
  });
});

describe('overview changes', () => {
  const live = { entity: 'contact', tenantId: 't1', archived: false };
  const deltas = (oldImage?: Record<string, unknown>, newImage?: Record<string, unknown>) =>
    overviewChange(oldImage, newImage)?.deltas;
  it('counts creations, archives, restores and erasures', () => {
    expect(overviewChange(undefined, live)).toEqual({ tenantId: 't1', deltas: { contacts: 1 } });
    expect(deltas(live, { ...live, archived: true })).toEqual({ contacts: -1 });
    expect(deltas({ ...live, archived: true }, live)).toEqual({ contacts: 1 });
    expect(deltas(live, undefined)).toEqual({ contacts: -1 });
  });
  it('ignores updates that keep a record live and items that are not counted', () => {
    expect(overviewChange(live, { ...live, firstName: 'x' })).toBeUndefined();
    expect(overviewChange(undefined, { entity: 'unique', tenantId: 't1' })).toBeUndefined();
    expect(overviewChange(undefined, { entity: 'contact' })).toBeUndefined();
  });
  it('keeps the open pipeline amount per currency in minor units', () => {
    const deal = {
      entity: 'deal',
      tenantId: 't1',
      archived: false,
      status: 'open',
      amount: 0.1,
      currency: 'EUR',
    };
    expect(deltas(undefined, deal)).toEqual({ deals: 1, 'openAmount#EUR': 10 });
    expect(deltas(deal, { ...deal, amount: 0.3 })).toEqual({ 'openAmount#EUR': 20 });
    expect(deltas(deal, { ...deal, status: 'won' })).toEqual({ 'openAmount#EUR': -10 });
    expect(deltas(deal, { ...deal, currency: 'USD' })).toEqual({
      'openAmount#EUR': -10,
      'openAmount#USD': 10,
    });
    expect(deltas(deal, { ...deal, archived: true })).toEqual({ deals: -1, 'openAmount#EUR': -10 });
  });
});
