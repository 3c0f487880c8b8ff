import type { Caller } from './auth.ts';
import { forbidden } from './problem.ts';

export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw forbidden('Only an admin may do this');
}
