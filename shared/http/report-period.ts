import { type DayRange, reportRange } from '../domain/reports/range.ts';
import type { Caller } from './auth.ts';
import { forbidden, invalidFields } from './problem.ts';

/** Tenant-wide reports reach beyond a rep's records: managers and admins only. */
export function requireReportReader(caller: Pick<Caller, 'role'>): void {
  if (caller.role === 'rep') throw forbidden('Tenant-wide reports are for managers and admins');
}

/** The period of a report request (SPEC "Reports"), or 400 naming the parameter at fault. */
export function reportPeriod(
  query: { from?: string | undefined; to?: string | undefined },
  now = new Date(),
): DayRange {
  const result = reportRange(query, now.toISOString().slice(0, 10));
  if (!result.ok) throw invalidFields([{ path: result.path, message: result.message }]);
  return result.range;
}
