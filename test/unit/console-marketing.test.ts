import { describe, expect, it } from 'vitest';
import { csvRecords, parseCsv } from '../../console/src/pages/marketing/csv.ts';
import {
  fields,
  fromFilter,
  type Group,
  newCondition,
  opsFor,
  toFilter,
} from '../../console/src/pages/marketing/filter-model.ts';
import { opsByType, validateFilter } from '../../shared/domain/segment-filter.ts';

/** The console's segment builder speaks the API's filter language; these keep the two in step. */
describe('the segment builder model', () => {
  const sample: Record<string, unknown> = {
    text: 'Madrid',
    tags: 'vip',
    id: 'user-1',
    number: 5,
    date: '2030-01-31',
  };

  it('offers only fields and operators the API accepts', () => {
    for (const [field, def] of Object.entries(fields)) {
      for (const op of opsFor(field)) {
        const value =
          op === 'exists' || op === 'notExists'
            ? undefined
            : op === 'withinDays'
              ? 30
              : def.type === 'enum'
                ? def.values?.[0]
                : def.type === 'engagement' || def.type === 'dealStage'
                  ? '01ARZ3NDEKTSV4RRFFQ69G5FAV'
                  : sample[def.type];
        const single = op === 'in' || op === 'nin' ? [value] : value;
        const condition = value === undefined ? { field, op } : { field, op, value: single };
        expect(validateFilter({ all: [condition] }), `${field} ${op}`).toEqual([]);
      }
    }
  });

  it('knows the same operators per type as the API', () => {
    expect(opsFor('city')).toEqual(opsByType.text);
    expect(opsFor('createdAt')).toEqual(opsByType.date);
    expect(opsFor('company.size')).toEqual(opsByType.number);
    expect(opsFor('engagement.opened')).toEqual(opsByType.engagement);
  });

  it('round-trips nested groups and types values for the API', () => {
    const filter = {
      all: [
        { field: 'city', op: 'eq', value: 'Madrid' },
        {
          any: [
            { field: 'tags', op: 'in', value: ['vip', 'press'] },
            { field: 'email', op: 'exists' },
          ],
        },
        { field: 'engagementScore', op: 'gte', value: 60 },
        { field: 'lastActivityAt', op: 'withinDays', value: 30 },
      ],
    };
    expect(toFilter(fromFilter(filter))).toEqual(filter);
  });

  it('keeps "all of these and any of those" when a filter has both lists', () => {
    const filter = {
      all: [{ field: 'city', op: 'eq', value: 'Madrid' }],
      any: [{ field: 'tags', op: 'eq', value: 'vip' }],
    };
    expect(toFilter(fromFilter(filter))).toEqual({
      all: [
        { field: 'city', op: 'eq', value: 'Madrid' },
        { any: [{ field: 'tags', op: 'eq', value: 'vip' }] },
      ],
    });
  });

  it('sends custom fields as written, booleans as booleans', () => {
    const group: Group = {
      kind: 'group',
      key: 1,
      match: 'any',
      items: [{ ...newCondition('customFields.vip'), op: 'eq', value: 'true' }],
    };
    expect(toFilter(group)).toEqual({ any: [{ field: 'customFields.vip', op: 'eq', value: true }] });
  });
});

describe('the import error report reader', () => {
  it('reads quoted cells with commas, quotes and newlines', () => {
    const text = '\uFEFFrow,column,value,reason\r\n3,email,"a,b","is ""bad""\nreally"\n';
    expect(parseCsv(text)).toEqual([
      ['row', 'column', 'value', 'reason'],
      ['3', 'email', 'a,b', 'is "bad"\nreally'],
    ]);
    expect(csvRecords(text)).toEqual([
      { row: '3', column: 'email', value: 'a,b', reason: 'is "bad"\nreally' },
    ]);
  });
});
