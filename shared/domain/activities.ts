import { type NamedRef, recordPhrase, recordUrl } from './wording.ts';

/**
 * Rules of activities (tasks, calls, meetings, emails, notes) and their
 * reminders. Pure: no I/O, the clock is an argument.
 */
export const activityTypes = ['task', 'call', 'meeting', 'email', 'note'] as const;
export type ActivityType = (typeof activityTypes)[number];

export const activityStatuses = ['open', 'done', 'canceled'] as const;
export type ActivityStatus = (typeof activityStatuses)[number];

/** What an activity may be about. */
export const relatedTypes = ['contact', 'company', 'deal', 'lead', 'case'] as const;
export type RelatedType = (typeof relatedTypes)[number];

export interface Related {
  readonly type: RelatedType;
  readonly id: string;
}

/**
 * `none`: nothing will fire. `pending`: a schedule exists for `remindAt`.
 * `sent`: the reminder for the current `remindAt` went out (`remindedAt` says when).
 */
export const reminderStates = ['none', 'pending', 'sent'] as const;
export type ReminderState = (typeof reminderStates)[number];

/** The fields the reminder rules look at. */
export interface ReminderFields {
  readonly status: ActivityStatus;
  readonly archived: boolean;
  readonly remindAt?: string;
  readonly reminderState: ReminderState;
  readonly remindedAt?: string;
  readonly completedAt?: string;
}

/** `contact:01H...`: the value activities are listed under (`?related=contact:ID`). */
export const relatedKeyOf = (related: Related): string => `${related.type}:${related.id}`;

export function parseRelatedKey(value: string): Related | undefined {
  const at = value.indexOf(':');
  const type = value.slice(0, at) as RelatedType;
  const id = value.slice(at + 1);
  return at > 0 && relatedTypes.includes(type) && id !== '' ? { type, id } : undefined;
}

/** One schedule per activity: moving the reminder overwrites it. */
export const reminderScheduleName = (activityId: string): string => `reminder-${activityId}`;

/** The gsi6 state of an activity: its status and assignee, so `open#<me>` is the caller's agenda. */
export const activityState = (activity: { status: ActivityStatus; ownerId: string }): string =>
  `${activity.status}#${activity.ownerId}`;

/** A new or moved `remindAt` must lie ahead; `undefined` when it does. */
export function remindAtProblem(remindAt: string, now: Date): string | undefined {
  return Date.parse(remindAt) > now.getTime() ? undefined : 'must be in the future';
}

/** `completedAt` follows `status`: set on entering done, removed on leaving it. */
export function withCompletion<T extends ReminderFields>(before: T | undefined, after: T, now: Date): T {
  if (after.status === 'done') {
    if (before?.status === 'done' && before.completedAt) return { ...after, completedAt: before.completedAt };
    return { ...after, completedAt: now.toISOString() };
  }
  if (after.completedAt === undefined) return after;
  const { completedAt: _removed, ...rest } = after;
  return rest as T;
}

/**
 * The reminder state after a change. A reminder already sent for this `remindAt`
 * stays sent; one that is pending stays pending while it is due (its schedule
 * is firing); a reminder is pending only for an open, live activity whose
 * `remindAt` lies ahead. Anything else has nothing to fire.
 */
export function nextReminderState(
  before: ReminderFields | undefined,
  after: ReminderFields,
  now: Date,
): ReminderState {
  if (after.remindAt === undefined) return 'none';
  const same = before !== undefined && before.remindAt === after.remindAt;
  if (same && before.reminderState === 'sent') return 'sent';
  if (after.status !== 'open' || after.archived) return 'none';
  if (same && before.reminderState === 'pending') return 'pending';
  return Date.parse(after.remindAt) > now.getTime() ? 'pending' : 'none';
}

/** Applies the completion and reminder rules to an activity being created (`before` undefined) or changed. */
export function applyActivityRules<T extends ReminderFields>(before: T | undefined, after: T, now: Date): T {
  const completed = withCompletion(before, after, now);
  const reminderState = nextReminderState(before, completed, now);
  const next = { ...completed, reminderState };
  if (reminderState === 'sent') return next;
  // `remindedAt` describes the current reminder only.
  const { remindedAt: _stale, ...rest } = next;
  return rest as T;
}

export type ScheduleAction =
  | { readonly kind: 'schedule'; readonly remindAt: string }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'none' };

/**
 * What the scheduler must do for a change. A pending reminder whose time moved
 * (or that was not pending before) is scheduled; one that stops being pending
 * is canceled. `resend` re-upserts an unchanged pending schedule (a client
 * that sets `remindAt` again repairs a schedule lost to an earlier failure).
 */
export function scheduleAction(
  before: ReminderFields | undefined,
  after: ReminderFields,
  options: { resend?: boolean; now?: Date } = {},
): ScheduleAction {
  const wasPending = before?.reminderState === 'pending';
  if (after.reminderState === 'pending' && after.remindAt !== undefined) {
    const moved = !wasPending || before?.remindAt !== after.remindAt;
    const ahead = options.now === undefined || Date.parse(after.remindAt) > options.now.getTime();
    return moved || (options.resend && ahead)
      ? { kind: 'schedule', remindAt: after.remindAt }
      : { kind: 'none' };
  }
  return wasPending ? { kind: 'cancel' } : { kind: 'none' };
}

export type ReminderDecision =
  | { readonly send: true }
  | {
      readonly send: false;
      readonly reason: 'missing' | 'archived' | 'closed' | 'moved' | 'already-sent' | 'not-pending';
    };

/**
 * Whether a firing for `remindAt` may send: only for an activity that still
 * exists, is open and live, still wants a reminder at exactly that time and has
 * not had it yet. A moved reminder's old firing, a duplicate or a late one for a
 * done, canceled, archived or erased activity does nothing.
 */
export function reminderDecision(activity: ReminderFields | undefined, remindAt: string): ReminderDecision {
  if (!activity) return { send: false, reason: 'missing' };
  if (activity.archived) return { send: false, reason: 'archived' };
  if (activity.status !== 'open') return { send: false, reason: 'closed' };
  if (activity.remindAt !== remindAt) return { send: false, reason: 'moved' };
  if (activity.reminderState === 'sent') return { send: false, reason: 'already-sent' };
  if (activity.reminderState !== 'pending') return { send: false, reason: 'not-pending' };
  return { send: true };
}

/**
 * The agenda's order: by due time, so overdue ones come first; undated ones
 * last; ties by id (oldest first). The key sorts as a string, for cursors too.
 */
export const agendaKey = (activity: { id: string; dueAt?: string }): string =>
  `${activity.dueAt ?? '~'}#${activity.id}`;

export function sortAgenda<T extends { id: string; dueAt?: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => {
    const left = agendaKey(a);
    const right = agendaKey(b);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

/**
 * The reminder email, plain text: what the activity is, the record it is
 * about by name, when it is due, and links to both under `linkBase` (the
 * API's public URL; paths alone when unknown).
 */
export function reminderEmail(
  activity: {
    id: string;
    type: ActivityType;
    subject: string;
    body?: string;
    dueAt?: string;
    remindAt: string;
  },
  context: { related?: NamedRef; linkBase?: string } = {},
): { subject: string; text: string } {
  const base = context.linkBase ?? '';
  const related = context.related;
  const lines = [
    `Reminder for your ${activity.type}: ${activity.subject}`,
    ...(related ? [`About: ${recordPhrase(related)}`] : []),
    '',
    `Due: ${activity.dueAt ?? 'no due date'}`,
    ...(activity.body ? ['', activity.body] : []),
    '',
    `Open the ${activity.type}: ${recordUrl(base, { type: 'activity', id: activity.id })}`,
    ...(related ? [`Open the ${related.type}: ${recordUrl(base, related)}`] : []),
    `(reminder set for ${activity.remindAt})`,
  ];
  return { subject: `Reminder: ${activity.subject}`, text: lines.join('\n') };
}
