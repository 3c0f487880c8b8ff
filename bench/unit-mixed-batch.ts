import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { DynamoMeter, MeterSnapshot } from './dynamo-meter.ts';
import { lambdaContext } from './events.ts';
import { eventOf, mixedBatch } from './reports.ts';
import type { ServiceMeter } from './service-meters.ts';
import type { UnitCounts } from './unit-counts.ts';
import { addSnapshots, unitCountsOf } from './unit-record.ts';

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/**
 * `stream.record.mixed`: one record of the reports bench's mixed batch of one tenant (contacts,
 * deals, stage moves with their history, activities, campaign deliveries: bench/reports.ts
 * `mixedBatch`) through the whole stream consumer, in process against the operations table. The
 * first batch is imaged for AWS units, the second a warm-up, the rest counted.
 */
export async function measureMixedBatch(options: {
  readonly meter: DynamoMeter;
  readonly services: ServiceMeter;
  readonly tableName: string;
  readonly batches: number;
}): Promise<UnitCounts> {
  const { meter, services, tableName } = options;
  const stream = (await import('#functions/stream/tableChanges')).handler as unknown as StreamHandler;
  const handler = services.handler('tableChanges', stream);
  const tenantId = `bench-units-mixed-${Date.now().toString(36)}`;
  const counted: MeterSnapshot[] = [];
  let imaged: MeterSnapshot = {};
  let imagedRecords = 0;
  let records = 0;
  services.reset();
  for (let round = 0; round < 2 + options.batches; round++) {
    const batch = await mixedBatch(tableName, tenantId, round);
    const image = round === 0;
    const measured = round >= 2;
    meter.reset();
    meter.measureCapacity(image);
    if (image || measured) meter.start();
    if (measured) services.start();
    const result = await handler(
      eventOf(batch.changes, `units-mixed-${round}`, tableName),
      lambdaContext('aggregates'),
    );
    services.stop();
    meter.stop();
    meter.measureCapacity(false);
    if (result.batchItemFailures.length > 0) throw new Error('the mixed batch reported failed records');
    if (image) {
      imaged = meter.snapshot();
      imagedRecords = batch.changes.length;
    }
    if (measured) {
      counted.push(meter.snapshot());
      records += batch.changes.length;
    }
  }
  return unitCountsOf({
    description:
      'one record of a mixed stream batch of one tenant (bench/reports.ts: new contacts, deals and activities, stage moves to won with their history, campaign deliveries sent and delivered), through every stream consumer',
    method: `bench/unit-mixed-batch.ts: ${options.batches} batches of ${records / Math.max(1, options.batches)} records through functions/stream/tableChanges.ts in process (capacity from item images of one untimed batch of ${imagedRecords})`,
    units: records,
    httpApiRequests: 0,
    dynamo: addSnapshots(counted),
    imaged,
    imagedUnits: imagedRecords,
    services: services.reading(),
  });
}
