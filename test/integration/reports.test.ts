import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, uniqueTenant } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { streamRecord } from '../support/stream-records.ts';
import { createWorld, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

describe('overview report', () => {
  it('follows creations, archives, restores and erasures through the stream', async () => {
    const { admin } = world;
    await eventually(async () => {
      expect((await admin.client.get('/reports/overview')).body).toEqual({
        contacts: 0,
        companies: 0,
        teams: 2,
        users: 4,
        leads: 0,
        deals: 0,
        openPipelineAmount: {},
      });
    });
    const company = await admin.client.post('/companies', { name: 'Counted' });
    const contacts = await Promise.all(
      ['A', 'B', 'C'].map((firstName) =>
        admin.client.post('/contacts', { firstName, email: `${firstName}@${world.tenant}.test` }),
      ),
    );
    await admin.client.delete(`/contacts/${contacts[0]?.body.id}`);
    await admin.client.delete(`/contacts/${contacts[1]?.body.id}?erase=true`);
    await admin.client.delete(`/companies/${company.body.id}`);
    await admin.client.post(`/companies/${company.body.id}/restore`);
    await admin.client.patch(`/contacts/${contacts[2]?.body.id}`, { title: 'Still one' });
    // Open deals add up exactly per currency; won or archived ones leave the open amount.
    const open = await admin.client.post('/deals', { name: 'Open', amount: 0.1, currency: 'EUR' });
    await admin.client.post('/deals', { name: 'Open too', amount: 0.2, currency: 'EUR' });
    await admin.client.post('/deals', { name: 'Dollars', amount: 1999.99, currency: 'USD' });
    const gone = await admin.client.post('/deals', { name: 'Gone', amount: 50, currency: 'EUR' });
    await admin.client.delete(`/deals/${gone.body.id}`);
    const pipeline = (await admin.client.get('/pipelines')).body.items[0];
    const won = pipeline.stages.find((stage: { kind: string }) => stage.kind === 'won').id;
    const closed = await admin.client.post('/deals', { name: 'Closed', amount: 7, currency: 'EUR' });
    await admin.client.patch(`/deals/${closed.body.id}`, { stageId: won });
    await admin.client.patch(`/deals/${open.body.id}`, { amount: 0.4 });
    await eventually(async () => {
      expect((await admin.client.get('/reports/overview')).body).toEqual({
        contacts: 1,
        companies: 1,
        teams: 2,
        users: 4,
        leads: 0,
        deals: 4,
        openPipelineAmount: { EUR: 0.6, USD: 1999.99 },
      });
    });
    expect((await world.stranger.client.get('/reports/overview')).body).toEqual({
      contacts: 0,
      companies: 0,
      teams: 0,
      users: 0,
      leads: 0,
      deals: 0,
      openPipelineAmount: {},
    });
    // Tenant-wide figures are for managers and admins; a rep would learn about other teams' records.
    const rep = await world.repBlue.client.get('/reports/overview');
    expect(rep.status).toBe(403);
    expect(rep.headers.get('content-type')).toContain('application/problem+json');
    expect((await world.managerRed.client.get('/reports/overview')).status).toBe(200);
  });
});

describe('stream consumer', () => {
  const record = (
    eventId: string,
    oldImage: Record<string, unknown> | undefined,
    newImage: Record<string, unknown> | undefined,
    sequence: number,
  ): DynamoDBRecord =>
    streamRecord({
      eventId,
      old: oldImage,
      new: newImage,
      sequenceNumber: sequence,
      keys: { pk: 'k', sk: 'A' },
    });

  it('counts each event once, whatever is replayed or duplicated', async () => {
    useTestTable();
    const { handler } = await import('#functions/stream/tableChanges');
    const { readOverview } = await import('#shared/store/aggregates');
    const tenantId = uniqueTenant();
    const contact = (id: string, archived = false) => ({ entity: 'contact', tenantId, id, archived });
    const records = [
      record(`${tenantId}-1`, undefined, contact('c1'), 1),
      record(`${tenantId}-2`, undefined, contact('c2'), 2),
      record(`${tenantId}-3`, undefined, { entity: 'company', tenantId, id: 'k1', archived: false }, 3),
      record(`${tenantId}-4`, contact('c1'), contact('c1', true), 4),
      record(`${tenantId}-5`, contact('c2'), { ...contact('c2'), title: 'x' }, 5),
      record(`${tenantId}-6`, undefined, { entity: 'unique', tenantId }, 6),
    ];
    const batch: DynamoDBStreamEvent = { Records: records };
    const expected = {
      contacts: 1,
      companies: 1,
      teams: 0,
      users: 0,
      leads: 0,
      deals: 0,
      openPipelineAmount: {},
    };

    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(await readOverview(tenantId)).toEqual(expected);
    // The same batch again, a retry starting mid-batch, and a batch carrying a duplicate record.
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: records.slice(3) })).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: [records[1], records[1], records[2]] as DynamoDBRecord[] })).toEqual({
      batchItemFailures: [],
    });
    expect(await readOverview(tenantId)).toEqual(expected);

    const erase = record(`${tenantId}-7`, contact('c2'), undefined, 7);
    await handler({ Records: [...records, erase] });
    expect(await readOverview(tenantId)).toEqual({ ...expected, contacts: 0 });
  });

  it('ignores records it cannot use instead of failing the batch', async () => {
    useTestTable();
    const { handler } = await import('#functions/stream/tableChanges');
    const broken = [
      { eventID: 'x1', eventName: 'INSERT', dynamodb: {} },
      {
        eventID: 'x2',
        eventName: 'INSERT',
        dynamodb: { NewImage: marshall({ entity: 'contact' }), SequenceNumber: '1' },
      },
      {
        eventName: 'INSERT',
        dynamodb: { NewImage: marshall({ entity: 'contact', tenantId: 't' }), SequenceNumber: '2' },
      },
    ] as unknown as DynamoDBRecord[];
    expect(await handler({ Records: broken })).toEqual({ batchItemFailures: [] });
  });
});
