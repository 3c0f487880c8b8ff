import { slaBreached } from '#shared/domain/cases';
import { clip, MAX_NAME, type NamedRef, nameOf, notificationTitle } from '#shared/domain/wording';
import { observed, tenantOf } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { teamManagers } from '#shared/store/cases';
import { cases, contacts } from '#shared/store/entities';
import { notify } from '#shared/store/notifications';
import { getRecord, replaceRecord } from '#shared/store/records';

/**
 * The one-time SLA check of a case (schedule `sla-<caseId>` at its `slaDueAt`).
 * EventBridge Scheduler delivers at least once and sometimes late, and the case
 * may have changed since the schedule was made, so the check re-reads the case
 * and acts only when it is still unresolved, live and due at the payload's
 * time. It then marks `slaBreachedAt` (the due time that passed, written once,
 * conditioned on the version read) and notifies the assignee and the managers
 * of the case's team. Notifications are keyed by the due time, so a replayed
 * firing, or a retry after a crash between the two steps, notifies once.
 */
export interface SlaCheckEvent {
  readonly tenantId: string;
  readonly caseId: string;
  readonly slaDueAt: string;
}

export type SlaCheckOutcome =
  /** The case was breached: marked (now or by an earlier firing) and its people notified. */
  | 'notified'
  /** Nothing to do: no such case, archived, resolved or closed, or due at another time now. */
  | 'stale'
  /** A breach of an earlier due time is still on the case; it was notified then. */
  | 'already-breached'
  /** The event is not an SLA check's (dropped: retrying cannot fix it). */
  | 'invalid';

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const MAX_ATTEMPTS = 3;

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
  const { tenantId, caseId, slaDueAt } = check;
  for (let attempt = 1; ; attempt++) {
    const current = await getRecord(cases, tenantId, caseId, true);
    if (!current || !slaBreached(current, slaDueAt)) return 'stale';
    if (current.slaBreachedAt !== undefined && current.slaBreachedAt !== slaDueAt) return 'already-breached';
    if (current.slaBreachedAt === undefined) {
      const outcome = await replaceRecord(cases, tenantId, current, {
        ...current,
        slaBreachedAt: slaDueAt,
        version: current.version + 1,
        updatedAt: new Date().toISOString(),
      });
      // Someone changed the case meanwhile: look again at what it is now.
      if (!outcome.ok) {
        if (attempt < MAX_ATTEMPTS) continue;
        throw new Error(`The case ${caseId} kept changing during its SLA check`);
      }
    }
    const [managers, person] = await Promise.all([
      teamManagers(tenantId, current.teamId),
      getRecord(contacts, tenantId, current.contactId),
    ]);
    const record: NamedRef = { type: 'case', id: caseId, name: clip(current.subject, MAX_NAME) };
    const personName = person ? nameOf(person as unknown as Record<string, unknown>) : undefined;
    const related: NamedRef = {
      type: 'contact',
      id: current.contactId,
      ...(personName ? { name: personName } : {}),
    };
    await notify(tenantId, [current.ownerId, ...managers.map((manager) => manager.id)], {
      kind: 'sla_breach',
      title: notificationTitle({ kind: 'sla_breach', record, related }),
      record,
      related,
      occurredAt: slaDueAt,
      key: `sla:${caseId}`,
    });
    return 'notified';
  }
}, tenantOf);
