import { describe, expect, it } from 'vitest';
import {
  activityState,
  agendaKey,
  applyActivityRules,
  nextReminderState,
  parseRelatedKey,
  type ReminderFields,
  relatedKeyOf,
  remindAtProblem,
  reminderDecision,
  reminderEmail,
  reminderScheduleName,
  scheduleAction,
  sortAgenda,
} from '#shared/domain/activities';
import { activitySchemas } from '#shared/schemas/activities';

const now = new Date('2030-06-15T12:00:00.000Z');
const later = '2030-06-15T13:00:00.000Z';
const evenLater = '2030-06-15T14:00:00.000Z';
const earlier = '2030-06-15T11:00:00.000Z';

const fields = (overrides: Partial<ReminderFields> = {}): ReminderFields => ({
  status: 'open',
  archived: false,
  reminderState: 'none',
  ...overrides,
});

describe('activity rules', () => {
  it('keys activities by related record, state and schedule name', () => {
    const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    expect(relatedKeyOf({ type: 'contact', id })).toBe(`contact:${id}`);
    expect(parseRelatedKey(`deal:${id}`)).toEqual({ type: 'deal', id });
    expect(parseRelatedKey(`planet:${id}`)).toBeUndefined();
    expect(parseRelatedKey('contact:')).toBeUndefined();
    expect(activityState({ status: 'open', ownerId: 'u1' })).toBe('open#u1');
    expect(reminderScheduleName(id)).toBe(`reminder-${id}`);
  });

  it('wants a new or moved remindAt in the future', () => {
    expect(remindAtProblem(later, now)).toBeUndefined();
    expect(remindAtProblem(earlier, now)).toBe('must be in the future');
    expect(remindAtProblem(now.toISOString(), now)).toBe('must be in the future');
  });

  it('sets completedAt on entering done, keeps it while done, drops it on reopening', () => {
    const done = applyActivityRules(fields(), fields({ status: 'done' }), now);
    expect(done.completedAt).toBe(now.toISOString());
    const stillDone = applyActivityRules(done, { ...done }, new Date('2031-01-01T00:00:00Z'));
    expect(stillDone.completedAt).toBe(now.toISOString());
    const reopened = applyActivityRules(done, { ...done, status: 'open' }, now);
    expect(reopened).not.toHaveProperty('completedAt');
    expect(applyActivityRules(undefined, fields({ status: 'canceled' }), now)).not.toHaveProperty(
      'completedAt',
    );
  });
});

describe('reminder state', () => {
  it('is pending only for an open, live activity with a remindAt ahead', () => {
    expect(nextReminderState(undefined, fields({ remindAt: later }), now)).toBe('pending');
    expect(nextReminderState(undefined, fields(), now)).toBe('none');
    expect(nextReminderState(undefined, fields({ remindAt: later, status: 'done' }), now)).toBe('none');
    expect(nextReminderState(undefined, fields({ remindAt: later, archived: true }), now)).toBe('none');
    // Reopened after its reminder time passed: nothing left to fire.
    const done = fields({ status: 'done', remindAt: earlier });
    expect(nextReminderState(done, { ...done, status: 'open' }, now)).toBe('none');
  });

  it('stays pending while due (the schedule is firing) and stays sent for the same time', () => {
    const pending = fields({ remindAt: earlier, reminderState: 'pending' });
    expect(nextReminderState(pending, { ...pending }, now)).toBe('pending');
    const sent = fields({ remindAt: earlier, reminderState: 'sent', remindedAt: earlier });
    expect(nextReminderState(sent, { ...sent, status: 'done' }, now)).toBe('sent');
    expect(nextReminderState(sent, { ...sent, remindAt: later }, now)).toBe('pending');
  });

  it('keeps remindedAt only while the current reminder is sent', () => {
    const sent = fields({ remindAt: earlier, reminderState: 'sent', remindedAt: earlier });
    const moved = applyActivityRules(sent, { ...sent, remindAt: later }, now);
    expect(moved).toMatchObject({ reminderState: 'pending', remindAt: later });
    expect(moved).not.toHaveProperty('remindedAt');
    const removed = applyActivityRules(sent, { ...sent, remindAt: undefined }, now);
    expect(removed.reminderState).toBe('none');
    expect(removed).not.toHaveProperty('remindedAt');
  });
});

describe('schedule actions', () => {
  const pendingAt = (remindAt: string) => fields({ remindAt, reminderState: 'pending' });

  it('schedules a new reminder, moves a moved one, cancels one that ends', () => {
    expect(scheduleAction(undefined, pendingAt(later))).toEqual({ kind: 'schedule', remindAt: later });
    expect(scheduleAction(undefined, fields())).toEqual({ kind: 'none' });
    expect(scheduleAction(pendingAt(later), pendingAt(evenLater))).toEqual({
      kind: 'schedule',
      remindAt: evenLater,
    });
    expect(scheduleAction(pendingAt(later), pendingAt(later))).toEqual({ kind: 'none' });
    for (const ended of [
      fields({ remindAt: later, status: 'done' }),
      fields({ remindAt: later, status: 'canceled' }),
      fields({ remindAt: later, archived: true }),
      fields(),
    ]) {
      expect(scheduleAction(pendingAt(later), ended)).toEqual({ kind: 'cancel' });
    }
    // A restored or reopened activity gets its reminder back.
    expect(scheduleAction(fields({ remindAt: later, archived: true }), pendingAt(later))).toEqual({
      kind: 'schedule',
      remindAt: later,
    });
  });

  it('upserts an unchanged pending schedule again when asked, if it is still ahead', () => {
    expect(scheduleAction(pendingAt(later), pendingAt(later), { resend: true, now })).toEqual({
      kind: 'schedule',
      remindAt: later,
    });
    expect(scheduleAction(pendingAt(earlier), pendingAt(earlier), { resend: true, now })).toEqual({
      kind: 'none',
    });
  });
});

describe('reminder decision', () => {
  const pending = fields({ remindAt: later, reminderState: 'pending' });

  it('sends only for an existing, open, live activity still due at that time and not sent', () => {
    expect(reminderDecision(pending, later)).toEqual({ send: true });
    expect(reminderDecision(undefined, later)).toEqual({ send: false, reason: 'missing' });
    expect(reminderDecision({ ...pending, archived: true }, later)).toEqual({
      send: false,
      reason: 'archived',
    });
    expect(reminderDecision({ ...pending, status: 'done' }, later)).toEqual({
      send: false,
      reason: 'closed',
    });
    expect(reminderDecision({ ...pending, status: 'canceled' }, later)).toEqual({
      send: false,
      reason: 'closed',
    });
    expect(reminderDecision(pending, earlier)).toEqual({ send: false, reason: 'moved' });
    expect(reminderDecision({ ...pending, reminderState: 'sent' }, later)).toEqual({
      send: false,
      reason: 'already-sent',
    });
    expect(reminderDecision({ ...pending, reminderState: 'none' }, later)).toEqual({
      send: false,
      reason: 'not-pending',
    });
  });

  it('writes a plain-text email naming the activity', () => {
    const email = reminderEmail({
      id: 'A1',
      type: 'call',
      subject: 'Call Ana',
      body: 'About the renewal',
      dueAt: evenLater,
      remindAt: later,
    });
    expect(email.subject).toBe('Reminder: Call Ana');
    expect(email.text).toContain('Reminder for your call: Call Ana');
    expect(email.text).toContain(`Due: ${evenLater}`);
    expect(email.text).toContain('About the renewal');
  });
});

describe('agenda order', () => {
  it('orders by due time (overdue first), undated last, ties by id', () => {
    const items = [
      { id: '01B', dueAt: undefined },
      { id: '01C', dueAt: later },
      { id: '01A', dueAt: undefined },
      { id: '01D', dueAt: earlier },
      { id: '01E', dueAt: later },
    ];
    expect(sortAgenda(items).map((item) => item.id)).toEqual(['01D', '01C', '01E', '01A', '01B']);
    expect(agendaKey({ id: '01A' }) > agendaKey({ id: '01Z', dueAt: '9999-12-31T23:59:59.999Z' })).toBe(true);
  });
});

describe('activity schemas', () => {
  const schemas = activitySchemas();

  it('stores date-times as UTC and refuses what is not one', () => {
    const parsed = schemas.create.parse({
      type: 'call',
      subject: 'Call',
      dueAt: '2030-06-15T14:00:00+02:00',
      remindAt: '2030-06-15T11:30:00Z',
    });
    expect(parsed).toMatchObject({ dueAt: '2030-06-15T12:00:00.000Z', remindAt: '2030-06-15T11:30:00.000Z' });
    for (const bad of ['2030-06-15', 'tomorrow', '2030-02-30T10:00:00Z', '2030-06-15T10:00:00']) {
      expect(schemas.create.safeParse({ type: 'call', subject: 'x', dueAt: bad }).success, bad).toBe(false);
    }
  });

  it('knows the types, statuses and related types of the spec, and nothing else', () => {
    const ok = (body: unknown) => schemas.create.safeParse(body).success;
    for (const type of ['task', 'call', 'meeting', 'email', 'note'])
      expect(ok({ type, subject: 's' })).toBe(true);
    expect(ok({ type: 'lunch', subject: 's' })).toBe(false);
    expect(ok({ type: 'task' })).toBe(false);
    expect(ok({ type: 'task', subject: '  ' })).toBe(false);
    expect(ok({ type: 'task', subject: 's', status: 'blocked' })).toBe(false);
    expect(ok({ type: 'task', subject: 's', durationMin: 0 })).toBe(false);
    expect(ok({ type: 'task', subject: 's', durationMin: 1.5 })).toBe(false);
    expect(ok({ type: 'task', subject: 's', extra: 1 })).toBe(false);
    const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    for (const type of ['contact', 'company', 'deal', 'lead', 'case']) {
      expect(ok({ type: 'task', subject: 's', related: { type, id } })).toBe(true);
    }
    expect(ok({ type: 'task', subject: 's', related: { type: 'quote', id } })).toBe(false);
    expect(ok({ type: 'task', subject: 's', related: { type: 'deal', id: 'nope' } })).toBe(false);
  });

  it('patches with merge semantics: optional fields may be removed, required ones not', () => {
    expect(schemas.patch.safeParse({ remindAt: null, related: null, body: null }).success).toBe(true);
    expect(schemas.patch.safeParse({ status: 'done' }).success).toBe(true);
    for (const field of ['type', 'subject', 'status', 'assigneeId']) {
      expect(schemas.patch.safeParse({ [field]: null }).success, field).toBe(false);
    }
    expect(schemas.patch.safeParse({}).success).toBe(false);
  });

  it('lists by related record as <type>:<id>', () => {
    const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    expect(schemas.listQuery.safeParse({ related: `contact:${id}` }).success).toBe(true);
    expect(schemas.listQuery.safeParse({ related: id }).success).toBe(false);
    expect(schemas.listQuery.safeParse({ related: `user:${id}` }).success).toBe(false);
    expect(schemas.listQuery.safeParse({ dueBefore: 'soon' }).success).toBe(false);
  });
});
