import { ownValue } from './own-keys.ts';

/**
 * Who owns a lead created without `ownerId`, by the tenant's rule:
 * - `none`: the creator;
 * - `round_robin`: the next of `userIds`, in turn;
 * - `by_country`: the user `countries` names for the lead's country; a lead
 *   whose country is missing or unmapped falls back to round robin over
 *   `userIds`, and to the creator when that list is empty.
 */
export const assignmentStrategies = ['none', 'round_robin', 'by_country'] as const;
export type AssignmentStrategy = (typeof assignmentStrategies)[number];

export interface AssignmentRule {
  readonly strategy: AssignmentStrategy;
  readonly userIds: readonly string[];
  /** ISO 3166-1 alpha-2 code → user id. */
  readonly countries: Readonly<Record<string, string>>;
}

export const noAssignmentRule: AssignmentRule = { strategy: 'none', userIds: [], countries: {} };

export type AssignmentPlan =
  | { readonly kind: 'creator' }
  | { readonly kind: 'user'; readonly userId: string }
  /** The next in turn: needs the tenant's atomic counter (see pickInRotation). */
  | { readonly kind: 'rotate'; readonly userIds: readonly string[] };

export function planAssignment(rule: AssignmentRule, country: string | undefined): AssignmentPlan {
  const rotate: AssignmentPlan =
    rule.userIds.length > 0 ? { kind: 'rotate', userIds: rule.userIds } : { kind: 'creator' };
  switch (rule.strategy) {
    case 'none':
      return { kind: 'creator' };
    case 'round_robin':
      return rotate;
    case 'by_country': {
      // An own entry only: a country never finds an inherited property of the map.
      const userId = country ? ownValue(rule.countries, country.toUpperCase()) : undefined;
      return typeof userId === 'string' && userId ? { kind: 'user', userId } : rotate;
    }
  }
}

/**
 * The user whose turn the `turn`-th assignment (1-based, from an atomic counter)
 * is. Each caller gets a distinct turn, so concurrent creations spread evenly.
 */
export function pickInRotation(userIds: readonly string[], turn: number): string {
  const index = (((turn - 1) % userIds.length) + userIds.length) % userIds.length;
  const userId = userIds[index];
  if (userId === undefined) throw new Error('A rotation needs at least one user');
  return userId;
}

/** Problems of a rule's shape, as `{ path, message }` entries. */
export function ruleProblems(rule: AssignmentRule): { path: string; message: string }[] {
  if (rule.strategy === 'round_robin' && rule.userIds.length === 0)
    return [{ path: 'userIds', message: 'must name at least one user for round_robin' }];
  if (rule.strategy === 'by_country' && Object.keys(rule.countries).length === 0)
    return [{ path: 'countries', message: 'must map at least one country for by_country' }];
  return [];
}

/** Every user a rule may assign to, with the field that names them (for validation messages). */
export function ruleUsers(rule: AssignmentRule): { path: string; userId: string }[] {
  return [
    ...rule.userIds.map((userId, index) => ({ path: `userIds.${index}`, userId })),
    ...Object.entries(rule.countries).map(([code, userId]) => ({ path: `countries.${code}`, userId })),
  ];
}
