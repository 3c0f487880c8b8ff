import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { watchChange } from '#functions/stream/consumers/alert-watches';
import { dealActivityUpdate } from '#functions/stream/consumers/deal-activity';
import {
  alertSettingsOf,
  dealActivityBaseline,
  defaultAlertSettings,
  dueBefore,
  isStaleDeal,
  sameWatch,
  staleDealReason,
  watchOf,
} from '#shared/domain/alerts';
import { alertSettingsSchemas } from '#shared/schemas/alerts';

const DAY = 24 * 60 * 60 * 1000;
const at = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY).toISOString();
const created = '2026-03-01T09:00:00.000Z';

const deal = (fields: Record<string, unknown> = {}) => ({
  entity: 'deal',
  tenantId: 't1',
  id: 'D1',
  status: 'open',
  archived: false,
  version: 1,
  createdAt: created,
  updatedAt: created,
  stageId: 's1',
  ...fields,
});

const supportCase = (fields: Record<string, unknown> = {}) => ({
  entity: 'case',
  tenantId: 't1',
  id: 'C1',
  status: 'open',
  archived: false,
  version: 1,
  slaDueAt: '2026-03-02T09:00:00.000Z',
  ...fields,
});

describe('alert settings', () => {
  it('default to 14 days and 70, and keep only whole numbers in range', () => {
    expect(alertSettingsOf(undefined)).toEqual({ staleDealDays: 14, churnRiskThreshold: 70 });
    expect(alertSettingsOf({ staleDealDays: 30, churnRiskThreshold: 90 })).toEqual({
      staleDealDays: 30,
      churnRiskThreshold: 90,
    });
    for (const bad of [0, 366, 1.5, -1, '20', null, Number.NaN])
      expect(alertSettingsOf({ staleDealDays: bad }).staleDealDays, String(bad)).toBe(14);
    for (const bad of [0, 101, 70.5, '70'])
      expect(alertSettingsOf({ churnRiskThreshold: bad }).churnRiskThreshold, String(bad)).toBe(70);
  });

  it('refuse out-of-range, fractional and unknown fields in a PUT body', () => {
    const put = alertSettingsSchemas().put;
    expect(put.safeParse({ staleDealDays: 1, churnRiskThreshold: 100 }).success).toBe(true);
    expect(put.safeParse({ staleDealDays: 365 }).success).toBe(true);
    expect(put.safeParse({}).success).toBe(true);
    for (const body of [
      { staleDealDays: 0 },
      { staleDealDays: 366 },
      { staleDealDays: 2.5 },
      { staleDealDays: '14' },
      { churnRiskThreshold: 0 },
      { churnRiskThreshold: 101 },
      { other: 1 },
    ])
      expect(put.safeParse(body).success, JSON.stringify(body)).toBe(false);
  });
});

describe('watches', () => {
  it('watch an open, live deal from its last activity, else its creation', () => {
    expect(watchOf(deal())).toEqual({ kind: 'stale_deal', recordId: 'D1', at: created });
    const later = at(created, 3);
    expect(watchOf(deal({ lastActivityAt: later }))?.at).toBe(later);
    // A last activity before creation (imported history) counts from creation.
    expect(dealActivityBaseline(deal({ lastActivityAt: at(created, -3) }))).toBe(created);
  });

  it('do not watch a won, lost, archived or malformed deal', () => {
    for (const image of [
      deal({ status: 'won' }),
      deal({ status: 'lost' }),
      deal({ archived: true }),
      deal({ id: 42 }),
      deal({ createdAt: 'yesterday' }),
      { entity: 'contact', id: 'X', createdAt: created },
      undefined,
    ])
      expect(watchOf(image), JSON.stringify(image)).toBeUndefined();
  });

  it('watch an unresolved, live case until its due time is marked breached', () => {
    expect(watchOf(supportCase())).toEqual({
      kind: 'sla_breach',
      recordId: 'C1',
      at: '2026-03-02T09:00:00.000Z',
    });
    for (const status of ['new', 'pending']) expect(watchOf(supportCase({ status }))).toBeDefined();
    for (const image of [
      supportCase({ status: 'resolved' }),
      supportCase({ status: 'closed' }),
      supportCase({ status: 'bogus' }),
      supportCase({ archived: true }),
      supportCase({ slaBreachedAt: '2026-03-02T09:00:00.000Z' }),
      supportCase({ slaDueAt: undefined }),
    ])
      expect(watchOf(image), JSON.stringify(image)).toBeUndefined();
    // A breach of an earlier due time does not stop the watch of the current one.
    expect(watchOf(supportCase({ slaBreachedAt: '2026-02-01T00:00:00.000Z' }))).toBeDefined();
  });
});

describe('staleness', () => {
  const settings = defaultAlertSettings;

  it('is due strictly after staleDealDays days without activity', () => {
    expect(isStaleDeal(deal(), new Date(at(created, 14)), settings)).toBe(false);
    expect(isStaleDeal(deal(), new Date(at(created, 14.001)), settings)).toBe(true);
    expect(isStaleDeal(deal({ lastActivityAt: at(created, 10) }), new Date(at(created, 20)), settings)).toBe(
      false,
    );
    expect(isStaleDeal(deal({ status: 'won' }), new Date(at(created, 100)), settings)).toBe(false);
    expect(dueBefore('stale_deal', new Date(at(created, 14)), settings)).toBe(created);
    expect(dueBefore('sla_breach', new Date(created), settings)).toBe(created);
    expect(staleDealReason(created, new Date(at(created, 20.5)))).toBe(
      'No activity for 20 days (last on 2026-03-01)',
    );
  });

  it('agrees with the watch index: stale exactly when the watch sorts before the cutoff', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 * 24 }),
        fc.option(fc.integer({ min: 0, max: 400 * 24 }), { nil: undefined }),
        fc.integer({ min: 1, max: 365 }),
        (nowHours, activityHours, staleDealDays) => {
          const image = deal(
            activityHours === undefined ? {} : { lastActivityAt: at(created, activityHours / 24) },
          );
          const now = new Date(at(created, nowHours / 24));
          const watch = watchOf(image);
          const cutoff = dueBefore('stale_deal', now, { staleDealDays, churnRiskThreshold: 70 });
          expect(isStaleDeal(image, now, { staleDealDays, churnRiskThreshold: 70 })).toBe(
            watch !== undefined && watch.at < cutoff,
          );
        },
      ),
    );
  });
});

describe('episodes', () => {
  it('stay the same while a deal has no activity, and change with new activity', () => {
    const quiet = watchOf(deal());
    // Edits that are not activity (amount, owner) keep the episode: no second alert.
    expect(sameWatch(quiet, watchOf(deal({ amount: 10, version: 2, ownerId: 'u2' })))).toBe(true);
    const active = watchOf(deal({ lastActivityAt: at(created, 20) }));
    expect(sameWatch(quiet, active)).toBe(false);
    expect(active?.at).toBe(at(created, 20));
  });

  it('write the watch item only when the watch changes', () => {
    expect(watchChange(undefined, deal())).toEqual({
      action: 'put',
      tenantId: 't1',
      watch: { kind: 'stale_deal', recordId: 'D1', at: created },
      version: 1,
      first: true,
    });
    expect(watchChange(deal(), deal({ amount: 5, version: 2 }))).toBeUndefined();
    expect(watchChange(deal(), deal({ lastActivityAt: at(created, 1) }))).toMatchObject({
      action: 'put',
      first: false,
      watch: { at: at(created, 1) },
    });
    expect(watchChange(deal(), deal({ status: 'won', version: 2 }))).toMatchObject({
      action: 'delete',
      version: 2,
    });
    expect(watchChange(deal({ version: 3 }), undefined)).toMatchObject({ action: 'delete', version: 3 });
    expect(
      watchChange(supportCase(), supportCase({ slaBreachedAt: supportCase().slaDueAt, version: 2 })),
    ).toMatchObject({
      action: 'delete',
      watch: { kind: 'sla_breach' },
    });
    expect(watchChange({ entity: 'contact', tenantId: 't1', id: 'x' }, undefined)).toBeUndefined();
  });
});

describe('deal activity', () => {
  const activity = (fields: Record<string, unknown> = {}) => ({
    entity: 'activity',
    tenantId: 't1',
    id: 'A1',
    status: 'open',
    createdAt: at(created, 2),
    updatedAt: at(created, 2),
    related: { type: 'deal', id: 'D1' },
    ...fields,
  });

  it('moves forward with an activity about the deal created or completed', () => {
    expect(dealActivityUpdate(undefined, activity())).toEqual({
      tenantId: 't1',
      dealId: 'D1',
      at: at(created, 2),
    });
    expect(dealActivityUpdate(activity(), activity({ status: 'done', completedAt: at(created, 5) }))).toEqual(
      { tenantId: 't1', dealId: 'D1', at: at(created, 5) },
    );
    expect(dealActivityUpdate(activity(), activity({ subject: 'x' }))).toBeUndefined();
    expect(
      dealActivityUpdate(undefined, activity({ related: { type: 'contact', id: 'C1' } })),
    ).toBeUndefined();
  });

  it('moves forward with a stage change, and puts back a value a user write dropped', () => {
    const moved = deal({ stageId: 's2', updatedAt: at(created, 4), version: 2 });
    expect(dealActivityUpdate(deal(), moved)).toEqual({ tenantId: 't1', dealId: 'D1', at: at(created, 4) });
    const dropped = deal({ amount: 3, version: 2 });
    expect(dealActivityUpdate(deal({ lastActivityAt: at(created, 6) }), dropped)).toEqual({
      tenantId: 't1',
      dealId: 'D1',
      at: at(created, 6),
    });
    // Nothing when the value is already there or the change is no activity.
    expect(
      dealActivityUpdate(deal({ lastActivityAt: at(created, 6) }), deal({ lastActivityAt: at(created, 6) })),
    ).toBeUndefined();
    expect(dealActivityUpdate(undefined, deal())).toBeUndefined();
  });
});
