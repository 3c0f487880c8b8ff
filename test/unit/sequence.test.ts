import { describe, expect, it } from 'vitest';
import {
  conditionHolds,
  exitEventsOf,
  exitReasonFor,
  exitsOn,
  mailability,
  stepDueAt,
  stepFiring,
  stepScheduleName,
} from '../../shared/domain/sequence.ts';
import { scheduleNamePattern } from '../../shared/schedule/request.ts';
import { sequenceSchemas } from '../../shared/schemas/sequences.ts';

const ULID = '01J0000000000000000000000A';
const ULID2 = '01J0000000000000000000000B';

describe('step conditions', () => {
  const opened = { openedAt: '2030-01-01T10:00:00.000Z' };
  const clicked = { clickedAt: '2030-01-01T10:00:00.000Z' };

  it('always sends', () => {
    expect(conditionHolds('always', undefined)).toBe(true);
    expect(conditionHolds('always', { ...opened, ...clicked })).toBe(true);
  });

  it('not_opened sends unless the last email was opened or clicked', () => {
    expect(conditionHolds('not_opened', {})).toBe(true);
    expect(conditionHolds('not_opened', undefined)).toBe(true);
    expect(conditionHolds('not_opened', opened)).toBe(false);
    // A click proves an open even when the pixel was blocked.
    expect(conditionHolds('not_opened', clicked)).toBe(false);
  });

  it('does not count machine opens as opens', () => {
    const machine = { machineOpenedAt: '2030-01-01T10:00:01.000Z' };
    expect(conditionHolds('not_opened', machine)).toBe(true);
  });

  it('not_clicked sends unless the last email was clicked', () => {
    expect(conditionHolds('not_clicked', opened)).toBe(true);
    expect(conditionHolds('not_clicked', undefined)).toBe(true);
    expect(conditionHolds('not_clicked', clicked)).toBe(false);
  });
});

describe('step firings', () => {
  const active = { status: 'active' as const, currentStep: 2, runId: 'r1' };

  it('acts only on an active enrollment of the same run at the same step', () => {
    expect(stepFiring(active, { step: 2, runId: 'r1' })).toEqual({ act: true });
    expect(stepFiring(undefined, { step: 2, runId: 'r1' })).toEqual({ act: false, reason: 'stale' });
    expect(stepFiring(active, { step: 2, runId: 'r0' })).toEqual({ act: false, reason: 'stale' });
    expect(stepFiring({ ...active, status: 'exited' }, { step: 2, runId: 'r1' })).toEqual({
      act: false,
      reason: 'ended',
    });
    expect(stepFiring({ ...active, status: 'completed' }, { step: 2, runId: 'r1' })).toMatchObject({
      reason: 'ended',
    });
  });

  it('tells a duplicate firing (done) from one that came before its step (early, retried)', () => {
    expect(stepFiring(active, { step: 1, runId: 'r1' })).toEqual({ act: false, reason: 'done' });
    expect(stepFiring(active, { step: 3, runId: 'r1' })).toEqual({ act: false, reason: 'early' });
  });

  it('schedules the next step delayHours after now', () => {
    const now = new Date('2030-01-01T00:00:00.000Z');
    expect(stepDueAt(now, 0).toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(stepDueAt(now, 1.5).toISOString()).toBe('2030-01-01T01:30:00.000Z');
    expect(stepDueAt(now, 8760).toISOString()).toBe('2031-01-01T00:00:00.000Z');
  });
});

describe('step schedule names', () => {
  const enrollment = { tenantId: 't-long-tenant-name', sequenceId: ULID, contactId: ULID2, runId: 'run-1' };

  it('fit EventBridge Scheduler names for every step', () => {
    for (const step of [0, 1, 19]) {
      const name = stepScheduleName({ ...enrollment, step });
      expect(name).toMatch(scheduleNamePattern);
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name.endsWith(`-${step}`)).toBe(true);
    }
    const longIds = { tenantId: 'x'.repeat(128), sequenceId: 'y'.repeat(128), contactId: 'z'.repeat(128) };
    expect(stepScheduleName({ ...enrollment, ...longIds, step: 19 })).toMatch(scheduleNamePattern);
  });

  it('are stable, and unique per tenant, sequence, contact, run and step', () => {
    const name = stepScheduleName({ ...enrollment, step: 1 });
    expect(stepScheduleName({ ...enrollment, step: 1 })).toBe(name);
    const others = [
      { ...enrollment, step: 2 },
      { ...enrollment, tenantId: 'other', step: 1 },
      { ...enrollment, sequenceId: ULID2, step: 1 },
      { ...enrollment, contactId: ULID, step: 1 },
      { ...enrollment, runId: 'run-2', step: 1 },
    ].map(stepScheduleName);
    expect(new Set([name, ...others]).size).toBe(6);
  });
});

describe('mailability', () => {
  const contact = { archived: false, email: 'ana@example.com', marketingStatus: 'subscribed' };

  it('says why a contact cannot be mailed, and which exit that means at fire time', () => {
    expect(mailability(contact, false)).toBe('ok');
    expect(mailability(undefined, false)).toBe('not_found');
    expect(mailability({ ...contact, archived: true }, false)).toBe('not_found');
    expect(mailability({ archived: false, marketingStatus: 'subscribed' }, false)).toBe('no_email');
    expect(mailability({ ...contact, marketingStatus: 'bounced' }, false)).toBe('not_subscribed');
    expect(mailability(contact, true)).toBe('suppressed');
    expect(exitReasonFor('not_found')).toBe('contact_removed');
    expect(exitReasonFor('no_email')).toBe('no_email');
    expect(exitReasonFor('not_subscribed')).toBe('unsubscribed');
    expect(exitReasonFor('suppressed')).toBe('unsubscribed');
  });
});

describe('exit triggers', () => {
  const tenantId = 't1';
  const contact = { entity: 'contact', tenantId, id: ULID, marketingStatus: 'subscribed' };

  it('fire when a contact leaves subscribed, not on other changes', () => {
    expect(exitEventsOf(contact, { ...contact, marketingStatus: 'unsubscribed' })).toEqual([
      { trigger: 'unsubscribed', tenantId, contactIds: [ULID] },
    ]);
    expect(exitEventsOf(contact, { ...contact, marketingStatus: 'bounced' })).toHaveLength(1);
    expect(exitEventsOf(contact, { ...contact, city: 'Madrid' })).toEqual([]);
    const unsubscribed = { ...contact, marketingStatus: 'unsubscribed' };
    expect(exitEventsOf(unsubscribed, { ...unsubscribed, marketingStatus: 'complained' })).toEqual([]);
    expect(exitEventsOf(unsubscribed, contact)).toEqual([]);
  });

  it('fire for every contact of a deal entering a won stage, once', () => {
    const deal = { entity: 'deal', tenantId, id: 'd', status: 'open', contactIds: [ULID, ULID2, ULID] };
    expect(exitEventsOf(deal, { ...deal, status: 'won' })).toEqual([
      { trigger: 'deal_won', tenantId, contactIds: [ULID, ULID2] },
    ]);
    expect(exitEventsOf(undefined, { ...deal, status: 'won' })).toHaveLength(1);
    expect(exitEventsOf({ ...deal, status: 'won' }, { ...deal, status: 'won', name: 'x' })).toEqual([]);
    expect(exitEventsOf(deal, { ...deal, status: 'lost' })).toEqual([]);
    expect(exitEventsOf(deal, { ...deal, status: 'won', contactIds: [] })).toEqual([]);
  });

  it('fire when a case is opened for the contact, not when it changes', () => {
    const record = { entity: 'case', tenantId, id: 'c', contactId: ULID, status: 'new' };
    expect(exitEventsOf(undefined, record)).toEqual([
      { trigger: 'case_opened', tenantId, contactIds: [ULID] },
    ]);
    expect(exitEventsOf(record, { ...record, status: 'open' })).toEqual([]);
  });

  it('fire for an inbound logged email related to the contact only', () => {
    const reply = {
      entity: 'activity',
      tenantId,
      id: 'a',
      type: 'email',
      direction: 'inbound',
      archived: false,
      related: { type: 'contact', id: ULID },
    };
    expect(exitEventsOf(undefined, reply)).toEqual([{ trigger: 'replied', tenantId, contactIds: [ULID] }]);
    expect(exitEventsOf(undefined, { ...reply, direction: 'outbound' })).toEqual([]);
    expect(exitEventsOf(undefined, { ...reply, direction: undefined })).toEqual([]);
    expect(exitEventsOf(undefined, { ...reply, type: 'call' })).toEqual([]);
    expect(exitEventsOf(undefined, { ...reply, related: { type: 'deal', id: ULID } })).toEqual([]);
    // Edited into a reply: it counts; edited while staying one: it does not count again.
    expect(exitEventsOf({ ...reply, direction: 'outbound' }, reply)).toHaveLength(1);
    expect(exitEventsOf(reply, { ...reply, subject: 'Re: hello' })).toEqual([]);
  });

  it('ignore removals and other items', () => {
    expect(exitEventsOf(contact, undefined)).toEqual([]);
    expect(exitEventsOf(undefined, { entity: 'enrollment', tenantId })).toEqual([]);
  });

  it('end only the sequences that list them (default: replied and unsubscribed)', () => {
    expect(exitsOn({ exitOn: ['deal_won'] }, 'deal_won')).toBe(true);
    expect(exitsOn({ exitOn: ['deal_won'] }, 'replied')).toBe(false);
    expect(exitsOn({}, 'replied')).toBe(true);
    expect(exitsOn({}, 'unsubscribed')).toBe(true);
    expect(exitsOn({}, 'case_opened')).toBe(false);
    expect(exitsOn({ exitOn: [] }, 'unsubscribed')).toBe(false);
  });
});

describe('sequence schemas', () => {
  const step = { delayHours: 0, templateId: ULID };
  const paths = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
    (result.error?.issues ?? []).map((issue) => issue.path.join('.'));

  it('accept 1-20 steps with delays of 0-8760 hours', () => {
    const schema = sequenceSchemas().create;
    expect(schema.safeParse({ name: 'Welcome', steps: [step] }).success).toBe(true);
    expect(schema.safeParse({ name: 'W', steps: Array.from({ length: 20 }, () => step) }).success).toBe(true);
    expect(schema.safeParse({ name: 'W', steps: [] }).success).toBe(false);
    expect(schema.safeParse({ name: 'W', steps: Array.from({ length: 21 }, () => step) }).success).toBe(
      false,
    );
    expect(paths(schema.safeParse({ name: 'W', steps: [step, { ...step, delayHours: 8761 }] }))).toEqual([
      'steps.1.delayHours',
    ]);
    expect(paths(schema.safeParse({ name: 'W', steps: [{ ...step, delayHours: -1 }] }))).toEqual([
      'steps.0.delayHours',
    ]);
  });

  it('require the first step to be unconditional', () => {
    const schema = sequenceSchemas().create;
    const result = schema.safeParse({ name: 'W', steps: [{ ...step, condition: 'not_opened' }] });
    expect(paths(result)).toEqual(['steps.0.condition']);
    expect(
      schema.safeParse({
        name: 'W',
        steps: [
          { ...step, condition: 'always' },
          { ...step, condition: 'not_clicked' },
        ],
      }).success,
    ).toBe(true);
  });

  it('reject unknown exit triggers and repeated ones', () => {
    const schema = sequenceSchemas().create;
    expect(schema.safeParse({ name: 'W', steps: [step], exitOn: ['meeting_booked'] }).success).toBe(false);
    expect(schema.safeParse({ name: 'W', steps: [step], exitOn: ['replied', 'replied'] }).success).toBe(
      false,
    );
    expect(schema.safeParse({ name: 'W', steps: [step], exitOn: [] }).success).toBe(true);
  });

  it('enroll exactly one of contactIds (1-500, distinct) or segmentId', () => {
    const schema = sequenceSchemas().enroll;
    expect(schema.safeParse({ contactIds: [ULID] }).success).toBe(true);
    expect(schema.safeParse({ segmentId: ULID }).success).toBe(true);
    expect(schema.safeParse({}).success).toBe(false);
    expect(schema.safeParse({ contactIds: [ULID], segmentId: ULID }).success).toBe(false);
    expect(schema.safeParse({ contactIds: [] }).success).toBe(false);
    expect(schema.safeParse({ contactIds: [ULID, ULID] }).success).toBe(false);
    expect(schema.safeParse({ contactIds: Array.from({ length: 501 }, () => ULID) }).success).toBe(false);
    expect(schema.safeParse({ contactIds: ['not-an-id'] }).success).toBe(false);
  });
});
