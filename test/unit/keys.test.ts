import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { callerFrom } from '#shared/http/auth';
import { campaigns } from '#shared/store/campaigns';
import {
  activities,
  cases,
  companies,
  contacts,
  deals,
  leads,
  pipelines,
  products,
  quotes,
  teams,
  users,
} from '#shared/store/entities';
import { accessPatternShapes, type KeyShape, TENANT } from '#shared/store/key-catalogue';
import {
  type EntityType,
  indexEntry,
  indexPartition,
  itemIndexes,
  notificationSk,
  recordKey,
  searchWordSk,
  sequenceDeliverySk,
  storageAttributes,
  tenantPrefix,
  timelineSk,
} from '#shared/store/keys';
import { type PatternName, type PatternQuery, recordPatterns } from '#shared/store/record-patterns';
import { type EntitySpec, type StoredRecord, toItem } from '#shared/store/records';
import { segments } from '#shared/store/segments';
import { sequences } from '#shared/store/sequences';
import { tableDefinition } from '#shared/store/table';
import { templates } from '#shared/store/templates';
import { sourceFiles } from '../support/source-files.ts';

const specs: EntitySpec<StoredRecord>[] = [
  contacts,
  companies,
  teams,
  users,
  leads,
  pipelines,
  deals,
  products,
  quotes,
  cases,
  activities,
  segments,
  templates,
  campaigns,
  sequences,
] as unknown as EntitySpec<StoredRecord>[];

const entityTypes = specs.map((spec) => spec.type);
const shapes = accessPatternShapes();

beforeAll(() => {
  process.env.TABLE_NAME ??= 'crm-test';
});

describe('key templates', () => {
  it('start every key with the tenant, except the send budget, the alert job’s tenant list and the logging addresses', () => {
    const tenantFree = shapes.filter((shape) => !shape.pk.startsWith(tenantPrefix(TENANT)));
    expect(tenantFree.map((shape) => shape.name)).toEqual(['sendBudget', 'alertTenants', 'inboundAddresses']);
  });

  it('catalogue every index the table has, and only those', () => {
    const declared = new Set<string>(tableDefinition.indexes.map((index) => index.name));
    const used = new Set(shapes.map((shape) => shape.index).filter((index) => index !== 'table'));
    expect([...used].sort()).toEqual([...declared].sort());
  });

  it('name each pattern and item kind once', () => {
    const names = shapes.map((shape) => shape.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('parse back to the tenant, type and id of a record', () => {
    const { pk, sk } = recordKey('acme', 'DEAL', '01J0000000000000000000000A');
    const [prefix, tenant, type, id, ...rest] = pk.split('#');
    expect({ prefix, tenant, type, id, rest, sk }).toEqual({
      prefix: 'T',
      tenant: 'acme',
      type: 'DEAL',
      id: '01J0000000000000000000000A',
      rest: [],
      sk: 'A',
    });
  });

  it('sort sequence steps and search words by number, not text', () => {
    const steps = Array.from({ length: 100 }, (_, step) => step);
    const bySk = [...steps].sort((a, b) =>
      sequenceDeliverySk('c1', a) < sequenceDeliverySk('c1', b) ? -1 : 1,
    );
    expect(bySk).toEqual(steps);
    const words = [1, 2, 9, 10, 11].map(searchWordSk);
    expect([...words].sort()).toEqual(words);
    expect(sequenceDeliverySk('c1', 7)).toBe('c1#07');
  });

  it('sort records, timelines and notifications by creation time', () => {
    // Records' index sort keys are ULIDs: text order is creation order.
    const next = monotonicFactory();
    const ids = Array.from({ length: 50 }, (_, n) => next(Date.UTC(2026, 0, 1) + Math.floor(n / 3) * 1000));
    expect([...ids].sort()).toEqual(ids);
    const item = (id: string) => toItem(deals, 'acme', { ...dealFields, id });
    expect(ids.map((id) => item(id).gsi1sk)).toEqual(ids);
    const times = ['2026-01-01T00:00:09.000Z', '2026-01-01T00:00:10.000Z', '2026-02-01T00:00:00.000Z'];
    expect(times.map((at) => timelineSk(at, 'e', 0)).sort()).toEqual(
      times.map((at) => timelineSk(at, 'e', 0)),
    );
    expect(times.map((at) => notificationSk(at, 'k')).sort()).toEqual(
      times.map((at) => notificationSk(at, 'k')),
    );
  });
});

const dealFields = {
  id: '01J0000000000000000000000A',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ownerId: 'u1',
  teamId: 't1',
  archived: false,
  name: 'Big deal',
  stageId: 'won',
  pipelineId: 'p1',
  companyId: 'c1',
  contactIds: [],
  productIds: [],
} as unknown as Parameters<typeof toItem<typeof deals extends EntitySpec<infer T> ? T : never>>[2];

/** The query a pattern answers for `record`, from the fields its key reads. */
function queryFor(name: PatternName, spec: EntitySpec<StoredRecord>, record: Record<string, unknown>) {
  const declared = spec.accessPatterns;
  const queries: Record<Exclude<PatternName, 'byCollection'>, PatternQuery | undefined> = {
    byOwner: { pattern: 'byOwner', ownerId: String(record.ownerId) },
    byTeam: { pattern: 'byTeam', teamId: String(record.teamId) },
    byParent: declared?.byParent
      ? { pattern: 'byParent', parentId: String(record[declared.byParent.field]) }
      : undefined,
    byState: declared?.byState
      ? { pattern: 'byState', state: String(declared.byState.state(record as unknown as StoredRecord)) }
      : undefined,
    byName: declared?.byName ? { pattern: 'byName', prefix: '' } : undefined,
  };
  return name === 'byCollection' ? undefined : queries[name];
}

describe('record access patterns', () => {
  it('use only indexes the table defines, each index once', () => {
    const indexes = Object.values(recordPatterns).map((pattern) => pattern.index);
    const defined = tableDefinition.indexes.map((index) => index.name);
    expect([...indexes].sort()).toEqual([...defined].sort());
    for (const index of Object.values(itemIndexes)) expect(defined).toContain(index);
  });

  it('write each record under the partition its list reads', () => {
    const record = {
      ...dealFields,
      firstName: 'Ana',
      subject: 'Call',
      status: 'open',
      dealId: 'd1',
      contactId: 'p1',
      relatedKey: 'contact:p1',
    } as unknown as Record<string, unknown>;
    for (const spec of specs) {
      const item = toItem(spec, 'acme', record as unknown as StoredRecord);
      for (const name of Object.keys(recordPatterns) as PatternName[]) {
        const pattern = recordPatterns[name];
        const attribute =
          tableDefinition.indexes.find((index) => index.name === pattern.index)?.partitionKey ?? '';
        const query = queryFor(name, spec, record);
        if (name !== 'byCollection' && !query) {
          expect(item[attribute], `${spec.type} ${name}`).toBeUndefined();
          continue;
        }
        const partition = (
          pattern.partition as (t: string, e: typeof spec, q: unknown, archived: boolean) => string
        )('acme', spec, query, false);
        expect(item[attribute], `${spec.type} ${name}`).toBe(partition);
      }
    }
  });

  it('refuse a list by a pattern the entity does not declare', () => {
    expect(() =>
      recordPatterns.byParent.partition('acme', companies, { pattern: 'byParent', parentId: 'x' }, false),
    ).toThrow(/COMPANY records have no byParent/);
  });

  it('hide every key, index attribute and bookkeeping attribute from clients', () => {
    // The domain names them (shared/domain/records.ts); the table definition decides them.
    expect(storageAttributes).toEqual([
      tableDefinition.partitionKey,
      tableDefinition.sortKey,
      ...tableDefinition.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
      'entity',
      'tenantId',
      tableDefinition.timeToLiveAttribute,
    ]);
  });

  it('build index attributes and queries from the table definition', () => {
    expect(indexEntry('gsi3', 'P', 'S')).toEqual({ gsi3pk: 'P', gsi3sk: 'S' });
    expect(indexPartition('gsi6', 'P')).toEqual({
      IndexName: 'gsi6',
      KeyConditionExpression: 'gsi6pk = :pk',
      ExpressionAttributeValues: { ':pk': 'P' },
    });
  });
});

/**
 * Whether some key could match two templates. Segments are split on `#`
 * (placeholders hold no `#`: ids are ULIDs or plain identifiers); a
 * placeholder matches any segment, except that an id (a ULID, 26 characters)
 * never equals a literal word.
 */
function overlap(a: string, b: string): boolean {
  const left = a.split('#');
  const right = b.split('#');
  if (left.length !== right.length) return false;
  const isPlaceholder = (segment: string) => /^<.+>$/.test(segment);
  const isId = (segment: string) => /^<(\w*Id|id|eventId|entryId|pk|sk)>$/.test(segment);
  return left.every((segment, n) => {
    const other = right[n] ?? '';
    if (isPlaceholder(segment) && isPlaceholder(other)) return true;
    if (isPlaceholder(segment)) return !isId(segment) || other.length === 26;
    if (isPlaceholder(other)) return !isId(other) || segment.length === 26;
    return segment === other;
  });
}

/** Shapes with `<TYPE>` and `<PARENT>` replaced by every value they take. */
function expanded(): KeyShape[] {
  const parents = specs.flatMap((spec) =>
    spec.accessPatterns?.byParent ? [[spec.type, spec.accessPatterns.byParent.parent] as const] : [],
  );
  return shapes.flatMap((shape) => {
    const types = shape.pk.includes('<TYPE>') ? entityTypes : [undefined];
    return types.flatMap((type) => {
      const typed = (text: string) => (type ? text.replaceAll('<TYPE>', type) : text);
      if (!shape.pk.includes('<PARENT>')) return [{ ...shape, pk: typed(shape.pk), sk: typed(shape.sk) }];
      return parents
        .filter(([owner]) => owner === type)
        .map(([, parent]) => ({ ...shape, pk: typed(shape.pk).replace('<PARENT>', parent), sk: shape.sk }));
    });
  });
}

describe('key collisions', () => {
  it('let no two patterns or item kinds share a key in any index', () => {
    const all = expanded();
    // An activity's state holds a `#` (`<status>#<assignee>`): one more segment.
    all.push({
      ...shapes.find((shape) => shape.name === 'byState'),
      pk: 'T#<tenant>#ACTIVITY#STATE#<status>#<userId>',
    } as KeyShape);
    const clashes: string[] = [];
    for (const [n, a] of all.entries()) {
      for (const b of all.slice(n + 1)) {
        if (a.index !== b.index || (a.name === b.name && a.pk === b.pk)) continue;
        if (overlap(a.pk, b.pk) && overlap(a.sk, b.sk)) clashes.push(`${a.name} ${a.pk} ~ ${b.name} ${b.pk}`);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('finds the clash of two templates that could meet', () => {
    expect(overlap('T#<tenant>#DEAL#<parentId>', 'T#<tenant>#DEAL#OWNER')).toBe(false);
    expect(overlap('T#<tenant>#DEAL#OWNER#<ownerId>', 'T#<tenant>#DEAL#<PARENT>#<parentId>')).toBe(true);
  });
});

describe('tenant isolation', () => {
  const event = (tenantId: string) =>
    ({
      requestContext: {
        authorizer: {
          jwt: { claims: { 'custom:tenantId': tenantId, sub: 'u1', 'cognito:groups': '[admin]' } },
        },
      },
    }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

  it('refuses a tenant id that could reach into another tenant’s keys', () => {
    for (const tenantId of ['acme#CONTACT', 'acme#', '#acme', 'a b', '', 'x'.repeat(129)])
      expect(() => callerFrom(event(tenantId)), tenantId).toThrow(/no valid tenant/);
    expect(callerFrom(event('acme-2_b')).tenantId).toBe('acme-2_b');
  });

  it('keeps the keys of one tenant outside every other tenant’s prefix', () => {
    const tenants = ['a', 'ab', 'a-b', 'a_b', 'A', 'acme', 'acme2'];
    for (const tenant of tenants) {
      const keys = [
        recordKey(tenant, 'CONTACT' as EntityType, '01J0000000000000000000000A').pk,
        ...Object.values(toItem(deals, tenant, dealFields) as Record<string, unknown>).filter(
          (value): value is string => typeof value === 'string' && value.startsWith('T#'),
        ),
      ];
      for (const other of tenants.filter((candidate) => candidate !== tenant))
        for (const key of keys) expect(key.startsWith(tenantPrefix(other)), `${key} / ${other}`).toBe(false);
    }
  });
});

describe('README access-pattern table', () => {
  it('shows the patterns, indexes and key templates the code builds', () => {
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(
      readme.indexOf('<!-- access-patterns'),
      readme.indexOf('<!-- /access-patterns -->'),
    );
    const rows = table
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('| ') && !line.startsWith('| Pattern') && !line.startsWith('| ---'))
      .map((line) =>
        line
          .split(' | ')
          .slice(0, 4)
          .map((cell) => cell.replace(/^\| /, '').replaceAll('`', '')),
      );
    expect(rows).toEqual(shapes.map((shape) => [shape.name, shape.index, shape.pk, shape.sk]));
  });
});

describe('one place for keys', () => {
  it('builds no key template and names no index attribute outside keys.ts and the table definition', () => {
    const owners = new Set([
      join('shared', 'store', 'keys.ts'),
      join('shared', 'store', 'table.ts'),
      // Names (never builds) the storage attributes that domain rules skip; checked against the table above.
      join('shared', 'domain', 'records.ts'),
    ]);
    const offenders = ['functions', 'shared', 'bench', 'infra']
      .flatMap(sourceFiles)
      .filter((file) => !owners.has(file))
      .filter((file) => /`T#\$\{|['"]T#|\bgsi\d(pk|sk)\b|IndexName: '/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
