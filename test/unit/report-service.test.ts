import { describe, expect, it } from 'vitest';
import { activitiesAggregate, activityRows } from '#shared/domain/reports/activities';
import { aggregateDeltas, type Counters, type Image } from '#shared/domain/reports/aggregate';
import { casesAggregate, casesRow } from '#shared/domain/reports/cases';
import { reportAggregates } from '#shared/domain/reports/index';
import { leadsAggregate, leadsRow } from '#shared/domain/reports/leads';

/** The contribution of one image as `{key: counters}` of one report, for readable expectations. */
const byKey = (
  contributions: readonly { report: string; key: string; counters: Counters }[],
  report: string,
) => Object.fromEntries(contributions.filter((c) => c.report === report).map((c) => [c.key, c.counters]));

const malformed: Image[] = [
  {},
  { entity: 'lead' },
  { entity: 'lead', tenantId: 't' },
  { entity: 'lead', tenantId: 't', createdAt: 'yesterday' },
  { entity: 'lead', tenantId: 't', createdAt: 42 },
  { entity: 'lead', tenantId: 't', createdAt: '2026-02-30T10:00:00.000Z' },
  { entity: 'case', tenantId: 't', createdAt: null },
  { entity: 'activity', tenantId: 't', createdAt: ['2026-03-02'] },
  { entity: 'activity', tenantId: 't', status: 'open', dueAt: 'soon' },
  { entity: 'contact', tenantId: 't', createdAt: '2026-03-02T10:00:00.000Z' },
];

describe('service report contributions', () => {
  it('ignore malformed images and other entities', () => {
    for (const image of malformed)
      for (const aggregate of [leadsAggregate, casesAggregate, activitiesAggregate])
        expect(aggregate.contribute(image), JSON.stringify(image)).toEqual([]);
  });
});

describe('leads aggregate', () => {
  const lead: Image = {
    entity: 'lead',
    tenantId: 't',
    id: 'l1',
    archived: false,
    createdAt: '2026-03-02T10:00:00.000Z',
    ownerId: 'u1',
    source: 'web',
    status: 'new',
  };
  const converted: Image = { ...lead, status: 'converted', convertedAt: '2026-03-05T22:00:00.000Z' };

  it('counts a lead on its created day under month, source and owner; no source is none', () => {
    expect(byKey(leadsAggregate.contribute(lead), 'leads')).toEqual({
      'month#2026-03-02': { created: 1 },
      'source#2026-03-02#web': { created: 1 },
      'owner#2026-03-02#u1': { created: 1 },
    });
    const { source: _s, ...sourceless } = lead;
    expect(byKey(leadsAggregate.contribute({ ...sourceless, source: '' }), 'leads')).toHaveProperty(
      'source#2026-03-02#none',
    );
  });

  it('adds the conversion and its seconds to the created day when the lead converts', () => {
    const delta = aggregateDeltas(lead, converted, reportAggregates);
    const seconds = 3 * 86_400 + 12 * 3_600;
    expect(byKey(delta, 'leads')).toEqual({
      'month#2026-03-02': { converted: 1, convertSeconds: seconds },
      'source#2026-03-02#web': { converted: 1, convertSeconds: seconds },
      'owner#2026-03-02#u1': { converted: 1, convertSeconds: seconds },
    });
    expect(leadsRow('web', { created: 4, converted: 1, convertSeconds: seconds })).toEqual({
      key: 'web',
      created: 4,
      converted: 1,
      conversionRate: 0.25,
      avgDaysToConvert: 3.5,
    });
  });

  it('takes an archived or erased (deleted) lead out, and a restored one back in', () => {
    const archived = { ...converted, archived: true };
    const out = byKey(aggregateDeltas(converted, archived, reportAggregates), 'leads');
    expect(out['month#2026-03-02']).toEqual({ created: -1, converted: -1, convertSeconds: -302_400 });
    expect(aggregateDeltas(converted, undefined, reportAggregates)).toEqual(
      aggregateDeltas(converted, archived, reportAggregates),
    );
    expect(
      byKey(aggregateDeltas(archived, converted, reportAggregates), 'leads')['month#2026-03-02'],
    ).toEqual({
      created: 1,
      converted: 1,
      convertSeconds: 302_400,
    });
  });

  it('moves a reassigned lead between owners and leaves edits that change nothing at zero', () => {
    expect(byKey(aggregateDeltas(lead, { ...lead, ownerId: 'u2' }, reportAggregates), 'leads')).toEqual({
      'owner#2026-03-02#u1': { created: -1 },
      'owner#2026-03-02#u2': { created: 1 },
    });
    expect(byKey(aggregateDeltas(lead, { ...lead, phone: '+34 600' }, reportAggregates), 'leads')).toEqual(
      {},
    );
  });

  it('shows no conversion rate or average without leads or conversions', () => {
    expect(leadsRow('none', {})).toEqual({
      key: 'none',
      created: 0,
      converted: 0,
      conversionRate: 0,
      avgDaysToConvert: null,
    });
  });
});

describe('cases aggregate', () => {
  const opened: Image = {
    entity: 'case',
    tenantId: 't',
    id: 'c1',
    archived: false,
    createdAt: '2026-03-02T08:00:00.000Z',
    ownerId: 'u1',
    assigneeId: 'u1',
    type: 'complaint',
    status: 'open',
    slaStartAt: '2026-03-02T08:00:00.000Z',
    slaDueAt: '2026-03-03T08:00:00.000Z',
  };
  const breached: Image = { ...opened, slaBreachedAt: '2026-03-03T08:00:00.000Z' };
  const resolved: Image = { ...breached, status: 'resolved', resolvedAt: '2026-03-03T14:30:00.000Z' };
  const rated: Image = { ...resolved, csatScore: 4, csatAt: '2026-03-04T09:00:00.000Z' };

  it('counts an opened case under month, type, status and assignee of its created day', () => {
    expect(byKey(casesAggregate.contribute(opened), 'cases')).toEqual({
      'month#2026-03-02': { opened: 1 },
      'type#2026-03-02#complaint': { opened: 1 },
      'status#2026-03-02#open': { opened: 1 },
      'assignee#2026-03-02#u1': { opened: 1 },
    });
  });

  it('adds a breach, a resolution with its seconds and a CSAT answer as they happen', () => {
    expect(byKey(aggregateDeltas(opened, breached, reportAggregates), 'cases')['month#2026-03-02']).toEqual({
      slaBreaches: 1,
    });
    const resolving = byKey(aggregateDeltas(breached, resolved, reportAggregates), 'cases');
    expect(resolving['month#2026-03-02']).toEqual({ resolved: 1, resolutionSeconds: 30.5 * 3_600 });
    expect(resolving['status#2026-03-02#open']).toEqual({ opened: -1, slaBreaches: -1 });
    expect(resolving['status#2026-03-02#resolved']).toEqual({
      opened: 1,
      slaBreaches: 1,
      resolved: 1,
      resolutionSeconds: 30.5 * 3_600,
    });
    expect(
      byKey(aggregateDeltas(resolved, rated, reportAggregates), 'cases')['type#2026-03-02#complaint'],
    ).toEqual({ csatSum: 4, csatCount: 1 });
  });

  it('takes the resolution and breach away on reopening, as the case clears them', () => {
    const { resolvedAt: _r, slaBreachedAt: _b, ...rest } = resolved;
    const reopened: Image = { ...rest, status: 'open', reopenedAt: '2026-03-05T00:00:00.000Z' };
    expect(byKey(aggregateDeltas(resolved, reopened, reportAggregates), 'cases')['month#2026-03-02']).toEqual(
      {
        resolved: -1,
        resolutionSeconds: -30.5 * 3_600,
        slaBreaches: -1,
      },
    );
  });

  it('counts a case closed without resolving as resolved at its closing', () => {
    const closed = { ...opened, status: 'closed', closedAt: '2026-03-02T10:00:00.000Z' };
    expect(byKey(casesAggregate.contribute(closed), 'cases')['month#2026-03-02']).toEqual({
      opened: 1,
      resolved: 1,
      resolutionSeconds: 7_200,
    });
  });

  it('ignores a CSAT score that is not an integer 1-5, and unreadable timestamps', () => {
    for (const csatScore of [0, 6, 3.5, '4', null])
      expect(byKey(casesAggregate.contribute({ ...opened, csatScore }), 'cases')['month#2026-03-02']).toEqual(
        {
          opened: 1,
        },
      );
    const odd = { ...opened, status: 'resolved', resolvedAt: 'later', slaBreachedAt: 7 };
    expect(byKey(casesAggregate.contribute(odd), 'cases')['month#2026-03-02']).toEqual({ opened: 1 });
  });

  it('keeps a case whose people were erased as it was, and drops an archived one', () => {
    const erased = { ...rated, subject: '[erased]', description: '[erased]' };
    expect(aggregateDeltas(rated, erased, reportAggregates)).toEqual([]);
    expect(
      byKey(aggregateDeltas(rated, { ...rated, archived: true }, reportAggregates), 'cases'),
    ).toHaveProperty('month#2026-03-02', {
      opened: -1,
      resolved: -1,
      resolutionSeconds: -30.5 * 3_600,
      slaBreaches: -1,
      csatSum: -4,
      csatCount: -1,
    });
  });

  it('turns sums into rates and averages', () => {
    expect(
      casesRow('complaint', {
        opened: 3,
        resolved: 2,
        resolutionSeconds: 3 * 3_600 + 5 * 3_600 + 360,
        slaBreaches: 1,
        csatSum: 9,
        csatCount: 2,
      }),
    ).toEqual({
      key: 'complaint',
      opened: 3,
      resolved: 2,
      slaBreaches: 1,
      slaBreachRate: 0.3333,
      avgResolutionHours: 4.1,
      csatAvg: 4.5,
      csatCount: 2,
    });
    expect(casesRow('x', { opened: 1 })).toMatchObject({
      avgResolutionHours: null,
      csatAvg: null,
      csatCount: 0,
    });
  });
});

describe('activities aggregate', () => {
  const task: Image = {
    entity: 'activity',
    tenantId: 't',
    id: 'a1',
    archived: false,
    createdAt: '2026-03-02T08:00:00.000Z',
    ownerId: 'u1',
    assigneeId: 'u1',
    type: 'call',
    status: 'open',
    dueAt: '2026-03-10T09:30:45.000Z',
  };

  it('counts the created day and, while open, the due minute on the due day', () => {
    expect(byKey(activitiesAggregate.contribute(task), 'activities')).toEqual({
      'owner#2026-03-02#u1': { created: 1 },
      'type#2026-03-02#call': { created: 1 },
      'month#2026-03-02': { created: 1 },
      'owner#2026-03-10#u1': { 'due@0930': 1 },
      'type#2026-03-10#call': { 'due@0930': 1 },
      'month#2026-03-10': { 'due@0930': 1 },
    });
    const sameDay = { ...task, dueAt: '2026-03-02T23:00:00+00:00' };
    expect(byKey(activitiesAggregate.contribute(sameDay), 'activities')['month#2026-03-02']).toEqual({
      created: 1,
      'due@2300': 1,
    });
    // A due time with an offset counts at its UTC minute and day.
    const offset = { ...task, dueAt: '2026-03-10T23:30:00-02:00' };
    expect(byKey(activitiesAggregate.contribute(offset), 'activities')['month#2026-03-11']).toEqual({
      'due@0130': 1,
    });
  });

  it('marks done and drops the due count when finished; canceled is neither done nor due', () => {
    const done = { ...task, status: 'done', completedAt: '2026-03-04T10:00:00.000Z' };
    expect(byKey(aggregateDeltas(task, done, reportAggregates), 'activities')).toEqual({
      'owner#2026-03-02#u1': { done: 1 },
      'type#2026-03-02#call': { done: 1 },
      'month#2026-03-02': { done: 1 },
      'owner#2026-03-10#u1': { 'due@0930': -1 },
      'type#2026-03-10#call': { 'due@0930': -1 },
      'month#2026-03-10': { 'due@0930': -1 },
    });
    const canceled = byKey(activitiesAggregate.contribute({ ...task, status: 'canceled' }), 'activities');
    expect(canceled).toEqual({
      'owner#2026-03-02#u1': { created: 1 },
      'type#2026-03-02#call': { created: 1 },
      'month#2026-03-02': { created: 1 },
    });
  });

  it('moves the due count with the due time and the assignee; archived leaves the report', () => {
    const moved = byKey(
      aggregateDeltas(
        task,
        { ...task, dueAt: '2026-03-11T10:00:00.000Z', assigneeId: 'u2' },
        reportAggregates,
      ),
      'activities',
    );
    expect(moved['owner#2026-03-10#u1']).toEqual({ 'due@0930': -1 });
    expect(moved['owner#2026-03-11#u2']).toEqual({ 'due@1000': 1 });
    expect(moved['owner#2026-03-02#u1']).toEqual({ created: -1 });
    expect(moved['owner#2026-03-02#u2']).toEqual({ created: 1 });
    expect(aggregateDeltas(task, { ...task, archived: true }, reportAggregates)).toEqual(
      aggregateDeltas(task, undefined, reportAggregates),
    );
    // Erasure unlinks the person's activities: the counts stay as they were.
    const { related: _r, ...unlinked } = { ...task, related: { type: 'contact', id: 'c1' } };
    expect(
      aggregateDeltas({ ...task, related: { type: 'contact', id: 'c1' } }, unlinked, reportAggregates),
    ).toEqual([]);
  });

  it('decides overdue at read time: due days before today whole, today before the current minute', () => {
    const items = new Map<string, Counters>([
      ['owner#2026-03-09#u1', { created: 2, done: 1, 'due@2359': 1 }],
      ['owner#2026-03-10#u1', { 'due@0929': 2, 'due@0930': 4, 'due@1200': 8 }],
      ['owner#2026-03-11#u1', { 'due@0000': 16 }],
      ['owner#2026-03-11#u2', { 'due@0000': 1 }],
      ['owner#2026-03-10#u3', { created: 1 }],
    ]);
    const at = (iso: string) => activityRows(items, 'owner', new Date(iso));
    expect(at('2026-03-10T09:30:59.999Z')).toEqual([
      { key: 'u1', created: 2, done: 1, overdue: 3 },
      { key: 'u3', created: 1, done: 0, overdue: 0 },
    ]);
    expect(at('2026-03-10T09:31:00.000Z')[0]).toEqual({ key: 'u1', created: 2, done: 1, overdue: 7 });
    expect(at('2026-03-12T00:00:00.000Z')).toEqual([
      { key: 'u1', created: 2, done: 1, overdue: 31 },
      { key: 'u2', created: 0, done: 0, overdue: 1 },
      { key: 'u3', created: 1, done: 0, overdue: 0 },
    ]);
    expect(at('2026-03-01T00:00:00.000Z')).toEqual([
      { key: 'u1', created: 2, done: 1, overdue: 0 },
      { key: 'u3', created: 1, done: 0, overdue: 0 },
    ]);
    const months = activityRows(
      new Map<string, Counters>([
        ['month#2026-02-28', { created: 1 }],
        ['month#2026-03-01', { created: 1, 'due@0800': 1 }],
      ]),
      'month',
      new Date('2026-04-01T00:00:00.000Z'),
    );
    expect(months).toEqual([
      { key: '2026-02', created: 1, done: 0, overdue: 0 },
      { key: '2026-03', created: 1, done: 0, overdue: 1 },
    ]);
  });
});
