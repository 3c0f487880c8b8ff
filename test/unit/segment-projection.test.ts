import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContactView,
  compileFilter,
  requirements,
  type SegmentFilter,
} from '#shared/domain/segment-filter';
import {
  companyProjection,
  contactProjection,
  type Projection,
  projectionOf,
  rangesFor,
  readRightsFilter,
} from '#shared/store/segment-resolution';

/** What DynamoDB returns of `item` for a projection: each listed document path that exists. */
function project(item: Record<string, unknown>, projection: Projection): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const path of projection.ProjectionExpression.split(', ')) {
    const names = path.split('.').map((alias) => projection.ExpressionAttributeNames[alias] as string);
    let from: unknown = item;
    for (const name of names) from = (from as Record<string, unknown> | undefined)?.[name];
    if (from === undefined) continue;
    let into = result;
    for (const name of names.slice(0, -1)) {
      into[name] = into[name] ?? {};
      into = into[name] as Record<string, unknown>;
    }
    into[names.at(-1) as string] = from;
  }
  return result;
}

const paths = (projection: Projection) =>
  projection.ProjectionExpression.split(', ')
    .map((path) =>
      path
        .split('.')
        .map((alias) => projection.ExpressionAttributeNames[alias])
        .join('.'),
    )
    .sort();

describe('segment preview projections', () => {
  it('name the contact and company attributes a filter reads, custom fields included', () => {
    const needs = requirements({
      all: [
        { field: 'country', op: 'eq', value: 'ES' },
        { field: 'customFields.score', op: 'gt', value: 10 },
        {
          any: [
            { field: 'company.size', op: 'gte', value: 100 },
            { field: 'company.customFields.tier', op: 'eq', value: 'gold' },
            { field: 'engagement.opened', op: 'eq', value: '01HZZZZZZZZZZZZZZZZZZZZZZA' },
            { field: 'tags', op: 'contains', value: 'vip' },
          ],
        },
      ],
    });
    expect([...needs.contactFields].sort()).toEqual(['country', 'customFields.score', 'tags']);
    expect([...needs.companyFields].sort()).toEqual(['customFields.tier', 'size']);
    // Read rights (owner, team), the id for joins and the sample, the company for company.* conditions.
    expect(paths(contactProjection(needs))).toEqual([
      'companyId',
      'country',
      'customFields.score',
      'id',
      'ownerId',
      'tags',
      'teamId',
    ]);
    expect(paths(companyProjection(needs))).toEqual(['archived', 'customFields.tier', 'id', 'size']);
    expect(paths(contactProjection(requirements({})))).toEqual(['id', 'ownerId', 'teamId']);
  });

  it('alias every name, list each path once and drop a path inside another', () => {
    const projection = projectionOf([
      'size',
      'name',
      'customFields.a',
      'customFields',
      'name',
      'customFields.b',
    ]);
    expect(paths(projection)).toEqual(['customFields', 'name', 'size']);
    expect(projection.ProjectionExpression).not.toMatch(/\b(size|name|customFields)\b/);
    expect(paths(projectionOf(['customFields.a', 'customFields.b', 'customFieldsX']))).toEqual([
      'customFields.a',
      'customFields.b',
      'customFieldsX',
    ]);
  });

  it('keep every match: a filter decides the same on the projected contact and company as on the whole', () => {
    const text = fc.constantFrom('ES', 'es', 'És', 'FR', 'Retail', 'retail ', '');
    const contactArb = fc.record(
      {
        id: fc.constant('01HZZZZZZZZZZZZZZZZZZZZZZC'),
        ownerId: fc.constantFrom('u1', 'u2'),
        teamId: fc.constantFrom('red', 'blue'),
        country: text,
        city: text,
        email: fc.constantFrom('a@example.test', 'B@Example.test'),
        companyId: fc.constant('C1'),
        tags: fc.array(fc.constantFrom('vip', 'VIP', 'partner'), { maxLength: 3 }),
        lastActivityAt: fc.constantFrom('2030-06-14T00:00:00Z', '2020-01-01T00:00:00Z'),
        customFields: fc.record(
          { score: fc.integer({ min: 0, max: 100 }), tier: text, other: text },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['id', 'ownerId'] },
    );
    const companyArb = fc.record(
      {
        id: fc.constant('C1'),
        archived: fc.constant(false),
        name: text,
        industry: text,
        size: fc.integer({ min: 0, max: 1000 }),
        customFields: fc.record({ tier: text, other: text }, { requiredKeys: [] }),
      },
      { requiredKeys: ['id'] },
    );
    const conditionArb = fc.constantFrom(
      { field: 'country', op: 'eq', value: 'es' },
      { field: 'city', op: 'notExists' },
      { field: 'email', op: 'in', value: ['b@example.test'] },
      { field: 'tags', op: 'contains', value: 'vip' },
      { field: 'tags', op: 'nin', value: ['partner'] },
      { field: 'lastActivityAt', op: 'withinDays', value: 7 },
      { field: 'customFields.score', op: 'gte', value: 50 },
      { field: 'customFields.tier', op: 'exists' },
      { field: 'company.industry', op: 'startsWith', value: 'RET' },
      { field: 'company.size', op: 'lt', value: 500 },
      { field: 'company.customFields.tier', op: 'neq', value: 'es' },
      { field: 'ownerId', op: 'eq', value: 'u1' },
    );
    const filterArb = fc
      .tuple(fc.array(conditionArb, { minLength: 1, maxLength: 4 }), fc.array(conditionArb, { maxLength: 3 }))
      .map(
        ([all, any]) => ({ all: [...all, ...(any.length > 0 ? [{ any }] : [])] }) as unknown as SegmentFilter,
      );
    const now = new Date('2030-06-15T12:00:00Z');
    const viewOf = (contact: Record<string, unknown>, company?: Record<string, unknown>): ContactView => ({
      contact,
      company,
      openedCampaigns: new Set(),
      clickedCampaigns: new Set(),
      dealStages: new Set(),
    });
    fc.assert(
      fc.property(filterArb, contactArb, companyArb, (filter, contact, company) => {
        const needs = requirements(filter);
        const matches = compileFilter(filter, { now });
        const whole = matches(viewOf(contact, company));
        const projected = matches(
          viewOf(project(contact, contactProjection(needs)), project(company, companyProjection(needs))),
        );
        expect(projected).toBe(whole);
      }),
      { numRuns: 300 },
    );
  });

  it("ask DynamoDB for a rep's own and team contacts only, and for everything for admins and managers", () => {
    expect(readRightsFilter({ userId: 'u1', role: 'admin' })).toBeUndefined();
    expect(readRightsFilter({ userId: 'u1', role: 'manager', teamId: 'red' })).toBeUndefined();
    expect(readRightsFilter({ userId: 'u1', role: 'rep', teamId: 'red' })).toEqual({
      FilterExpression: '#readerOwner = :readerOwner OR #readerTeam = :readerTeam',
      ExpressionAttributeNames: { '#readerOwner': 'ownerId', '#readerTeam': 'teamId' },
      ExpressionAttributeValues: { ':readerOwner': 'u1', ':readerTeam': 'red' },
    });
    // Without a team a rep reads only their own: no contact without a team matches an absent one.
    expect(readRightsFilter({ userId: 'u1', role: 'rep' })).toEqual({
      FilterExpression: '#readerOwner = :readerOwner',
      ExpressionAttributeNames: { '#readerOwner': 'ownerId' },
      ExpressionAttributeValues: { ':readerOwner': 'u1' },
    });
  });

  it('size the range queries to the tenant: 8 for a small one, one per 1,500 contacts, at most 64', () => {
    expect([0, 1_000, 12_000, 12_001, 30_000, 96_000, 100_000, 5_000_000].map(rangesFor)).toEqual([
      8, 8, 8, 9, 20, 64, 64, 64,
    ]);
  });
});
