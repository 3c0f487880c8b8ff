import { describe, expect, it } from 'vitest';
import { canAssignTo, canRead, canWrite } from '#shared/domain/access';
import { applyMergePatch } from '#shared/domain/merge-patch';
import { countChange } from '#shared/domain/overview';
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

describe('overview count changes', () => {
  const live = { entity: 'contact', tenantId: 't1', archived: false };
  it('counts creations, archives, restores and erasures', () => {
    expect(countChange(undefined, live)).toEqual({ tenantId: 't1', counter: 'contacts', delta: 1 });
    expect(countChange(live, { ...live, archived: true })).toEqual({
      tenantId: 't1',
      counter: 'contacts',
      delta: -1,
    });
    expect(countChange({ ...live, archived: true }, live)?.delta).toBe(1);
    expect(countChange(live, undefined)?.delta).toBe(-1);
  });
  it('ignores updates that keep a record live and items that are not counted', () => {
    expect(countChange(live, { ...live, firstName: 'x' })).toBeUndefined();
    expect(countChange(undefined, { entity: 'unique', tenantId: 't1' })).toBeUndefined();
    expect(countChange(undefined, { entity: 'contact' })).toBeUndefined();
  });
});
