import { observed, tenantOf } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { breachCase, type SlaBreachOutcome } from '#shared/store/sla-breach';

/**
 * The one-time SLA check of a case (schedule `sla-<caseId>` at its `slaDueAt`).
 * EventBridge Scheduler delivers at least once and sometimes late, and the case
 * may have changed since the schedule was made, so the check re-reads the case
 * and acts only when it is still unresolved, live and due at the payload's
 * time (shared/store/sla-breach.ts): it marks `slaBreachedAt` and raises the
 * `sla_breach` alert to the assignee and the managers of the case's team, once
 * per due time, shared with the recurring alert job (functions/schedule/alertScan.ts),
 * which catches a breach whose schedule was lost.
 */
export interface SlaCheckEvent {
  readonly tenantId: string;
  readonly caseId: string;
  readonly slaDueAt: string;
}

export type SlaCheckOutcome =
  | SlaBreachOutcome
  /** The event is not an SLA check's (dropped: retrying cannot fix it). */
  | 'invalid';

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function parse(event: unknown): SlaCheckEvent | undefined {
  const { tenantId, caseId, slaDueAt } = (event ?? {}) as Record<string, unknown>;
  if (typeof tenantId !== 'string' || !SAFE_ID.test(tenantId)) return undefined;
  if (typeof caseId !== 'string' || !ULID.test(caseId)) return undefined;
  if (typeof slaDueAt !== 'string' || Number.isNaN(Date.parse(slaDueAt))) return undefined;
  return { tenantId, caseId, slaDueAt };
}

export const handler = observed(async function slaCheck(event: unknown): Promise<SlaCheckOutcome> {
  const check = parse(event);
  if (!check) {
    logger.error('invalid SLA check event', { event });
    return 'invalid';
  }
  return breachCase(check);
}, tenantOf);
