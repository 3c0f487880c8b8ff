import { describe, expect, it } from 'vitest';
import {
  type CaseLifecycle,
  type CaseStatus,
  canMove,
  caseStatuses,
  defaultSlaHours,
  isUnresolved,
  moveCase,
  slaBreached,
  slaDueAt,
  slaHoursOf,
  slaScheduleChange,
  withSla,
} from '#shared/domain/cases';
import { caseSchemas, slaSettingsSchemas } from '#shared/schemas/cases';

const created = '2030-06-15T12:00:00.000Z';
const now = new Date('2030-06-16T00:00:00.000Z');

const aCase = (overrides: Partial<CaseLifecycle> = {}): CaseLifecycle => ({
  status: 'new',
  priority: 'normal',
  archived: false,
  slaStartAt: created,
  slaDueAt: slaDueAt(created, 'normal', defaultSlaHours),
  ...overrides,
});

describe('case status machine', () => {
  const allowed: Record<CaseStatus, CaseStatus[]> = {
    new: ['open', 'pending', 'resolved', 'closed'],
    open: ['pending', 'resolved', 'closed'],
    pending: ['open', 'resolved', 'closed'],
    resolved: ['open', 'closed'],
    closed: [],
  };

  it('allows exactly the moves of the spec and refuses every other one', () => {
    for (const from of caseStatuses) {
      for (const to of caseStatuses) {
        if (from === to) continue;
        expect(canMove(from, to), `${from} → ${to}`).toBe(allowed[from].includes(to));
        const move = moveCase(aCase({ status: from }), to, defaultSlaHours, now);
        expect(move.ok, `${from} → ${to}`).toBe(allowed[from].includes(to));
      }
    }
  });

  it('explains a refusal, and a closed case is final', () => {
    expect(moveCase(aCase({ status: 'open' }), 'new', defaultSlaHours, now)).toEqual({
      ok: false,
      message: 'A open case can move to pending, resolved, closed, not new',
    });
    expect(moveCase(aCase({ status: 'closed' }), 'open', defaultSlaHours, now)).toEqual({
      ok: false,
      message: 'A closed case cannot change status',
    });
  });

  it('treats staying in a status as no move', () => {
    const record = aCase({ status: 'pending' });
    expect(moveCase(record, 'pending', defaultSlaHours, now)).toEqual({ ok: true, case: record });
  });

  it('stamps resolution and closing', () => {
    const resolved = moveCase(aCase({ status: 'open' }), 'resolved', defaultSlaHours, now);
    expect(resolved).toMatchObject({ ok: true, case: { status: 'resolved', resolvedAt: now.toISOString() } });
    const closed = moveCase(aCase({ status: 'resolved' }), 'closed', defaultSlaHours, now);
    expect(closed).toMatchObject({ ok: true, case: { status: 'closed', closedAt: now.toISOString() } });
  });

  it('reopens with a fresh SLA clock, withdrawing the resolution and an unused link', () => {
    const record = aCase({
      status: 'resolved',
      resolution: 'Replaced the unit',
      resolvedAt: '2030-06-15T13:00:00.000Z',
      csatNonce: 'AAAAAAAAAAAA',
      slaBreachedAt: created,
      priority: 'high',
    });
    const move = moveCase(record, 'open', defaultSlaHours, now);
    expect(move.ok).toBe(true);
    if (!move.ok) return;
    expect(move.case).toEqual({
      status: 'open',
      priority: 'high',
      archived: false,
      reopenedAt: now.toISOString(),
      slaStartAt: now.toISOString(),
      slaDueAt: '2030-06-16T08:00:00.000Z',
    });
  });

  it('knows which statuses still wait for a resolution', () => {
    expect(caseStatuses.filter(isUnresolved)).toEqual(['new', 'open', 'pending']);
  });
});

describe('SLA computation', () => {
  it('adds the hours of the priority to the clock start', () => {
    expect(slaDueAt(created, 'urgent', defaultSlaHours)).toBe('2030-06-15T16:00:00.000Z');
    expect(slaDueAt(created, 'high', defaultSlaHours)).toBe('2030-06-15T20:00:00.000Z');
    expect(slaDueAt(created, 'normal', defaultSlaHours)).toBe('2030-06-16T12:00:00.000Z');
    expect(slaDueAt(created, 'low', defaultSlaHours)).toBe('2030-06-18T12:00:00.000Z');
    expect(slaDueAt(created, 'urgent', { ...defaultSlaHours, urgent: 0.5 })).toBe('2030-06-15T12:30:00.000Z');
  });

  it('fills what a tenant did not set (or stored badly) with the defaults', () => {
    expect(slaHoursOf(undefined)).toEqual({ urgent: 4, high: 8, normal: 24, low: 72 });
    expect(slaHoursOf({ urgent: 2, low: 100 })).toEqual({ urgent: 2, high: 8, normal: 24, low: 100 });
    expect(slaHoursOf({ urgent: -1, high: 'x', normal: 721 })).toEqual(defaultSlaHours);
  });

  it('recomputes the due time from the clock start when the priority changes', () => {
    const urgent = withSla(aCase({ priority: 'urgent' }), defaultSlaHours, new Date(created));
    expect(urgent.slaDueAt).toBe('2030-06-15T16:00:00.000Z');
    const same = aCase();
    expect(withSla(same, defaultSlaHours, now)).toBe(same);
  });

  it('clears a breach when the due time moves into the future, keeps it otherwise', () => {
    const breached = aCase({
      priority: 'urgent',
      slaDueAt: '2030-06-15T16:00:00.000Z',
      slaBreachedAt: '2030-06-15T16:00:00.000Z',
    });
    const later = withSla({ ...breached, priority: 'low' }, defaultSlaHours, now);
    expect(later.slaDueAt).toBe('2030-06-18T12:00:00.000Z');
    expect(later.slaBreachedAt).toBeUndefined();
    const stillPast = withSla({ ...breached, priority: 'high' }, defaultSlaHours, now);
    expect(stillPast.slaDueAt).toBe('2030-06-15T20:00:00.000Z');
    expect(stillPast.slaBreachedAt).toBe('2030-06-15T16:00:00.000Z');
  });

  it('finds a check breached only for a live, unresolved case due at the check’s time', () => {
    const record = aCase();
    expect(slaBreached(record, record.slaDueAt)).toBe(true);
    expect(slaBreached(record, created)).toBe(false);
    expect(slaBreached({ ...record, status: 'pending' }, record.slaDueAt)).toBe(true);
    expect(slaBreached({ ...record, status: 'resolved' }, record.slaDueAt)).toBe(false);
    expect(slaBreached({ ...record, status: 'closed' }, record.slaDueAt)).toBe(false);
    expect(slaBreached({ ...record, archived: true }, record.slaDueAt)).toBe(false);
  });
});

describe('SLA schedule changes', () => {
  it('schedules a new case, moves on a new due time, leaves other changes alone', () => {
    const record = aCase();
    expect(slaScheduleChange(undefined, record)).toBe('schedule');
    expect(slaScheduleChange(record, { ...record, status: 'open' })).toBe('none');
    expect(slaScheduleChange(record, { ...record, slaDueAt: created })).toBe('schedule');
  });

  it('cancels when the case stops waiting and schedules again when it waits anew', () => {
    const record = aCase({ status: 'open' });
    for (const after of [
      { ...record, status: 'resolved' as const },
      { ...record, status: 'closed' as const },
      { ...record, archived: true },
    ]) {
      expect(slaScheduleChange(record, after)).toBe('cancel');
      expect(slaScheduleChange(after, record)).toBe('schedule');
    }
    const resolved = aCase({ status: 'resolved' });
    expect(slaScheduleChange(resolved, { ...resolved, status: 'closed' })).toBe('none');
    expect(slaScheduleChange(undefined, resolved)).toBe('none');
  });
});

describe('case schemas', () => {
  const contactId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

  it('needs subject, type and contact, and knows the enumerations', () => {
    expect(caseSchemas().create.safeParse({ subject: 'Broken', type: 'complaint', contactId }).success).toBe(
      true,
    );
    const bad = caseSchemas().create.safeParse({
      subject: ' ',
      type: 'rant',
      priority: 'asap',
      channel: 'fax',
      contactId: 'nope',
      extra: 1,
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((issue) => issue.path.join('.') || 'keys');
    expect(paths).toEqual(expect.arrayContaining(['subject', 'type', 'priority', 'channel', 'contactId']));
  });

  it('patches with nullable optional fields but never nulls required ones', () => {
    const patch = caseSchemas().patch;
    expect(patch.safeParse({ description: null, companyId: null, status: 'open' }).success).toBe(true);
    expect(patch.safeParse({ subject: null }).success).toBe(false);
    expect(patch.safeParse({ status: null }).success).toBe(false);
    expect(patch.safeParse({}).success).toBe(false);
  });

  it('takes CSAT scores 1 to 5 as integers and comments up to 2000 characters', () => {
    const csat = caseSchemas().csat;
    for (const score of [1, 3, 5]) expect(csat.safeParse({ score }).success).toBe(true);
    for (const score of [0, 6, 2.5, '4', null]) expect(csat.safeParse({ score }).success).toBe(false);
    expect(csat.safeParse({ score: 4, comment: 'x'.repeat(2000) }).success).toBe(true);
    expect(csat.safeParse({ score: 4, comment: 'x'.repeat(2001) }).success).toBe(false);
  });

  it('takes SLA hours above 0 and up to 720', () => {
    const put = slaSettingsSchemas().put;
    expect(put.safeParse({ urgent: 1, high: 0.5, normal: 720 }).success).toBe(true);
    expect(put.safeParse({}).success).toBe(true);
    for (const hours of [0, -1, 721, '4', null, Number.POSITIVE_INFINITY])
      expect(put.safeParse({ low: hours }).success, String(hours)).toBe(false);
    expect(put.safeParse({ critical: 1 }).success).toBe(false);
  });
});
