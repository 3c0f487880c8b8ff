import { Console } from 'node:console';
import { describe, expect, it } from 'vitest';
import { unitsOfWrite, writeTargets } from '../../bench/capacity-images.ts';
import { ServiceMeter } from '../../bench/service-meters.ts';

describe('the function meter', () => {
  it('counts invocations and the bytes a handler writes to stdout and stderr, keeping them off the terminal', async () => {
    const meter = new ServiceMeter();
    meter.start();
    // As Powertools' logger writes: its own Console on the process streams.
    const logger = new Console({ stdout: process.stdout, stderr: process.stderr });
    const handler = meter.handler('contacts', async (line: string) => {
      process.stdout.write(line);
      process.stderr.write(Buffer.from('ñ\n'));
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.log('{"level":"INFO"}');
      return line.length;
    });
    expect(await handler('{"level":"INFO","message":"hi"}\n')).toBe(32);
    await handler('x\n');
    const counts = meter.reading().functions.contacts;
    expect(counts?.invocations).toBe(2);
    // 32 + 3 (ñ is two bytes) + 17, then 2 + 3 + 17.
    expect(counts?.logBytes).toBe(52 + 22);
    expect(counts?.durationsMs).toHaveLength(2);
  });

  it("attributes work to the functions asked for only, and a queue's messages to its consumer", async () => {
    const meter = new ServiceMeter();
    meter.start();
    meter.attribute(['webhookDeliveries']);
    const seen: boolean[] = [];
    await meter.handler('tableChanges', async () => {
      seen.push(meter.counts());
      meter.add('eventBridgeEvents');
    })();
    await meter.handler('webhookDeliveries', async () => {
      seen.push(meter.counts());
      meter.add('sesRequests');
    })();
    seen.push(meter.counts());
    expect(seen).toEqual([false, true, false]);
    const reading = meter.reading();
    expect(Object.keys(reading.functions)).toEqual(['webhookDeliveries']);
    expect(reading.services.eventBridgeEvents).toBe(0);
    expect(reading.services.sesRequests).toBe(1);
    // A queue consumer's batch is one ReceiveMessage and one DeleteMessageBatch.
    expect(reading.services.sqsRequests).toBe(2);
  });

  it('counts nothing while stopped', async () => {
    const meter = new ServiceMeter();
    await meter.handler('contacts', async () => meter.add('sesRequests'))();
    expect(meter.reading()).toEqual({
      services: expect.objectContaining({ sesRequests: 0 }),
      functions: {},
    });
  });
});

describe('write images', () => {
  it('lists a transaction’s items in order, a ConditionCheck as a check', () => {
    const targets = writeTargets('TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 't', Item: { pk: 'A', sk: 'A', name: 'x' } } },
        { Update: { TableName: 't', Key: { pk: 'B', sk: 'B' }, UpdateExpression: 'SET n = :n' } },
        { ConditionCheck: { TableName: 't', Key: { pk: 'C', sk: 'C' }, ConditionExpression: 'x' } },
      ],
    });
    expect(targets.map((target) => [target.key.pk, target.transactional, target.check])).toEqual([
      ['A', true, false],
      ['B', true, false],
      ['C', true, true],
    ]);
  });

  it('prices a transaction from the images: each item twice, the check on the table only', () => {
    const targets = writeTargets('TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 't', Item: { pk: 'A', sk: 'A' } } },
        { ConditionCheck: { TableName: 't', Key: { pk: 'C', sk: 'C' } } },
      ],
    });
    const counter = { pk: 'C', sk: 'C', gsi1pk: 'x', gsi1sk: 'y', n: 1 };
    const before = { targets, items: [undefined, counter] };
    const after = { targets, items: [{ pk: 'A', sk: 'A', gsi1pk: 'x', gsi1sk: 'y' }, counter] };
    // Put: table 1 + gsi1 1, ×2 = 4; check: table 1, ×2 = 2.
    expect(unitsOfWrite('TransactWriteItems', before, after, true)).toBe(6);
    // Cancelled: both charged for the existing items on the table: 2 + 2.
    expect(unitsOfWrite('TransactWriteItems', before, before, false)).toBe(4);
  });

  it('reads a batch write’s puts and deletes; a read writes nothing', () => {
    const targets = writeTargets('BatchWriteItem', {
      RequestItems: {
        t: [{ PutRequest: { Item: { pk: 'A', sk: 'A' } } }, { DeleteRequest: { Key: { pk: 'B', sk: 'B' } } }],
      },
    });
    expect(targets.map((target) => target.key)).toEqual([
      { pk: 'A', sk: 'A' },
      { pk: 'B', sk: 'B' },
    ]);
    expect(writeTargets('Query', { TableName: 't' })).toEqual([]);
  });
});
