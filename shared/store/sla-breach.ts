import { slaBreachReason } from '../domain/alerts.ts';
import { slaBreached } from '../domain/cases.ts';
import { clip, MAX_NAME, type NamedRef, nameOf, notificationTitle } from '../domain/wording.ts';
import { raiseAlert } from './alerts.ts';
import { teamManagers } from './cases.ts';
import { cases, contacts } from './entities.ts';
import { getRecord, replaceRecord } from './records.ts';

/** One due time of one case: what the one-time SLA check and the alert job both act on. */
export interface SlaBreachCheck {
  readonly tenantId: string;
  readonly caseId: string;
  readonly slaDueAt: string;
}

export type SlaBreachOutcome =
  /** The case was breached: marked (now or by an earlier check) and its people notified. */
  | 'notified'
  /** Nothing to do: no such case, archived, resolved or closed, or due at another time now. */
  | 'stale'
  /** A breach of an earlier due time is still on the case; it was notified then. */
  | 'already-breached';

const MAX_ATTEMPTS = 3;

/**
 * Acts on a case whose SLA may have passed: re-reads it and acts only when it
 * is still unresolved, live and due at `slaDueAt`. It then marks
 * `slaBreachedAt` (the due time that passed, written once, conditioned on the
 * version read) and raises the `sla_breach` alert (shared/store/alerts.ts) to
 * the assignee and the managers of the case's team, once per due time: the
 * alert item and the notifications are keyed by it, so the schedule's
 * firing, its replays and the alert job's safety-net pass notify once between
 * them.
 */
export async function breachCase(check: SlaBreachCheck): Promise<SlaBreachOutcome> {
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
    const recipients = [current.ownerId, ...managers.map((manager) => manager.id)];
    const reason = slaBreachReason(slaDueAt);
    await raiseAlert(tenantId, {
      kind: 'sla_breach',
      record,
      episode: slaDueAt,
      reason,
      recipients,
      notification: {
        kind: 'sla_breach',
        title: notificationTitle({ kind: 'sla_breach', record, related }),
        record,
        related,
        occurredAt: slaDueAt,
        key: `sla:${caseId}`,
        alert: { kind: 'sla_breach', reason },
      },
    });
    return 'notified';
  }
}
