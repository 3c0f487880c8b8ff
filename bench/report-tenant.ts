import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { relatedKeyOf } from '#shared/domain/activities';
import { caseTypes } from '#shared/domain/cases';
import { leadSources } from '#shared/domain/leads';
import type { Stage } from '#shared/domain/pipeline';

/**
 * A tenant for the report routes' bench, loaded fast: its items are built with
 * the stores' own mappings (toItem, the key builders), written with
 * BatchWriteItem, and their images fed to the real aggregates consumer
 * (applyAggregates) as inserts, without the rest of the stream pipeline.
 * Everything is spread over the two years before now, over owners, teams,
 * countries, currencies and stages, deterministically (no randomness: record
 * n's attributes are functions of n).
 */

type Item = Record<string, unknown>;

export interface TenantSize {
  readonly contacts: number;
  readonly companies: number;
  readonly deals: number;
  readonly leads: number;
  readonly cases: number;
  readonly activities: number;
  /** Recipients of the tenant's one campaign. */
  readonly deliveries: number;
}

export const OWNERS = 8;
const TEAMS = 3;
const DAY_MS = 86_400_000;
const HISTORY_DAYS = 730;
const countries = ['ES', 'DE', 'FR', 'IT', 'GB', 'US'];
const currencies = ['EUR', 'EUR', 'USD', 'GBP'];

/** Records written and fed to the consumer per round: bounds memory, keeps the consumer's batches realistic. */
const CHUNK = 2_000;
const WRITERS = 4;

export interface LoadedTenant {
  readonly tenantId: string;
  readonly campaignId: string;
  /** A contact with opens and clicks in the last 90 days (its engagement score reads them). */
  readonly engagedContactId: string;
  readonly records: number;
  readonly seconds: number;
}

async function writeItems(tableName: string, items: readonly Item[]): Promise<void> {
  const { dynamo } = await import('#shared/store/client');
  const batches: Item[][] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  const writer = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      let pending: Item[] = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const output = await dynamo.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (output.UnprocessedItems?.[tableName] ?? []) as Item[];
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

export async function loadTenant(
  tableName: string,
  tenantId: string,
  size: TenantSize,
  log: (line: string) => void,
): Promise<LoadedTenant> {
  const started = performance.now();
  const { toItem } = await import('#shared/store/records');
  const entities = await import('#shared/store/entities');
  const { campaigns } = await import('#shared/store/campaigns');
  const keys = await import('#shared/store/keys');
  const { defaultPipeline } = await import('#shared/store/pipelines');
  const { applyAggregates } = await import('#functions/stream/consumers/aggregates');
  const pipeline = await defaultPipeline(tenantId, 'bench');
  const open = pipeline.stages.filter((stage) => stage.kind === 'open');
  const closed = (kind: Stage['kind']) => pipeline.stages.find((stage) => stage.kind === kind) as Stage;
  const next = monotonicFactory();
  const nowMs = Date.now();
  /** Record n's day: spread over two years, more of them recent, never in the future. */
  const dayMs = (n: number, salt: number) => {
    const spread = ((n * 7919 + salt * 104_729) % 1_000_003) / 1_000_003;
    return nowMs - Math.floor(spread * spread * HISTORY_DAYS) * DAY_MS - ((n * 37) % 86_400) * 1000;
  };
  const iso = (ms: number) => new Date(Math.min(ms, nowMs)).toISOString();
  const owner = (n: number) => `bench-user-${n % OWNERS}`;
  const base = (n: number, salt: number) => {
    const at = iso(dayMs(n, salt));
    return {
      id: next(),
      createdAt: at,
      updatedAt: at,
      version: 1,
      ownerId: owner(n),
      teamId: `bench-team-${n % TEAMS}`,
      archived: false,
    };
  };
  const companyIds: string[] = [];
  const contactIds: string[] = [];
  const campaignId = next();
  let records = 0;
  let events = 0;

  const feed = async (items: Item[]) => {
    await writeItems(tableName, items);
    const changes = items.map((item) => ({
      eventId: `bench-${tenantId}-${events++}`,
      sequenceNumber: String(events),
      tenantId,
      entity: String(item.entity),
      keys: { pk: item.pk, sk: item.sk },
      old: undefined,
      new: item,
      kind: 'insert' as const,
    }));
    const failed = await applyAggregates(changes);
    if (failed.size > 0) throw new Error(`the aggregates consumer failed ${failed.size} changes`);
    records += items.length;
  };
  const inChunks = async (what: string, count: number, build: (n: number) => Item) => {
    for (let start = 0; start < count; start += CHUNK) {
      const items: Item[] = [];
      for (let n = start; n < Math.min(count, start + CHUNK); n++) items.push(build(n));
      await feed(items);
    }
    log(`reports: ${tenantId}: ${count} ${what} (${Math.round((performance.now() - started) / 1000)} s)`);
  };

  await inChunks('companies', size.companies, (n) => {
    const record = {
      ...base(n, 1),
      name: `Company ${n}`,
      country: countries[n % countries.length],
      tags: [],
      customFields: {},
    };
    companyIds.push(record.id);
    return toItem(entities.companies, tenantId, record);
  });
  await inChunks('contacts', size.contacts, (n) => {
    const record = {
      ...base(n, 2),
      firstName: `Person ${n}`,
      email: `p${n}@${tenantId}.example`,
      companyId: companyIds[n % companyIds.length],
      country: countries[n % countries.length],
      tags: [],
      marketingStatus: n % 50 === 0 ? ('unsubscribed' as const) : ('subscribed' as const),
      customFields: {},
    };
    contactIds.push(record.id);
    return toItem(entities.contacts, tenantId, record);
  });
  await inChunks('leads', size.leads, (n) => {
    const record = base(n, 3);
    const converted = n % 4 === 0;
    return toItem(entities.leads, tenantId, {
      ...record,
      firstName: `Lead ${n}`,
      source: leadSources[n % leadSources.length],
      country: countries[n % countries.length],
      status: converted ? 'converted' : n % 4 === 1 ? 'contacted' : 'new',
      ...(converted ? { convertedAt: iso(Date.parse(record.createdAt) + ((n % 40) + 1) * DAY_MS) } : {}),
    });
  });
  await inChunks('deals', size.deals, (n) => {
    const record = base(n, 4);
    const kind = n % 5 === 0 ? 'won' : n % 5 === 1 ? 'lost' : 'open';
    const stage = kind === 'open' ? (open[n % open.length] as Stage) : closed(kind);
    const created = Date.parse(record.createdAt);
    return toItem(entities.deals, tenantId, {
      ...record,
      name: `Deal ${n}`,
      pipelineId: pipeline.id,
      stageId: stage.id,
      status: kind,
      probability: stage.probability,
      amount: 500 + (n % 97) * 125.5,
      currency: currencies[n % currencies.length],
      country: countries[n % countries.length],
      source: leadSources[n % leadSources.length],
      companyId: companyIds[n % companyIds.length],
      contactIds: [contactIds[n % contactIds.length] as string],
      productIds: [`bench-product-${n % 6}`],
      ...(kind === 'open'
        ? n % 3 === 0
          ? {}
          : { expectedCloseDate: iso(nowMs + ((n % 300) - 30) * DAY_MS).slice(0, 10) }
        : { closedAt: iso(created + ((n % 90) + 1) * DAY_MS) }),
      ...(kind === 'lost' ? { lostReason: 'price' } : {}),
      ...(n % 10 === 0 ? { campaignId } : {}),
    });
  });
  await inChunks('cases', size.cases, (n) => {
    const record = base(n, 5);
    const created = Date.parse(record.createdAt);
    const resolved = n % 3 !== 0;
    return toItem(entities.cases, tenantId, {
      ...record,
      subject: `Case ${n}`,
      type: caseTypes[n % caseTypes.length] as (typeof caseTypes)[number],
      priority: 'normal',
      status: resolved ? 'resolved' : 'open',
      contactId: contactIds[n % contactIds.length] as string,
      companyId: companyIds[n % companyIds.length],
      assigneeId: owner(n),
      slaStartAt: record.createdAt,
      slaDueAt: iso(created + 24 * 3_600_000),
      ...(n % 7 === 0 ? { slaBreachedAt: iso(created + 25 * 3_600_000) } : {}),
      ...(resolved ? { resolvedAt: iso(created + ((n % 72) + 1) * 3_600_000) } : {}),
      ...(resolved && n % 2 === 0 ? { csatScore: (n % 5) + 1, csatAt: iso(created + 80 * 3_600_000) } : {}),
    });
  });
  const activityTypes = ['call', 'meeting', 'email', 'task'] as const;
  await inChunks('activities', size.activities, (n) => {
    const record = base(n, 6);
    const type = activityTypes[n % activityTypes.length] as (typeof activityTypes)[number];
    const done = n % 2 === 0;
    const related = { type: 'contact' as const, id: contactIds[n % contactIds.length] as string };
    return toItem(entities.activities, tenantId, {
      ...record,
      type,
      subject: `Activity ${n}`,
      assigneeId: owner(n),
      related,
      relatedKey: relatedKeyOf(related),
      companyId: companyIds[(n % contactIds.length) % companyIds.length],
      status: done ? 'done' : 'open',
      reminderState: 'none',
      dueAt: iso(Date.parse(record.createdAt) + 3 * DAY_MS),
      ...(done ? { completedAt: iso(Date.parse(record.createdAt) + DAY_MS) } : {}),
      ...(type === 'email' ? { direction: n % 4 === 2 ? 'inbound' : 'outbound' } : {}),
    });
  });

  // The campaign started 30 days ago; its recipients are the first contacts, a third opened, a tenth clicked.
  const startedAt = nowMs - 30 * DAY_MS;
  await feed([
    toItem(campaigns, tenantId, {
      ...base(0, 7),
      id: campaignId,
      createdAt: iso(startedAt - DAY_MS),
      name: 'Bench campaign',
      templateId: 'bench-template',
      segmentId: 'bench-segment',
      fromEmail: 'news@bench.example',
      status: 'sent',
      startedAt: iso(startedAt),
      completedAt: iso(startedAt + 3_600_000),
      recipientCount: size.deliveries,
      budget: 1000,
      cost: 800,
      currency: 'EUR',
    }),
  ]);
  const engagedIndex = 0;
  await inChunks('campaign deliveries', size.deliveries, (n) => {
    const contactId = contactIds[n % contactIds.length] as string;
    const sentMs = startedAt + (n % 3600) * 1000;
    const at = (hours: number) => iso(sentMs + hours * 3_600_000);
    return {
      pk: keys.campaignRecipientsPk(tenantId, campaignId),
      sk: contactId,
      entity: 'delivery',
      kind: 'campaign',
      tenantId,
      campaignId,
      contactId,
      companyId: companyIds[(n % contactIds.length) % companyIds.length],
      email: `p${n % contactIds.length}@${tenantId}.example`,
      status: 'sent',
      createdAt: at(0),
      updatedAt: at(0),
      sentAt: at(0),
      deliveredAt: at(0),
      messageId: `bench-${n}`,
      ...(n % 3 === 0 ? { openedAt: at((n % 48) + 1) } : {}),
      ...(n % 10 === 0 ? { clickedAt: at((n % 48) + 2) } : {}),
      ...(n % 11 === 0 ? { machineOpenedAt: at(0.001) } : {}),
    };
  });
  return {
    tenantId,
    campaignId,
    engagedContactId: contactIds[engagedIndex] as string,
    records,
    seconds: (performance.now() - started) / 1000,
  };
}
