import type { Caller } from './auth.ts';
import { forbidden } from './problem.ts';

export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw forbidden('Only an admin may do this');
}

const rank: Readonly<Record<Caller['role'], number>> = { rep: 0, manager: 1, admin: 2 };

/** Whether `role` is `least` or above (rep < manager < admin). */
export const hasRole = (role: Caller['role'], least: 'manager' | 'admin'): boolean =>
  rank[role] >= rank[least];
