import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { domainEventId } from '#shared/domain/domain-events';
import { type ApiClient, eventually } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { streamRecord } from '../support/stream-records.ts';
import { createWorld, type World } from './world.ts';

/**
 * Domain events end to end: a write through the API reaches the stream, which
 * puts its events on the local bus stand-in, read back through the local
 * route GET /__local/events (infra/local/events-control.ts).
 */
let world: World;
beforeAll(async () => {
  world = await createWorld();
});

interface Recorded {
  readonly source: string;
  readonly detailType: string;
  readonly detail: {
    id: string;
    type: string;
    tenantId: string;
    occurredAt: string;
    data: Record<string, unknown>;
  };
}

const recorded = async (client: ApiClient, type?: string): Promise<Recorded[]> => {
  const response = await client.get(`/__local/events${type ? `?type=${type}` : ''}`);
  expect(response.status, response.text).toBe(200);
  return response.body.items;
};
const about = (items: readonly Recorded[], id: string) => items.filter((item) => item.detail.data.id === id);

describe('domain events on the local bus', () => {
  it('a contact created, edited and archived through the API: created, updated, deleted, for its tenant only', async () => {
    const { admin, stranger } = world;
    const created = await admin.client.post('/contacts', {
      firstName: 'Eve',
      email: `eve@${world.tenant}.test`,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const edited = await admin.client.patch(`/contacts/${id}`, { title: 'CTO' });
    expect(edited.status).toBe(200);
    expect((await admin.client.delete(`/contacts/${id}`)).status).toBe(204);
    const events = await eventually(async () => {
      const items = about(await recorded(admin.client), id);
      expect(items.map((item) => item.detailType)).toEqual([
        'contact.created',
        'contact.updated',
        'contact.deleted',
      ]);
      return items;
    });
    expect(events[0]).toEqual({
      sentAt: expect.any(String),
      source: 'crm',
      detailType: 'contact.created',
      detail: {
        id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
        type: 'contact.created',
        tenantId: world.tenant,
        occurredAt: created.body.createdAt,
        data: created.body,
      },
    });
    expect(events[1]?.detail.data).toMatchObject({ title: 'CTO', changedFields: ['title'] });
    expect(events[2]?.detail.data).toMatchObject({ id, archived: true });
    // Another tenant sees none of it; an unknown type is refused.
    expect(about(await recorded(stranger.client), id)).toEqual([]);
    expect((await admin.client.get('/__local/events?type=contact.exploded')).status).toBe(400);
    // Events tell of every record of the tenant: like webhooks, they are for admins.
    expect((await world.repRed.client.get('/__local/events')).status).toBe(403);
  });

  it('a deal moved into the won stage: deal.stage_changed and deal.won', async () => {
    const pipeline = (await world.admin.client.get('/pipelines')).body.items[0];
    const won = pipeline.stages.find((stage: { kind: string }) => stage.kind === 'won').id;
    const deal = await world.admin.client.post('/deals', {
      name: 'Evented deal',
      amount: 1000,
      currency: 'EUR',
    });
    expect(deal.status).toBe(201);
    expect((await world.admin.client.patch(`/deals/${deal.body.id}`, { stageId: won })).status).toBe(200);
    await eventually(async () => {
      const items = about(await recorded(world.admin.client), deal.body.id);
      expect(items.map((item) => item.detailType)).toEqual([
        'deal.created',
        'deal.stage_changed',
        'deal.won',
      ]);
      expect(items[1]?.detail.data).toMatchObject({ stageId: won, previousStageId: deal.body.stageId });
    });
  });

  it('a replayed batch publishes nothing again', async () => {
    // The handler runs here, on the test table, recording where the runtime's stand-in does.
    useTestTable();
    process.env.EVENT_BUS = 'local';
    process.env.LOCAL_EVENTS_FILE = join(inject('dataDir'), 'events.jsonl');
    const { handler } = await import('#functions/stream/tableChanges');
    const contact = await world.admin.client.post('/contacts', { firstName: 'Replay' });
    const item = { ...contact.body, entity: 'contact', tenantId: world.tenant };
    const eventId = `replayed-${contact.body.id}`;
    const record = () => streamRecord({ eventId, sequenceNumber: '1', new: item });
    // A batch holding the record twice, then the same batch again, then a retry of the record alone.
    for (const records of [[record(), record()], [record(), record()], [record()]])
      expect((await handler({ Records: records })).batchItemFailures).toEqual([]);
    const replayedId = domainEventId(eventId, 'contact.created');
    const ids = (await recorded(world.admin.client, 'contact.created')).map((entry) => entry.detail.id);
    expect(ids.filter((id) => id === replayedId)).toHaveLength(1);
  });
});
