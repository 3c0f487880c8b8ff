/**
 * The life of a service case and its service-level agreement (SLA).
 *
 * Status: new → open | pending | resolved | closed; open → pending | resolved |
 * closed; pending → open | resolved | closed; resolved → open (reopen) | closed;
 * closed is final. Any other move is refused (409).
 *
 * SLA: a case is due `hours[priority]` after its SLA clock started: its
 * creation, or its last reopening. A priority change recomputes the due time
 * from the same start. Pure rules only: no AWS imports.
 */
export const caseStatuses = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

export const caseTypes = ['service_request', 'complaint', 'return', 'information'] as const;
export type CaseType = (typeof caseTypes)[number];

export const casePriorities = ['low', 'normal', 'high', 'urgent'] as const;
export type CasePriority = (typeof casePriorities)[number];

export const caseChannels = ['web', 'email', 'phone', 'in_person', 'chat'] as const;
export type CaseChannel = (typeof caseChannels)[number];

const transitions: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: [],
};

/** The statuses a case may move to from `from`. */
export const nextStatuses = (from: CaseStatus): readonly CaseStatus[] => transitions[from];

export const canMove = (from: CaseStatus, to: CaseStatus): boolean => transitions[from].includes(to);

/** Whether the SLA still runs: the case waits for someone to resolve it. */
export const isUnresolved = (status: CaseStatus): boolean =>
  status === 'new' || status === 'open' || status === 'pending';

/** Hours allowed per priority. */
export type SlaHours = Readonly<Record<CasePriority, number>>;

export const defaultSlaHours: SlaHours = { urgent: 4, high: 8, normal: 24, low: 72 };

export const MAX_SLA_HOURS = 720;

/** The tenant's hours: what it set (a stored value of any shape), the defaults for the rest. */
export const slaHoursOf = (stored: unknown): SlaHours =>
  Object.fromEntries(
    casePriorities.map((priority) => {
      const value =
        typeof stored === 'object' && stored !== null
          ? (stored as Record<string, unknown>)[priority]
          : undefined;
      const valid = typeof value === 'number' && value > 0 && value <= MAX_SLA_HOURS;
      return [priority, valid ? value : defaultSlaHours[priority]];
    }),
  ) as unknown as SlaHours;

const HOUR_MS = 60 * 60 * 1000;

/** When a case of `priority` whose clock started at `startedAt` is due (ISO, UTC, whole milliseconds). */
export function slaDueAt(startedAt: string, priority: CasePriority, hours: SlaHours): string {
  return new Date(Date.parse(startedAt) + Math.round(hours[priority] * HOUR_MS)).toISOString();
}

/** The SLA fields of a case. */
export interface CaseSla {
  readonly status: CaseStatus;
  readonly priority: CasePriority;
  readonly archived: boolean;
  /** When the SLA clock started: creation, or the last reopening. */
  readonly slaStartAt: string;
  readonly slaDueAt: string;
  /** The due time that passed unresolved (set once per due time by the scheduled check). */
  readonly slaBreachedAt?: string;
}

/**
 * The case with its due time computed from its clock start. A due time that
 * moves into the future clears an earlier breach: the case is within its SLA
 * again, and a later breach is flagged (and notified) anew.
 */
export function withSla<T extends CaseSla>(record: T, hours: SlaHours, now: Date): T {
  const due = slaDueAt(record.slaStartAt, record.priority, hours);
  if (due === record.slaDueAt) return record;
  const { slaBreachedAt, ...rest } = record;
  const stillBreached = slaBreachedAt !== undefined && Date.parse(due) <= now.getTime();
  return { ...rest, slaDueAt: due, ...(stillBreached ? { slaBreachedAt } : {}) } as T;
}

/** A case as far as its status goes. */
export interface CaseLifecycle extends CaseSla {
  readonly resolution?: string;
  readonly resolvedAt?: string;
  readonly closedAt?: string;
  readonly reopenedAt?: string;
  readonly csatNonce?: string;
}

export type CaseMove<T> =
  | { readonly ok: true; readonly case: T }
  | { readonly ok: false; readonly message: string };

/**
 * Moves a case to `to`, stamping what the move means: `resolvedAt`,
 * `closedAt`, or, for a reopening, `reopenedAt` with a fresh SLA clock, and
 * the resolution and any unused satisfaction link withdrawn. Staying in the
 * same status is no move (the case comes back as it was).
 */
export function moveCase<T extends CaseLifecycle>(
  record: T,
  to: CaseStatus,
  hours: SlaHours,
  now: Date,
): CaseMove<T> {
  if (record.status === to) return { ok: true, case: record };
  if (!canMove(record.status, to)) {
    const allowed = nextStatuses(record.status);
    return {
      ok: false,
      message:
        allowed.length === 0
          ? `A ${record.status} case cannot change status`
          : `A ${record.status} case can move to ${allowed.join(', ')}, not ${to}`,
    };
  }
  const at = now.toISOString();
  switch (to) {
    case 'resolved':
      return { ok: true, case: { ...record, status: to, resolvedAt: at } };
    case 'closed':
      return { ok: true, case: { ...record, status: to, closedAt: at } };
    default: {
      if (record.status !== 'resolved') return { ok: true, case: { ...record, status: to } };
      const { resolution: _r, resolvedAt: _at, csatNonce: _n, slaBreachedAt: _b, ...rest } = record;
      const reopened = { ...rest, status: to, reopenedAt: at, slaStartAt: at } as unknown as T;
      return {
        ok: true,
        case: { ...reopened, slaDueAt: slaDueAt(at, record.priority, hours) },
      };
    }
  }
}

export type SlaScheduleChange = 'schedule' | 'cancel' | 'none';

/** Whether the case has a pending SLA check: live and still waiting for a resolution. */
export const slaWatched = (record: CaseSla): boolean => !record.archived && isUnresolved(record.status);

/**
 * What the case's one-time SLA check needs after a write: created or moved
 * when an unresolved, live case is new or got another due time; deleted when
 * the case stops waiting (resolved, closed, archived).
 */
export function slaScheduleChange(before: CaseSla | undefined, after: CaseSla): SlaScheduleChange {
  const was = before !== undefined && slaWatched(before);
  if (!slaWatched(after)) return was ? 'cancel' : 'none';
  return !was || before?.slaDueAt !== after.slaDueAt ? 'schedule' : 'none';
}

/** Whether the check due at `dueAt` finds the case breached: still waiting, and due then. */
export const slaBreached = (record: CaseSla, dueAt: string): boolean =>
  slaWatched(record) && record.slaDueAt === dueAt;
