import { describe, expect, it } from 'vitest';
import {
  type AssignmentRule,
  noAssignmentRule,
  pickInRotation,
  planAssignment,
  ruleProblems,
  ruleUsers,
} from '#shared/domain/lead-assignment';

const rule = (partial: Partial<AssignmentRule>): AssignmentRule => ({ ...noAssignmentRule, ...partial });

describe('lead assignment plan', () => {
  it('leaves the lead to its creator under `none`, whatever lists the rule still holds', () => {
    expect(planAssignment(noAssignmentRule, 'ES')).toEqual({ kind: 'creator' });
    expect(planAssignment(rule({ userIds: ['a'], countries: { ES: 'b' } }), 'ES')).toEqual({
      kind: 'creator',
    });
  });

  it('rotates over userIds under round_robin, and falls back to the creator with nobody to rotate', () => {
    expect(planAssignment(rule({ strategy: 'round_robin', userIds: ['a', 'b'] }), undefined)).toEqual({
      kind: 'rotate',
      userIds: ['a', 'b'],
    });
    expect(planAssignment(rule({ strategy: 'round_robin' }), undefined)).toEqual({ kind: 'creator' });
  });

  it('maps countries under by_country (any case), falling back to the rotation, then to the creator', () => {
    const byCountry = rule({ strategy: 'by_country', userIds: ['r1', 'r2'], countries: { ES: 'es-rep' } });
    expect(planAssignment(byCountry, 'ES')).toEqual({ kind: 'user', userId: 'es-rep' });
    expect(planAssignment(byCountry, 'es')).toEqual({ kind: 'user', userId: 'es-rep' });
    expect(planAssignment(byCountry, 'FR')).toEqual({ kind: 'rotate', userIds: ['r1', 'r2'] });
    expect(planAssignment(byCountry, undefined)).toEqual({ kind: 'rotate', userIds: ['r1', 'r2'] });
    expect(planAssignment({ ...byCountry, userIds: [] }, 'FR')).toEqual({ kind: 'creator' });
  });
});

describe('round-robin turns', () => {
  it('spreads 20 turns over 3 users as 7/7/6, starting with the first user', () => {
    const users = ['a', 'b', 'c'];
    const counts = new Map<string, number>();
    for (let turn = 1; turn <= 20; turn++) {
      const user = pickInRotation(users, turn);
      counts.set(user, (counts.get(user) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ a: 7, b: 7, c: 6 });
    expect(pickInRotation(users, 1)).toBe('a');
    expect(pickInRotation(users, 4)).toBe('a');
  });

  it('stays even from any starting turn, e.g. after the user list changed', () => {
    for (const start of [1, 2, 3, 17, 1_000_001]) {
      const counts = [0, 0, 0];
      for (let turn = start; turn < start + 20; turn++) {
        const index = ['a', 'b', 'c'].indexOf(pickInRotation(['a', 'b', 'c'], turn));
        counts[index] = (counts[index] ?? 0) + 1;
      }
      expect(counts.sort()).toEqual([6, 7, 7]);
    }
  });

  it('refuses an empty rotation instead of assigning to nobody', () => {
    expect(() => pickInRotation([], 1)).toThrow();
  });
});

describe('rule validation helpers', () => {
  it('requires users for round_robin and countries for by_country', () => {
    expect(ruleProblems(rule({ strategy: 'round_robin' }))).toEqual([
      { path: 'userIds', message: 'must name at least one user for round_robin' },
    ]);
    expect(ruleProblems(rule({ strategy: 'by_country', userIds: ['a'] }))).toEqual([
      { path: 'countries', message: 'must map at least one country for by_country' },
    ]);
    expect(ruleProblems(rule({ strategy: 'by_country', countries: { ES: 'a' } }))).toEqual([]);
    expect(ruleProblems(noAssignmentRule)).toEqual([]);
  });

  it('names every user a rule refers to with the field that holds it', () => {
    expect(ruleUsers(rule({ userIds: ['a', 'b'], countries: { ES: 'c', FR: 'a' } }))).toEqual([
      { path: 'userIds.0', userId: 'a' },
      { path: 'userIds.1', userId: 'b' },
      { path: 'countries.ES', userId: 'c' },
      { path: 'countries.FR', userId: 'a' },
    ]);
  });
});
