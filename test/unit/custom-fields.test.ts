import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CustomFieldDefinition,
  carriedCustomFields,
  changedCustomFieldKeys,
  customFieldFilterValue,
  customFieldGroups,
  customFieldIssues,
  customFieldValueIssue,
} from '#shared/domain/custom-fields';
import { contributionsOf } from '#shared/domain/reports/aggregate';
import { customGroupContributions, customGroupsOf } from '#shared/domain/reports/custom-groups';
import { leadsAggregate } from '#shared/domain/reports/leads';
import { customFieldEntitiesOf, customFieldFilterErrors } from '#shared/domain/segment-filter';

const definitions: CustomFieldDefinition[] = [
  { key: 'note', label: 'Note', type: 'text' },
  { key: 'seats', label: 'Seats', type: 'number' },
  { key: 'renewal', label: 'Renewal', type: 'date' },
  { key: 'vip', label: 'VIP', type: 'boolean' },
  { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'], required: true },
  { key: 'topics', label: 'Topics', type: 'multiselect', options: ['ai', 'data'] },
];
const byKey = (key: string) =>
  definitions.find((definition) => definition.key === key) as CustomFieldDefinition;

describe('customFieldValueIssue', () => {
  const cases: [string, unknown, boolean][] = [
    ['note', 'any text', true],
    ['note', '', true],
    ['note', 3, false],
    ['seats', -2.5, true],
    ['seats', '3', false],
    ['seats', 1e300, false],
    ['renewal', '2028-02-29', true],
    ['renewal', '2027-02-29', false],
    ['renewal', '2027-02-28T10:00:00Z', false],
    ['vip', false, true],
    ['vip', 'false', false],
    ['tier', 'gold', true],
    ['tier', 'Gold', false],
    ['tier', ['gold'], false],
    ['topics', [], true],
    ['topics', ['ai', 'data'], true],
    ['topics', ['ai', 'web'], false],
    ['topics', 'ai', false],
    ['topics', [1], false],
  ];
  it.each(cases)('%s = %j fits: %s', (key, value, fits) => {
    expect(customFieldValueIssue(byKey(key), value) === undefined).toBe(fits);
  });
  it('lets null and absent values through (required is judged apart)', () => {
    for (const definition of definitions) {
      expect(customFieldValueIssue(definition, null)).toBeUndefined();
      expect(customFieldValueIssue(definition, undefined)).toBeUndefined();
    }
  });
});

describe('customFieldIssues', () => {
  it('leaves customFields free-form while the entity has no definitions', () => {
    expect(customFieldIssues([], { anything: 'x', n: 1 }, ['anything', 'n'], 'create')).toEqual([]);
  });

  it('requires a required field on create, and on a patch only when the patch writes it', () => {
    expect(customFieldIssues(definitions, {}, [], 'create')).toEqual([
      { path: 'customFields.tier', message: 'is required' },
    ]);
    expect(customFieldIssues(definitions, { note: 'x' }, ['note'], 'patch')).toEqual([]);
    expect(customFieldIssues(definitions, { tier: null }, ['tier'], 'patch')).toEqual([
      { path: 'customFields.tier', message: 'is required' },
    ]);
  });

  it('judges only the written keys, and refuses new values under a key without a definition', () => {
    const next = { tier: 'gold', seats: 'stale', legacy: 'kept', added: 'no' };
    expect(customFieldIssues(definitions, next, ['added'], 'patch').map((issue) => issue.path)).toEqual([
      'customFields.added',
    ]);
    expect(customFieldIssues(definitions, { tier: 'gold' }, ['legacy'], 'patch')).toEqual([]);
  });

  it('lists every issue of a write at its path', () => {
    const issues = customFieldIssues(definitions, { note: 1, vip: 'y' }, ['note', 'vip'], 'create');
    expect(issues.map((issue) => issue.path)).toEqual([
      'customFields.note',
      'customFields.vip',
      'customFields.tier',
    ]);
  });
});

describe('changedCustomFieldKeys', () => {
  it('names what a patch adds, changes or removes; a value sent back unchanged is no change', () => {
    const stored = { a: 'x', b: ['1', '2'], c: true, d: 'gone' };
    const next = { a: 'x', b: ['1', '2'], c: false, e: 3 };
    expect(changedCustomFieldKeys(stored, next).sort()).toEqual(['c', 'd', 'e']);
    expect(changedCustomFieldKeys(stored, { ...stored, b: ['2', '1'] })).toEqual(['b']);
    expect(changedCustomFieldKeys({ a: null }, {})).toEqual([]);
  });
});

describe('customFieldFilterValue', () => {
  it('reads a list parameter as the type stores it', () => {
    expect(customFieldFilterValue(byKey('seats'), '12.5')).toEqual({ value: 12.5 });
    expect(customFieldFilterValue(byKey('seats'), '-3')).toEqual({ value: -3 });
    expect(customFieldFilterValue(byKey('vip'), 'true')).toEqual({ value: true });
    expect(customFieldFilterValue(byKey('vip'), 'false')).toEqual({ value: false });
    expect(customFieldFilterValue(byKey('renewal'), '2027-01-31')).toEqual({ value: '2027-01-31' });
    expect(customFieldFilterValue(byKey('tier'), 'gold')).toEqual({ value: 'gold' });
    expect(customFieldFilterValue(byKey('topics'), 'ai')).toEqual({ value: 'ai' });
    expect(customFieldFilterValue(byKey('note'), '')).toEqual({ value: '' });
    for (const [key, text] of [
      ['seats', ''],
      ['seats', '1e999'],
      ['seats', '0x10'],
      ['seats', ' 1'],
      ['vip', 'TRUE'],
      ['renewal', '2027-02-30'],
      ['tier', 'bronze'],
      ['topics', 'web'],
    ] as const)
      expect(customFieldFilterValue(byKey(key), text), `${key}=${text}`).toHaveProperty('problem');
  });
});

describe('customFieldGroups and carriedCustomFields', () => {
  it('groups select, boolean and each multiselect option; nothing else, nothing that does not fit', () => {
    expect(
      customFieldGroups(definitions, {
        note: 'x',
        seats: 3,
        vip: false,
        tier: 'gold',
        topics: ['ai', 'data', 'ai'],
      }),
    ).toEqual({ vip: ['false'], tier: ['gold'], topics: ['ai', 'data'] });
    expect(customFieldGroups(definitions, { tier: 'bronze', topics: [], vip: null })).toBeUndefined();
    expect(customFieldGroups([], { tier: 'gold' })).toBeUndefined();
  });

  it('carries the values the target defines and that fit it', () => {
    expect(
      carriedCustomFields(definitions, { tier: 'gold', seats: 'ten', other: 'x', topics: ['ai'] }),
    ).toEqual({
      tier: 'gold',
      topics: ['ai'],
    });
    expect(carriedCustomFields([], { tier: 'gold' })).toEqual({});
  });
});

describe('report groups', () => {
  const lead = {
    entity: 'lead',
    tenantId: 't1',
    id: 'L1',
    createdAt: '2026-03-02T10:00:00.000Z',
    archived: false,
    customGroups: { tier: ['gold'], topics: ['ai', 'data'], 'bad#key': ['x'], vip: 'true', empty: [''] },
  };

  it('reads an image defensively: well-formed keys and non-empty texts only', () => {
    expect(customGroupsOf(lead)).toEqual([
      ['tier', 'gold'],
      ['topics', 'ai'],
      ['topics', 'data'],
    ]);
    expect(customGroupsOf({ customGroups: ['tier'] })).toEqual([]);
    expect(customGroupContributions('leads', lead, '2026-03-02', { created: 1 }).map((c) => c.key)).toEqual([
      'customFields.tier#2026-03-02#gold',
      'customFields.topics#2026-03-02#ai',
      'customFields.topics#2026-03-02#data',
    ]);
  });

  it('adds one aggregate item per group to the leads report, none without groups', () => {
    const keys = contributionsOf(lead, [leadsAggregate]).map((c) => c.key);
    expect(keys.filter((key) => key.startsWith('customFields.'))).toHaveLength(3);
    const { customGroups: _none, ...plain } = lead;
    expect(contributionsOf(plain, [leadsAggregate])).toHaveLength(keys.length - 3);
  });

  it('groups only by what fits the definitions, whatever the values (property)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.constantFrom('ai', 'data', 'web')),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('note', 'seats', 'vip', 'tier', 'topics', 'x'), value),
        (values) => {
          const groups = customFieldGroups(definitions, values) ?? {};
          for (const [key, members] of Object.entries(groups)) {
            const definition = byKey(key);
            expect(['select', 'boolean', 'multiselect']).toContain(definition.type);
            expect(members.length).toBeGreaterThan(0);
            if (definition.options)
              for (const member of members) expect(definition.options).toContain(member);
          }
        },
      ),
    );
  });
});

describe('segment conditions on custom fields', () => {
  const fields = {
    contacts: definitions,
    companies: [
      { key: 'region', label: 'Region', type: 'select', options: ['north'] },
    ] as CustomFieldDefinition[],
  };
  it('checks ops and values against the definitions, at each condition path', () => {
    const filter = {
      all: [
        { field: 'customFields.tier', op: 'eq', value: 'gold' },
        { field: 'customFields.tier', op: 'gt', value: 'gold' },
        { any: [{ field: 'customFields.seats', op: 'in', value: [1, 'two'] }] },
        { field: 'company.customFields.region', op: 'eq', value: 'south' },
        { field: 'customFields.removed', op: 'startsWith', value: 'x' },
        { field: 'customFields.vip', op: 'exists' },
        { field: 'customFields.renewal', op: 'lt', value: '2027-02-30' },
      ],
    } as const;
    expect(customFieldFilterErrors(filter as never, fields).map((error) => error.path)).toEqual([
      'all[1].op',
      'all[2].any[0].value[1]',
      'all[3].value',
      'all[6].value',
    ]);
    expect(customFieldEntitiesOf(filter as never)).toEqual({ contacts: true, companies: true });
    expect(customFieldEntitiesOf({ all: [{ field: 'country', op: 'eq', value: 'ES' }] })).toEqual({
      contacts: false,
      companies: false,
    });
  });
});
