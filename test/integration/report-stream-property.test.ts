import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Company, Contact, Deal, Lead, StoredRecord } from '#shared/domain/records';
import { uniqueTenant } from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { streamEvent, streamRecord } from '../support/stream-records.ts';

/**
 * The property the report framework rests on: whatever happens to a
 * tenant's records and however the stream delivers the changes (in batches
 * of any size, a batch delivered twice, an old batch replayed after newer
 * ones), the aggregates the REAL stream handler (functions/stream/tableChanges.ts)
 * keeps equal the rebuild's sums of the records as they end up: the rebuild
 * finds no drift.
 *
 * The records live in a table of this test's own, without a stream, so the
 * local runtime's stream poller does not apply the same changes a second
 * time; each change is written there and handed to the handler as the stream
 * record of its old and new image.
 */
let handler: typeof import('#functions/stream/tableChanges').handler;
let entities: typeof import('#shared/store/entities');
let records: typeof import('#shared/store/records');
let keys: typeof import('#shared/store/keys');
let rebuild: typeof import('#shared/store/report-rebuild');
let dynamo: typeof import('#shared/store/client').dynamo;

beforeAll(async () => {
  useTestTable();
  const { tableDefinition } = await import('#shared/store/table');
  const tableName = `${process.env.TABLE_NAME}-property-${Date.now().toString(36)}`;
  const keyNames = [
    tableDefinition.partitionKey,
    tableDefinition.sortKey,
    ...tableDefinition.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  await dynamoClient().send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  process.env.TABLE_NAME = tableName;
  handler = (await import('#functions/stream/tableChanges')).handler;
  entities = await import('#shared/store/entities');
  records = await import('#shared/store/records');
  keys = await import('#shared/store/keys');
  rebuild = await import('#shared/store/report-rebuild');
  dynamo = (await import('#shared/store/client')).dynamo;
});

type Item = Record<string, unknown>;
type Kind = 'contact' | 'company' | 'deal' | 'lead';

/** What happens to the tenant's records, one step at a time. */
type Step =
  | { op: 'create'; kind: Kind; owner: number; amount: number; currency: string; country: string }
  | { op: 'update'; target: number; owner: number; amount: number; currency: string; country: string }
  | { op: 'move'; target: number; stage: 'open' | 'won' | 'lost'; day: number }
  | { op: 'archive'; target: number }
  | { op: 'restore'; target: number }
  | { op: 'erase'; target: number };

/** How the stream hands the changes over: batch sizes, and which batches come twice or again later. */
interface Delivery {
  sizes: number[];
  duplicated: boolean[];
  replayed: number[];
}

const money = fc.integer({ min: 0, max: 5_000_000 }).map((minor) => minor / 100);
const currency = fc.constantFrom('EUR', 'USD');
const country = fc.constantFrom('ES', 'DE', 'FR');
const owner = fc.nat(2);
const target = fc.nat(30);

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      kind: fc.constantFrom<Kind>('contact', 'company', 'deal', 'deal', 'lead'),
      owner,
      amount: money,
      currency,
      country,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('update' as const),
      target,
      owner,
      amount: money,
      currency,
      country,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('move' as const),
      target,
      stage: fc.constantFrom('open' as const, 'won' as const, 'lost' as const),
      day: fc.nat(700),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('archive' as const), target }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restore' as const), target }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('erase' as const), target }) },
);

const delivery: fc.Arbitrary<Delivery> = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
  duplicated: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  replayed: fc.array(fc.nat(20), { maxLength: 3 }),
});

const stages = { open: 'stage-open', won: 'stage-won', lost: 'stage-lost' } as const;
const probability = { open: 40, won: 100, lost: 0 } as const;
const dayAt = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString();

interface World {
  readonly tenantId: string;
  /** Current records by id, with their kind; erased ones are gone. */
  readonly live: Map<string, { kind: Kind; record: StoredRecord & Item }>;
  /** Ids in creation order, so a step's `target` picks one (gone or not). */
  readonly ids: string[];
  /** The stream: each write's old and new item, in order. */
  readonly changes: { old?: Item; new?: Item }[];
  clock: number;
}

const specOf = (kind: Kind) =>
  ({ contact: entities.contacts, company: entities.companies, deal: entities.deals, lead: entities.leads })[
    kind
  ] as unknown as import('#shared/store/records').EntitySpec<StoredRecord>;

const itemOf = (world: World, kind: Kind, record: StoredRecord) =>
  records.toItem(specOf(kind), world.tenantId, record) as Item;

async function write(
  world: World,
  kind: Kind,
  before: StoredRecord | undefined,
  after: StoredRecord | undefined,
) {
  const old = before ? itemOf(world, kind, before) : undefined;
  const next = after ? itemOf(world, kind, after) : undefined;
  if (next) await dynamo.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: next }));
  else if (old)
    await dynamo.send(
      new DeleteCommand({ TableName: process.env.TABLE_NAME, Key: { pk: old.pk, sk: old.sk } }),
    );
  world.changes.push({ ...(old ? { old } : {}), ...(next ? { new: next } : {}) });
}

function newRecord(world: World, step: Extract<Step, { op: 'create' }>, id: string): StoredRecord & Item {
  const at = dayAt(world.clock);
  const base = {
    id,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ownerId: `user-${step.owner}`,
    teamId: `team-${step.owner % 2}`,
    archived: false,
  };
  switch (step.kind) {
    case 'contact':
      return {
        ...base,
        firstName: 'P',
        email: `${id}@example.com`,
        tags: [],
        marketingStatus: 'subscribed',
        customFields: {},
        country: step.country,
      } satisfies Contact;
    case 'company':
      return {
        ...base,
        name: `Company ${id}`,
        tags: [],
        customFields: {},
        country: step.country,
      } satisfies Company;
    case 'lead':
      return { ...base, firstName: 'L', status: 'new', source: 'web', country: step.country } satisfies Lead;
    case 'deal':
      return {
        ...base,
        name: `Deal ${id}`,
        pipelineId: 'pipeline-1',
        stageId: stages.open,
        status: 'open',
        probability: probability.open,
        amount: step.amount,
        currency: step.currency,
        contactIds: [],
        productIds: step.amount > 20_000 ? ['product-1', 'product-2'] : [],
        country: step.country,
      } as Deal & Item;
  }
}

async function apply(world: World, step: Step): Promise<void> {
  world.clock++;
  if (step.op === 'create') {
    const id = `${world.tenantId}-${String(world.ids.length).padStart(3, '0')}`;
    const record = newRecord(world, step, id);
    world.ids.push(id);
    world.live.set(id, { kind: step.kind, record });
    await write(world, step.kind, undefined, record);
    return;
  }
  const id = world.ids.length > 0 ? world.ids[step.target % world.ids.length] : undefined;
  const found = id ? world.live.get(id) : undefined;
  if (!id || !found) return;
  const { kind, record } = found;
  const bump = { version: record.version + 1, updatedAt: dayAt(world.clock) };
  let next: (StoredRecord & Item) | undefined;
  switch (step.op) {
    case 'update':
      next = {
        ...record,
        ...bump,
        ownerId: `user-${step.owner}`,
        teamId: `team-${step.owner % 2}`,
        country: step.country,
        ...(kind === 'deal' ? { amount: step.amount, currency: step.currency } : {}),
      };
      break;
    case 'move': {
      if (kind !== 'deal') return;
      const { closedAt: _closed, ...rest } = record;
      next = {
        ...rest,
        ...bump,
        stageId: stages[step.stage],
        status: step.stage,
        probability: probability[step.stage],
        ...(step.stage === 'open' ? {} : { closedAt: dayAt(step.day) }),
        ...(step.stage === 'lost' ? { lostReason: 'price' } : {}),
      };
      // The stage change's history entry, an immutable fact written with it.
      const entry = keys.dealHistoryKey(world.tenantId, id, `${id}-h${world.clock}`);
      const history: Item = {
        ...entry,
        entity: 'deal-history',
        tenantId: world.tenantId,
        id: entry.sk,
        dealId: id,
        from: { id: record.stageId, name: String(record.stageId) },
        to: { id: stages[step.stage], name: step.stage },
        status: step.stage,
        amount: record.amount,
        currency: record.currency,
        by: record.ownerId,
        at: dayAt(world.clock),
      };
      await dynamo.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: history }));
      world.changes.push({ new: history });
      break;
    }
    case 'archive':
    case 'restore':
      next = { ...record, ...bump, archived: step.op === 'archive' };
      break;
    case 'erase':
      if (kind !== 'contact') return;
      next = undefined;
      break;
  }
  if (next) world.live.set(id, { kind, record: next });
  else world.live.delete(id);
  await write(world, kind, record, next);
}

/** The stream records cut into batches as `delivery` says, with its duplicates and replays. */
function batches(world: World, plan: Delivery): DynamoDBRecord[][] {
  const all = world.changes.map((change, n) =>
    streamRecord({ ...change, eventId: `${world.tenantId}-e${n}`, sequenceNumber: n + 1 }),
  );
  const cut: DynamoDBRecord[][] = [];
  for (let start = 0, n = 0; start < all.length; n++) {
    const size = plan.sizes[n % plan.sizes.length] ?? 1;
    cut.push(all.slice(start, start + size));
    start += size;
  }
  const delivered: DynamoDBRecord[][] = [];
  cut.forEach((batch, n) => {
    delivered.push(batch);
    if (plan.duplicated[n % plan.duplicated.length]) delivered.push(batch);
  });
  for (const n of plan.replayed) if (cut.length > 0) delivered.push(cut[n % cut.length] as DynamoDBRecord[]);
  return delivered;
}

describe('report aggregates kept from the stream', () => {
  it('equal the rebuild after any sequence of changes, however the batches are cut, duplicated or replayed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), delivery, async (steps, plan) => {
        const world: World = {
          tenantId: uniqueTenant('prop'),
          live: new Map(),
          ids: [],
          changes: [],
          clock: 0,
        };
        for (const one of steps) await apply(world, one);
        for (const batch of batches(world, plan)) {
          const response = await handler(streamEvent(batch));
          expect(response.batchItemFailures).toEqual([]);
        }
        const result = await rebuild.rebuildReports(world.tenantId);
        expect(result.drifted).toEqual([]);
        // An independent figure: the overview counts the live, unarchived records of each kind.
        const overview =
          (await rebuild.readStoredAggregates(world.tenantId, ['overview']))[0]?.counters ?? {};
        const live = (kind: Kind) =>
          [...world.live.values()].filter((one) => one.kind === kind && !one.record.archived).length;
        expect({
          contacts: overview.contacts ?? 0,
          companies: overview.companies ?? 0,
          deals: overview.deals ?? 0,
          leads: overview.leads ?? 0,
        }).toEqual({
          contacts: live('contact'),
          companies: live('company'),
          deals: live('deal'),
          leads: live('lead'),
        });
      }),
      { numRuns: 6 },
    );
  });
});
