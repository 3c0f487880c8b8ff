import { beforeAll, describe, expect, it } from 'vitest';
import type { TableChange } from '#functions/stream/pipeline/change';
import { decodeRecords } from '#functions/stream/pipeline/decode';
import { moveToStage } from '#shared/domain/deal';
import { forecastOf } from '#shared/domain/reports/forecast';
import { pipelinePrefix, pipelineRows } from '#shared/domain/reports/pipeline';
import { winRateRow } from '#shared/domain/reports/win-rate';
import type { Deal, Pipeline } from '#shared/store/entities';
import { uniqueTenant } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { streamRecord } from '../support/stream-records.ts';

/**
 * The deal reports through the stream consumer against DynamoDB Local, fed
 * with items as the store writes them (deal items and their history entries):
 * a batch delivered again changes nothing, an overlapping one counts only its
 * new events.
 */
let consumer: typeof import('#functions/stream/consumers/aggregates');
let store: typeof import('#shared/store/report-aggregates');
let dealStore: typeof import('#shared/store/deals');
let records: typeof import('#shared/store/records');
let entities: typeof import('#shared/store/entities');

beforeAll(async () => {
  useTestTable();
  consumer = await import('#functions/stream/consumers/aggregates');
  store = await import('#shared/store/report-aggregates');
  dealStore = await import('#shared/store/deals');
  records = await import('#shared/store/records');
  entities = await import('#shared/store/entities');
});

const stamp = { createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', version: 1 };
const pipeline: Pipeline = {
  ...stamp,
  id: 'P1',
  ownerId: 'admin',
  archived: false,
  name: 'Sales',
  stages: [
    { id: 's1', name: 'prospecting', probability: 10, kind: 'open' },
    { id: 's2', name: 'proposal', probability: 50, kind: 'open' },
    { id: 'won', name: 'won', probability: 100, kind: 'won' },
    { id: 'lost', name: 'lost', probability: 0, kind: 'lost' },
  ],
};

/** A deal's life as stream changes of its item and of the history entries written with each move. */
function lifeOf(
  tenantId: string,
  id: string,
  moves: { stageId: string; at: string }[],
  expectedCloseDate: string,
) {
  const created = moveToStage<Deal>(
    {
      ...stamp,
      id,
      ownerId: 'u1',
      archived: false,
      name: id,
      amount: 10.01,
      currency: 'EUR',
      contactIds: [],
      productIds: [],
      expectedCloseDate,
      pipelineId: pipeline.id,
      stageId: '',
      status: 'open',
      probability: 0,
    },
    pipeline,
    's1',
    stamp.createdAt,
  );
  if (!created.ok) throw new Error(created.message);
  const states = [created.deal];
  for (const move of moves) {
    const previous = states.at(-1) as Deal;
    const next = moveToStage(previous, pipeline, move.stageId, move.at);
    if (!next.ok) throw new Error(next.message);
    states.push({ ...next.deal, version: previous.version + 1, updatedAt: move.at });
  }
  const item = (deal: Deal) => records.toItem(entities.deals, tenantId, deal);
  return decodeRecords(
    states.flatMap((state, index) => {
      const before = states[index - 1];
      const entry = dealStore.dealHistoryItem(
        tenantId,
        before ? { deal: before, pipeline } : undefined,
        { deal: state, pipeline },
        'u1',
      )?.Put?.Item;
      return [
        streamRecord({ old: before ? item(before) : undefined, new: item(state) }),
        ...(entry ? [streamRecord({ new: entry })] : []),
      ];
    }),
  ).changes;
}

async function reports(tenantId: string) {
  const pipelineItems = await store.readReport(tenantId, 'pipeline', { prefix: pipelinePrefix(pipeline.id) });
  const winRate = await store.readReport(tenantId, 'win-rate', { prefix: 'month#' });
  const forecast = await store.readReport(tenantId, 'forecast');
  return {
    pipeline: pipelineRows(pipeline, pipelineItems),
    winRate: [...winRate].map(([key, counters]) => winRateRow(key, counters)),
    forecast: forecastOf(forecast, '2026-01', 3),
  };
}

describe('deal reports from the stream', () => {
  it('count a batch once when delivered again, and only the new events of an overlapping one', async () => {
    const tenantId = uniqueTenant();
    // Advanced twice, won, then reopened: it ends open in proposal.
    const first: TableChange[] = lifeOf(
      tenantId,
      'd1',
      [
        { stageId: 's2', at: '2026-01-02T00:00:00.000Z' },
        { stageId: 'won', at: '2026-01-05T12:00:00.000Z' },
        { stageId: 's2', at: '2026-01-06T00:00:00.000Z' },
      ],
      '2026-02-10',
    );
    expect(await consumer.applyAggregates(first)).toEqual(new Map());
    const once = await reports(tenantId);
    expect(
      once.pipeline.map(({ stageId, count, enteredCount, advancedCount, avgDaysInStage }) => ({
        stageId,
        count,
        enteredCount,
        advancedCount,
        avgDaysInStage,
      })),
    ).toEqual([
      { stageId: 's1', count: 0, enteredCount: 1, advancedCount: 1, avgDaysInStage: 1 },
      { stageId: 's2', count: 1, enteredCount: 2, advancedCount: 1, avgDaysInStage: 3.5 },
      { stageId: 'won', count: 0, enteredCount: 1, advancedCount: 0, avgDaysInStage: 0.5 },
      { stageId: 'lost', count: 0, enteredCount: 0, advancedCount: 0, avgDaysInStage: null },
    ]);
    expect(once.pipeline[1]).toMatchObject({ amount: { EUR: 10.01 }, weightedAmount: { EUR: 5.01 } });
    expect(once.winRate).toEqual([]);
    expect(once.forecast.items).toEqual([
      { month: '2026-02', ownerId: 'u1', count: 1, amount: { EUR: 10.01 }, weightedAmount: { EUR: 5.01 } },
    ]);

    expect(await consumer.applyAggregates(first)).toEqual(new Map());
    expect(await reports(tenantId)).toEqual(once);

    // Half of the first batch again, and a deal won straight from prospecting.
    const later = lifeOf(tenantId, 'd2', [{ stageId: 'won', at: '2026-01-03T00:00:00.000Z' }], '2026-01-20');
    expect(await consumer.applyAggregates([...first.slice(0, 4), ...later])).toEqual(new Map());
    const after = await reports(tenantId);
    expect(
      after.pipeline.map((row) => [row.stageId, row.count, row.enteredCount, row.advancedCount]),
    ).toEqual([
      ['s1', 0, 2, 2],
      ['s2', 1, 2, 1],
      ['won', 1, 2, 0],
      ['lost', 0, 0, 0],
    ]);
    expect(after.winRate).toEqual([
      { key: 'month#2026-01-03', won: 1, lost: 0, winRate: 1, avgDealSize: { EUR: 10.01 }, avgCycleDays: 2 },
    ]);
    expect(after.forecast).toEqual(once.forecast);
  });
});
