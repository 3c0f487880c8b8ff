import { describe, expect, it } from 'vitest';
import { type CommandStats, emptyStats } from '../../bench/dynamo-meter.ts';
import { priceByImages, unitCountsOf } from '../../bench/unit-record.ts';

const stats = (fields: Partial<CommandStats>): CommandStats => ({ ...emptyStats(), ...fields });

describe('pricing a counted pass from an imaged one', () => {
  it('prices writes per item written and reads per call, operation by operation', () => {
    const imaged = {
      // 2 batches of 10 items: 30 units, 1.5 per item.
      BatchWriteItem: stats({ count: 2, imaged: 2, itemsWritten: 20, awsWriteUnits: 30 }),
      // 4 reads, 2 units: 0.5 per call.
      GetItem: stats({ count: 4, imaged: 4, awsReadUnits: 2 }),
    };
    const counted = {
      BatchWriteItem: stats({ count: 4, itemsWritten: 100 }),
      GetItem: stats({ count: 10 }),
      Query: stats({ count: 3 }),
    };
    expect(priceByImages(counted, imaged)).toEqual({ writeUnits: 150, readUnits: 5, unpriced: ['Query'] });
  });

  it('prices a write that wrote nothing (a failed condition) per call', () => {
    const imaged = { PutItem: stats({ count: 2, imaged: 2, errors: 2, awsWriteUnits: 2 }) };
    expect(priceByImages({ PutItem: stats({ count: 5, errors: 5 }) }, imaged).writeUnits).toBe(5);
  });
});

describe('per-unit counts', () => {
  it('divides every count by the units and names what could not be priced', () => {
    const counts = unitCountsOf({
      description: 'one recipient',
      method: 'a campaign',
      units: 200,
      httpApiRequests: 1 / 200,
      dynamo: {
        Query: stats({ count: 2 }),
        UpdateItem: stats({ count: 400, itemsWritten: 400 }),
        Scan: stats({ count: 0 }),
      },
      imaged: { UpdateItem: stats({ count: 10, imaged: 10, itemsWritten: 10, awsWriteUnits: 30 }) },
      imagedUnits: 5,
      services: {
        services: {
          sqsRequests: 40,
          schedulerRequests: 1,
          schedulerInvocations: 1,
          eventBridgeEvents: 0,
          sesRequests: 200,
          sesEmails: 200,
          s3PutRequests: 0,
          s3GetRequests: 0,
        },
        functions: { campaignSend: { invocations: 20, durationsMs: [30, 10, 20], logBytes: 2000 } },
      },
    });
    expect(counts.dynamodb).toEqual({
      requests: { Query: 0.01, UpdateItem: 2 },
      writeUnits: 6,
      readUnits: 0,
      itemsWritten: 2,
    });
    expect(counts.lambda).toEqual([
      { function: 'campaignSend', invocations: 0.1, durationMs: 20, logBytes: 100 },
    ]);
    expect(counts.sqsRequests).toBe(0.2);
    expect(counts.sesEmails).toBe(1);
    expect(counts.method).toBe('a campaign; never imaged, so left out of the units: Query');
  });
});
