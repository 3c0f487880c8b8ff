import type { UnitCounts, UnitCountsFile, UnitCountsRun } from '../../bench/unit-counts.ts';

/**
 * A made-up counts run for the cost model's tests: round figures chosen so the arithmetic can be
 * checked by hand. Not a measurement; the bill of record comes from bench/unit-counts.json.
 */

export function unit(overrides: Partial<UnitCounts> & { fn?: string; durationMs?: number } = {}): UnitCounts {
  const { fn = 'contacts', durationMs = 20, ...rest } = overrides;
  return {
    description: 'test fixture',
    method: 'test fixture, not measured',
    measuredUnits: 1,
    httpApiRequests: 1,
    dynamodb: { requests: { GetItem: 1 }, writeUnits: 0, readUnits: 0.5, itemsWritten: 0 },
    lambda: [{ function: fn, invocations: 1, durationMs, logBytes: 1000 }],
    sqsRequests: 0,
    schedulerRequests: 0,
    schedulerInvocations: 0,
    eventBridgeEvents: 0,
    sesRequests: 0,
    sesEmails: 0,
    s3PutRequests: 0,
    s3GetRequests: 0,
    streamRecords: 0,
    ...rest,
  };
}

const write = (
  writeUnits: number,
  streamRecords: number,
): Pick<UnitCounts, 'dynamodb' | 'streamRecords'> => ({
  dynamodb: { requests: { TransactWriteItems: 1 }, writeUnits, readUnits: 0, itemsWritten: streamRecords },
  streamRecords,
});

const background = (fn: string, extra: Partial<UnitCounts>): UnitCounts =>
  unit({ fn, httpApiRequests: 0, ...extra });

export function fixtureRun(mode: 'full' | 'quick' = 'full'): UnitCountsRun {
  return {
    mode,
    date: '2026-11-30T00:00:00.000Z',
    commit: 'fixture',
    units: {
      'api.getContact': unit(),
      'api.listContacts': unit({
        dynamodb: { requests: { Query: 1 }, writeUnits: 0, readUnits: 4, itemsWritten: 0 },
      }),
      'api.createContact': unit({ ...write(4, 2) }),
      'api.updateContact': unit({ ...write(4, 1) }),
      'api.deleteContact': unit({ ...write(2, 1) }),
      // Measured with the stream consumer running, as the bench's runtime scenarios are.
      'campaign.recipient': background('campaignSend', {
        ...write(3, 2),
        lambda: [
          { function: 'campaignSend', invocations: 0.01, durationMs: 900, logBytes: 3000 },
          { function: 'tableChanges', invocations: 0.02, durationMs: 150, logBytes: 2000 },
        ],
        sesRequests: 1,
        sesEmails: 1,
        sqsRequests: 0.03,
      }),
      'tracking.open': unit({ fn: 'tracking', ...write(1, 1) }),
      'tracking.click': unit({ fn: 'tracking', ...write(1, 1) }),
      'ses.event': background('sesEvents', { ...write(1, 1) }),
      'import.row': background('importChunks', { ...write(3, 1), s3GetRequests: 0.001, sqsRequests: 0.01 }),
      reminder: background('reminder', {
        ...write(2, 1),
        schedulerRequests: 2,
        schedulerInvocations: 1,
        sesEmails: 1,
      }),
      'webhook.delivery': background('webhookDeliveries', { ...write(5, 2), sqsRequests: 3 }),
      'sequence.step': background('sequenceStep', { ...write(2, 1), schedulerInvocations: 1, sesEmails: 1 }),
      'stream.record': background('tableChanges', {
        ...write(1, 0.5),
        lambda: [{ function: 'tableChanges', invocations: 0.01, durationMs: 150, logBytes: 2000 }],
        eventBridgeEvents: 0.2,
      }),
    },
    storage: {
      contact: { description: 'fixture', itemsPerRecord: 3, bytesPerRecord: 2048 },
      company: { description: 'fixture', itemsPerRecord: 2, bytesPerRecord: 1024 },
      deal: { description: 'fixture', itemsPerRecord: 3, bytesPerRecord: 2048 },
      lead: { description: 'fixture', itemsPerRecord: 2, bytesPerRecord: 1024 },
      activity: { description: 'fixture', itemsPerRecord: 2, bytesPerRecord: 1024 },
    },
  };
}

export const fixtureFile = (mode: 'full' | 'quick' = 'full'): UnitCountsFile => ({
  schema: 1,
  runs: { [mode]: fixtureRun(mode) },
});
