import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Consumer, FailedIds, TableChange } from '#functions/stream/pipeline/change';
import { decodeRecords } from '#functions/stream/pipeline/decode';
import { UndecodableRecord } from '#functions/stream/pipeline/isolation';
import { type BatchFailures, collectFailures, runConsumers } from '#functions/stream/pipeline/run';
import { settleFailures } from '#functions/stream/pipeline/settle';
import { logger } from '#shared/observability/logger';
import { streamRecord } from '../support/stream-records.ts';

process.env.TABLE_NAME = 'crm-test';
process.env.AWS_REGION = 'us-east-1';

/** DynamoDB's refusal of the write itself: the record's content causes it again on every attempt. */
const permanent = () => Object.assign(new Error('Item size has exceeded'), { name: 'ValidationException' });
/** Throttling: trying later may succeed. */
const transient = () =>
  Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });

const contact = (id: string, extra: Record<string, unknown> = {}) => ({
  pk: `T#t1#CONTACT#${id}`,
  sk: 'A',
  entity: 'contact',
  tenantId: 't1',
  id,
  version: 1,
  ...extra,
});

describe('decoding a stream batch', () => {
  it('reads each record once into a typed change: kind from eventName, tenant and entity from the image, keys unmarshalled', () => {
    const records = [
      streamRecord({ eventId: 'e1', sequenceNumber: '1', new: contact('c1') }),
      streamRecord({
        eventId: 'e2',
        sequenceNumber: '2',
        old: contact('c1'),
        new: contact('c1', { version: 2 }),
      }),
      streamRecord({ eventId: 'e3', sequenceNumber: '3', old: contact('c1', { version: 2 }) }),
    ];
    const { changes, failed, origins } = decodeRecords(records);
    expect(failed).toEqual(new Map());
    expect(changes).toEqual([
      {
        eventId: 'e1',
        sequenceNumber: '1',
        tenantId: 't1',
        entity: 'contact',
        keys: { pk: 'T#t1#CONTACT#c1', sk: 'A' },
        old: undefined,
        new: contact('c1'),
        kind: 'insert',
        // ApproximateCreationDateTime, whole seconds.
        streamedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      },
      expect.objectContaining({ eventId: 'e2', kind: 'modify', old: contact('c1'), tenantId: 't1' }),
      // A removal's tenant and entity come from its old image.
      expect.objectContaining({
        eventId: 'e3',
        kind: 'remove',
        new: undefined,
        tenantId: 't1',
        entity: 'contact',
      }),
    ]);
    expect(origins.get('e3')).toMatchObject({
      eventId: 'e3',
      sequenceNumber: '3',
      tenantId: 't1',
      keys: { pk: 'T#t1#CONTACT#c1', sk: 'A' },
    });
  });

  it('applies a duplicated event once and skips records without an event id or sequence number', () => {
    const record = streamRecord({ eventId: 'e1', sequenceNumber: '1', new: contact('c1') });
    const noSequence = streamRecord({ eventId: 'e2', new: contact('c2') });
    delete noSequence.dynamodb?.SequenceNumber;
    const noId = { ...streamRecord({ sequenceNumber: '3', new: contact('c3') }), eventID: undefined };
    const { changes, origins } = decodeRecords([record, record, noSequence, noId]);
    expect(changes.map((change) => change.eventId)).toEqual(['e1']);
    expect([...origins.keys()]).toEqual(['e1']);
  });

  it('fails a record whose image cannot be read as UndecodableRecord, keeps its keys for the set-aside, and decodes the rest', () => {
    const broken = streamRecord({
      eventId: 'bad',
      sequenceNumber: '1',
      old: contact('c1'),
      new: contact('c1'),
    });
    (broken.dynamodb?.NewImage as Record<string, unknown>).version = { Z: 'no such type' };
    const { changes, failed, origins } = decodeRecords([
      broken,
      streamRecord({ eventId: 'good', sequenceNumber: '2', new: contact('c2') }),
    ]);
    expect(changes.map((change) => change.eventId)).toEqual(['good']);
    expect([...failed.keys()]).toEqual(['bad']);
    expect(failed.get('bad')).toBeInstanceOf(UndecodableRecord);
    expect(origins.get('bad')).toEqual({
      eventId: 'bad',
      sequenceNumber: '1',
      eventSourceArn: broken.eventSourceARN,
      keys: { pk: 'T#t1#CONTACT#c1', sk: 'A' },
    });
  });

  it('reads the kind from the images when a record has no eventName', () => {
    const record = { ...streamRecord({ eventId: 'e1', sequenceNumber: '1', old: contact('c1') }) };
    delete record.eventName;
    expect(decodeRecords([record]).changes[0]?.kind).toBe('remove');
    const unreadableKeys = streamRecord({ eventId: 'e2', sequenceNumber: '2', new: contact('c2') });
    if (unreadableKeys.dynamodb) unreadableKeys.dynamodb.Keys = { pk: { Z: 'x' } } as never;
    expect(decodeRecords([unreadableKeys]).changes[0]).toMatchObject({ eventId: 'e2', keys: undefined });
  });
});

describe('running the consumers', () => {
  const changes: TableChange[] = decodeRecords([
    streamRecord({ eventId: 'e1', sequenceNumber: '1', new: contact('c1') }),
    streamRecord({ eventId: 'e2', sequenceNumber: '2', new: contact('c2') }),
  ]).changes;

  const consumer = (name: string, calls: string[], failed: FailedIds = new Map(), reportedAs?: string) =>
    ({
      name,
      ...(reportedAs ? { reportedAs } : {}),
      apply: async (batch: readonly TableChange[]) => {
        calls.push(`${name}:${batch.map((change) => change.eventId).join(',')}`);
        return failed;
      },
    }) satisfies Consumer;

  it('runs them in list order, each over the whole batch, also after another failed a change', async () => {
    const calls: string[] = [];
    await runConsumers(
      [
        consumer('first', calls, new Map([['e1', transient()]])),
        consumer('second', calls),
        consumer('third', calls),
      ],
      changes,
      new Map(),
    );
    expect(calls).toEqual(['first:e1,e2', 'second:e1,e2', 'third:e1,e2']);
  });

  it("merges several consumers' failures per record, keyed by name or reportedAs (the later error standing)", async () => {
    const calls: string[] = [];
    const [early, late, other] = [permanent(), transient(), permanent()];
    const failures: BatchFailures = new Map();
    collectFailures(failures, 'decode', new Map([['e9', other]]));
    await runConsumers(
      [
        consumer('aggregates', calls, new Map([['e1', early]])),
        consumer('timeline', calls, new Map([['e1', early]]), 'timeline and notifications'),
        consumer('notifications', calls, new Map([['e1', late]]), 'timeline and notifications'),
        consumer('team moves', calls, new Map([['e2', other]])),
      ],
      changes,
      failures,
    );
    expect([...failures.keys()]).toEqual(['e9', 'e1', 'e2']);
    expect(failures.get('e1')).toEqual({ aggregates: early, 'timeline and notifications': late });
    expect(failures.get('e2')).toEqual({ 'team moves': other });
  });

  it('keeps a passing error over a later permanent one under a shared name, so the record is retried', async () => {
    const calls: string[] = [];
    const [passing, lasting] = [transient(), permanent()];
    const failures = await runConsumers(
      [
        consumer('timeline', calls, new Map([['e1', passing]]), 'timeline and notifications'),
        consumer('notifications', calls, new Map([['e1', lasting]]), 'timeline and notifications'),
      ],
      changes,
      new Map(),
    );
    expect(failures.get('e1')).toEqual({ 'timeline and notifications': passing });
  });

  it('the entry runs aggregates, timeline, notifications, erasure, contact activity, sequence exits, campaign stats, team moves, contact clicks, deal activity, alert watches, event bus', async () => {
    const { consumers } = await import('#functions/stream/tableChanges');
    expect(consumers.map((step) => step.name)).toEqual([
      'aggregates',
      'timeline',
      'notifications',
      'erasure',
      'contact activity',
      'sequence exits',
      'campaign stats',
      'team moves',
      'contact clicks',
      'deal activity',
      'alert watches',
      'event bus',
    ]);
    // The keys of set-aside reasons, as they have always been.
    expect([...new Set(consumers.map((step) => step.reportedAs ?? step.name))]).toEqual([
      'aggregates',
      'timeline and notifications',
      'contact activity',
      'sequence exits',
      'campaign stats',
      'team moves',
      'contact clicks',
      'deal activity',
      'alert watches',
      'event bus',
    ]);
  });
});

describe('settling the failures', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stream-settle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    file = join(dir, `set-aside-${Math.random().toString(36).slice(2)}.jsonl`);
    process.env.LOCAL_STREAM_FAILURE_FILE = file;
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    delete process.env.LOCAL_STREAM_FAILURE_FILE;
    vi.restoreAllMocks();
  });

  const { origins } = decodeRecords(
    ['1', '2', '3'].map((n) =>
      streamRecord({ eventId: `e${n}`, sequenceNumber: n, new: contact(`c${n}`, { firstName: 'Ana' }) }),
    ),
  );
  const lines = async () =>
    (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('sets aside a record that failed only permanently, and reports the others by sequence number', async () => {
    const failures: BatchFailures = new Map([
      ['e1', { aggregates: permanent(), timeline: permanent() }],
      ['e2', { aggregates: transient() }],
      // One passing failure is enough for a retry.
      ['e3', { aggregates: permanent(), 'team moves': transient() }],
    ]);
    expect(await settleFailures(origins, failures)).toEqual([
      { itemIdentifier: '2' },
      { itemIdentifier: '3' },
    ]);
    const [line, ...others] = await lines();
    expect(others).toEqual([]);
    expect(line).toMatchObject({
      eventId: 'e1',
      sequenceNumber: '1',
      tenantId: 't1',
      keys: { pk: 'T#t1#CONTACT#c1', sk: 'A' },
      reasons: {
        aggregates: 'ValidationException: Item size has exceeded',
        timeline: 'ValidationException: Item size has exceeded',
      },
    });
    expect(JSON.stringify(line)).not.toContain('Ana');
  });

  it('reports the permanent failures for retry when they cannot be set aside', async () => {
    delete process.env.LOCAL_STREAM_FAILURE_FILE;
    delete process.env.STREAM_FAILURE_QUEUE_URL;
    const failures: BatchFailures = new Map([
      ['e1', { aggregates: permanent() }],
      ['e2', { aggregates: transient() }],
    ]);
    expect(await settleFailures(origins, failures)).toEqual([
      { itemIdentifier: '2' },
      { itemIdentifier: '1' },
    ]);
  });

  it('reports nothing and sets nothing aside for a batch without failures', async () => {
    expect(await settleFailures(origins, new Map())).toEqual([]);
    expect(await readdir(dir)).not.toContain(file.split('/').pop());
  });
});

describe('the consumers', () => {
  it('import only the change type, the isolation helpers and the event derivation, never the entry', async () => {
    const folder = join(import.meta.dirname, '../../functions/stream/consumers');
    const files = (await readdir(folder)).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const name of files) {
      const source = await readFile(join(folder, name), 'utf8');
      const local = [...source.matchAll(/from '(\.[^']*)'/g)].map((match) => match[1]);
      for (const path of local)
        expect(
          [
            '../pipeline/change.ts',
            '../pipeline/isolation.ts',
            '../pipeline/per-record.ts',
            '../events/derive.ts',
          ],
          `${name} imports ${path}`,
        ).toContain(path);
      expect(source, name).not.toMatch(/tableChanges/);
    }
  });
});

describe('the stream record factory', () => {
  it('builds records whose images decode to what they were built from', () => {
    const image = { ...contact('c1'), tags: ['a'], nested: { n: 1 } };
    const record = streamRecord({ new: image });
    expect(record.eventName).toBe('INSERT');
    expect(record.dynamodb?.NewImage).toEqual(marshall(image));
    expect(decodeRecords([record]).changes[0]?.new).toEqual(image);
  });
});
